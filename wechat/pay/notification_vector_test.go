package pay

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// The published callback vector of wechatpay-apiv3/wechatpay-go (core/notify/notify_test.go,
// TestHandler_ParseNotifyRequest), copied as test data. It is signed with a platform
// certificate (serial D7CE59D1F522D701) and encrypted under a 16-byte test key, so it runs
// through the verifier's parts directly (a brand's Config insists on a 32-byte APIv3 key).
const (
	vectorCertificate = `-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----`
	vectorSerial    = "D7CE59D1F522D701"
	vectorAPIv3Key  = "testMchAPIv3Key0"
	vectorTimestamp = 1624523846
	vectorNonce     = "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz"
	vectorSignature = "tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXF" +
		"lbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1I" +
		"BLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY4" +
		"06ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q=="
	vectorBody = "{" +
		"\"id\":\"3119dfba-e649-5eec-ab1e-3412bc4d2e17\"," +
		"\"create_time\":\"2021-06-24T16:37:26+08:00\"," +
		"\"resource_type\":\"encrypt-resource\"," +
		"\"event_type\":\"PAYSCORE.USER_OPEN_SERVICE\"," +
		"\"summary\":\"签约成功\"," +
		"\"resource\":{" +
		"\"original_type\":\"payscore\"," +
		"\"algorithm\":\"AEAD_AES_256_GCM\"," +
		"\"ciphertext\":\"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZt" +
		"tevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR" +
		"7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==\"," +
		"\"associated_data\":\"payscore\"," +
		"\"nonce\":\"Kj7QIyUiYx1q\"}" +
		"}"
	vectorPlaintext = "{" +
		"\"mchid\":\"1234567890\"," +
		"\"appid\":\"054aa7d7a2a54ab5898df65bd96f001c\"," +
		"\"create_time\":\"2020-06-30T12:12:00+08:00\"," +
		"\"out_contract_code\":\"21640bdbd08e473e828f3206a2741c6e\"" +
		"}"
)

func vectorHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderNonce, vectorNonce)
	h.Set(HeaderTimestamp, "1624523846")
	h.Set(HeaderSerial, vectorSerial)
	h.Set(HeaderSignature, vectorSignature)
	return h
}

func vectorVerifier(t *testing.T, now time.Time) *Verifier {
	t.Helper()
	keys, err := parseVerificationKeys("", "", vectorCertificate)
	if err != nil {
		t.Fatal(err)
	}
	if keys.preferred != vectorSerial {
		t.Fatalf("certificate serial %q, want %s", keys.preferred, vectorSerial)
	}
	return newVerifier(keys, []byte(vectorAPIv3Key), "", clock.NewFixed(now))
}

func TestCallbackVectorOfWechatpayGo(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	n, err := vectorVerifier(t, at).ParseNotification(vectorHeader(), []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != "3119dfba-e649-5eec-ab1e-3412bc4d2e17" || n.EventType != "PAYSCORE.USER_OPEN_SERVICE" ||
		n.ResourceType != "encrypt-resource" || n.Summary != "签约成功" || n.OriginalType != "payscore" ||
		n.AssociatedData != "payscore" || n.CreateTime.Format(time.RFC3339) != "2021-06-24T16:37:26+08:00" {
		t.Errorf("notification %+v", n)
	}
	if string(n.Plaintext) != vectorPlaintext {
		t.Errorf("plaintext %s", n.Plaintext)
	}
	// Not a transfer callback: verified, but refused by the transfer parser.
	if _, err := vectorVerifier(t, at).ParseTransferNotification(vectorHeader(), []byte(vectorBody)); !errors.Is(err, ErrUnexpectedEvent) {
		t.Errorf("transfer parser on a PAYSCORE event: %v", err)
	}
}

func TestCallbackVectorTampered(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	cases := []struct {
		name   string
		now    time.Time
		header func(http.Header)
		body   string
		want   error
	}{
		{name: "299 s late is fresh", now: at.Add(299 * time.Second)},
		{name: "299 s early is fresh", now: at.Add(-299 * time.Second)},
		{name: "300 s late is stale", now: at.Add(300 * time.Second), want: ErrStale},
		{name: "300 s early is stale", now: at.Add(-300 * time.Second), want: ErrStale},
		{name: "one byte of the body changed", body: vectorBody[:len(vectorBody)-3] + "  }", want: ErrBadSignature},
		{name: "another nonce", header: func(h http.Header) { h.Set(HeaderNonce, vectorNonce[1:]) }, want: ErrBadSignature},
		{name: "another timestamp", header: func(h http.Header) { h.Set(HeaderTimestamp, "1624523847") }, want: ErrBadSignature},
		{name: "an unknown serial", header: func(h http.Header) { h.Set(HeaderSerial, "D7CE59D1F522D702") }, want: ErrUnknownSerial},
		{name: "no signature", header: func(h http.Header) { h.Del(HeaderSignature) }, want: ErrMalformed},
		{name: "SM2 signature type", header: func(h http.Header) { h.Set(HeaderSignatureType, "WECHATPAY2-SM2-WITH-SM3") }, want: ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now.IsZero() {
				now = at
			}
			h := vectorHeader()
			if tc.header != nil {
				tc.header(h)
			}
			body := tc.body
			if body == "" {
				body = vectorBody
			}
			_, err := vectorVerifier(t, now).ParseNotification(h, []byte(body))
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// wechatpay-go's utils/aes_test.go vector for the resource decryption alone.
func TestOpenResourceVector(t *testing.T) {
	plain, err := openResource([]byte("testAPIv3Key0000"), "wCq51qZv4Yfg", "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8")
	if err != nil || string(plain) != "Hello World" {
		t.Fatalf("%q %v", plain, err)
	}
	for _, nonce := range []string{"", "wCq51qZv4Yf", "wCq51qZv4Yfgg", "wCq51qZv4YfgwCq51qZv4Yfg"} {
		// Other nonce lengths would panic inside AES-GCM; they must be refused before.
		if _, err := openResource([]byte("testAPIv3Key0000"), nonce, "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", ""); !errors.Is(err, ErrDecrypt) {
			t.Errorf("nonce %q: %v", nonce, err)
		}
	}
}
