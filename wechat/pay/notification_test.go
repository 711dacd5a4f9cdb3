package pay

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// A merchant in the middle of a switch from a platform certificate to the WeChat Pay public
// key: WeChat signs some callbacks with one and some with the other.
const (
	testMchID       = "1900000001"
	testAPIv3Key    = "0123456789abcdefghijABCDEFGHIJ01"
	testPublicKeyID = "PUB_KEY_ID_0119000000012025010100000000000001"
)

type testKeys struct {
	pubKey, certKey *rsa.PrivateKey
	merchantPEM     string
	pubKeyPEM       string
	certPEM         string
	certSerial      string
}

var (
	testKeysOnce sync.Once
	testKeysVal  testKeys
)

func merchantKeys(t testing.TB) testKeys {
	testKeysOnce.Do(func() {
		pub, err1 := rsa.GenerateKey(rand.Reader, 2048)
		crt, err2 := rsa.GenerateKey(rand.Reader, 2048)
		mch, err3 := rsa.GenerateKey(rand.Reader, 2048)
		if err1 != nil || err2 != nil || err3 != nil {
			panic("generate keys")
		}
		mchDER, _ := x509.MarshalPKCS8PrivateKey(mch)
		der, _ := x509.MarshalPKIXPublicKey(&pub.PublicKey)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x5157F09EFDC096DE), Subject: pkix.Name{CommonName: "Tenpay.com Root CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(5 * 365 * 24 * time.Hour)}
		certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &crt.PublicKey, crt)
		if err != nil {
			panic(err)
		}
		testKeysVal = testKeys{pubKey: pub, certKey: crt,
			merchantPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mchDER})),
			pubKeyPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
			certPEM:     string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})),
			certSerial:  "5157F09EFDC096DE"}
	})
	return testKeysVal
}

func switchingVerifier(t testing.TB, now time.Time) *Verifier {
	t.Helper()
	k := merchantKeys(t)
	v, err := NewVerifier(Config{MchID: testMchID, APIv3Key: testAPIv3Key, PublicKeyID: testPublicKeyID,
		PublicKeyPEM: k.pubKeyPEM, PlatformCertificatesPEM: k.certPEM}, clock.NewFixed(now))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// signedHeader signs body like WeChat Pay does.
func signedHeader(t testing.TB, key *rsa.PrivateKey, serial string, ts int64, nonce string, body []byte) http.Header {
	t.Helper()
	tsText := strconv.FormatInt(ts, 10)
	sum := sha256.Sum256([]byte(tsText + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(HeaderTimestamp, tsText)
	h.Set(HeaderNonce, nonce)
	h.Set(HeaderSerial, serial)
	h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	h.Set(HeaderSignatureType, SignatureType)
	return h
}

func seal(t testing.TB, key, nonce, ad string, plain []byte) string {
	t.Helper()
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	gcm, _ := cipher.NewGCM(block)
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plain, []byte(ad)))
}

type envelope struct {
	ID           string         `json:"id"`
	CreateTime   string         `json:"create_time"`
	ResourceType string         `json:"resource_type"`
	EventType    string         `json:"event_type"`
	Summary      string         `json:"summary"`
	Resource     map[string]any `json:"resource"`
}

func transferPlain(state string) map[string]any {
	return map[string]any{"out_bill_no": "DEMO20260301A1", "transfer_bill_no": "1330000071100999991182020050700019480001",
		"state": state, "mch_id": testMchID, "transfer_amount": 1234, "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		"create_time": "2026-03-01T18:00:00+08:00", "update_time": "2026-03-01T18:05:00+08:00"}
}

// callbackBody encrypts plain (marshalled when not []byte) into a callback envelope.
func callbackBody(t testing.TB, eventType string, plain any, nonce string) []byte {
	t.Helper()
	raw, ok := plain.([]byte)
	if !ok {
		raw, _ = json.Marshal(plain)
	}
	body, _ := json.Marshal(envelope{ID: "EV-2018-06-22T16:53:08+08:00", CreateTime: "2026-03-01T18:05:01+08:00",
		ResourceType: "encrypt-resource", EventType: eventType, Summary: "商家转账单据终态通知",
		Resource: map[string]any{"original_type": "mch_payment", "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": seal(t, testAPIv3Key, "a1b2c3d4e5f6", "mch_payment", raw), "associated_data": "mch_payment", "nonce": nonce}})
	return body
}

func TestTransferNotificationDuringKeySwitch(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 5, 1, 0, time.UTC)
	k := merchantKeys(t)
	v := switchingVerifier(t, now)
	body := callbackBody(t, EventTransferFinished, transferPlain("SUCCESS"), "a1b2c3d4e5f6")
	for name, h := range map[string]http.Header{
		"public key":           signedHeader(t, k.pubKey, testPublicKeyID, now.Unix(), "n1", body),
		"platform certificate": signedHeader(t, k.certKey, k.certSerial, now.Unix(), "n2", body),
	} {
		n, err := v.ParseTransferNotification(h, body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := Bill{MchID: testMchID, OutBillNo: "DEMO20260301A1", TransferBillNo: "1330000071100999991182020050700019480001",
			State: StateSuccess, AmountFen: 1234, OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
			CreateTime: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), UpdateTime: time.Date(2026, 3, 1, 10, 5, 0, 0, time.UTC)}
		got := n.Bill
		if !got.CreateTime.Equal(want.CreateTime) || !got.UpdateTime.Equal(want.UpdateTime) {
			t.Errorf("%s: times %v %v", name, got.CreateTime, got.UpdateTime)
		}
		got.CreateTime, got.UpdateTime, want.CreateTime, want.UpdateTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if got != want || n.ID != "EV-2018-06-22T16:53:08+08:00" {
			t.Errorf("%s: %+v", name, n)
		}
	}
	// The key of one serial does not pass for the other.
	if _, err := v.ParseTransferNotification(signedHeader(t, k.certKey, testPublicKeyID, now.Unix(), "n3", body), body); !errors.Is(err, ErrBadSignature) {
		t.Errorf("certificate key under the public key id: %v", err)
	}
}

func TestTransferNotificationErrors(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 5, 1, 0, time.UTC)
	k := merchantKeys(t)
	good := callbackBody(t, EventTransferFinished, transferPlain("FAIL"), "a1b2c3d4e5f6")
	sign := func(body []byte) http.Header {
		return signedHeader(t, k.pubKey, testPublicKeyID, now.Unix(), "nonce", body)
	}
	withResource := func(change func(map[string]any)) []byte {
		var env envelope
		_ = json.Unmarshal(good, &env)
		change(env.Resource)
		raw, _ := json.Marshal(env)
		return raw
	}
	otherMch := transferPlain("SUCCESS")
	otherMch["mch_id"] = "1900000002"
	noNumbers := transferPlain("SUCCESS")
	delete(noNumbers, "out_bill_no")
	cases := []struct {
		name   string
		body   []byte
		header func([]byte) http.Header
		want   error
	}{
		{name: "genuine", body: good},
		{name: "wrongly signed probe", body: good, header: func(b []byte) http.Header {
			h := sign(b)
			h.Set(HeaderSignature, base64.StdEncoding.EncodeToString(make([]byte, 256)))
			return h
		}, want: ErrBadSignature},
		{name: "signature not base64", body: good, header: func(b []byte) http.Header {
			h := sign(b)
			h.Set(HeaderSignature, "!!!")
			return h
		}, want: ErrBadSignature},
		{name: "signed six minutes ago", body: good, header: func(b []byte) http.Header {
			return signedHeader(t, k.pubKey, testPublicKeyID, now.Add(-6*time.Minute).Unix(), "nonce", b)
		}, want: ErrStale},
		{name: "timestamp not a number", body: good, header: func(b []byte) http.Header {
			h := sign(b)
			h.Set(HeaderTimestamp, "soon")
			return h
		}, want: ErrMalformed},
		{name: "unknown serial", body: good, header: func(b []byte) http.Header {
			return signedHeader(t, k.pubKey, "PUB_KEY_ID_0000", now.Unix(), "nonce", b)
		}, want: ErrUnknownSerial},
		{name: "no headers", body: good, header: func([]byte) http.Header { return http.Header{} }, want: ErrMalformed},
		{name: "signed, not JSON", body: []byte("not json"), want: ErrMalformed},
		{name: "signed, no resource", body: []byte(`{"id":"1","event_type":"MCHTRANSFER.BILL.FINISHED","resource_type":"encrypt-resource"}`), want: ErrMalformed},
		{name: "signed, other algorithm", body: withResource(func(r map[string]any) { r["algorithm"] = "AEAD_SM4_GCM" }), want: ErrMalformed},
		{name: "signed, 11-byte nonce", body: withResource(func(r map[string]any) { r["nonce"] = "a1b2c3d4e5f" }), want: ErrDecrypt},
		{name: "signed, 13-byte nonce", body: withResource(func(r map[string]any) { r["nonce"] = "a1b2c3d4e5f6g" }), want: ErrDecrypt},
		{name: "signed, ciphertext not base64", body: withResource(func(r map[string]any) { r["ciphertext"] = "%%%" }), want: ErrDecrypt},
		{name: "signed, other associated data", body: withResource(func(r map[string]any) { r["associated_data"] = "x" }), want: ErrDecrypt},
		{name: "signed, other event", body: callbackBody(t, "TRANSACTION.SUCCESS", transferPlain("SUCCESS"), "a1b2c3d4e5f6"), want: ErrUnexpectedEvent},
		{name: "signed, state not final", body: callbackBody(t, EventTransferFinished, transferPlain("WAIT_USER_CONFIRM"), "a1b2c3d4e5f6"), want: ErrUnexpectedEvent},
		{name: "signed, another merchant's bill", body: callbackBody(t, EventTransferFinished, otherMch, "a1b2c3d4e5f6"), want: ErrUnexpectedEvent},
		{name: "signed, no out_bill_no", body: callbackBody(t, EventTransferFinished, noNumbers, "a1b2c3d4e5f6"), want: ErrMalformed},
		{name: "signed, resource not JSON", body: callbackBody(t, EventTransferFinished, []byte("{"), "a1b2c3d4e5f6"), want: ErrMalformed},
		{name: "too large", body: []byte(`{"id":"` + strings.Repeat("a", MaxNotificationBytes) + `"}`), want: ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := sign
			if tc.header != nil {
				header = tc.header
			}
			n, err := switchingVerifier(t, now).ParseTransferNotification(header(tc.body), tc.body)
			if tc.want == nil {
				if err != nil || n.Bill.State != StateFail {
					t.Fatalf("%+v %v", n, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
