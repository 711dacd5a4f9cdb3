package main

import (
	"strconv"
	"testing"
	"time"
)

// URL links live 30 days: asked for again with less than a week left, a member's link gets a
// fresh URL link for the same code; asked for earlier, the same URL link comes back.
func TestURLLinksAreRefreshedBeforeExpiry(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		live := s.newLive(admin, "url link refresh", "url-refresh-notice")
		m := s.member("")
		urlLinks := func() (code, link string) {
			t.Helper()
			r := s.do("POST", "/mp/v1/lives/"+live+"/links", m.token, map[string]any{})
			expect(t, r, 200, "")
			for _, l := range r.body["links"].([]any) {
				lm := l.(map[string]any)
				if u, _ := lm["url_link"].(string); u != "" {
					return lm["code"].(string), u
				}
			}
			t.Fatalf("no URL link among %s", r.raw)
			return "", ""
		}
		code, first := urlLinks()
		s.advanceClock(20 * 24 * time.Hour) // 10 days left: kept
		m = s.reissue(m)
		if c, l := urlLinks(); c != code || l != first {
			t.Fatalf("with 10 days left the link changed: %s %s → %s %s", code, first, c, l)
		}
		s.advanceClock(4 * 24 * time.Hour) // 6 days left: refreshed
		m = s.reissue(m)
		c, refreshed := urlLinks()
		if c != code || refreshed == first {
			t.Fatalf("with 6 days left: code %s→%s, url link %s→%s; want the same code and a new link", code, c, first, refreshed)
		}
	})
}

// reissue signs a member in again after the clock moved past the access token's hour.
func (s *svc) reissue(m member) member {
	s.t.Helper()
	b := demoBrandID(s.t, s)
	p, err := s.app.tokens.Issue(s.t.Context(), b, m.id)
	if err != nil {
		s.t.Fatal(err)
	}
	m.token = p.AccessToken
	return m
}

// Touches are limited per visitor: beyond 60 a minute the answer is 429 RATE_LIMITED with a
// Retry-After, and another visitor is unaffected.
func TestTouchesAreRateLimitedPerVisitor(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		admin := s.adminLogin("admin", s.password)
		live := s.newLive(admin, "touch limit", "touch-limit-notice")
		sharer, visitor, other := s.member(""), s.member(""), s.member("")
		code := s.links(sharer, live, map[string]any{"channels": []string{"other"}})["other"]
		limited := -1
		for i := range 80 {
			r := s.do("POST", "/mp/v1/touches", visitor.token, map[string]any{"code": code},
				"X-Forwarded-For", "10.9.0."+strconv.Itoa(1+i))
			if r.status == 429 {
				expect(t, r, 429, "RATE_LIMITED")
				if r.header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				limited = i
				break
			}
			expect(t, r, 200, "")
		}
		// GCRA refills one touch a second, so a slow run may pass a few more than 60.
		if limited < 60 {
			t.Fatalf("the visitor was limited at touch %d (want after 60; none within 70: %v)", limited+1, limited < 0)
		}
		expect(t, s.do("POST", "/mp/v1/touches", other.token, map[string]any{"code": code}), 200, "")
	})
}
