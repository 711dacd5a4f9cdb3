package httperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
)

// BindJSON decodes the request body into dst and returns an apperr the caller can hand
// straight to Write: Invalid INVALID_ARGUMENT for an empty body, malformed JSON, a wrong type
// or trailing data; TooLarge BODY_TOO_LARGE when the body limit cut the read short.
//
// Unknown fields are accepted on purpose: mini-program builds in the wild send fields a
// newer or older server does not know, and refusing them would break released clients.
// Required fields and value rules are the handler's and the domain's job, not the decoder's.
func BindJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return apperr.InvalidArgument("request body is empty; expected a JSON object")
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// One value per body: "{...}{...}" or "{...} junk" is a client bug worth reporting,
	// not something to half-apply.
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return apperr.InvalidArgument("request body must hold a single JSON value")
	default:
		return decodeError(err)
	}
}

func decodeError(err error) error {
	var (
		maxBytes  *http.MaxBytesError
		syntax    *json.SyntaxError
		typ       *json.UnmarshalTypeError
		badTarget *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &maxBytes):
		return apperr.New(apperr.TooLarge, CodeBodyTooLarge,
			fmt.Sprintf("request body exceeds %d bytes", maxBytes.Limit))
	case errors.Is(err, io.EOF):
		return apperr.InvalidArgument("request body is empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.InvalidArgument("malformed JSON: the body ends before the value is complete")
	case errors.As(err, &syntax):
		return apperr.InvalidArgument(fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.As(err, &typ):
		want := "another type"
		if typ.Type != nil {
			want = jsonKind(typ.Type.Kind())
		}
		if typ.Field == "" {
			return apperr.InvalidArgument(fmt.Sprintf("request body must be %s, not a JSON %s", want, typ.Value))
		}
		return apperr.InvalidArgument(fmt.Sprintf("field %q must be %s, not a JSON %s", typ.Field, want, typ.Value))
	case errors.As(err, &badTarget):
		// The handler passed a non-pointer: our bug, not the client's.
		return fmt.Errorf("bind json: %w", err)
	default:
		// A read error mid-body (client went away, broken chunking). Keep the cause for logs.
		return apperr.Wrap(err, apperr.Invalid, CodeInvalidArgument, "could not read the request body")
	}
}

// jsonKind names Go kinds the way a JSON client thinks of them.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "another type"
	}
}
