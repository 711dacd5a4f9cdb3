package simulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/simulator"
)

// stableToken calls stable_token for the demo app and returns the token and expires_in,
// failing the test on an error answer.
func (e *env) stableToken(forceRefresh bool) (string, int) {
	e.t.Helper()
	out := e.stableTokenRaw(map[string]any{
		"grant_type": "client_credential", "appid": simulator.DemoAppID,
		"secret": e.sim.Keys().AppSecret, "force_refresh": forceRefresh,
	})
	if errcode(out) != 0 || str(out["access_token"]) == "" {
		e.t.Fatalf("stable_token: %v", out)
	}
	return str(out["access_token"]), int(out["expires_in"].(float64))
}

func (e *env) stableTokenRaw(body any) map[string]any {
	e.t.Helper()
	status, out := e.do(http.MethodPost, "/_sim/api/cgi-bin/stable_token", body)
	if status != http.StatusOK {
		e.t.Fatalf("stable_token: HTTP %d %v", status, out)
	}
	return out
}

func TestStableTokenIsStableWhileValid(t *testing.T) {
	e := newEnv(t)
	tok, exp := e.stableToken(false)
	if exp != 7200 || len(tok) < 100 {
		t.Fatalf("first token %q expires_in %d", tok, exp)
	}
	e.clk.Advance(100 * time.Second)
	again, exp := e.stableToken(false)
	if again != tok || exp != 7100 {
		t.Fatalf("second call: same=%v expires_in %d, want the same token with 7100 s left", again == tok, exp)
	}
	if !e.sim.ValidToken(simulator.DemoAppID, tok) {
		t.Error("token not valid")
	}
	if e.sim.ValidToken("wxother", tok) {
		t.Error("token valid for another app")
	}
	if e.sim.ValidToken(simulator.DemoAppID, "forged") {
		t.Error("forged token valid")
	}
}

func TestStableTokenForceRefreshEndsTheOldToken(t *testing.T) {
	e := newEnv(t)
	old, _ := e.stableToken(false)
	fresh, exp := e.stableToken(true)
	if fresh == old || exp != 7200 {
		t.Fatalf("force_refresh: same=%v expires_in %d", fresh == old, exp)
	}
	if e.sim.ValidToken(simulator.DemoAppID, old) {
		t.Error("old token still valid after force_refresh")
	}
	if !e.sim.ValidToken(simulator.DemoAppID, fresh) {
		t.Error("new token not valid")
	}
	if normal, _ := e.stableToken(false); normal != fresh {
		t.Error("normal mode after force_refresh does not answer the new token")
	}
}

func TestStableTokenRenewsNearExpiry(t *testing.T) {
	e := newEnv(t)
	old, _ := e.stableToken(false)

	// In the last 5 minutes a new token is handed out and the old one lives on until expiry.
	e.clk.Advance(7200*time.Second - 4*time.Minute)
	renewed, exp := e.stableToken(false)
	if renewed == old || exp != 7200 {
		t.Fatalf("near expiry: same=%v expires_in %d", renewed == old, exp)
	}
	if !e.sim.ValidToken(simulator.DemoAppID, old) {
		t.Error("old token ended before its expiry")
	}

	e.clk.Advance(4 * time.Minute)
	if e.sim.ValidToken(simulator.DemoAppID, old) {
		t.Error("old token valid after expiry")
	}
	if !e.sim.ValidToken(simulator.DemoAppID, renewed) {
		t.Error("renewed token not valid")
	}

	// After the current token expires too, a new one is issued.
	e.clk.Advance(7200 * time.Second)
	if e.sim.ValidToken(simulator.DemoAppID, renewed) {
		t.Error("renewed token valid after expiry")
	}
	if next, _ := e.stableToken(false); next == renewed || next == old {
		t.Error("expired token handed out again")
	}
}

func TestStableTokenErrors(t *testing.T) {
	cases := []struct {
		name        string
		body        any
		wantErrcode int
	}{
		{"wrong grant_type", map[string]any{"grant_type": "authorization_code", "appid": simulator.DemoAppID, "secret": "x"}, 40002},
		{"missing appid", map[string]any{"grant_type": "client_credential", "secret": "x"}, 40013},
		{"malformed appid", map[string]any{"grant_type": "client_credential", "appid": "wx 1", "secret": "x"}, 40013},
		{"wrong secret for a registered app", map[string]any{"grant_type": "client_credential", "appid": simulator.DemoAppID, "secret": "x"}, 40125},
		{"empty secret", map[string]any{"grant_type": "client_credential", "appid": "wxbrand42", "secret": ""}, 40125},
		{"not JSON", "grant_type=client_credential", 47001},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			out := e.stableTokenRaw(tc.body)
			if got := errcode(out); got != tc.wantErrcode || out["access_token"] != nil {
				t.Errorf("errcode %d, want %d (%v)", got, tc.wantErrcode, out)
			}
		})
	}
}

func TestStableTokenForAnUnregisteredApp(t *testing.T) {
	e := newEnv(t)
	out := e.stableTokenRaw(map[string]any{"grant_type": "client_credential", "appid": "wxbrand42", "secret": "any"})
	tok := str(out["access_token"])
	if errcode(out) != 0 || !e.sim.ValidToken("wxbrand42", tok) {
		t.Fatalf("%v", out)
	}
	if e.sim.ValidToken(simulator.DemoAppID, tok) {
		t.Error("one app's token valid for another")
	}
}
