package httperr_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/server/httperr"
)

// Render answers exactly what Write sends, for the answers stored and replayed later.
func TestRenderMatchesWrite(t *testing.T) {
	cases := []error{
		apperr.New(apperr.Rule, "PAYOUT_LIMIT", "the maximum payout is 20000 fen"),
		apperr.New(apperr.Conflict, "PAYOUT_CHANGED", "read it again").WithDetails(map[string]any{"risks": []string{"a"}}),
		apperr.InvalidArgument("amount_fen is required"),
	}
	for _, err := range cases {
		var status int
		var body []byte
		w := serve(t, nil, func(c *gin.Context) {
			status, body = httperr.Render(c, err)
			httperr.Write(c, err)
		})
		var rendered map[string]any
		if e := json.Unmarshal(body, &rendered); e != nil {
			t.Fatal(e)
		}
		if status != w.Code || !reflect.DeepEqual(rendered, decode(t, w)) {
			t.Fatalf("%v: Render %d %s, Write %d %s", err, status, body, w.Code, w.Body.String())
		}
	}
	// An unclassified error renders the fixed 500 body, never its text.
	w := serve(t, nil, func(c *gin.Context) {
		status, body := httperr.Render(c, errors.New("db password is hunter2"))
		c.Data(status, "application/json", body)
	})
	if w.Code != http.StatusInternalServerError || decode(t, w)["message"] != "internal error" {
		t.Fatalf("unclassified: %d %s", w.Code, w.Body.String())
	}
}
