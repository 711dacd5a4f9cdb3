package wechat_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/wechat"
)

// hangingWeChat never answers until the client gives up (or the test ends).
func hangingWeChat(t *testing.T) *fakeWeChat {
	t.Helper()
	done := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	t.Cleanup(func() { close(done) }) // runs before the server's Close
	return f
}

func TestTimeouts(t *testing.T) {
	cases := []struct {
		name string
		// opts and ctx make the call give up quickly, one by the HTTP client's timeout, the
		// other by the caller's deadline.
		opts func() wechat.Options
		ctx  func(t *testing.T) context.Context
	}{
		{"HTTP client timeout",
			func() wechat.Options { return wechat.Options{HTTP: &http.Client{Timeout: 50 * time.Millisecond}} },
			func(t *testing.T) context.Context { return t.Context() }},
		{"caller deadline",
			func() wechat.Options { return wechat.Options{} },
			func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			}},
	}
	calls := map[string]func(*wechat.Client, context.Context) error{
		"Code2Session": func(c *wechat.Client, ctx context.Context) error {
			_, err := c.Code2Session(ctx, testAppID, testSecret, testCode)
			return err
		},
		"AccessToken": func(c *wechat.Client, ctx context.Context) error {
			_, err := c.AccessToken(ctx, testAppID, testSecret)
			return err
		},
	}
	for _, tc := range cases {
		for name, call := range calls {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				f := hangingWeChat(t)
				err := call(f.client(tc.opts()), tc.ctx(t))
				if apperr.KindOf(err) != apperr.Unavailable || apperr.CodeOf(err) != "WECHAT_UNAVAILABLE" {
					t.Fatalf("error %v, want Unavailable WECHAT_UNAVAILABLE", err)
				}
				var ne net.Error
				if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
					t.Errorf("error %v does not say it timed out", err)
				}
				checkNoSecrets(t, err, testSecret, testCode)
			})
		}
	}
}

func TestTransportErrorHidesTheURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	c := wechat.NewClient(wechat.Options{BaseURL: base})
	_, err := c.Code2Session(t.Context(), testAppID, testSecret, testCode)
	if apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("error %v, want Unavailable", err)
	}
	// *url.Error would print the whole URL, query string (secret, code) included.
	checkNoSecrets(t, err, testSecret, testCode, "js_code")
}

func TestBaseURLTrailingSlash(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sns/jscode2session" {
			t.Errorf("path %q", r.URL.Path)
		}
		_, _ = w.Write([]byte(`{"openid":"oA","session_key":"k"}`))
	})
	c := wechat.NewClient(wechat.Options{BaseURL: f.srv.URL + "/"})
	if _, err := c.Code2Session(t.Context(), testAppID, testSecret, testCode); err != nil {
		t.Fatal(err)
	}
}
