package simulator

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// MCHTRANSFER.BILL.FINISHED callbacks: a bill's final state, AES-256-GCM encrypted under the
// merchant's APIv3 key and signed with the WeChat Pay key, POSTed to the bill's notify_url and
// retried until a 2xx, like WeChat (on a shorter schedule, so tests see retries).

const (
	callbackTimeout    = 5 * time.Second
	defaultTimeoutHold = 30 * time.Second
	// reorderHold is how long reorder_callbacks holds callbacks back before sending them
	// newest first.
	reorderHold        = 500 * time.Millisecond
	maxDeliveryRecords = 50
	maxCallbackReply   = 64 << 10
)

// callbackRetries are the waits before each retry (WeChat: 15 s … 6 h over about 24 h).
var callbackRetries = []time.Duration{
	time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second,
	30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
}

// Delivery kinds, as GET /_sim/control/transfers/{out_bill_no} lists them.
const (
	deliveryGenuine   = "genuine"
	deliveryProbe     = "probe"     // wrongly signed, like WeChat's checks of merchants
	deliveryDuplicate = "duplicate" // the same notification again after it was acknowledged
	deliveryDropped   = "dropped"   // drop_callbacks: never sent
)

type callback struct {
	bill                      *transferBill
	url, state                string // state: what the body carries
	body                      []byte
	probeFirst, duplicateNext bool
}

// deliveryRecord is one attempt to deliver a callback.
type deliveryRecord struct {
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
	Status  int    `json:"status"` // 0: no answer
	Error   string `json:"error,omitempty"`
	State   string `json:"state"` // the state the callback carried
	At      string `json:"at"`
}

// transferResource is the callback's plaintext.
type transferResource struct {
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	State          string `json:"state"`
	MchID          string `json:"mch_id"`
	TransferAmount int64  `json:"transfer_amount"`
	OpenID         string `json:"openid"`
	FailReason     string `json:"fail_reason,omitempty"`
	CreateTime     string `json:"create_time"`
	UpdateTime     string `json:"update_time"`
}

type notificationResource struct {
	OriginalType   string `json:"original_type"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

type notificationEnvelope struct {
	ID           string               `json:"id"`
	CreateTime   string               `json:"create_time"`
	ResourceType string               `json:"resource_type"`
	EventType    string               `json:"event_type"`
	Summary      string               `json:"summary"`
	Resource     notificationResource `json:"resource"`
}

// notify sends b's final-state callback as the fault switches say; callers hold p.mu.
func (p *payState) notify(b *transferBill) {
	if b.notifyURL == "" || p.stopped {
		return
	}
	body, err := p.callbackBody(b)
	if err != nil {
		p.sim.log.Error("simulator: build transfer callback", "err", err)
		return
	}
	if p.faults.DropCallbacks {
		b.record(deliveryRecord{Kind: deliveryDropped, State: b.state})
		return
	}
	cb := &callback{bill: b, url: b.notifyURL, state: b.state, body: body,
		probeFirst: p.faults.BadSignatureCallbacks, duplicateNext: p.faults.DuplicateCallbacks}
	if p.faults.ReorderCallbacks {
		p.held = append(p.held, cb)
		if !p.flushing {
			p.flushing = true
			p.wg.Add(1)
			go p.flushHeld()
		}
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.deliver(cb)
	}()
}

// flushHeld sends the held callbacks newest first, so a later state change is seen before an
// earlier one.
func (p *payState) flushHeld() {
	defer p.wg.Done()
	t := time.NewTimer(reorderHold)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.done:
		return
	}
	p.mu.Lock()
	held := p.held
	p.held, p.flushing = nil, false
	p.mu.Unlock()
	for i := len(held) - 1; i >= 0; i-- {
		p.deliver(held[i])
	}
}

// deliver sends one callback: the probe first when asked, then the genuine one until it is
// acknowledged or the retries run out, then the duplicate when asked.
func (p *payState) deliver(cb *callback) {
	if cb.probeFirst {
		p.post(cb, deliveryProbe, 1)
	}
	for attempt := 1; ; attempt++ {
		if p.post(cb, deliveryGenuine, attempt) {
			break
		}
		if attempt > len(callbackRetries) {
			return
		}
		t := time.NewTimer(callbackRetries[attempt-1])
		select {
		case <-t.C:
		case <-p.done:
			t.Stop()
			return
		}
	}
	if cb.duplicateNext {
		p.post(cb, deliveryDuplicate, 1)
	}
}

// post makes one delivery attempt and records it; true on a 2xx.
func (p *payState) post(cb *callback, kind string, attempt int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), callbackTimeout)
	defer cancel()
	go func() {
		select {
		case <-p.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	rec := deliveryRecord{Kind: kind, Attempt: attempt, State: cb.state}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cb.url, bytes.NewReader(cb.body))
	if err != nil {
		rec.Error = err.Error()
		p.recordLocked(cb.bill, rec)
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/4.0 (sharecast WeChat simulator)")
	req.Header.Set("Request-ID", randomString(upperHex, 32))
	p.setSignatureHeaders(req.Header, cb.body)
	if kind == deliveryProbe {
		req.Header.Set("Wechatpay-Signature", corrupt(req.Header.Get("Wechatpay-Signature")))
	}
	resp, err := p.httpc.Do(req)
	if err != nil {
		rec.Error = err.Error()
		p.recordLocked(cb.bill, rec)
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxCallbackReply))
	_ = resp.Body.Close()
	rec.Status = resp.StatusCode
	p.recordLocked(cb.bill, rec)
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}

// corrupt flips one bit of a base64 signature: still well formed, never valid.
func corrupt(sigB64 string) string {
	raw, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil || len(raw) == 0 {
		return sigB64 + "A"
	}
	raw[len(raw)/2] ^= 0x01
	return base64.StdEncoding.EncodeToString(raw)
}

func (p *payState) recordLocked(b *transferBill, rec deliveryRecord) {
	p.mu.Lock()
	b.record(rec)
	p.mu.Unlock()
}

// record keeps the latest delivery records; callers hold p.mu.
func (b *transferBill) record(rec deliveryRecord) {
	if rec.At == "" {
		rec.At = time.Now().UTC().Format(time.RFC3339Nano)
	}
	if len(b.callbacks) >= maxDeliveryRecords {
		b.callbacks = append(b.callbacks[:0], b.callbacks[1:]...)
	}
	b.callbacks = append(b.callbacks, rec)
}

// callbackBody builds the encrypted notification for b's current state; callers hold p.mu.
func (p *payState) callbackBody(b *transferBill) ([]byte, error) {
	plain, err := json.Marshal(transferResource{OutBillNo: b.outBillNo, TransferBillNo: b.transferBillNo, State: b.state,
		MchID: p.sim.keys.MchID, TransferAmount: b.amountFen, OpenID: b.openID, FailReason: b.failReason,
		CreateTime: wxTime(b.createdAt), UpdateTime: wxTime(b.updatedAt)})
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher([]byte(p.sim.keys.APIv3Key))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	const ad = "mch_payment"
	nonce := randomString(alphanumeric, gcm.NonceSize())
	ct := gcm.Seal(nil, []byte(nonce), plain, []byte(ad))
	return json.Marshal(notificationEnvelope{ID: uuid.NewString(), CreateTime: wxTime(p.sim.clock.Now()),
		ResourceType: "encrypt-resource", EventType: "MCHTRANSFER.BILL.FINISHED", Summary: "商家转账单据终态通知",
		Resource: notificationResource{OriginalType: "mch_payment", Algorithm: "AEAD_AES_256_GCM",
			Ciphertext: base64.StdEncoding.EncodeToString(ct), AssociatedData: ad, Nonce: nonce}})
}
