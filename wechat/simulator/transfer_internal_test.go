package simulator

import (
	"net/http"
	"testing"
)

func TestTransferRateLimits(t *testing.T) {
	sim, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := sim.pay
	for _, tc := range []struct {
		op    string
		limit int
	}{{"create", createPerSecond}, {"query", queryPerSecond}, {"cancel", cancelPerSecond}} {
		for i := 1; i <= tc.limit; i++ {
			if !p.allow(tc.op, 1000) {
				t.Fatalf("%s: call %d refused within the limit %d", tc.op, i, tc.limit)
			}
		}
		if p.allow(tc.op, 1000) {
			t.Errorf("%s: call %d allowed", tc.op, tc.limit+1)
		}
		if !p.allow(tc.op, 1001) {
			t.Errorf("%s: the next second starts afresh", tc.op)
		}
	}
}

func TestNotifyURLAllowed(t *testing.T) {
	for url, want := range map[string]bool{
		"https://example.com/webhooks/wechatpay/b1/transfer":   true,
		"http://127.0.0.1:8080/webhooks/wechatpay/b1/transfer": true,
		"http://localhost:8080/cb":                             true,
		"http://[::1]:8080/cb":                                 true,
		"http://example.com/cb":                                false,
		"http://10.0.0.1/cb":                                   true,
		"http://proxy/webhooks/x":                              true,
		"http://8.8.8.8/cb":                                    false,
		"http://example.com./cb":                               false,
		"https://example.com/cb?x=1":                           false,
		"https://example.com/cb#frag":                          false,
		"https://user:pw@example.com/cb":                       false,
		"ftp://127.0.0.1/cb":                                   false,
		"/relative":                                            false,
		"https://":                                             false,
	} {
		if got := notifyURLAllowed(url); got != want {
			t.Errorf("%s: %v, want %v", url, got, want)
		}
	}
}

func TestCorruptSignatureStaysBase64(t *testing.T) {
	sim, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	sim.pay.setSignatureHeaders(h, []byte("{}"))
	sig := h.Get("Wechatpay-Signature")
	bad := corrupt(sig)
	if bad == sig || len(bad) != len(sig) {
		t.Fatalf("corrupt(%q) = %q", sig, bad)
	}
}
