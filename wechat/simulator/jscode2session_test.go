package simulator_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/simulator"
)

func TestJscode2Session(t *testing.T) {
	cases := []struct {
		name string
		// query prepares the simulator and returns the jscode2session query to send.
		query       func(e *env) url.Values
		wantErrcode int
	}{
		{"ok", func(e *env) url.Values { return e.demoQuery(e.demoLogin().Code) }, 0},
		{"ok just before expiry", func(e *env) url.Values {
			c := e.demoLogin()
			e.clk.Advance(5*time.Minute - time.Second)
			return e.demoQuery(c.Code)
		}, 0},
		{"ok for an unregistered app with any secret", func(e *env) url.Values {
			c := e.login(map[string]any{"appid": "wxbrand42"})
			return url.Values{"appid": {"wxbrand42"}, "secret": {"anything"}, "js_code": {c.Code}}
		}, 0},
		{"ok for a registered app with its secret", func(e *env) url.Values {
			e.sim.RegisterApp("wxbrand43", "s3cret")
			c := e.login(map[string]any{"appid": "wxbrand43"})
			return url.Values{"appid": {"wxbrand43"}, "secret": {"s3cret"}, "js_code": {c.Code}}
		}, 0},
		{"unknown code", func(e *env) url.Values { return e.demoQuery("0a1b2c3d4e5f") }, 40029},
		{"expired code", func(e *env) url.Values {
			c := e.demoLogin()
			e.clk.Advance(5 * time.Minute)
			return e.demoQuery(c.Code)
		}, 40029},
		{"reused code", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			if out := e.code2Session(q); errcode(out) != 0 {
				e.t.Fatalf("first use: %v", out)
			}
			return q
		}, 40163},
		{"another app's code", func(e *env) url.Values {
			c := e.login(map[string]any{"appid": "wxother"})
			return e.demoQuery(c.Code)
		}, 40029},
		{"rate limited after 100 calls a minute", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			for range 100 { // 1 success and 99 reuses all count
				e.code2Session(q)
			}
			return q
		}, 45011},
		{"missing appid", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			q.Del("appid")
			return q
		}, 40125},
		{"malformed appid", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			q.Set("appid", "wx 0000/1")
			return q
		}, 40125},
		{"empty secret", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			q.Set("secret", "")
			return q
		}, 40125},
		{"wrong secret for a registered app", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			q.Set("secret", "0123456789abcdef0123456789abcdef")
			return q
		}, 40125},
		{"wrong grant_type", func(e *env) url.Values {
			q := e.demoQuery(e.demoLogin().Code)
			q.Set("grant_type", "client_credential")
			return q
		}, 40002},
		{"missing code", func(e *env) url.Values { return e.demoQuery("") }, 41008},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			out := e.code2Session(tc.query(e))
			if got := errcode(out); got != tc.wantErrcode {
				t.Fatalf("errcode %d, want %d (%v)", got, tc.wantErrcode, out)
			}
			if tc.wantErrcode != 0 {
				if str(out["errmsg"]) == "" || out["openid"] != nil || out["session_key"] != nil {
					t.Errorf("error answer %v", out)
				}
				return
			}
			if str(out["openid"]) == "" || str(out["session_key"]) == "" {
				t.Errorf("success answer %v", out)
			}
		})
	}
}

func TestJscode2SessionAnswersTheLoggedInUser(t *testing.T) {
	e := newEnv(t)
	c := e.demoLogin()
	if !regexp.MustCompile(`^o[A-Za-z0-9_-]{27}$`).MatchString(c.OpenID) {
		t.Errorf("new openid %q does not look like WeChat's", c.OpenID)
	}
	out := e.code2Session(e.demoQuery(c.Code))
	if out["openid"] != c.OpenID || out["unionid"] != c.UnionID {
		t.Errorf("answer %v, logged in as %+v", out, c)
	}
	key, err := base64.StdEncoding.DecodeString(str(out["session_key"]))
	if err != nil || len(key) != 16 {
		t.Errorf("session_key %q is not 16 bytes of base64", out["session_key"])
	}
}

func TestLoginKeepsAUsersUnionID(t *testing.T) {
	e := newEnv(t)
	first := e.login(map[string]any{"appid": simulator.DemoAppID, "openid": "oUser1", "unionid": "uFirst"})
	again := e.login(map[string]any{"appid": simulator.DemoAppID, "openid": "oUser1", "unionid": "uSecond"})
	if first.UnionID != "uFirst" || again.UnionID != "uFirst" || again.OpenID != "oUser1" {
		t.Fatalf("first %+v, again %+v", first, again)
	}
	if first.Code == again.Code {
		t.Fatal("two logins share a code")
	}
	out := e.code2Session(e.demoQuery(again.Code))
	if out["openid"] != "oUser1" || out["unionid"] != "uFirst" {
		t.Errorf("answer %v", out)
	}
}

func TestLoginRateLimitWindowEnds(t *testing.T) {
	e := newEnv(t)
	c := e.demoLogin()
	used := e.demoQuery(c.Code)
	for range 101 {
		e.code2Session(used)
	}
	// A new code for the same user is refused while the minute lasts…
	fresh := e.login(map[string]any{"appid": simulator.DemoAppID, "openid": c.OpenID})
	if got := errcode(e.code2Session(e.demoQuery(fresh.Code))); got != 45011 {
		t.Fatalf("inside the minute: errcode %d, want 45011", got)
	}
	// …another user is not affected…
	if got := errcode(e.code2Session(e.demoQuery(e.demoLogin().Code))); got != 0 {
		t.Fatalf("another user: errcode %d", got)
	}
	// …and the quota comes back with the next minute.
	e.clk.Advance(time.Minute)
	if got := errcode(e.code2Session(e.demoQuery(fresh.Code))); got != 0 {
		t.Fatalf("next minute: errcode %d, want 0", got)
	}
}

func TestControlLoginRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		body any
	}{
		{"not JSON", "appid=wx1"},
		{"missing appid", map[string]any{"openid": "o1"}},
		{"malformed appid", map[string]any{"appid": "wx/1"}},
		{"malformed openid", map[string]any{"appid": "wx1", "openid": "o 1"}},
		{"appid of the wrong type", map[string]any{"appid": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			status, out := e.do(http.MethodPost, "/_sim/control/login", tc.body)
			if status != http.StatusBadRequest || out["code"] != "INVALID_ARGUMENT" || str(out["message"]) == "" {
				t.Errorf("%d %v", status, out)
			}
		})
	}
}
