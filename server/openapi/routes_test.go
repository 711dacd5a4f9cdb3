package openapi_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/sharecast/sharecast/server/openapi"
)

func TestPathTemplate(t *testing.T) {
	tests := []struct{ gin, want string }{
		{"/healthz", "/healthz"},
		{"/", "/"},
		{"/mp/v1/lives/:live_id/links", "/mp/v1/lives/{live_id}/links"},
		{"/admin/v1/lives/:id", "/admin/v1/lives/{id}"},
		{"/mp/v1/lives/:live_id/leaderboard.txt", "/mp/v1/lives/{live_id}/leaderboard.txt"},
		{"/a/:x/b/:y", "/a/{x}/b/{y}"},
		{"/static/*filepath", "/static/{filepath}"},
		{"/_sim/*any", "/_sim/{any}"},
		{"/lb/:token/data", "/lb/{token}/data"},
	}
	for _, tt := range tests {
		t.Run(tt.gin, func(t *testing.T) {
			if got := openapi.PathTemplate(tt.gin); got != tt.want {
				t.Fatalf("PathTemplate(%q) = %q, want %q", tt.gin, got, tt.want)
			}
		})
	}
}

func route(method, path string) gin.RouteInfo { return gin.RouteInfo{Method: method, Path: path} }

func ignoreSim(_, path string) bool { return strings.HasPrefix(path, "/_sim") }

// The service routes, registered the way server.New registers them.
var serviceRoutes = []gin.RouteInfo{
	route(http.MethodGet, "/healthz"),
	route(http.MethodGet, "/readyz"),
	route(http.MethodGet, "/metrics"),
	route(http.MethodGet, "/openapi.json"),
}

// The embedded document also holds other areas' fragments; their routes are checked where
// they are registered (the server package walks engine.Routes()). Here: the service area.
func TestCheckRoutesEmbeddedServiceRoutes(t *testing.T) {
	service := map[string]bool{}
	for _, r := range serviceRoutes {
		service[r.Path] = true
	}
	onlyService := func(_, path string) bool { return !service[path] }
	if err := openapi.CheckRoutes(serviceRoutes, onlyService); err != nil {
		t.Fatal(err)
	}
	missing := serviceRoutes[:len(serviceRoutes)-1]
	err := openapi.CheckRoutes(missing, onlyService)
	if err == nil || !strings.Contains(err.Error(), "spec operation without route: GET /openapi.json") {
		t.Fatalf("err = %v, want /openapi.json reported as unserved", err)
	}
}

func TestCheckRoutesAgainst(t *testing.T) {
	doc, err := openapi.LoadFS(fstest.MapFS{
		"base.yaml":  baseYAML(t),
		"lives.yaml": {Data: []byte(livesYAML)},
		"sim.yaml": {Data: []byte(`
paths:
  /_sim/control/clock:
    post:
      responses:
        '204': {description: moved}
`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		routes  []gin.RouteInfo
		ignore  func(method, path string) bool
		wantErr []string
		notErr  []string
	}{
		{
			name:   "all agree",
			routes: []gin.RouteInfo{route(http.MethodGet, "/admin/v1/lives/:id")},
			ignore: ignoreSim,
		},
		{
			name:   "both sides missing, in one error",
			routes: []gin.RouteInfo{route(http.MethodPatch, "/admin/v1/lives/:id"), route(http.MethodGet, "/admin/v1/secret")},
			ignore: ignoreSim,
			wantErr: []string{
				"2 routes without a spec entry, 1 spec operations without a route",
				"route without spec entry: GET /admin/v1/secret (gin /admin/v1/secret)",
				"route without spec entry: PATCH /admin/v1/lives/{id} (gin /admin/v1/lives/:id)",
				"spec operation without route: GET /admin/v1/lives/{id}",
			},
			notErr: []string{"/_sim"},
		},
		{
			name:    "renamed parameter gets a hint",
			routes:  []gin.RouteInfo{route(http.MethodGet, "/admin/v1/lives/:live_id")},
			ignore:  ignoreSim,
			wantErr: []string{"hint: GET /admin/v1/lives/{live_id} and GET /admin/v1/lives/{id} differ only in parameter names"},
		},
		{
			name:    "without ignore the simulator entry must be served",
			routes:  []gin.RouteInfo{route(http.MethodGet, "/admin/v1/lives/:id")},
			ignore:  nil,
			wantErr: []string{"spec operation without route: POST /_sim/control/clock"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openapi.CheckRoutesAgainst(doc, tt.routes, tt.ignore)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			for _, not := range tt.notErr {
				if strings.Contains(err.Error(), not) {
					t.Errorf("error mentions ignored %q:\n%v", not, err)
				}
			}
		})
	}
}
