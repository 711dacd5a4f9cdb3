package webhooks_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/sharecast/sharecast/webhooks"
)

func TestSignMatchesTheDocumentedFormula(t *testing.T) {
	// HMAC-SHA256("whsec_test", "1700000000.{}") computed independently:
	// printf '1700000000.{}' | openssl dgst -sha256 -hmac whsec_test
	const want = "v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
	if got := webhooks.Sign("whsec_test", 1700000000, []byte("{}")); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"e1","type":"payout.paid"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := webhooks.Sign("whsec_a", now.Unix(), body)
	cases := []struct {
		name         string
		secret, ts   string
		sig          string
		body         []byte
		now          time.Time
		want         error
		wantAccepted bool
	}{
		{"valid", "whsec_a", ts, sig, body, now, nil, true},
		{"valid among several", "whsec_a", ts, "v1=00ff " + sig + ",v0=abc", body, now, nil, true},
		{"wrong secret", "whsec_b", ts, sig, body, now, webhooks.ErrBadSignature, false},
		{"tampered body", "whsec_a", ts, sig, []byte(`{"id":"e2","type":"payout.paid"}`), now, webhooks.ErrBadSignature, false},
		{"other timestamp", "whsec_a", strconv.FormatInt(now.Unix()+1, 10), sig, body, now, webhooks.ErrBadSignature, false},
		{"stale", "whsec_a", ts, sig, body, now.Add(6 * time.Minute), webhooks.ErrStaleTimestamp, false},
		{"from the future", "whsec_a", ts, sig, body, now.Add(-6 * time.Minute), webhooks.ErrStaleTimestamp, false},
		{"no v1", "whsec_a", ts, "v2=abcd", body, now, webhooks.ErrNoSignature, false},
		{"not hex", "whsec_a", ts, "v1=zz", body, now, webhooks.ErrBadSignature, false},
		{"bad timestamp", "whsec_a", "yesterday", sig, body, now, webhooks.ErrBadTimestamp, false},
	}
	for _, tc := range cases {
		err := webhooks.Verify(tc.secret, tc.ts, tc.sig, tc.body, tc.now, 0)
		if (err == nil) != tc.wantAccepted || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := webhooks.NewSecret()
	if a == b || len(a) != len("whsec_")+43 || a[:6] != "whsec_" {
		t.Fatalf("secrets %q %q", a, b)
	}
}

// Whatever the inputs, a signature made by Sign verifies, and a changed body never does.
func FuzzSignVerify(f *testing.F) {
	f.Add("whsec_x", int64(1_800_000_000), []byte(`{"a":1}`), "v1=00")
	f.Add("", int64(1), []byte{}, "")
	f.Fuzz(func(t *testing.T, secret string, ts int64, body []byte, header string) {
		if ts <= 0 {
			return
		}
		now := time.Unix(ts, 0)
		tsh := strconv.FormatInt(ts, 10)
		if err := webhooks.Verify(secret, tsh, webhooks.Sign(secret, ts, body), body, now, 0); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
		changed := append(append([]byte{}, body...), 'x')
		if webhooks.Verify(secret, tsh, webhooks.Sign(secret, ts, body), changed, now, 0) == nil {
			t.Fatal("a changed body verified")
		}
		// An arbitrary header never passes unless it carries the right MAC, and never panics.
		if webhooks.Verify(secret, tsh, header, body, now, 0) == nil {
			if header == "" {
				t.Fatal("an empty header verified")
			}
		}
	})
}
