package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// t0 is the tests' starting time; every move of time goes through the Fixed clock.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// sharedDataDir holds one key set for the tests that do not test keys, so each of them loads
// the set instead of generating two RSA keys.
var sharedDataDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sharecast-simulator-test-")
	if err != nil {
		panic(err)
	}
	sharedDataDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// env is one simulator on a Fixed clock, called through its handler.
type env struct {
	t   *testing.T
	sim *simulator.Simulator
	clk *clock.Fixed
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewFixed(t0)
	sim, err := simulator.New(simulator.Options{DataDir: sharedDataDir, Clock: clk, ClockAdvancer: fixedAdvancer{clk}})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sim: sim, clk: clk}
}

// fixedAdvancer lets the clock control endpoint move a Fixed clock; the offset it reports is
// the distance from t0.
type fixedAdvancer struct{ clk *clock.Fixed }

func (a fixedAdvancer) Advance(_ context.Context, by time.Duration) (time.Duration, error) {
	a.clk.Advance(by)
	return a.clk.Now().Sub(t0), nil
}

// do sends one request to the handler and decodes the JSON answer into a map.
func (e *env) do(method, target string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, target, rd)
	rec := httptest.NewRecorder()
	e.sim.Handler().ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		e.t.Fatalf("%s %s: Content-Type %q", method, target, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		e.t.Fatalf("%s %s: answer %q is not JSON: %v", method, target, rec.Body.String(), err)
	}
	return rec.Code, out
}

type login struct {
	Code    string
	OpenID  string
	UnionID string
}

// login is the user's wx.login through the control endpoint.
func (e *env) login(body map[string]any) login {
	e.t.Helper()
	status, out := e.do(http.MethodPost, "/_sim/control/login", body)
	if status != http.StatusOK {
		e.t.Fatalf("control/login %v: %d %v", body, status, out)
	}
	return login{Code: str(out["code"]), OpenID: str(out["openid"]), UnionID: str(out["unionid"])}
}

func (e *env) demoLogin() login {
	return e.login(map[string]any{"appid": simulator.DemoAppID})
}

// code2Session calls jscode2session with query q (grant_type added when absent).
func (e *env) code2Session(q url.Values) map[string]any {
	e.t.Helper()
	if _, ok := q["grant_type"]; !ok {
		q.Set("grant_type", "authorization_code")
	}
	status, out := e.do(http.MethodGet, "/_sim/api/sns/jscode2session?"+q.Encode(), nil)
	if status != http.StatusOK {
		e.t.Fatalf("jscode2session: HTTP %d %v (WeChat answers errors with 200)", status, out)
	}
	return out
}

func (e *env) demoQuery(code string) url.Values {
	return url.Values{"appid": {simulator.DemoAppID}, "secret": {e.sim.Keys().AppSecret}, "js_code": {code}}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// errcode reads errcode from a WeChat answer; 0 when absent.
func errcode(out map[string]any) int {
	f, _ := out["errcode"].(float64)
	return int(f)
}

func TestUnknownPaths(t *testing.T) {
	e := newEnv(t)
	status, out := e.do(http.MethodGet, "/_sim/control/nope", nil)
	if status != http.StatusNotFound || out["code"] != "NOT_FOUND" {
		t.Errorf("control: %d %v", status, out)
	}
	status, out = e.do(http.MethodGet, "/_sim/api/cgi-bin/nope", nil)
	if status != http.StatusNotFound || errcode(out) != -1 {
		t.Errorf("api: %d %v", status, out)
	}
}
