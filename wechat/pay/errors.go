package pay

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Reasons a message from WeChat Pay (an API answer or a callback) is not trusted. Callback
// parsing returns them wrapped; API calls return them inside an *UnknownError. Match them with
// errors.Is.
var (
	// ErrMalformed: the message is not the shape WeChat sends (headers, JSON, fields).
	ErrMalformed = errors.New("wechatpay: malformed message")
	// ErrUnknownSerial: Wechatpay-Serial names no key this merchant has.
	ErrUnknownSerial = errors.New("wechatpay: Wechatpay-Serial names no known key")
	// ErrStale: Wechatpay-Timestamp is 5 minutes or more away from now (a replay, or a clock
	// that is wrong).
	ErrStale = errors.New("wechatpay: timestamp is not within 5 minutes")
	// ErrBadSignature: the signature does not verify (also WeChat's deliberate "probe"
	// callbacks).
	ErrBadSignature = errors.New("wechatpay: signature does not verify")
	// ErrDecrypt: a verified callback's resource does not decrypt with the APIv3 key.
	ErrDecrypt = errors.New("wechatpay: resource does not decrypt")
	// ErrUnexpectedEvent: a verified callback that is not a transfer bill's final state for
	// this merchant.
	ErrUnexpectedEvent = errors.New("wechatpay: unexpected callback event")
)

// Codes of WeChat's error answers that mean "definitely refused, nothing was done". Only these,
// in a signed 4xx answer, make a *RefusedError; every other code leaves the outcome unknown.
const (
	CodeParamError     = "PARAM_ERROR"
	CodeInvalidRequest = "INVALID_REQUEST"
	CodeNoAuth         = "NO_AUTH"
	CodeNotEnough      = "NOT_ENOUGH"
	CodeNotFound       = "NOT_FOUND"
)

// Codes of answers that leave the outcome unknown (UnknownError.Code). The first three are
// WeChat's; the others name what went wrong on our side of the wire.
const (
	CodeSystemError      = "SYSTEM_ERROR"
	CodeFrequencyLimited = "FREQUENCY_LIMITED"
	CodeSignError        = "SIGN_ERROR"
	CodeNoAnswer         = "NO_ANSWER"  // timeout, connection refused or reset
	CodeUnverified       = "UNVERIFIED" // the answer's signature is missing, stale or wrong
	CodeBadAnswer        = "BAD_ANSWER" // signed, but not the answer WeChat documents
	CodeUnexpected       = "UNEXPECTED" // a status or error code not known to be definite
)

// Operations, for errors.
const (
	OpCreate = "create"
	OpQuery  = "query"
	OpCancel = "cancel"
)

// RefusedError is a definite refusal: WeChat answered (signed) that it will not do it. For a
// create it means no bill exists: the payout can fail and its hold be released. Code is
// WeChat's (PARAM_ERROR, INVALID_REQUEST, NO_AUTH, NOT_ENOUGH, NOT_FOUND); Message is
// WeChat's text, safe to store as the failure reason.
type RefusedError struct {
	Op      string
	Status  int // HTTP status; 0 when the request was refused here, before sending
	Code    string
	Message string
	// Local is true when this package refused the request before sending it (a field WeChat
	// would refuse): nothing reached WeChat.
	Local bool
}

func (e *RefusedError) Error() string {
	where := "wechatpay"
	if e.Local {
		where = "wechatpay (checked before sending)"
	}
	return fmt.Sprintf("%s %s refused: %s: %s", where, e.Op, e.Code, e.Message)
}

// NotFound reports whether WeChat has no such bill (a query's NOT_FOUND).
func (e *RefusedError) NotFound() bool { return e.Code == CodeNotFound }

// duplicateBillNoText is the core of WeChat's message for a repeated out_bill_no whose fields
// differ from the first create ("商户单号重复，且与原单参数不一致").
const duplicateBillNoText = "单号重复"

// DuplicateBillNo reports whether a create was refused because a bill with this out_bill_no
// exists with other fields (INVALID_REQUEST "商户单号重复，且与原单参数不一致"). Unlike every
// other create refusal it does not mean "no bill": the existing bill may still be paid. WeChat
// gives no code of its own for it, so the message is read, ignoring spaces, punctuation and
// whatever surrounds the text.
func (e *RefusedError) DuplicateBillNo() bool {
	if e.Local || e.Code != CodeInvalidRequest {
		return false
	}
	return strings.Contains(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) {
			return -1
		}
		return r
	}, e.Message), duplicateBillNoText)
}

// IsDuplicateBillNo reports whether err is a create refused as a differing repeat of an
// existing bill (see RefusedError.DuplicateBillNo).
func IsDuplicateBillNo(err error) bool {
	r, ok := IsRefused(err)
	return ok && r.DuplicateBillNo()
}

// UnknownError means the outcome is not known: the call may or may not have taken effect.
// Retry with the same out_bill_no (query first); never give up the bill number.
type UnknownError struct {
	Op      string
	Status  int    // HTTP status; 0 when no answer came
	Code    string // WeChat's code when it sent one, else one of the Code… constants above
	Message string
	cause   error
}

func (e *UnknownError) Error() string {
	s := fmt.Sprintf("wechatpay %s outcome unknown: %s", e.Op, e.Code)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *UnknownError) Unwrap() error { return e.cause }

// IsRefused returns the refusal in err's chain, if err is a definite refusal.
func IsRefused(err error) (*RefusedError, bool) {
	var r *RefusedError
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}
