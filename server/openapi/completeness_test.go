package openapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/server/openapi"
)

// Every operation documents what it takes and what it answers (issue 9 item 6): a request
// body (when it has one) and every 2xx answer with a body carry a schema for each JSON media
// type, or declare their non-JSON media type (HTML pages, images, CSV, text); PUT and PATCH
// always take a body, and so does a POST unless it is an action on one resource; every
// operation answers at least one success, and every JSON error body has a schema. Presence of
// the path alone (CheckRoutes) is not enough.
func TestEveryOperationHasRequestAndResponseSchemas(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	bad := func(op, format string, a ...any) {
		problems = append(problems, op+": "+sprintf(format, a...))
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" {
				bad(name, "no operationId")
			}
			if rb := op.RequestBody; rb != nil {
				if rb.Value == nil || len(rb.Value.Content) == 0 {
					bad(name, "request body without content")
				} else {
					for mt, c := range rb.Value.Content {
						if c.Schema == nil || c.Schema.Value == nil {
							bad(name, "request body %s without a schema", mt)
						}
					}
				}
			} else if method == http.MethodPut || method == http.MethodPatch {
				bad(name, "%s without a request body", method)
			} else if method == http.MethodPost && !bodylessAction(path) {
				bad(name, "POST to a collection without a request body (only an action on one resource, /…/{id}/verb, or a logout may take none)")
			}
			if op.Responses == nil || op.Responses.Len() == 0 {
				bad(name, "no responses")
				continue
			}
			success := false
			for code, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					bad(name, "response %q is not a status code", code)
					continue
				}
				r := ref.Value
				if r == nil {
					bad(name, "response %s unresolved", code)
					continue
				}
				switch {
				case status >= 200 && status < 400:
					success = true
					if status == http.StatusNoContent || status >= 300 {
						continue
					}
					if len(r.Content) == 0 {
						bad(name, "%s answer declares no content", code)
					}
					for mt, c := range r.Content {
						if isJSON(mt) && (c.Schema == nil || c.Schema.Value == nil) {
							bad(name, "%s answer %s without a schema", code, mt)
						}
					}
				case status >= 400:
					for mt, c := range r.Content {
						if isJSON(mt) && (c.Schema == nil || c.Schema.Value == nil) {
							bad(name, "%s error %s without a schema", code, mt)
						}
					}
				}
			}
			if !success {
				bad(name, "no success answer")
			}
		}
	}
	sort.Strings(problems)
	problems = slices.Compact(problems)
	if len(problems) > 0 {
		t.Fatalf("%d operations are incomplete:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

// bodylessAction: POST /…/{id}/verb (start, end, clear, replay, …) or a logout.
func bodylessAction(path string) bool {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if seg[len(seg)-1] == "logout" {
		return true
	}
	return len(seg) >= 2 && strings.HasPrefix(seg[len(seg)-2], "{") && !strings.HasPrefix(seg[len(seg)-1], "{")
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
