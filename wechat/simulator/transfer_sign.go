package simulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WeChat Pay v3 signatures (reference/WECHAT.md §6): the merchant signs requests with its API
// key; WeChat Pay signs answers and callbacks with its own key, named by PUB_KEY_ID_… in
// Wechatpay-Serial. Signature timestamps are real (wall-clock) time, never the service clock:
// real clients check them against their own clocks.

const (
	authScheme = "WECHATPAY2-SHA256-RSA2048"
	// signatureWindow: requests and answers more than 5 minutes off are refused.
	signatureWindow = 5 * time.Minute
	// mchPrefix is where api.mch.weixin.qq.com's paths are mounted.
	mchPrefix = "/_sim/mch"
)

// authenticate checks the merchant's Authorization header over METHOD\nURI\nTIMESTAMP\nNONCE\n
// BODY\n and answers "" or why it fails. URI is the path WeChat would see (without /_sim/mch;
// what gopay signs behind a proxy host) or, for a client given the full simulator URL (the
// official SDK's way), the path as sent.
func (p *payState) authenticate(r *http.Request, body []byte) string {
	h := r.Header.Get("Authorization")
	rest, found := strings.CutPrefix(h, authScheme+" ")
	if !found {
		return "Authorization 须为 " + authScheme + " 方案"
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return "Authorization 格式错误"
		}
		params[k] = v[1 : len(v)-1]
	}
	keys := p.sim.keys
	switch {
	case params["mchid"] != keys.MchID:
		return "商户号不存在"
	case !strings.EqualFold(params["serial_no"], keys.MerchantSerialNo):
		return "商户证书序列号不匹配"
	case params["nonce_str"] == "" || len(params["nonce_str"]) > 64:
		return "nonce_str 无效"
	}
	ts, err := strconv.ParseInt(params["timestamp"], 10, 64)
	if err != nil {
		return "timestamp 无效"
	}
	if d := time.Since(time.Unix(ts, 0)); d > signatureWindow || d < -signatureWindow {
		return "timestamp 超出有效期"
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return "signature 不是 base64"
	}
	uri := r.URL.RequestURI()
	candidates := []string{uri}
	if canonical, ok := strings.CutPrefix(uri, mchPrefix); ok {
		candidates = []string{canonical, uri}
	}
	for _, u := range candidates {
		msg := r.Method + "\n" + u + "\n" + params["timestamp"] + "\n" + params["nonce_str"] + "\n" + string(body) + "\n"
		sum := sha256.Sum256([]byte(msg))
		if rsa.VerifyPKCS1v15(keys.MerchantPublicKey, crypto.SHA256, sum[:], sig) == nil {
			return ""
		}
	}
	return "签名验证失败"
}

// signature signs TIMESTAMP\nNONCE\nBODY\n with the WeChat Pay key; it answers the four
// headers' values.
func (p *payState) signature(body []byte) (ts, nonce, sig string) {
	ts = strconv.FormatInt(time.Now().Unix(), 10)
	nonce = randomString(alphanumeric, 32)
	sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	raw, err := rsa.SignPKCS1v15(rand.Reader, p.sim.keys.WechatPayPrivateKey, crypto.SHA256, sum[:])
	if err != nil {
		panic("simulator: sign: " + err.Error()) // only on a broken key, which loadKeys refuses
	}
	return ts, nonce, base64.StdEncoding.EncodeToString(raw)
}

func (p *payState) setSignatureHeaders(h http.Header, body []byte) {
	ts, nonce, sig := p.signature(body)
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", p.sim.keys.PublicKeyID)
	h.Set("Wechatpay-Signature-Type", authScheme)
}

// writeSigned writes a merchant API answer signed like WeChat Pay's.
func (p *payState) writeSigned(w http.ResponseWriter, a answer) {
	body, err := json.Marshal(a.body)
	if err != nil {
		body = []byte(`{"code":"SYSTEM_ERROR","message":"系统错误"}`)
		a.status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Request-ID", randomString(upperHex, 32))
	p.setSignatureHeaders(h, body)
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
}
