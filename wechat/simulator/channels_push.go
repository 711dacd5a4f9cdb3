package simulator

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sharecast/sharecast/wechat/channels"
)

// afterSaleFromUser is the fixed FromUserName of after-sale pushes: WeChat puts a constant
// openid there, not the buyer's.
const afterSaleFromUser = "oAfterSaleNotifyFixedOpenID0"

// orderEventMsg is the decrypted JSON of an order event. order_id is a JSON number, as WeChat
// sends it in order events.
func orderEventMsg(sh shopConfig, o *shopOrder, event string, info map[string]any, at time.Time) []byte {
	info["order_id"] = json.Number(o.id)
	b, _ := json.Marshal(map[string]any{"ToUserName": sh.UserName, "FromUserName": o.openID, "CreateTime": unix(at),
		"MsgType": "event", "Event": event, "order_info": info})
	return b
}

// afterSaleEventMsg is the decrypted JSON of channels_ec_aftersale_update (ids as strings).
func afterSaleEventMsg(sh shopConfig, a *shopAfterSale, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"ToUserName": sh.UserName, "FromUserName": afterSaleFromUser, "CreateTime": unix(at),
		"MsgType": "event", "Event": channels.EventAfterSaleUpdate,
		"finder_shop_aftersale_status_update": map[string]any{"status": a.status, "after_sale_order_id": a.id,
			"order_id": a.orderID, "wxa_vip_discounted_price": 0}})
	return b
}

// deliver pushes the events in order, as the faults say, and answers what was sent.
func (c *channelsShop) deliver(ctx context.Context, pushes []*pendingPush) []pushResult {
	// Pushes outlive a cancelled control request, like WeChat's own.
	ctx = context.WithoutCancel(ctx)
	var out []pushResult
	for _, p := range pushes {
		c.mu.Lock()
		f := c.faults
		var release *pendingPush
		if f.ReorderPushes {
			if held := c.held[p.brandID]; held != nil {
				delete(c.held, p.brandID)
				release = held
			} else {
				c.held[p.brandID] = p
				r := c.recordLocked(pushResult{BrandID: p.brandID, Event: p.event, OrderID: p.orderID, Kind: "push", Held: true})
				c.mu.Unlock()
				out = append(out, r)
				continue
			}
		}
		c.mu.Unlock()
		out = append(out, c.send(ctx, p, f)...)
		if release != nil {
			out = append(out, c.send(ctx, release, f)...)
		}
	}
	return out
}

// flushHeld delivers every push held by reorder_pushes (when the switch goes off).
func (c *channelsShop) flushHeld(ctx context.Context) []pushResult {
	c.mu.Lock()
	held := make([]*pendingPush, 0, len(c.held))
	for b, p := range c.held {
		held = append(held, p)
		delete(c.held, b)
	}
	f := c.faults
	c.mu.Unlock()
	var out []pushResult
	for _, p := range held {
		out = append(out, c.send(context.WithoutCancel(ctx), p, f)...)
	}
	return out
}

// send makes the HTTP requests of one push: the forged probes first when switched on, then the
// real push and its duplicates, all at once.
func (c *channelsShop) send(ctx context.Context, p *pendingPush, f channelsFaults) []pushResult {
	base := pushResult{BrandID: p.brandID, Event: p.event, OrderID: p.orderID}
	fail := func(err error) []pushResult {
		r := base
		r.Kind, r.Error = "push", err.Error()
		return []pushResult{c.record(r)}
	}
	if p.shop.PushURL == "" {
		return fail(errors.New("no push URL: run the simulator with the service's URL (SHARECAST_SIMULATOR_SERVICE_URL) or register the shop's push_url"))
	}
	crypt, err := p.shop.crypt()
	if err != nil {
		return fail(err)
	}
	ts := strconv.FormatInt(unix(c.sim.clock.Now()), 10)
	nonce := randomString(digits, 10)
	env, err := crypt.Seal(p.msg, ts, nonce)
	if err != nil {
		return fail(err)
	}
	var out []pushResult
	if f.ForgedProbes {
		for _, probe := range c.probes(p, env, ts, nonce) {
			probe.target = p.shop.PushURL
			out = append(out, c.post(ctx, base, probe))
		}
	}
	real := request{kind: "push", target: p.shop.PushURL, query: pushQuery(p.shop.Token, ts, nonce, env.MsgSignature), body: envelopeBody(p.shop, env.Encrypt)}
	copies := 1 + f.DuplicatePushes
	results := make([]pushResult, copies)
	var wg sync.WaitGroup
	for i := range copies {
		req := real
		if i > 0 {
			req.kind = "duplicate"
		}
		wg.Go(func() { results[i] = c.post(ctx, base, req) })
	}
	wg.Wait()
	return append(out, results...)
}

// request is one HTTP request of a push.
type request struct {
	kind   string
	target string // the push URL
	query  url.Values
	body   []byte
}

func pushQuery(token, ts, nonce, msgSignature string) url.Values {
	return url.Values{"signature": {channels.URLSignature(token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce},
		"encrypt_type": {"aes"}, "msg_signature": {msgSignature}}
}

func envelopeBody(sh shopConfig, encrypt string) []byte {
	b, _ := json.Marshal(channels.Envelope{ToUserName: sh.UserName, Encrypt: encrypt})
	return b
}

// probes are forgeries of one push that a correct receiver refuses with a 4xx.
func (c *channelsShop) probes(p *pendingPush, env channels.Envelope, ts, nonce string) []request {
	sh := p.shop
	signed := func(kind, encrypt string) request {
		return request{kind: kind, query: pushQuery(sh.Token, ts, nonce, channels.Signature(sh.Token, ts, nonce, encrypt)), body: envelopeBody(sh, encrypt)}
	}
	var out []request
	out = append(out, request{kind: "probe_bad_signature",
		query: pushQuery(sh.Token, ts, nonce, channels.Signature(sh.Token+"-forged", ts, nonce, env.Encrypt)), body: envelopeBody(sh, env.Encrypt)})
	if other, err := channels.NewMsgCrypt(sh.Token, sh.EncodingAESKey, "wx9999999999999999"); err == nil {
		if enc, err := other.Encrypt(p.msg); err == nil {
			out = append(out, signed("probe_wrong_appid", enc))
		}
	}
	if raw, err := base64.StdEncoding.DecodeString(env.Encrypt); err == nil && len(raw) > 32 {
		out = append(out, signed("probe_truncated", base64.StdEncoding.EncodeToString(raw[:len(raw)-16])))
	}
	if enc, err := badPadding(sh, p.msg); err == nil {
		out = append(out, signed("probe_bad_padding", enc))
	}
	return out
}

// badPadding encrypts msg like WeChat but pads with zero bytes, which no PKCS#7 allows.
func badPadding(sh shopConfig, msg []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(sh.EncodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return "", errors.New("bad key")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	full := []byte(randomString(alphanumeric, 16))
	full = binary.BigEndian.AppendUint32(full, uint32(len(msg)))
	full = append(full, msg...)
	full = append(full, sh.AppID...)
	full = append(full, make([]byte, 32-len(full)%32)...)
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(full, full)
	return base64.StdEncoding.EncodeToString(full), nil
}

// post sends one request of a push to sharecast and records the answer.
func (c *channelsShop) post(ctx context.Context, base pushResult, rq request) pushResult {
	r := base
	r.Kind = rq.kind
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rq.target+"?"+rq.query.Encode(), bytes.NewReader(rq.body))
	if err != nil {
		r.Error = err.Error()
		return c.record(r)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		r.Error = err.Error()
		return c.record(r)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	r.Status, r.Answer = resp.StatusCode, string(answer)
	a := strings.TrimSpace(r.Answer)
	r.Delivered = resp.StatusCode == http.StatusOK && (a == "success" || a == "")
	return c.record(r)
}

func (c *channelsShop) record(r pushResult) pushResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recordLocked(r)
}

// recordLocked appends to the push log, dropping the oldest entries past the cap; callers
// hold c.mu.
func (c *channelsShop) recordLocked(r pushResult) pushResult {
	r.At = c.sim.clock.Now().Format(time.RFC3339)
	if len(c.pushLog) >= maxPushLog {
		c.pushLog = append(c.pushLog[:0], c.pushLog[len(c.pushLog)-maxPushLog/2:]...)
	}
	c.pushLog = append(c.pushLog, r)
	return r
}
