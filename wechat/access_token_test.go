package wechat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/wechat"
)

// The service hands kv.Store to the client as its cache.
var _ wechat.TokenCache = (*kv.Store)(nil)

// recordingCache is an in-memory TokenCache that remembers the TTLs it was given. Entries do
// not expire: the tests check the TTL instead of waiting for it.
type recordingCache struct {
	mu     sync.Mutex
	values map[string]string
	ttls   map[string]time.Duration
	getErr error
}

func newRecordingCache() *recordingCache {
	return &recordingCache{values: map[string]string{}, ttls: map[string]time.Duration{}}
}

func (c *recordingCache) Get(_ context.Context, key string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.getErr != nil {
		return "", false, c.getErr
	}
	v, ok := c.values[key]
	return v, ok, nil
}

func (c *recordingCache) Set(_ context.Context, key, value string, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values[key], c.ttls[key] = value, ttl
	return nil
}

// tokenServer answers stable_token with tokens TOKEN-1, TOKEN-2, … and expiresIn, checking the
// request's contract on the way.
func tokenServer(t *testing.T, expiresIn int) *fakeWeChat {
	t.Helper()
	var issued atomic.Int32
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/stable_token" ||
			r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
			t.Errorf("request %s %s %q", r.Method, r.URL, r.Header.Get("Content-Type"))
		}
		if body["grant_type"] != "client_credential" || body["appid"] != testAppID || body["secret"] != testSecret || body["force_refresh"] != false {
			t.Errorf("body %v", body)
		}
		n := issued.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "TOKEN-" + strconv.Itoa(int(n)), "expires_in": expiresIn})
	})
}

func TestAccessTokenIsCached(t *testing.T) {
	f := tokenServer(t, 7200)
	cache := newRecordingCache()
	c := f.client(wechat.Options{Tokens: cache})
	for i := range 3 {
		tok, err := c.AccessToken(t.Context(), testAppID, testSecret)
		if err != nil || tok != "TOKEN-1" {
			t.Fatalf("call %d: %q %v", i, tok, err)
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests for 3 calls, want 1", n)
	}
	key := "wx:token:" + testAppID
	if cache.values[key] != "TOKEN-1" || cache.ttls[key] != 6900*time.Second {
		t.Errorf("cached %q for %v, want TOKEN-1 for 6900s (expires_in − 300 s)", cache.values[key], cache.ttls[key])
	}
}

func TestAccessTokenNotCachedWhenAboutToExpire(t *testing.T) {
	f := tokenServer(t, 300)
	cache := newRecordingCache()
	c := f.client(wechat.Options{Tokens: cache})
	for range 2 {
		if _, err := c.AccessToken(t.Context(), testAppID, testSecret); err != nil {
			t.Fatal(err)
		}
	}
	if len(cache.values) != 0 || f.requests.Load() != 2 {
		t.Errorf("cached %v after %d requests; a token with ≤ 300 s left must not be cached", cache.values, f.requests.Load())
	}
}

func TestInvalidateTokenFetchesAgain(t *testing.T) {
	f := tokenServer(t, 7200)
	c := f.client(wechat.Options{}) // the default in-process cache
	first, err := c.AccessToken(t.Context(), testAppID, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InvalidateToken(t.Context(), testAppID); err != nil {
		t.Fatal(err)
	}
	second, err := c.AccessToken(t.Context(), testAppID, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if first == second || f.requests.Load() != 2 {
		t.Errorf("after InvalidateToken: %q then %q, %d requests", first, second, f.requests.Load())
	}
	if third, _ := c.AccessToken(t.Context(), testAppID, testSecret); third != second || f.requests.Load() != 2 {
		t.Errorf("the new token was not cached")
	}
}

func TestAccessTokenWithKVStore(t *testing.T) {
	store, err := kv.Open(t.Context(), "", "test:", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	f := tokenServer(t, 7200)
	// Two clients on one store stand for two replicas.
	a, b := f.client(wechat.Options{Tokens: store}), f.client(wechat.Options{Tokens: store})
	ta, err := a.AccessToken(t.Context(), testAppID, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.AccessToken(t.Context(), testAppID, testSecret)
	if err != nil || tb != ta || f.requests.Load() != 1 {
		t.Fatalf("second replica: %q %v, %d requests", tb, err, f.requests.Load())
	}
	if err := a.InvalidateToken(t.Context(), testAppID); err != nil {
		t.Fatal(err)
	}
	if tb, _ := b.AccessToken(t.Context(), testAppID, testSecret); tb == ta || f.requests.Load() != 2 {
		t.Errorf("after invalidation the other replica still got %q", tb)
	}
}

func TestAccessTokenFetchesWhenTheCacheFails(t *testing.T) {
	f := tokenServer(t, 7200)
	cache := newRecordingCache()
	cache.getErr = errors.New("redis: connection refused")
	tok, err := f.client(wechat.Options{Tokens: cache}).AccessToken(t.Context(), testAppID, testSecret)
	if err != nil || tok != "TOKEN-1" {
		t.Fatalf("%q %v", tok, err)
	}
}

func TestAccessTokenErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"bad appid", 200, `{"errcode":40013,"errmsg":"invalid appid"}`},
		{"bad secret", 200, `{"errcode":40125,"errmsg":"invalid appsecret"}`},
		{"bad grant_type", 200, `{"errcode":40002,"errmsg":"invalid grant_type"}`},
		{"busy", 200, `{"errcode":-1,"errmsg":"system error"}`},
		{"HTTP 500", 500, `oops`},
		{"no token", 200, `{"expires_in":7200}`},
		{"no expiry", 200, `{"access_token":"T"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, answer(tc.status, tc.body))
			cache := newRecordingCache()
			_, err := f.client(wechat.Options{Tokens: cache}).AccessToken(t.Context(), testAppID, testSecret)
			if apperr.KindOf(err) != apperr.Unavailable || apperr.CodeOf(err) != "WECHAT_UNAVAILABLE" {
				t.Errorf("error %v, want Unavailable WECHAT_UNAVAILABLE", err)
			}
			checkNoSecrets(t, err, testSecret)
			if len(cache.values) != 0 {
				t.Errorf("cached %v after a failure", cache.values)
			}
		})
	}
}

// barrierCache misses until something is Set, and closes allMissed at the wantMisses-th miss.
type barrierCache struct {
	*recordingCache
	misses     atomic.Int32
	wantMisses int32
	allMissed  chan struct{}
}

func (c *barrierCache) Get(ctx context.Context, key string) (string, bool, error) {
	v, ok, err := c.recordingCache.Get(ctx, key)
	if !ok && c.misses.Add(1) == c.wantMisses {
		close(c.allMissed)
	}
	return v, ok, err
}

// Concurrent callers that all miss the cache make one fetch. WeChat holds its answer until
// every caller has missed (n outer misses plus the fetch's own re-check), so without
// singleflight each caller would fetch on its own.
func TestAccessTokenConcurrentCallersShareOneFetch(t *testing.T) {
	const callers = 32
	cache := &barrierCache{recordingCache: newRecordingCache(), wantMisses: callers + 1, allMissed: make(chan struct{})}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-cache.allMissed:
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte(`{"access_token":"SHARED","expires_in":7200}`))
	})
	c := f.client(wechat.Options{Tokens: cache})

	var wg sync.WaitGroup
	tokens := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { tokens[i], errs[i] = c.AccessToken(t.Context(), testAppID, testSecret) })
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || tokens[i] != "SHARED" {
			t.Fatalf("caller %d: %q %v", i, tokens[i], errs[i])
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests for %d concurrent callers, want 1", n, callers)
	}
}

// A caller that gives up does not fail the others waiting on the same fetch.
func TestAccessTokenCallerCancellationIsPrivate(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		_, _ = w.Write([]byte(`{"access_token":"LATE","expires_in":7200}`))
	})
	c := f.client(wechat.Options{})

	impatient, cancel := context.WithCancel(t.Context())
	impatientErr := make(chan error, 1)
	go func() {
		_, err := c.AccessToken(impatient, testAppID, testSecret)
		impatientErr <- err
	}()
	<-arrived
	cancel()
	err := <-impatientErr
	if apperr.KindOf(err) != apperr.Unavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}

	// The fetch goes on; a patient caller joining it (or reading the cache it fills) gets it.
	patient := make(chan string, 1)
	go func() {
		tok, _ := c.AccessToken(t.Context(), testAppID, testSecret)
		patient <- tok
	}()
	close(release)
	if tok := <-patient; tok != "LATE" {
		t.Fatalf("patient caller got %q", tok)
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestAccessTokenNeedsCredentials(t *testing.T) {
	f := tokenServer(t, 7200)
	c := f.client(wechat.Options{})
	for _, tc := range [][2]string{{"", testSecret}, {testAppID, ""}} {
		if _, err := c.AccessToken(t.Context(), tc[0], tc[1]); apperr.KindOf(err) != apperr.Unavailable {
			t.Errorf("AccessToken(%q, %q): %v", tc[0], tc[1], err)
		}
	}
	if f.requests.Load() != 0 {
		t.Error("called WeChat without credentials")
	}
}
