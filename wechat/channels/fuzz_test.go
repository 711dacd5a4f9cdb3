package channels

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

// FuzzDecrypt feeds arbitrary ciphertexts to the decryptor: it must never panic, must answer
// one of the package's errors when it refuses, and what it accepts must survive a round trip.
// Inputs are raw ciphertext bytes (base64-encoded here, so the fuzzer works on the decryption
// and unpadding rather than on base64) plus a flag to feed the bytes as the Encrypt string
// itself. The seed corpus (testdata/fuzz/FuzzDecrypt and the f.Add calls) runs in every
// `go test`; explore further with `go test -fuzz FuzzDecrypt ./wechat/channels`.
func FuzzDecrypt(f *testing.F) {
	c := mustCrypt(f, v3Token, v3AESKey, v3AppID)
	v3raw, _ := base64.StdEncoding.DecodeString(v3Encrypt)
	f.Add(v3raw, false)
	f.Add(v3raw[:len(v3raw)-32], false)
	f.Add(v3raw[:len(v3raw)-1], false)
	f.Add([]byte{}, false)
	f.Add(bytes.Repeat([]byte{0}, 32), false)
	f.Add([]byte(v3Encrypt), true)
	f.Add([]byte("===="), true)
	sealed, _ := c.Encrypt([]byte(`{"Event":"channels_ec_order_pay","order_info":{"order_id":3705115058471208928,"pay_time":1}}`))
	sraw, _ := base64.StdEncoding.DecodeString(sealed)
	f.Add(sraw, false)
	f.Fuzz(func(t *testing.T, data []byte, asString bool) {
		enc := base64.StdEncoding.EncodeToString(data)
		if asString {
			enc = string(data)
		}
		msg, err := c.Decrypt(enc)
		if err != nil {
			if msg != nil {
				t.Fatal("a refused ciphertext returned a message")
			}
			for _, known := range []error{ErrCiphertext, ErrPadding, ErrLength, ErrAppID} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("unexpected error %v", err)
		}
		again, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(again)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("round trip of an accepted message: %q, %v", back, err)
		}
		// Whatever decrypts must not make the event parser panic either.
		_, _ = ParseEvent(msg)
	})
}

// FuzzParseEvent: the event parser never panics and what it accepts as a handled event has an
// order id and a dedupe key.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"ToUserName":"gh_1","FromUserName":"o","CreateTime":1662480000,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{"order_id":3705115058471208928,"pay_time":1658509200}}`,
		`{"Event":"channels_ec_order_cancel","order_info":{"order_id":"3705115058471208928","cancel_type":3}}`,
		`{"Event":"channels_ec_aftersale_update","finder_shop_aftersale_status_update":{"status":"MERCHANT_REFUND_SUCCESS","after_sale_order_id":"1","order_id":"2"}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":1.5e3}}`,
		`{"Event":"channels_ec_order_pay","order_info":{"order_id":-1}}`,
		`{"Event":"x"}`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		e, err := ParseEvent(msg)
		if err != nil {
			if !errors.Is(err, ErrEvent) {
				t.Fatalf("error without ErrEvent: %v", err)
			}
			return
		}
		if e.Handled() && (e.OrderID() == "" || e.DedupeKey() == "") {
			t.Fatalf("handled event without order id or key: %+v", e)
		}
	})
}
