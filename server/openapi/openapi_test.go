package openapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/openapi"
)

func init() { gin.SetMode(gin.TestMode) }

func TestLoadEmbedded(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	for _, name := range []string{"bearerAuth", "adminAuth", "apiKey"} {
		if doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("security scheme %s missing", name)
		}
	}
	if doc.Components.Schemas["Error"] == nil {
		t.Error("schema Error missing")
	}
	for _, name := range []string{"Invalid", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "TooLarge", "Rule", "RateLimited", "Internal"} {
		if doc.Components.Responses[name] == nil {
			t.Errorf("shared response %s missing", name)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json"} {
		if item := doc.Paths.Value(path); item == nil || item.Get == nil {
			t.Errorf("GET %s missing", path)
		}
	}
	// Refs are resolved: a validator can walk straight into the shared Error schema.
	resp := doc.Paths.Value("/metrics").Get.Responses.Status(401)
	if resp == nil || resp.Value == nil || resp.Value.Content.Get("application/json").Schema.Value == nil {
		t.Fatal("401 on /metrics does not resolve to the Error schema")
	}
}

func TestHandlerServesJSON(t *testing.T) {
	e := gin.New()
	e.GET("/openapi.json", openapi.Handler())
	req := httptest.NewRequest(http.MethodGet, "/openapi.json", nil)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)

	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	cached, err := openapi.JSON()
	if err != nil || w.Body.String() != string(cached) {
		t.Fatalf("handler body differs from JSON() (err %v)", err)
	}
	var parsed struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &parsed); err != nil {
		t.Fatal(err)
	}
	if parsed.OpenAPI != "3.0.3" || parsed.Paths["/healthz"]["get"] == nil {
		t.Fatalf("served document lacks basics: %+v", parsed)
	}
	if !strings.Contains(w.Body.String(), `"$ref":"#/components/schemas/Error"`) {
		t.Error("served document should keep $refs rather than inline every schema")
	}

	// The document is itself an answer the spec describes.
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := openapi.NewValidator(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.ValidateResponse(req, w.Code, w.Header(), w.Body.Bytes()); err != nil {
		t.Fatalf("/openapi.json does not match its own entry: %v", err)
	}
}

// baseYAML is the real base fragment, so the merge tests exercise the shared components.
func baseYAML(t *testing.T) *fstest.MapFile {
	t.Helper()
	b, err := os.ReadFile("spec/base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

const livesYAML = `
paths:
  /admin/v1/lives/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getLive
      responses:
        200:
          description: the live
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Live'}
        404: {$ref: '#/components/responses/NotFound'}
components:
  schemas:
    Live:
      type: object
      required: [id]
      properties:
        id: {type: string}
`

func TestLoadFS(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string // besides base.yaml
		noBase  bool
		wantErr []string // substrings; none = success
	}{
		{name: "base alone"},
		{name: "area fragment with unquoted status codes", files: map[string]string{"lives.yaml": livesYAML}},
		{name: "empty fragment", files: map[string]string{"empty.yaml": ""}},
		{
			name: "same path, other methods, same path parameters",
			files: map[string]string{"lives.yaml": livesYAML, "lives_write.yaml": `
paths:
  /admin/v1/lives/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    patch:
      operationId: patchLive
      responses:
        '200': {description: ok}
`},
		},
		{
			name: "duplicate operation",
			files: map[string]string{"lives.yaml": livesYAML, "other.yaml": `
paths:
  /admin/v1/lives/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getLiveAgain
      responses:
        '200': {description: ok}
`},
			wantErr: []string{"GET /admin/v1/lives/{id} is defined in both lives.yaml and other.yaml"},
		},
		{
			name: "duplicate schema, and one clashing with base",
			files: map[string]string{"lives.yaml": livesYAML, "stats.yaml": `
components:
  schemas:
    Live: {type: object}
    Error: {type: object}
`},
			wantErr: []string{
				"components.schemas.Live is defined in both lives.yaml and stats.yaml",
				"components.schemas.Error is defined in both base.yaml and stats.yaml",
			},
		},
		{
			name: "path-level fields disagree",
			files: map[string]string{"lives.yaml": livesYAML, "lives_write.yaml": `
paths:
  /admin/v1/lives/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    patch:
      responses:
        '200': {description: ok}
`},
			wantErr: []string{"paths./admin/v1/lives/{id}.parameters differs between lives.yaml and lives_write.yaml"},
		},
		{
			name:    "area fragment touches document-level fields",
			files:   map[string]string{"rogue.yaml": "info: {title: mine, version: '2'}\nsecurity: [{apiKey: []}]\n"},
			wantErr: []string{`rogue.yaml: top-level key "info" belongs in base.yaml`, `rogue.yaml: top-level key "security"`},
		},
		{
			name:    "duplicate tag",
			files:   map[string]string{"a.yaml": "tags: [{name: service}]\n"},
			wantErr: []string{"tag service is defined in both base.yaml and a.yaml"},
		},
		{
			name:    "broken YAML names the file",
			files:   map[string]string{"broken.yaml": "paths: [unclosed\n"},
			wantErr: []string{"broken.yaml"},
		},
		{
			name: "dangling reference",
			files: map[string]string{"x.yaml": `
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Nope'}
`},
			wantErr: []string{"Nope"},
		},
		{
			name: "invalid document",
			files: map[string]string{"x.yaml": `
paths:
  /x/{id}:
    get:
      responses:
        '200': {description: ok}
`},
			wantErr: []string{"invalid document", "(invalid on its own with base.yaml: x.yaml)"},
		},
		{name: "no base", noBase: true, files: map[string]string{"lives.yaml": livesYAML}, wantErr: []string{"base.yaml is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if !tt.noBase {
				fsys["base.yaml"] = baseYAML(t)
			}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			doc, err := openapi.LoadFS(fsys)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("LoadFS: %v", err)
				}
				if doc.Info.Title != "sharecast" {
					t.Fatalf("info came from somewhere other than base.yaml: %+v", doc.Info)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadFS succeeded, want an error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}
