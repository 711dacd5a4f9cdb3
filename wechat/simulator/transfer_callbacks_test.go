package simulator_test

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/simulator"
)

// gotCallback is one callback as a merchant's server sees it.
type gotCallback struct {
	verified  bool
	id        string
	outBillNo string
	state     string
}

// payReceiver is a merchant server that checks signatures by hand and answers 401 to probes, 500
// while failFirst lasts, 204 otherwise.
type payReceiver struct {
	t    *testing.T
	keys *simulator.Keys
	srv  *httptest.Server

	mu        sync.Mutex
	got       []gotCallback
	failFirst int
}

func newPayReceiver(t *testing.T, keys *simulator.Keys) *payReceiver {
	r := &payReceiver{t: t, keys: keys}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *payReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	h := req.Header
	cb := gotCallback{}
	sig, _ := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
	sum := sha256.Sum256([]byte(h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(body) + "\n"))
	cb.verified = h.Get("Wechatpay-Serial") == r.keys.PublicKeyID && rsa.VerifyPKCS1v15(r.keys.WechatPayPublicKey, crypto.SHA256, sum[:], sig) == nil
	var env struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		Resource  struct {
			Ciphertext     string `json:"ciphertext"`
			Nonce          string `json:"nonce"`
			AssociatedData string `json:"associated_data"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.EventType != "MCHTRANSFER.BILL.FINISHED" {
		r.t.Errorf("callback body %s", body)
	}
	var res struct {
		OutBillNo string `json:"out_bill_no"`
		State     string `json:"state"`
	}
	block, _ := aes.NewCipher([]byte(r.keys.APIv3Key))
	gcm, _ := cipher.NewGCM(block)
	ct, _ := base64.StdEncoding.DecodeString(env.Resource.Ciphertext)
	if len(env.Resource.Nonce) != gcm.NonceSize() {
		r.t.Errorf("nonce %q", env.Resource.Nonce)
	} else if plain, err := gcm.Open(nil, []byte(env.Resource.Nonce), ct, []byte(env.Resource.AssociatedData)); err != nil || json.Unmarshal(plain, &res) != nil {
		r.t.Errorf("callback resource does not decrypt: %v", err)
	}
	cb.id, cb.outBillNo, cb.state = env.ID, res.OutBillNo, res.State
	r.mu.Lock()
	r.got = append(r.got, cb)
	fail := cb.verified && r.failFirst > 0
	if fail {
		r.failFirst--
	}
	r.mu.Unlock()
	switch {
	case !cb.verified:
		w.WriteHeader(http.StatusUnauthorized)
	case fail:
		w.WriteHeader(http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (r *payReceiver) wait(n int) []gotCallback {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := append([]gotCallback(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %d callbacks; got %d", n, len(got))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// paidBill creates a bill notifying rcv and has the member confirm it.
func (e *env) paidBill(rcv *payReceiver) string {
	e.t.Helper()
	body := e.transferBody(100)
	body["notify_url"] = rcv.srv.URL + "/webhooks/wechatpay/b1/transfer"
	if a := e.mch(http.MethodPost, transferBillsPath, body, nil); a.status != http.StatusOK {
		e.t.Fatalf("create: %d %v", a.status, a.out)
	}
	no := body["out_bill_no"].(string)
	if status, out := e.do(http.MethodPost, "/_sim/control/transfers/"+no+"/confirm", nil); status != http.StatusOK {
		e.t.Fatalf("confirm: %d %v", status, out)
	}
	return no
}

type deliveries []struct {
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
	Status  int    `json:"status"`
	State   string `json:"state"`
}

func (e *env) deliveries(no string) deliveries {
	e.t.Helper()
	status, out := e.do(http.MethodGet, "/_sim/control/transfers/"+no, nil)
	if status != http.StatusOK {
		e.t.Fatalf("control transfer: %d %v", status, out)
	}
	raw, _ := json.Marshal(out["transfer"].(map[string]any)["callbacks"])
	var d deliveries
	_ = json.Unmarshal(raw, &d)
	return d
}

func TestTransferCallbackFaults(t *testing.T) {
	setFaults := func(e *env, f map[string]any) {
		if status, out := e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": f}); status != http.StatusOK {
			t.Fatalf("faults: %d %v", status, out)
		}
	}

	t.Run("none: one genuine callback", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		rcv := newPayReceiver(t, e.sim.Keys())
		no := e.paidBill(rcv)
		got := rcv.wait(1)
		if !got[0].verified || got[0].outBillNo != no || got[0].state != "SUCCESS" {
			t.Fatalf("%+v", got)
		}
	})

	t.Run("wrongly signed probe first", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		setFaults(e, map[string]any{"bad_signature_callbacks": true})
		rcv := newPayReceiver(t, e.sim.Keys())
		no := e.paidBill(rcv)
		got := rcv.wait(2)
		if got[0].verified || !got[1].verified || got[1].state != "SUCCESS" || got[0].id != got[1].id {
			t.Fatalf("%+v", got)
		}
		d := e.deliveries(no)
		if len(d) != 2 || d[0].Kind != "probe" || d[0].Status != 401 || d[1].Kind != "genuine" || d[1].Status != 204 {
			t.Fatalf("deliveries %+v", d)
		}
	})

	t.Run("duplicate", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		setFaults(e, map[string]any{"duplicate_callbacks": true})
		rcv := newPayReceiver(t, e.sim.Keys())
		e.paidBill(rcv)
		got := rcv.wait(2)
		if !got[0].verified || !got[1].verified || got[0].id != got[1].id || got[0].outBillNo != got[1].outBillNo {
			t.Fatalf("%+v", got)
		}
	})

	t.Run("reordered: newest first", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		setFaults(e, map[string]any{"reorder_callbacks": true})
		rcv := newPayReceiver(t, e.sim.Keys())
		first := e.paidBill(rcv)
		second := e.paidBill(rcv)
		got := rcv.wait(2)
		if got[0].outBillNo != second || got[1].outBillNo != first {
			t.Fatalf("order %s, %s; want %s first", got[0].outBillNo, got[1].outBillNo, second)
		}
	})

	t.Run("retried until acknowledged", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		rcv := newPayReceiver(t, e.sim.Keys())
		rcv.failFirst = 1
		no := e.paidBill(rcv)
		rcv.wait(2)
		d := e.deliveries(no)
		if len(d) != 2 || d[0].Status != 500 || d[1].Status != 204 || d[1].Attempt != 2 {
			t.Fatalf("deliveries %+v", d)
		}
	})

	t.Run("dropped", func(t *testing.T) {
		e := newEnv(t)
		t.Cleanup(e.sim.StopPay)
		setFaults(e, map[string]any{"drop_callbacks": true})
		rcv := newPayReceiver(t, e.sim.Keys())
		no := e.paidBill(rcv)
		d := e.deliveries(no)
		if len(d) != 1 || d[0].Kind != "dropped" || d[0].State != "SUCCESS" {
			t.Fatalf("deliveries %+v", d)
		}
	})
}

func TestControlFaults(t *testing.T) {
	e := newEnv(t)
	status, out := e.do(http.MethodGet, "/_sim/control/faults", nil)
	pay := out["pay"].(map[string]any)
	if status != http.StatusOK || pay["server_errors"] != float64(0) || pay["merchant_balance_fen"] != float64(100_000_000) || pay["single_max_fen"] != float64(20_000) {
		t.Fatalf("defaults: %d %v", status, out)
	}
	for name, body := range map[string]any{
		"unknown area":     map[string]any{"payy": map[string]any{}},
		"unknown switch":   map[string]any{"pay": map[string]any{"server_error": 1}},
		"negative counter": map[string]any{"pay": map[string]any{"server_errors": -1}},
		"huge hold":        map[string]any{"pay": map[string]any{"timeout_hold_ms": 10_000_000}},
		"tiny single max":  map[string]any{"pay": map[string]any{"single_max_fen": 1}},
		"not an object":    []int{1},
	} {
		status, out := e.do(http.MethodPost, "/_sim/control/faults", body)
		if status != http.StatusBadRequest || out["code"] != "INVALID_ARGUMENT" {
			t.Errorf("%s: %d %v", name, status, out)
		}
	}
	// A patch changes only what it names; counters count down as calls use them.
	e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"server_errors": 2, "duplicate_callbacks": true}})
	e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"no_auth": true}})
	e.mch(http.MethodGet, transferBillsPath+"/out-bill-no/X1", nil, nil)
	_, out = e.do(http.MethodGet, "/_sim/control/faults", nil)
	pay = out["pay"].(map[string]any)
	if pay["server_errors"] != float64(1) || pay["duplicate_callbacks"] != true || pay["no_auth"] != true {
		t.Fatalf("after a patch and one call: %v", pay)
	}
	_, out = e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"reset": true}})
	if pay := out["pay"].(map[string]any); pay["server_errors"] != float64(0) || pay["no_auth"] != false {
		t.Fatalf("after reset: %v", pay)
	}
}

func TestControlTransfers(t *testing.T) {
	e := newEnv(t)
	body := e.transferBody(300)
	e.mch(http.MethodPost, transferBillsPath, body, nil)
	no, openID := body["out_bill_no"].(string), body["openid"].(string)

	if status, out := e.do(http.MethodPost, "/_sim/control/transfers/NOSUCH/confirm", nil); status != http.StatusNotFound {
		t.Errorf("unknown bill: %d %v", status, out)
	}
	if status, out := e.do(http.MethodPost, "/_sim/control/transfers/"+no+"/confirm", map[string]any{"openid": "oSomeoneElse"}); status != http.StatusForbidden || out["code"] != "NOT_PAYEE" {
		t.Errorf("another member: %d %v", status, out)
	}
	if status, out := e.do(http.MethodPost, "/_sim/control/transfers/"+no+"/reject", map[string]any{"fail_reason": "bad reason"}); status != http.StatusBadRequest {
		t.Errorf("bad reason: %d %v", status, out)
	}
	status, out := e.do(http.MethodPost, "/_sim/control/transfers/"+no+"/reject", map[string]any{"fail_reason": "REAL_NAME_CHECK_FAIL"})
	tr := out["transfer"].(map[string]any)
	if status != http.StatusOK || tr["state"] != "FAIL" || tr["fail_reason"] != "REAL_NAME_CHECK_FAIL" || tr["package_info"] != nil {
		t.Fatalf("reject: %d %v", status, out)
	}
	if status, _ := e.do(http.MethodPost, "/_sim/control/transfers/"+no+"/confirm", nil); status != http.StatusConflict {
		t.Errorf("confirm after reject: %d", status)
	}

	e.mch(http.MethodPost, transferBillsPath, e.transferBody(400), nil)
	status, out = e.do(http.MethodGet, "/_sim/control/transfers?openid="+openID, nil)
	list := out["transfers"].([]any)
	if status != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["out_bill_no"] != no {
		t.Fatalf("list for one member: %v", out)
	}
	_, out = e.do(http.MethodGet, "/_sim/control/transfers?limit=1", nil)
	if len(out["transfers"].([]any)) != 1 {
		t.Fatalf("limit: %v", out)
	}
	newest := out["transfers"].([]any)[0].(map[string]any)["out_bill_no"]
	_, out = e.do(http.MethodGet, "/_sim/control/transfers?limit=1&offset=1", nil)
	if l := out["transfers"].([]any); len(l) != 1 || l[0].(map[string]any)["out_bill_no"] == newest {
		t.Fatalf("offset 1 answered the newest bill again: %v", out)
	}
	_, out = e.do(http.MethodGet, "/_sim/control/transfers?offset=1000", nil)
	if l := out["transfers"].([]any); len(l) != 0 {
		t.Fatalf("offset past the end: %v", out)
	}
	for _, q := range []string{"limit=x", "offset=-1", "offset=x"} {
		if status, _ := e.do(http.MethodGet, "/_sim/control/transfers?"+q, nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d", q, status)
		}
	}
}
