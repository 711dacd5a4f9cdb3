package pay

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Header names WeChat Pay signs answers and callbacks with.
const (
	HeaderTimestamp     = "Wechatpay-Timestamp"
	HeaderNonce         = "Wechatpay-Nonce"
	HeaderSignature     = "Wechatpay-Signature"
	HeaderSerial        = "Wechatpay-Serial"
	HeaderSignatureType = "Wechatpay-Signature-Type"
	// SignatureType is the only scheme supported (RSA; not the SM2 one).
	SignatureType = "WECHATPAY2-SHA256-RSA2048"
)

// signatureWindowSeconds: like wechatpay-go, a message whose timestamp is 300 s or more from
// now is refused (gopay checks no time at all).
const signatureWindowSeconds = 300

// signedMessage is what WeChat Pay signs: TIMESTAMP\nNONCE\nBODY\n.
type signedMessage struct {
	serial, timestamp, nonce, signature, signatureType string
	body                                               []byte
}

func signedFromHeader(h http.Header, body []byte) signedMessage {
	return signedMessage{serial: h.Get(HeaderSerial), timestamp: h.Get(HeaderTimestamp), nonce: h.Get(HeaderNonce),
		signature: h.Get(HeaderSignature), signatureType: h.Get(HeaderSignatureType), body: body}
}

// verify checks m against the key its serial names, at wall time now. Cheap checks come first,
// so a flood of junk costs no RSA work.
func (ks keySet) verify(m signedMessage, now time.Time) error {
	if m.serial == "" || m.timestamp == "" || m.nonce == "" || m.signature == "" {
		return fmt.Errorf("%w: a Wechatpay-* signature header is missing", ErrMalformed)
	}
	if m.signatureType != "" && m.signatureType != SignatureType {
		return fmt.Errorf("%w: unsupported Wechatpay-Signature-Type", ErrMalformed)
	}
	if len(m.nonce) > 64 || len(m.serial) > 64 {
		return fmt.Errorf("%w: Wechatpay-Nonce or Wechatpay-Serial too long", ErrMalformed)
	}
	ts, err := strconv.ParseInt(m.timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: Wechatpay-Timestamp is not a number", ErrMalformed)
	}
	key, ok := ks.byID[m.serial]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownSerial, m.serial)
	}
	if d := now.Unix() - ts; d >= signatureWindowSeconds || d <= -signatureWindowSeconds {
		return fmt.Errorf("%w: Wechatpay-Timestamp %d is %d s from now", ErrStale, ts, d)
	}
	sig, err := base64.StdEncoding.DecodeString(m.signature)
	if err != nil {
		return fmt.Errorf("%w: Wechatpay-Signature is not base64", ErrBadSignature)
	}
	h := sha256.New()
	h.Write([]byte(m.timestamp + "\n" + m.nonce + "\n"))
	h.Write(m.body)
	h.Write([]byte("\n"))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, h.Sum(nil), sig); err != nil {
		return fmt.Errorf("%w (serial %s)", ErrBadSignature, m.serial)
	}
	return nil
}
