package pay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat/pay"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// t0 is the service clock's start in these tests; signatures use the wall clock.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// sharedDataDir holds one simulator key set for every test here (generating RSA keys is slow).
var sharedDataDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sharecast-pay-test-")
	if err != nil {
		panic(err)
	}
	sharedDataDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// simEnv is a simulator over real HTTP plus a callback receiver that checks every callback the
// way the webhook must (4xx for anything that does not verify).
type simEnv struct {
	t    *testing.T
	sim  *simulator.Simulator
	clk  *clock.Fixed
	srv  *httptest.Server
	keys *simulator.Keys
	// notifyURL is the receiver's address for TransferRequest.NotifyURL.
	notifyURL string
	verifier  *pay.Verifier

	mu       sync.Mutex
	received []receivedCallback
	// failNext answers the next callbacks with 500, to see WeChat's retries.
	failNext int
}

type receivedCallback struct {
	header http.Header
	body   []byte
	// note is the verified callback, or err why it was refused.
	note pay.TransferNotification
	err  error
}

type fixedAdvancer struct{ clk *clock.Fixed }

func (a fixedAdvancer) Advance(_ context.Context, by time.Duration) (time.Duration, error) {
	a.clk.Advance(by)
	return a.clk.Now().Sub(t0), nil
}

func newSimEnv(t *testing.T) *simEnv {
	t.Helper()
	clk := clock.NewFixed(t0)
	sim, err := simulator.New(simulator.Options{DataDir: sharedDataDir, Clock: clk, ClockAdvancer: fixedAdvancer{clk}})
	if err != nil {
		t.Fatal(err)
	}
	e := &simEnv{t: t, sim: sim, clk: clk, keys: sim.Keys()}
	e.srv = httptest.NewServer(sim.Handler())
	e.verifier, err = pay.NewVerifier(e.config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rcv := httptest.NewServer(http.HandlerFunc(e.receive))
	e.notifyURL = rcv.URL + "/webhooks/wechatpay/brand1/transfer"
	t.Cleanup(func() {
		sim.StopPay()
		rcv.Close()
		e.srv.Close()
	})
	return e
}

func (e *simEnv) receive(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, pay.MaxNotificationBytes+1))
	note, err := e.verifier.ParseTransferNotification(r.Header, body)
	e.mu.Lock()
	e.received = append(e.received, receivedCallback{header: r.Header.Clone(), body: body, note: note, err: err})
	fail := e.failNext > 0 && err == nil
	if fail {
		e.failNext--
	}
	e.mu.Unlock()
	switch {
	case err != nil:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"FAIL","message":"verification failed"}`))
	case fail:
		w.WriteHeader(http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// callbacks answers what the receiver got so far.
func (e *simEnv) callbacks() []receivedCallback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]receivedCallback(nil), e.received...)
}

// waitCallbacks polls until cond holds for the received callbacks (no sleeping on a guess).
func (e *simEnv) waitCallbacks(what string, cond func([]receivedCallback) bool) []receivedCallback {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := e.callbacks()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; got %d callbacks", what, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *simEnv) config() pay.Config {
	k := e.keys
	return pay.Config{MchID: k.MchID, AppID: k.AppID, MerchantSerialNo: k.MerchantSerialNo,
		MerchantPrivateKeyPEM: string(k.MerchantPrivateKeyPEM), APIv3Key: k.APIv3Key,
		PublicKeyID: k.PublicKeyID, PublicKeyPEM: string(k.WechatPayPublicKeyPEM)}
}

// client is the production client pointed at the simulator, with a short timeout.
func (e *simEnv) client() *pay.Client { return e.clientWith(e.config()) }

func (e *simEnv) clientWith(cfg pay.Config) *pay.Client {
	e.t.Helper()
	c, err := pay.New(cfg, pay.Options{BaseURL: e.srv.URL + "/_sim/mch/", HTTP: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// control calls a control endpoint and decodes its JSON answer into out (when not nil).
func (e *simEnv) control(method, path string, body any, wantStatus int, out any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, wantStatus, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

func (e *simEnv) faults(f map[string]any) {
	e.t.Helper()
	e.control(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": f}, http.StatusOK, nil)
}

// simTransfer is the control view of a bill.
type simTransfer struct {
	OutBillNo      string `json:"out_bill_no"`
	TransferBillNo string `json:"transfer_bill_no"`
	State          string `json:"state"`
	FailReason     string `json:"fail_reason"`
	TransferAmount int64  `json:"transfer_amount"`
	HasUserName    bool   `json:"has_user_name"`
	Callbacks      []struct {
		Kind   string `json:"kind"`
		Status int    `json:"status"`
		State  string `json:"state"`
	} `json:"callbacks"`
}

func (e *simEnv) transfers(openID string) []simTransfer {
	e.t.Helper()
	var out struct{ Transfers []simTransfer }
	e.control(http.MethodGet, "/_sim/control/transfers?openid="+openID, nil, http.StatusOK, &out)
	return out.Transfers
}

var billSeq atomic.Int64

// request is a valid commission transfer with a fresh out_bill_no and member.
func (e *simEnv) request(amountFen int64) pay.TransferRequest {
	n := strconv.FormatInt(billSeq.Add(1), 10)
	perception, infos, _ := pay.SceneReport(pay.SceneCommission, "分享员", "直播预约邀请佣金")
	return pay.TransferRequest{
		OutBillNo: "DEMO" + strconv.FormatInt(time.Now().UnixNano(), 36) + "N" + n,
		OpenID:    "oUser" + n, AmountFen: amountFen, Remark: "直播分享佣金", SceneID: pay.SceneCommission,
		Perception: perception, ReportInfos: infos, NotifyURL: e.notifyURL,
	}
}
