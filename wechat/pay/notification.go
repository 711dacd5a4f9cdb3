package pay

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// MaxNotificationBytes bounds a callback body; WeChat's are well under 4 KiB. The webhook
// handler should read at most this much (one byte more tells it the body is too long).
const MaxNotificationBytes = 64 << 10

// EventTransferFinished is the callback for a transfer bill's final state.
const EventTransferFinished = "MCHTRANSFER.BILL.FINISHED"

// gcmNonceBytes is the only nonce length AES-GCM accepts here; crypto/cipher panics on any
// other (and go-pay/crypto before v0.0.3 passed it straight through).
const gcmNonceBytes = 12

// Verifier checks and opens one merchant's callbacks. It is safe for concurrent use.
type Verifier struct {
	keys     keySet
	apiV3Key []byte
	mchID    string
	wall     clock.Clock
}

// NewVerifier builds the callback verifier for a merchant: cfg needs MchID, APIv3Key and the
// WeChat Pay public key and/or platform certificates (not the private key). wall must tell
// real time, not the embedded mode's shifted service clock: signatures carry real time, and
// the simulator signs with it too. Nil: the system clock.
func NewVerifier(cfg Config, wall clock.Clock) (*Verifier, error) {
	if !mchIDRe.MatchString(cfg.MchID) {
		return nil, errors.New("wechatpay config: mch_id must be 1-32 digits")
	}
	if len(cfg.APIv3Key) != 32 {
		return nil, errors.New("wechatpay config: the APIv3 key must be 32 characters")
	}
	keys, err := parseVerificationKeys(cfg.PublicKeyID, cfg.PublicKeyPEM, cfg.PlatformCertificatesPEM)
	if err != nil {
		return nil, err
	}
	return newVerifier(keys, []byte(cfg.APIv3Key), cfg.MchID, wall), nil
}

func newVerifier(keys keySet, apiV3Key []byte, mchID string, wall clock.Clock) *Verifier {
	if wall == nil {
		wall = clock.System{}
	}
	return &Verifier{keys: keys, apiV3Key: apiV3Key, mchID: mchID, wall: wall}
}

// Notification is a verified, decrypted callback of any event type. Plaintext holds personal
// data (openids): never log it.
type Notification struct {
	ID             string
	CreateTime     time.Time
	EventType      string
	ResourceType   string
	Summary        string
	OriginalType   string
	AssociatedData string
	Plaintext      []byte
}

// notificationBody is the callback envelope (reference/WECHAT.md §6).
type notificationBody struct {
	ID           string `json:"id"`
	CreateTime   string `json:"create_time"`
	EventType    string `json:"event_type"`
	ResourceType string `json:"resource_type"`
	Summary      string `json:"summary"`
	Resource     *struct {
		Algorithm      string `json:"algorithm"`
		Ciphertext     string `json:"ciphertext"`
		AssociatedData string `json:"associated_data"`
		Nonce          string `json:"nonce"`
		OriginalType   string `json:"original_type"`
	} `json:"resource"`
}

// ParseNotification verifies a callback (headers h, raw body) and decrypts its resource. In
// order: the body's size; the signature headers; the key that Wechatpay-Serial names (the
// public key id or a platform certificate serial: both are kept during a switch); the
// timestamp within 5 minutes of now; the signature; only then the JSON and, with a 12-byte
// nonce, AES-GCM. Errors wrap ErrMalformed, ErrUnknownSerial, ErrStale, ErrBadSignature or
// ErrDecrypt; every one of them should be answered with a 4xx and change nothing.
func (v *Verifier) ParseNotification(h http.Header, body []byte) (Notification, error) {
	if len(body) > MaxNotificationBytes {
		return Notification{}, fmt.Errorf("%w: body over %d bytes", ErrMalformed, MaxNotificationBytes)
	}
	if err := v.keys.verify(signedFromHeader(h, body), v.wall.Now()); err != nil {
		return Notification{}, err
	}
	var nb notificationBody
	if err := json.Unmarshal(body, &nb); err != nil {
		return Notification{}, fmt.Errorf("%w: body is not the callback JSON", ErrMalformed)
	}
	switch {
	case nb.ID == "" || nb.EventType == "":
		return Notification{}, fmt.Errorf("%w: id or event_type missing", ErrMalformed)
	case nb.ResourceType != "encrypt-resource" || nb.Resource == nil:
		return Notification{}, fmt.Errorf("%w: no encrypted resource", ErrMalformed)
	case nb.Resource.Algorithm != "AEAD_AES_256_GCM":
		return Notification{}, fmt.Errorf("%w: unsupported resource algorithm", ErrMalformed)
	}
	plain, err := openResource(v.apiV3Key, nb.Resource.Nonce, nb.Resource.Ciphertext, nb.Resource.AssociatedData)
	if err != nil {
		return Notification{}, err
	}
	n := Notification{ID: nb.ID, EventType: nb.EventType, ResourceType: nb.ResourceType, Summary: nb.Summary,
		OriginalType: nb.Resource.OriginalType, AssociatedData: nb.Resource.AssociatedData, Plaintext: plain}
	if nb.CreateTime != "" {
		if n.CreateTime, err = time.Parse(time.RFC3339, nb.CreateTime); err != nil {
			return Notification{}, fmt.Errorf("%w: create_time is not RFC 3339", ErrMalformed)
		}
	}
	return n, nil
}

// openResource decrypts a callback resource. The nonce length is checked first: AES-GCM
// panics on any other length.
func openResource(key []byte, nonce, ciphertextB64, associatedData string) ([]byte, error) {
	if len(nonce) != gcmNonceBytes {
		return nil, fmt.Errorf("%w: nonce is %d bytes, want %d", ErrDecrypt, len(nonce), gcmNonceBytes)
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertextB64)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not base64", ErrDecrypt)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	plain, err := gcm.Open(nil, []byte(nonce), ct, []byte(associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrDecrypt)
	}
	return plain, nil
}

// TransferNotification is a verified MCHTRANSFER.BILL.FINISHED callback: a bill's final state.
// WeChat retries a callback until it gets a 2xx and may send it twice: apply it once (by
// out_bill_no and state), and expect it before, after or instead of a query's answer.
type TransferNotification struct {
	// ID is the notification's id; a retried callback keeps it.
	ID         string
	CreateTime time.Time
	Bill       Bill
}

// transferResource is the decrypted MCHTRANSFER.BILL.FINISHED resource.
type transferResource struct {
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	State          string `json:"state"`
	MchID          string `json:"mch_id"`
	TransferAmount int64  `json:"transfer_amount"`
	OpenID         string `json:"openid"`
	FailReason     string `json:"fail_reason"`
	CreateTime     string `json:"create_time"`
	UpdateTime     string `json:"update_time"`
}

// ParseTransferNotification is ParseNotification for the transfer callback: besides its
// errors it answers ErrUnexpectedEvent for another event type, another merchant or a state
// that is not final, and ErrMalformed for a resource without the bill's numbers.
func (v *Verifier) ParseTransferNotification(h http.Header, body []byte) (TransferNotification, error) {
	n, err := v.ParseNotification(h, body)
	if err != nil {
		return TransferNotification{}, err
	}
	if n.EventType != EventTransferFinished {
		return TransferNotification{}, fmt.Errorf("%w: event_type %q", ErrUnexpectedEvent, n.EventType)
	}
	var r transferResource
	dec := json.NewDecoder(bytes.NewReader(n.Plaintext))
	if err := dec.Decode(&r); err != nil {
		return TransferNotification{}, fmt.Errorf("%w: resource is not the transfer bill JSON", ErrMalformed)
	}
	bill := Bill{MchID: r.MchID, OutBillNo: r.OutBillNo, TransferBillNo: r.TransferBillNo, State: State(r.State),
		AmountFen: r.TransferAmount, OpenID: r.OpenID, FailReason: r.FailReason}
	switch {
	case r.OutBillNo == "" || r.TransferBillNo == "":
		return TransferNotification{}, fmt.Errorf("%w: resource without out_bill_no or transfer_bill_no", ErrMalformed)
	case v.mchID != "" && r.MchID != v.mchID:
		return TransferNotification{}, fmt.Errorf("%w: bill of another merchant", ErrUnexpectedEvent)
	case !bill.State.Final():
		return TransferNotification{}, fmt.Errorf("%w: state %q is not final", ErrUnexpectedEvent, r.State)
	case r.TransferAmount < 0:
		return TransferNotification{}, fmt.Errorf("%w: negative transfer_amount", ErrMalformed)
	}
	if bill.CreateTime, err = parseTime(r.CreateTime); err != nil {
		return TransferNotification{}, err
	}
	if bill.UpdateTime, err = parseTime(r.UpdateTime); err != nil {
		return TransferNotification{}, err
	}
	return TransferNotification{ID: n.ID, CreateTime: n.CreateTime, Bill: bill}, nil
}

// parseTime reads WeChat's RFC 3339 times; empty is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q is not RFC 3339", ErrMalformed, s)
	}
	return t, nil
}
