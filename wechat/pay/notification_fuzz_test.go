package pay

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// The callback parser must never panic, whatever arrives: the seeds run as a plain test, and
// `go test -fuzz FuzzX ./wechat/pay` explores further.

var fuzzNow = time.Date(2026, 3, 1, 10, 5, 1, 0, time.UTC)

// checkParsed asserts what a successful parse promises, and that every failure is typed.
func checkParsed(t *testing.T, n TransferNotification, err error) {
	t.Helper()
	if err != nil {
		for _, want := range []error{ErrMalformed, ErrUnknownSerial, ErrStale, ErrBadSignature, ErrDecrypt, ErrUnexpectedEvent} {
			if errors.Is(err, want) {
				return
			}
		}
		t.Fatalf("untyped error: %v", err)
	}
	if !n.Bill.State.Final() || n.Bill.OutBillNo == "" || n.Bill.TransferBillNo == "" || n.Bill.MchID != testMchID || n.Bill.AmountFen < 0 {
		t.Fatalf("accepted a callback that breaks the contract: %+v", n)
	}
}

// FuzzParseTransferNotification fuzzes everything an attacker controls: headers and body.
func FuzzParseTransferNotification(f *testing.F) {
	k := merchantKeys(f)
	body := callbackBody(f, EventTransferFinished, transferPlain("SUCCESS"), "a1b2c3d4e5f6")
	h := signedHeader(f, k.pubKey, testPublicKeyID, fuzzNow.Unix(), "nonce", body)
	f.Add(h.Get(HeaderSerial), h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderSignature), body)
	f.Add(vectorSerial, "1624523846", vectorNonce, vectorSignature, []byte(vectorBody))
	f.Add("", "", "", "", []byte{})
	f.Add(testPublicKeyID, "-9223372036854775808", "n", "AAAA", []byte(`{"resource":{"nonce":""}}`))
	f.Add(k.certSerial, "99999999999999999999", "n", "====", []byte(`null`))
	f.Fuzz(func(t *testing.T, serial, ts, nonce, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderSerial, serial)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderNonce, nonce)
		h.Set(HeaderSignature, sig)
		n, err := switchingVerifier(t, fuzzNow).ParseTransferNotification(h, body)
		checkParsed(t, n, err)
	})
}

// FuzzSignedTransferNotification signs whatever body the fuzzer makes, so the code after the
// signature check (JSON, nonce, AES-GCM, the resource) is reached too.
func FuzzSignedTransferNotification(f *testing.F) {
	k := merchantKeys(f)
	f.Add(callbackBody(f, EventTransferFinished, transferPlain("SUCCESS"), "a1b2c3d4e5f6"))
	f.Add(callbackBody(f, EventTransferFinished, transferPlain("SUCCESS"), "a1b2c3d4e5f"))
	f.Add(callbackBody(f, EventTransferFinished, transferPlain("SUCCESS"), ""))
	f.Add(callbackBody(f, EventTransferFinished, []byte(`{"state":"SUCCESS","transfer_amount":-1}`), "a1b2c3d4e5f6"))
	f.Add(callbackBody(f, EventTransferFinished, []byte(`[]`), "a1b2c3d4e5f6"))
	f.Add([]byte(`{"id":"1","event_type":"MCHTRANSFER.BILL.FINISHED","resource_type":"encrypt-resource","resource":{"algorithm":"AEAD_AES_256_GCM","nonce":"123456789012","ciphertext":""}}`))
	f.Add([]byte(vectorBody))
	f.Fuzz(func(t *testing.T, body []byte) {
		h := signedHeader(t, k.pubKey, testPublicKeyID, fuzzNow.Unix(), "nonce", body)
		n, err := switchingVerifier(t, fuzzNow).ParseTransferNotification(h, body)
		checkParsed(t, n, err)
	})
}

// FuzzOpenResource fuzzes the decryption alone: any nonce, ciphertext and associated data.
func FuzzOpenResource(f *testing.F) {
	f.Add("wCq51qZv4Yfg", "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8")
	f.Add("short", "AAAA", "")
	f.Add("", "", "")
	f.Add("wCq51qZv4YfgX", "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", "")
	f.Fuzz(func(t *testing.T, nonce, ciphertext, ad string) {
		plain, err := openResource([]byte("testAPIv3Key0000"), nonce, ciphertext, ad)
		if err != nil && !errors.Is(err, ErrDecrypt) {
			t.Fatalf("untyped error: %v", err)
		}
		if err == nil && len(nonce) != gcmNonceBytes {
			t.Fatalf("decrypted with a %d-byte nonce: %q", len(nonce), plain)
		}
	})
}
