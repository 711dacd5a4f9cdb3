package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery (API.md).
const (
	HeaderEventID   = "Sharecast-Event-Id"
	HeaderTimestamp = "Sharecast-Timestamp"
	HeaderSignature = "Sharecast-Signature"
)

// secretPrefix marks a webhook secret, so one pasted in the wrong place is recognisable.
const secretPrefix = "whsec_"

// NewSecret returns a signing secret: "whsec_" and 32 random bytes in base64url. The whole
// string, prefix included, is the HMAC key.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Sign answers the Sharecast-Signature value for a body sent at timestamp (Unix seconds):
// "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body).
func Sign(secret string, timestamp int64, body []byte) string {
	return "v1=" + hex.EncodeToString(mac(secret, strconv.FormatInt(timestamp, 10), body))
}

func mac(secret, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verification errors.
var (
	ErrNoSignature    = errors.New("webhooks: no v1 signature")
	ErrBadSignature   = errors.New("webhooks: signature does not match")
	ErrBadTimestamp   = errors.New("webhooks: timestamp is not Unix seconds")
	ErrStaleTimestamp = errors.New("webhooks: timestamp outside the tolerance")
)

const (
	// DefaultTolerance is how far a delivery's timestamp may be from the receiver's clock.
	DefaultTolerance = 5 * time.Minute
	// maxSignatureHeader bounds the header Verify reads.
	maxSignatureHeader = 1024
)

// Verify checks a delivery as a receiver would: the Sharecast-Signature header (one or more
// "v1=<hex>" separated by spaces or commas; any match passes, so a receiver can verify while
// a secret changes) against the body and the Sharecast-Timestamp header, which must lie
// within tolerance of now (0 → 5 minutes) to stop replays of captured requests.
func Verify(secret, timestampHeader, signatureHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	ts, err := strconv.ParseInt(timestampHeader, 10, 64)
	if err != nil || ts <= 0 {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStaleTimestamp
	}
	if len(signatureHeader) > maxSignatureHeader {
		return ErrNoSignature
	}
	want := mac(secret, timestampHeader, body)
	found := false
	for _, f := range strings.FieldsFunc(signatureHeader, func(r rune) bool { return r == ' ' || r == ',' }) {
		v, ok := strings.CutPrefix(f, "v1=")
		if !ok {
			continue
		}
		found = true
		got, err := hex.DecodeString(v)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	if !found {
		return ErrNoSignature
	}
	return ErrBadSignature
}
