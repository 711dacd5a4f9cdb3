package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/wechat"
)

const (
	testAppID  = "wx1234567890abcdef"
	testSecret = "SECRET-0123456789abcdef01234567"
	testCode   = "CODE-081xYz000abc"
)

// fakeWeChat serves handler as WeChat's API and counts the requests it gets.
type fakeWeChat struct {
	srv      *httptest.Server
	requests atomic.Int32
}

func newFake(t *testing.T, handler http.HandlerFunc) *fakeWeChat {
	t.Helper()
	f := &fakeWeChat{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeChat) client(opts wechat.Options) *wechat.Client {
	opts.BaseURL = f.srv.URL
	return wechat.NewClient(opts)
}

// answer is a handler that writes body as WeChat does: JSON, usually with HTTP 200.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain") // WeChat labels some JSON so
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// checkNoSecrets fails when err's text shows anything that must stay on the server.
func checkNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q shows %q", err, s)
		}
	}
}

func TestCode2SessionErrors(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		wantKind   apperr.Kind
		wantCode   string
		wantRetry  time.Duration
		wantErrNum int // the WeChat errcode reachable with errors.As; 0 for none
	}{
		{"invalid code", 200, `{"errcode":40029,"errmsg":"invalid code, rid: 1"}`, apperr.Unauthenticated, "WECHAT_CODE_INVALID", 0, 40029},
		{"code been used", 200, `{"errcode":40163,"errmsg":"code been used, rid: 1"}`, apperr.Unauthenticated, "WECHAT_CODE_INVALID", 0, 40163},
		{"minute quota", 200, `{"errcode":45011,"errmsg":"api minute-quota reach limit"}`, apperr.RateLimited, "RATE_LIMITED", 60 * time.Second, 45011},
		{"high-risk user", 200, `{"errcode":40226,"errmsg":"code blocked"}`, apperr.Forbidden, "WECHAT_LOGIN_BLOCKED", 0, 40226},
		{"bad secret", 200, `{"errcode":40125,"errmsg":"invalid appsecret"}`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 40125},
		{"bad appid", 200, `{"errcode":40013,"errmsg":"invalid appid"}`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 40013},
		{"system busy", 200, `{"errcode":-1,"errmsg":"system error"}`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, -1},
		{"unknown errcode", 200, `{"errcode":61234,"errmsg":"new"}`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 61234},
		{"HTTP 502", 502, `<html>bad gateway</html>`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 0},
		{"not JSON", 200, `<html>maintenance</html>`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 0},
		{"success without openid", 200, `{"session_key":"a2V5"}`, apperr.Unavailable, "WECHAT_UNAVAILABLE", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, answer(tc.status, tc.body))
			_, err := f.client(wechat.Options{}).Code2Session(t.Context(), testAppID, testSecret, testCode)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("error %v is not an *apperr.Error", err)
			}
			if e.Kind != tc.wantKind || e.Code != tc.wantCode || e.RetryAfter != tc.wantRetry {
				t.Errorf("got %v/%s retry %v, want %v/%s retry %v", e.Kind, e.Code, e.RetryAfter, tc.wantKind, tc.wantCode, tc.wantRetry)
			}
			var api *wechat.APIError
			if got := errors.As(err, &api); got != (tc.wantErrNum != 0) || (got && api.ErrCode != tc.wantErrNum) {
				t.Errorf("APIError in chain: %v %+v, want errcode %d", got, api, tc.wantErrNum)
			}
			checkNoSecrets(t, err, testSecret, testCode)
		})
	}
}

func TestCode2SessionSuccess(t *testing.T) {
	var got *http.Request
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		_, _ = w.Write([]byte(`{"openid":"oA","session_key":"c2Vzc2lvbmtleQ==","unionid":"oU"}`))
	})
	s, err := f.client(wechat.Options{}).Code2Session(t.Context(), testAppID, testSecret, testCode)
	if err != nil {
		t.Fatal(err)
	}
	if s != (wechat.Session{OpenID: "oA", UnionID: "oU", SessionKey: "c2Vzc2lvbmtleQ=="}) {
		t.Errorf("session %+v", s)
	}
	q := got.URL.Query()
	if got.Method != http.MethodGet || got.URL.Path != "/sns/jscode2session" ||
		q.Get("appid") != testAppID || q.Get("secret") != testSecret || q.Get("js_code") != testCode ||
		q.Get("grant_type") != "authorization_code" {
		t.Errorf("request %s %s", got.Method, got.URL)
	}
}

func TestCode2SessionRefusesAnEmptyCodeWithoutCalling(t *testing.T) {
	f := newFake(t, answer(200, `{}`))
	_, err := f.client(wechat.Options{}).Code2Session(t.Context(), testAppID, testSecret, "")
	if apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("error %v, want kind Invalid", err)
	}
	if n := f.requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

func TestSessionKeyStaysOutOfLogs(t *testing.T) {
	s := wechat.Session{OpenID: "oA", UnionID: "oU", SessionKey: "c2Vzc2lvbmtleQ=="}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("login", "session", s)
	for _, text := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), buf.String()} {
		if strings.Contains(text, s.SessionKey) {
			t.Errorf("%q shows the session key", text)
		}
		if !strings.Contains(text, "oA") {
			t.Errorf("%q lost the openid", text)
		}
	}
}
