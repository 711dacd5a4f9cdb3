// Package apperr defines the error kinds every layer speaks. Domain code returns an
// *Error with a kind and a stable machine code; server/httperr alone turns kinds into HTTP
// statuses. Nothing here knows about HTTP, SQL or Redis.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error for the edge. The zero value is Internal.
type Kind int

const (
	Internal        Kind = iota // 500, never shows its message
	Invalid                     // 400
	Unauthenticated             // 401
	Forbidden                   // 403
	NotFound                    // 404
	Conflict                    // 409
	TooLarge                    // 413
	Rule                        // 422: a business rule refused the request
	RateLimited                 // 429
	Unavailable                 // 503
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case Unauthenticated:
		return "unauthenticated"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too_large"
	case Rule:
		return "rule"
	case RateLimited:
		return "rate_limited"
	case Unavailable:
		return "unavailable"
	default:
		return "internal"
	}
}

// Error is a classified error with a stable code (e.g. NOTICE_MISMATCH) and a message that is
// safe to show to the caller.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// RetryAfter is set on RateLimited errors.
	RetryAfter time.Duration
	// Details are extra machine-readable fields merged into the error body (e.g. risks).
	Details map[string]any
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.cause }

// New returns an error of the given kind and code.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap keeps cause for logs; the caller still sees only message.
func Wrap(cause error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, cause: cause}
}

// WithDetails returns a copy of e carrying details in its body.
func (e *Error) WithDetails(d map[string]any) *Error {
	c := *e
	c.Details = d
	return &c
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err (Internal for unclassified errors).
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// CodeOf returns the stable code of err, or "" for unclassified errors.
func CodeOf(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}

// Shorthands for the common codes.
func InvalidArgument(message string) *Error { return New(Invalid, "INVALID_ARGUMENT", message) }
func NotFoundf(format string, a ...any) *Error {
	return New(NotFound, "NOT_FOUND", fmt.Sprintf(format, a...))
}
func UnauthenticatedErr(message string) *Error {
	return New(Unauthenticated, "UNAUTHENTICATED", message)
}
func ForbiddenErr(message string) *Error { return New(Forbidden, "FORBIDDEN", message) }
func RateLimitedErr(retryAfter time.Duration) *Error {
	return &Error{Kind: RateLimited, Code: "RATE_LIMITED", Message: "too many requests, slow down", RetryAfter: retryAfter}
}
