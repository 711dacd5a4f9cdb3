package wechat_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// simWeChat runs the built-in simulator over real HTTP, the way the embedded mode does.
type simWeChat struct {
	sim *simulator.Simulator
	clk *clock.Fixed
	srv *httptest.Server
}

func newSimWeChat(t *testing.T) *simWeChat {
	t.Helper()
	clk := clock.NewFixed(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	sim, err := simulator.New(simulator.Options{DataDir: t.TempDir(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &simWeChat{sim: sim, clk: clk, srv: srv}
}

func (s *simWeChat) client() *wechat.Client {
	return wechat.NewClient(wechat.Options{BaseURL: s.srv.URL + "/_sim/api"})
}

// login plays the user's wx.login and returns the code and the user's openid.
func (s *simWeChat) login(t *testing.T, appID, openID string) (code, gotOpenID string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"appid": appID, "openid": openID})
	resp, err := http.Post(s.srv.URL+"/_sim/control/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Code, OpenID string }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil || out.Code == "" {
		t.Fatalf("control/login: HTTP %d", resp.StatusCode)
	}
	return out.Code, out.OpenID
}

func TestClientAgainstSimulatorLogin(t *testing.T) {
	s := newSimWeChat(t)
	keys := s.sim.Keys()
	c := s.client()

	code, openID := s.login(t, keys.AppID, "")
	sess, err := c.Code2Session(t.Context(), keys.AppID, keys.AppSecret, code)
	if err != nil {
		t.Fatal(err)
	}
	if sess.OpenID != openID || sess.SessionKey == "" || sess.UnionID == "" {
		t.Fatalf("session %v", sess)
	}

	cases := []struct {
		name     string
		call     func() error
		wantKind apperr.Kind
		wantCode string
	}{
		{"reused code", func() error {
			_, err := c.Code2Session(t.Context(), keys.AppID, keys.AppSecret, code)
			return err
		}, apperr.Unauthenticated, "WECHAT_CODE_INVALID"},
		{"expired code", func() error {
			stale, _ := s.login(t, keys.AppID, openID)
			s.clk.Advance(5 * time.Minute)
			_, err := c.Code2Session(t.Context(), keys.AppID, keys.AppSecret, stale)
			return err
		}, apperr.Unauthenticated, "WECHAT_CODE_INVALID"},
		{"wrong secret", func() error {
			fresh, _ := s.login(t, keys.AppID, openID)
			_, err := c.Code2Session(t.Context(), keys.AppID, "not-the-secret", fresh)
			return err
		}, apperr.Unavailable, "WECHAT_UNAVAILABLE"},
		{"rate limited", func() error {
			fresh, _ := s.login(t, keys.AppID, "oBusyUser")
			var err error
			for range 101 {
				_, err = c.Code2Session(t.Context(), keys.AppID, keys.AppSecret, fresh)
			}
			return err
		}, apperr.RateLimited, "RATE_LIMITED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if apperr.KindOf(err) != tc.wantKind || apperr.CodeOf(err) != tc.wantCode {
				t.Errorf("error %v, want %v %s", err, tc.wantKind, tc.wantCode)
			}
		})
	}
}

func TestClientAgainstSimulatorAccessToken(t *testing.T) {
	s := newSimWeChat(t)
	keys := s.sim.Keys()
	c := s.client()

	tok, err := c.AccessToken(t.Context(), keys.AppID, keys.AppSecret)
	if err != nil {
		t.Fatal(err)
	}
	if !s.sim.ValidToken(keys.AppID, tok) {
		t.Fatal("the simulator does not know the token it issued")
	}
	if again, _ := c.AccessToken(t.Context(), keys.AppID, keys.AppSecret); again != tok {
		t.Fatal("second call did not come from the cache")
	}

	// The simulated clock jumps past expiry while the client's cache still holds the token:
	// the case WeChat answers with 40001, after which the caller invalidates and retries.
	s.clk.Advance(2 * time.Hour)
	if s.sim.ValidToken(keys.AppID, tok) {
		t.Fatal("token valid after expiry")
	}
	if err := c.InvalidateToken(t.Context(), keys.AppID); err != nil {
		t.Fatal(err)
	}
	fresh, err := c.AccessToken(t.Context(), keys.AppID, keys.AppSecret)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == tok || !s.sim.ValidToken(keys.AppID, fresh) {
		t.Fatal("no valid new token after invalidation")
	}

	if _, err := c.AccessToken(t.Context(), "wxbrandnew", ""); apperr.KindOf(err) != apperr.Unavailable {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := c.AccessToken(t.Context(), keys.AppID+"x", "any"); err != nil {
		t.Errorf("an unregistered app with any secret: %v", err)
	}
}
