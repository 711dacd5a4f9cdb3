package pay

import (
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pay/gopay"
	"github.com/go-pay/gopay/pkg/xhttp"
	wxv3 "github.com/go-pay/gopay/wechat/v3"

	"github.com/sharecast/sharecast/clock"
)

// DefaultBaseURL is WeChat Pay's API host.
const DefaultBaseURL = "https://api.mch.weixin.qq.com"

// defaultTimeout bounds one call made with the default HTTP client. A call that runs out of
// time is an unknown outcome, so it only delays a payout, never loses or doubles one.
const defaultTimeout = 10 * time.Second

// maxMessageRunes bounds WeChat's error message kept in errors (it becomes a failure reason).
const maxMessageRunes = 256

// Options configure a Client beyond the merchant's credentials. The zero value talks to WeChat
// Pay with a 10 s timeout and verified TLS.
type Options struct {
	// BaseURL replaces https://api.mch.weixin.qq.com, e.g. the simulator's
	// http://127.0.0.1:8080/_sim/mch.
	BaseURL string
	// HTTP carries every call. Nil: a client with a 10 s timeout and certificate checks on
	// (never gopay's older default, which skipped them).
	HTTP *http.Client
	// WallClock checks the answers' signature timestamps. It must tell real time (see
	// NewVerifier). Nil: the system clock.
	WallClock clock.Clock
}

// Client calls WeChat Pay for one merchant. It is safe for concurrent use and cheap to keep:
// build one per brand and reuse it.
type Client struct {
	m        *merchant
	gp       *wxv3.ClientV3
	verifier *Verifier
}

// New builds a client for the merchant in cfg. Its errors never quote key material.
func New(cfg Config, opts Options) (*Client, error) {
	m, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	gp, err := wxv3.NewClientV3(cfg.MchID, cfg.MerchantSerialNo, cfg.APIv3Key, cfg.MerchantPrivateKeyPEM)
	if err != nil {
		// Not wrapped: gopay's PEM errors print the whole private key.
		return nil, errors.New("wechatpay: gopay refused the merchant configuration")
	}
	// Requests announce the key we expect answers to be signed with (WeChat follows it during
	// a switch). We do not call gopay's AutoVerifySign*: it would fetch certificates on its own
	// and run a refresh goroutine, and it checks neither error answers nor timestamps. Every
	// answer is verified here instead, from the SignInfo gopay hands back.
	gp.WxSerialNo = m.keys.preferred
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	gp.SetProxyHost(base)
	hc := opts.HTTP
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		hc = &http.Client{Timeout: defaultTimeout, Transport: tr}
	}
	xc := xhttp.NewClient()
	xc.HttpClient = hc
	gp.SetHttpClient(xc)
	gp.SetLogger(silentLogger{})
	gp.DebugSwitch = gopay.DebugOff // DebugOn logs request bodies: real names, openids
	return &Client{m: m, gp: gp, verifier: newVerifier(m.keys, []byte(cfg.APIv3Key), cfg.MchID, opts.WallClock)}, nil
}

// MchID and AppID are what the mini-program passes to wx.requestMerchantTransfer with a
// bill's PackageInfo.
func (c *Client) MchID() string { return c.m.cfg.MchID }
func (c *Client) AppID() string { return c.m.cfg.AppID }

// Verifier checks and opens this merchant's callbacks.
func (c *Client) Verifier() *Verifier { return c.verifier }

// reply is what every gopay call hands back, whatever its response type.
type reply struct {
	status int // HTTP status; gopay reports 200 as 0
	sign   *wxv3.SignInfo
	errRsp wxv3.ErrResponse
}

// definite lists, per operation, the error codes that are a definite refusal.
var definite = map[string]map[string]bool{
	OpCreate: {CodeParamError: true, CodeInvalidRequest: true, CodeNoAuth: true, CodeNotEnough: true},
	OpQuery:  {CodeParamError: true, CodeInvalidRequest: true, CodeNoAuth: true, CodeNotFound: true},
	OpCancel: {CodeParamError: true, CodeInvalidRequest: true, CodeNoAuth: true, CodeNotFound: true},
}

// classify turns a gopay call's outcome into nil (a verified 200: read the body), a
// *RefusedError or an *UnknownError. callErr is gopay's error, which means no usable answer.
func (c *Client) classify(op string, r *reply, callErr error) error {
	if callErr != nil {
		if errors.Is(callErr, gopay.UnmarshalErr) {
			// Not wrapped: gopay's message quotes the body (openids, names).
			return &UnknownError{Op: op, Status: http.StatusOK, Code: CodeBadAnswer, Message: "the answer is not the documented JSON"}
		}
		return &UnknownError{Op: op, Code: CodeNoAnswer, cause: callErr}
	}
	if r == nil || r.sign == nil {
		return &UnknownError{Op: op, Code: CodeNoAnswer, Message: "no answer"}
	}
	status := r.status
	if status == wxv3.Success {
		status = http.StatusOK
	}
	verr := c.verifier.keys.verify(signedMessage{serial: r.sign.HeaderSerial, timestamp: r.sign.HeaderTimestamp,
		nonce: r.sign.HeaderNonce, signature: r.sign.HeaderSignature, body: []byte(r.sign.SignBody)}, c.verifier.wall.Now())
	if status == http.StatusOK {
		if verr != nil {
			return &UnknownError{Op: op, Status: status, Code: CodeUnverified, cause: verr}
		}
		return nil
	}
	code, msg := r.errRsp.Code, truncate(r.errRsp.Message)
	if status >= 400 && status < 500 && definite[op][code] {
		// A refusal releases money, so it must be WeChat's own word: WeChat signs every answer
		// to a correctly signed request ([P15]); an unsigned one stays unknown.
		if verr != nil {
			return &UnknownError{Op: op, Status: status, Code: CodeUnverified, Message: "a " + code + " answer that does not verify", cause: verr}
		}
		return &RefusedError{Op: op, Status: status, Code: code, Message: msg}
	}
	if code == "" {
		code = CodeUnexpected
	}
	return &UnknownError{Op: op, Status: status, Code: code, Message: msg}
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxMessageRunes {
		return s
	}
	return string([]rune(s)[:maxMessageRunes]) + "…"
}

// badAnswer is a verified 200 whose content is not what WeChat documents.
func badAnswer(op, what string) error {
	return &UnknownError{Op: op, Status: http.StatusOK, Code: CodeBadAnswer, Message: what}
}

// silentLogger keeps gopay quiet: its debug output holds request bodies, and the one other
// place it logs (the certificate refresh goroutine) is never started here.
type silentLogger struct{}

func (silentLogger) Debug(...any)          {}
func (silentLogger) Info(...any)           {}
func (silentLogger) Warn(...any)           {}
func (silentLogger) Error(...any)          {}
func (silentLogger) Debugf(string, ...any) {}
func (silentLogger) Infof(string, ...any)  {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Errorf(string, ...any) {}
