package referral

import (
	"testing"
)

// FuzzShareCode checks the share-code parsers against each other with arbitrary strings: the
// cheap pre-lookup check (ValidCode) accepts exactly 14 characters of [0-9A-Za-z]; every code
// it accepts also passes the doors' scene/share_code pattern (an invite code at login, an
// open-API order's share_code, the mini-program's scene, ≤ 32 characters of WeChat's scene
// charset), so a code we hand out is never refused by our own door; and freshly made codes
// are valid. The seed corpus runs in every `go test`; explore with
// `go test -fuzz FuzzShareCode ./referral`.
func FuzzShareCode(f *testing.F) {
	for _, s := range []string{NewCode(), "AbCdEfGhIjKlMn", "AbCdEfGhIjKlM", "AbCdEfGhIjKlMno", "AbCdEfGhIjKl-n",
		"ＡbCdEfGhIjKlMn", "", "a=b&c=d", "0123456789abcdefghijklmnopqrstuvwxyz", "AbCdEfGhIjKlM\x00", "码码码码码码码"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := ValidCode(s)
		want := len(s) == CodeLen
		for i := 0; i < len(s) && want; i++ {
			c := s[i]
			want = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		}
		if valid != want {
			t.Fatalf("ValidCode(%q) = %v, want %v", s, valid, want)
		}
		if valid && !shareCodeRe.MatchString(s) {
			t.Fatalf("share code %q is refused by the doors' pattern", s)
		}
		if shareCodeRe.MatchString(s) && (len(s) == 0 || len(s) > 32) {
			t.Fatalf("doors' pattern accepted %d bytes", len(s))
		}
		if c := NewCode(); !ValidCode(c) || !shareCodeRe.MatchString(c) {
			t.Fatalf("NewCode made %q", c)
		}
	})
}
