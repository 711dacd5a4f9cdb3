package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"
)

// TokenCache stores access tokens between calls. kv.Store satisfies it; in the service it is
// Redis, so every replica shares one token per app.
type TokenCache interface {
	Get(ctx context.Context, key string) (string, bool, error)
	Set(ctx context.Context, key, value string, ttl time.Duration) error
}

const (
	// tokenRenewEarly: a cached token is dropped this long before WeChat's expiry, the window
	// in which stable_token already hands out the next one.
	tokenRenewEarly = 300 * time.Second
	// fetchTimeout bounds a shared token fetch, which does not end when one waiting caller
	// gives up (see AccessToken).
	fetchTimeout = defaultTimeout
)

// tokenKey is the cache key of an app's token.
func tokenKey(appID string) string { return "wx:token:" + appID }

// AccessToken returns the app's server access_token from the cache, or fetches it from
// stable_token (normal mode, so replicas never invalidate each other's tokens) and caches it
// for expires_in − 300 s. Concurrent calls in one process for the same app make one fetch.
// Every failure is Unavailable WECHAT_UNAVAILABLE.
func (c *Client) AccessToken(ctx context.Context, appID, secret string) (string, error) {
	if appID == "" || secret == "" {
		return "", unavailable(errors.New("access token: app id or secret not configured"))
	}
	if tok, ok := c.cachedToken(ctx, appID); ok {
		return tok, nil
	}
	// Keyed by appid alone: the cache is too, and an app has one secret.
	ch := c.fetches.DoChan(appID, func() (any, error) {
		// The fetch is shared, so one caller's cancellation must not fail the others; it is
		// bounded by its own timeout instead.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		// A caller that missed the cache just before the previous fetch stored its token
		// finds it here instead of fetching again.
		if tok, ok := c.cachedToken(fctx, appID); ok {
			return tok, nil
		}
		tok, expiresIn, err := c.stableToken(fctx, appID, secret)
		if err != nil {
			return "", err
		}
		if ttl := expiresIn - tokenRenewEarly; ttl > 0 {
			if err := c.tokens.Set(fctx, tokenKey(appID), tok, ttl); err != nil {
				c.log.Warn("wechat: cache access token", "appid", appID, "err", err)
			}
		}
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return "", unavailable(ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// InvalidateToken forgets the app's cached token, so the next AccessToken fetches again (after
// WeChat answered 40001 for it). TokenCache has no delete, so an empty value stands for "none".
func (c *Client) InvalidateToken(ctx context.Context, appID string) error {
	if err := c.tokens.Set(ctx, tokenKey(appID), "", time.Minute); err != nil {
		return unavailable(err)
	}
	return nil
}

// cachedToken reads the cache. A cache failure counts as a miss: stable_token can take the
// extra call, and WeChat calls should not stop because Redis blinked.
func (c *Client) cachedToken(ctx context.Context, appID string) (string, bool) {
	tok, ok, err := c.tokens.Get(ctx, tokenKey(appID))
	if err != nil {
		c.log.Warn("wechat: read cached access token", "appid", appID, "err", err)
		return "", false
	}
	return tok, ok && tok != ""
}

// stableToken calls POST /cgi-bin/stable_token in normal mode. force_refresh is never set: it
// is limited to 20 a day and would end the token every other replica is using.
func (c *Client) stableToken(ctx context.Context, appID, secret string) (string, time.Duration, error) {
	const path = "/cgi-bin/stable_token"
	body, err := json.Marshal(map[string]any{
		"grant_type":    "client_credential",
		"appid":         appID,
		"secret":        secret,
		"force_refresh": false,
	})
	if err != nil {
		return "", 0, unavailable(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return "", 0, unavailable(errors.New("POST " + path + ": bad base URL"))
	}
	req.Header.Set("Content-Type", "application/json")
	var out struct {
		wxStatus
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := c.call(req, path, &out); err != nil {
		return "", 0, err
	}
	if e := out.apiError(); e != nil {
		// 40013 bad appid, 40125 bad secret, 40002, -1, 45009 quota: none is the caller's fault.
		return "", 0, unavailable(e)
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, unavailable(errors.New("POST " + path + ": answer without access_token or expires_in"))
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// memoryCache is the TokenCache for a Client without one: one process, wall-clock expiry.
type memoryCache struct {
	mu sync.Mutex
	m  map[string]memoryEntry
}

type memoryEntry struct {
	value     string
	expiresAt time.Time
}

// maxMemoryTokens bounds the in-process cache; it holds one entry per app.
const maxMemoryTokens = 1024

func newMemoryCache() *memoryCache { return &memoryCache{m: map[string]memoryEntry{}} }

func (m *memoryCache) Get(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[key]
	if !ok || !time.Now().Before(e.expiresAt) {
		return "", false, nil
	}
	return e.value, true, nil
}

func (m *memoryCache) Set(_ context.Context, key, value string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if _, ok := m.m[key]; !ok && len(m.m) >= maxMemoryTokens {
		for k, e := range m.m {
			if !now.Before(e.expiresAt) {
				delete(m.m, k)
			}
		}
		if len(m.m) >= maxMemoryTokens {
			return errors.New("in-process token cache is full")
		}
	}
	m.m[key] = memoryEntry{value: value, expiresAt: now.Add(ttl)}
	return nil
}
