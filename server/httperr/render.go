package httperr

import (
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
)

// Render builds the status and body Write would send for a classified error, without sending
// it: for answers that are stored and replayed later (a request under an Idempotency-Key
// answers its first outcome, a 4xx too). An unclassified or Internal error renders the fixed
// 500 body; callers should not store those.
func Render(c *gin.Context, err error) (int, []byte) {
	ae, ok := apperr.As(err)
	if !ok || Status(ae.Kind) == 500 {
		b, _ := json.Marshal(map[string]any{"code": CodeInternal, "message": internalMessage, "request_id": RequestID(c)})
		return 500, b
	}
	body := make(map[string]any, 3+len(ae.Details))
	for k, v := range ae.Details {
		body[k] = v
	}
	body["code"] = ae.Code
	body["message"] = ae.Message
	body["request_id"] = RequestID(c)
	b, mErr := json.Marshal(body)
	if mErr != nil {
		b, _ = json.Marshal(map[string]any{"code": ae.Code, "message": ae.Message, "request_id": RequestID(c)})
	}
	c.Set(errorCodeKey, ae.Code)
	return Status(ae.Kind), b
}
