package channels

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// The published vectors of reference/WECOM-CHANNELS.md §2.3.
const (
	// V2: Tencent's 2014 Official Account cryptoDemo.
	v2Token     = "spamtest"
	v2AESKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	v2AppID     = "wx2c2769f8efd9abc2"
	v2Timestamp = "1409735669"
	v2Nonce     = "1320562132"
	v2MsgSig    = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	v2Encrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="

	// V3: the official JSON safe-mode walk-through (mini-program / shop message push).
	v3Token   = "AAAAA"
	v3AESKey  = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 43 × A: 32 zero bytes, test only
	v3AppID   = "wxba5fad812f8e6fb9"
	v3Encrypt = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="
	v3Msg     = `{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}`
)

func mustCrypt(t testing.TB, token, key, appID string) *MsgCrypt {
	t.Helper()
	c, err := NewMsgCrypt(token, key, appID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSignatureVectors(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
	}{
		{"V2 msg_signature", Signature(v2Token, v2Timestamp, v2Nonce, v2Encrypt), v2MsgSig},
		{"V3 GET URL check", URLSignature(v3Token, "1714036504", "1514711492"), "f464b24fc39322e44b38aa78f5edd27bd1441696"},
		{"V3 plain-mode POST", URLSignature(v3Token, "1714037059", "486452656"), "899cf89e464efb63f54ddac96b0a0a235f53aa78"},
		{"V3 safe-mode signature (3 values)", URLSignature(v3Token, "1714112445", "415670741"), "6c5c811b55cc85e0e1b54100749188c20beb3f5d"},
		{"V3 safe-mode msg_signature (4 values)", Signature(v3Token, "1714112445", "415670741", v3Encrypt), "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"},
		{"V3 encrypted reply", Signature(v3Token, "1713424427", "415670741",
			"ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="), "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestVerifyURLVector(t *testing.T) {
	c := mustCrypt(t, v3Token, v3AESKey, v3AppID)
	if err := c.VerifyURL("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036504", "1514711492"); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyURL("F464B24FC39322E44B38AA78F5EDD27BD1441696", "1714036504", "1514711492"); err != nil {
		t.Fatalf("upper-case hex is the same signature: %v", err)
	}
	if err := c.VerifyURL("f464b24fc39322e44b38aa78f5edd27bd1441696", "1714036505", "1514711492"); !errors.Is(err, ErrSignature) {
		t.Fatalf("another timestamp: got %v, want ErrSignature", err)
	}
}

func TestOpenVectors(t *testing.T) {
	t.Run("V2", func(t *testing.T) {
		c := mustCrypt(t, v2Token, v2AESKey, v2AppID)
		msg, err := c.Open(v2MsgSig, v2Timestamp, v2Nonce, v2Encrypt)
		if err != nil {
			t.Fatal(err)
		}
		if len(msg) != 280 {
			t.Fatalf("msg_len %d, want 280", len(msg))
		}
		for _, want := range []string{"<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>", "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
			"1409735668", "abcdteT", "6054768590064713728"} {
			if !bytes.Contains(msg, []byte(want)) {
				t.Errorf("decrypted message lacks %q: %s", want, msg)
			}
		}
		if pad := lastPlainByte(t, v2AESKey, v2Encrypt); pad != 2 {
			t.Errorf("pad %d, want 2", pad)
		}
	})
	t.Run("V3", func(t *testing.T) {
		c := mustCrypt(t, v3Token, v3AESKey, v3AppID)
		msg, err := c.Open("046e02f8204d34f8ba5fa3b1db94908f3df2e9b3", "1714112445", "415670741", v3Encrypt)
		if err != nil {
			t.Fatal(err)
		}
		if string(msg) != v3Msg {
			t.Fatalf("got %s\nwant %s", msg, v3Msg)
		}
		// A pad above 16: a generic PKCS#7 unpad with block 16 would refuse this message.
		if pad := lastPlainByte(t, v3AESKey, v3Encrypt); pad != 19 {
			t.Errorf("pad %d, want 19", pad)
		}
		ev, err := ParseEvent(msg)
		if err != nil || ev.Event != "debug_demo" || ev.CreateTime != 1714112445 || ev.Handled() {
			t.Fatalf("parsed %+v, %v", ev, err)
		}
	})
}

// lastPlainByte decrypts without the package code, so the pad sizes above are checked
// independently.
func lastPlainByte(t *testing.T, encodingAESKey, encrypt string) int {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	ct, _ := base64.StdEncoding.DecodeString(encrypt)
	b, _ := aes.NewCipher(key)
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(b, key[:16]).CryptBlocks(pt, ct)
	return int(pt[len(pt)-1])
}

func TestEncryptReplyVector(t *testing.T) {
	c := mustCrypt(t, v3Token, v3AESKey, v3AppID)
	enc, err := c.EncryptWithRandom([]byte("707722b803182950"), []byte(`{"demo_resp":"good luck"}`))
	if err != nil {
		t.Fatal(err)
	}
	const want = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
	if enc != want {
		t.Fatalf("Encrypt\n got %s\nwant %s", enc, want)
	}
	if sig := Signature(v3Token, "1713424427", "415670741", enc); sig != "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1" {
		t.Fatalf("MsgSignature %s", sig)
	}
}

func TestSealOpenRoundTripEveryPadSize(t *testing.T) {
	c := mustCrypt(t, "tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0000000000000002")
	// Message lengths that produce every pad from 1 to 32.
	for n := 0; n < 64; n++ {
		msg := []byte(strings.Repeat("x", n))
		env, err := c.Seal(msg, "1700000000", "42")
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Open(env.MsgSignature, env.TimeStamp, env.Nonce, env.Encrypt)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("len %d: got %q, %v", n, got, err)
		}
	}
	a, _ := c.Encrypt([]byte("same"))
	b, _ := c.Encrypt([]byte("same"))
	if a == b {
		t.Fatal("two encryptions of one message must differ (fresh random prefix)")
	}
}

// WeChat's keys are 43 random characters, so the last one's two spare bits are often set
// (V2's key ends in "G"): such keys must be accepted, anything else refused.
func TestNewMsgCryptRejectsBadKeys(t *testing.T) {
	if _, err := NewMsgCrypt("t", strings.Repeat("A", 42)+"B", "wx"); err != nil {
		t.Fatalf("a key with spare bits set: %v", err)
	}
	for _, key := range []string{"", "short", strings.Repeat("A", 42), strings.Repeat("A", 44), strings.Repeat("!", 43),
		strings.Repeat("A", 42) + "="} {
		if _, err := NewMsgCrypt("t", key, "wx"); !errors.Is(err, ErrKey) {
			t.Errorf("key %q: got %v, want ErrKey", key, err)
		}
	}
}

// craft encrypts a hand-built plaintext under key with the given pad bytes, signed with
// token, so each kind of bad push can be made with a valid signature.
func craft(t *testing.T, token, encodingAESKey string, plain []byte) (sig, encrypt string) {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	b, _ := aes.NewCipher(key)
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(b, key[:16]).CryptBlocks(ct, plain)
	encrypt = base64.StdEncoding.EncodeToString(ct)
	return Signature(token, "1", "2", encrypt), encrypt
}

func plaintext(msg, appID string, padTo int, padByte func(i, n int) byte) []byte {
	p := make([]byte, 16)
	p = binary.BigEndian.AppendUint32(p, uint32(len(msg)))
	p = append(p, msg...)
	p = append(p, appID...)
	n := padTo - len(p)%padTo
	for i := 0; i < n; i++ {
		p = append(p, padByte(i, n))
	}
	return p
}

func TestOpenRejectsBadPushes(t *testing.T) {
	const token, key, appID = "tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0000000000000002"
	c := mustCrypt(t, token, key, appID)
	good, err := c.Seal([]byte(`{"Event":"x"}`), "1", "2")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(good.Encrypt)
	resign := func(enc string) (string, string) { return Signature(token, "1", "2", enc), enc }
	std := func(_, n int) byte { return byte(n) }

	type tc struct {
		name     string
		sig, enc string
		want     error
	}
	var tests []tc
	add := func(name string, want error, sig, enc string) { tests = append(tests, tc{name, sig, enc, want}) }

	add("wrong signature", ErrSignature, strings.Repeat("0", 40), good.Encrypt)
	add("signature of another token", ErrSignature, Signature("other", "1", "2", good.Encrypt), good.Encrypt)
	sig, enc := resign(good.Encrypt[:len(good.Encrypt)-4])
	add("truncated base64", ErrCiphertext, sig, enc)
	sig, enc = resign(base64.StdEncoding.EncodeToString(raw[:len(raw)-16]))
	add("truncated by one AES block", ErrCiphertext, sig, enc)
	sig, enc = resign(base64.StdEncoding.EncodeToString(raw[:len(raw)-5]))
	add("truncated mid-block", ErrCiphertext, sig, enc)
	sig, enc = resign("not base64 at all!")
	add("not base64", ErrCiphertext, sig, enc)
	sig, enc = resign("")
	add("empty", ErrCiphertext, sig, enc)
	sig, enc = craft(t, token, key, plaintext("{}", "wx9999999999999999", 32, std))
	add("wrong appid", ErrAppID, sig, enc)
	sig, enc = craft(t, token, key, plaintext("{}", "", 32, std))
	add("empty appid", ErrAppID, sig, enc)
	sig, enc = craft(t, token, key, plaintext("{}", appID, 32, func(_, _ int) byte { return 0 }))
	add("pad byte 0", ErrPadding, sig, enc)
	sig, enc = craft(t, token, key, plaintext("{}", appID, 32, func(i, n int) byte {
		if i == 0 {
			return byte(n + 1)
		}
		return byte(n)
	}))
	add("inconsistent pad bytes", ErrPadding, sig, enc)
	big := plaintext("{}", appID, 32, std)
	big = append(big, bytes.Repeat([]byte{33}, 32)...)
	sig, enc = craft(t, token, key, big)
	add("pad 33", ErrPadding, sig, enc)
	lying := plaintext("{}", appID, 32, std)
	binary.BigEndian.PutUint32(lying[16:20], 1<<31)
	sig, enc = craft(t, token, key, lying)
	add("msg_len past the end", ErrLength, sig, enc)
	short := bytes.Repeat([]byte{16}, 32) // 16 bytes left after the pad: no room for msg_len
	sig, enc = craft(t, token, key, short)
	add("no room for msg_len", ErrLength, sig, enc)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := c.Open(tt.sig, "1", "2", tt.enc)
			if !errors.Is(err, tt.want) || msg != nil {
				t.Fatalf("got %q, %v; want %v", msg, err, tt.want)
			}
		})
	}
}
