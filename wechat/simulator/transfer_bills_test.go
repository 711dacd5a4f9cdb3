package simulator_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Merchant API calls signed by hand (no client library), answers checked by hand.

const transferBillsPath = "/v3/fund-app/mch-transfer/transfer-bills"

type mchAnswer struct {
	status int
	header http.Header
	raw    []byte
	out    map[string]any
}

// mch sends a merchant API call signed with the merchant key over the path WeChat sees;
// change may alter the request after signing.
func (e *env) mch(method, path string, body any, change func(*http.Request)) mchAnswer {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	req := httptest.NewRequest(method, "/_sim/mch"+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", e.authorization(method, path, raw, time.Now()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if change != nil {
		change(req)
	}
	rec := httptest.NewRecorder()
	e.sim.Handler().ServeHTTP(rec, req)
	a := mchAnswer{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if err := json.Unmarshal(a.raw, &a.out); err != nil {
		e.t.Fatalf("%s %s: answer %q is not JSON", method, path, a.raw)
	}
	return a
}

func (e *env) authorization(method, uri string, body []byte, at time.Time) string {
	k := e.sim.Keys()
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce := "593BEC0C930BF1AFEB40B4A08C8FB242"
	sum := sha256.Sum256([]byte(method + "\n" + uri + "\n" + ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.MerchantPrivateKey, crypto.SHA256, sum[:])
	if err != nil {
		e.t.Fatal(err)
	}
	return `WECHATPAY2-SHA256-RSA2048 mchid="` + k.MchID + `",nonce_str="` + nonce + `",signature="` +
		base64.StdEncoding.EncodeToString(sig) + `",timestamp="` + ts + `",serial_no="` + k.MerchantSerialNo + `"`
}

// verified checks an answer's WeChat Pay signature with wechatpay_public.pem's key.
func (e *env) verified(a mchAnswer) bool {
	k := e.sim.Keys()
	h := a.header
	if h.Get("Wechatpay-Serial") != k.PublicKeyID {
		return false
	}
	ts, err := strconv.ParseInt(h.Get("Wechatpay-Timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(a.raw) + "\n"))
	return rsa.VerifyPKCS1v15(k.WechatPayPublicKey, crypto.SHA256, sum[:], sig) == nil
}

var outBillSeq int

// transferBody is a valid commission transfer of amountFen with a fresh out_bill_no.
func (e *env) transferBody(amountFen int64) map[string]any {
	outBillSeq++
	n := strconv.Itoa(outBillSeq)
	return map[string]any{
		"appid": e.sim.Keys().AppID, "out_bill_no": "SIM" + strconv.FormatInt(time.Now().UnixNano(), 36) + "N" + n,
		"transfer_scene_id": "1005", "openid": "oSimUser" + n, "transfer_amount": amountFen, "transfer_remark": "佣金",
		"user_recv_perception": "劳务报酬",
		"transfer_scene_report_infos": []map[string]string{
			{"info_type": "岗位类型", "info_content": "分享员"}, {"info_type": "报酬说明", "info_content": "直播佣金"}},
	}
}

func TestTransferAuthorization(t *testing.T) {
	e := newEnv(t)
	body, _ := json.Marshal(e.transferBody(100))
	k := e.sim.Keys()
	cases := []struct {
		name   string
		change func(*http.Request)
		ok     bool
	}{
		{name: "signed over WeChat's path", ok: true},
		{name: "signed over the simulator's full path", ok: true, change: func(r *http.Request) {
			r.Header.Set("Authorization", e.authorization(http.MethodPost, "/_sim/mch"+transferBillsPath, body, time.Now()))
		}},
		{name: "no Authorization", change: func(r *http.Request) { r.Header.Del("Authorization") }},
		{name: "another scheme", change: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048", "Bearer", 1))
		}},
		{name: "another merchant", change: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), `mchid="`+k.MchID, `mchid="1000000001`, 1))
		}},
		{name: "another certificate serial", change: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), k.MerchantSerialNo, strings.Repeat("A", 40), 1))
		}},
		{name: "ten minutes old", change: func(r *http.Request) {
			r.Header.Set("Authorization", e.authorization(http.MethodPost, transferBillsPath, body, time.Now().Add(-10*time.Minute)))
		}},
		{name: "body changed after signing", change: func(r *http.Request) {
			r.Body = http.NoBody
		}},
		{name: "signed for GET", change: func(r *http.Request) {
			r.Header.Set("Authorization", e.authorization(http.MethodGet, transferBillsPath, body, time.Now()))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := e.mch(http.MethodPost, transferBillsPath, body, tc.change)
			if tc.ok {
				if a.status != http.StatusOK || !e.verified(a) {
					t.Fatalf("HTTP %d %v", a.status, a.out)
				}
				return
			}
			if a.status != http.StatusUnauthorized || a.out["code"] != "SIGN_ERROR" {
				t.Fatalf("HTTP %d %v, want 401 SIGN_ERROR", a.status, a.out)
			}
			if a.header.Get("Wechatpay-Signature") != "" {
				t.Error("a request that did not authenticate got a signed answer")
			}
		})
	}
}

func TestTransferAnswersAreSigned(t *testing.T) {
	e := newEnv(t)
	good := e.transferBody(100)
	created := e.mch(http.MethodPost, transferBillsPath, good, nil)
	outBillNo := good["out_bill_no"].(string)
	transferBillNo := str(created.out["transfer_bill_no"])
	calls := map[string]func() mchAnswer{
		"create":               func() mchAnswer { return created },
		"query by out_bill_no": func() mchAnswer { return e.mch(http.MethodGet, transferBillsPath+"/out-bill-no/"+outBillNo, nil, nil) },
		"query by transfer no": func() mchAnswer {
			return e.mch(http.MethodGet, transferBillsPath+"/transfer-bill-no/"+transferBillNo, nil, nil)
		},
		"query of an unknown no": func() mchAnswer { return e.mch(http.MethodGet, transferBillsPath+"/out-bill-no/NOSUCH", nil, nil) },
		"refused create":         func() mchAnswer { return e.mch(http.MethodPost, transferBillsPath, []byte(`{}`), nil) },
		"cancel": func() mchAnswer {
			return e.mch(http.MethodPost, transferBillsPath+"/out-bill-no/"+outBillNo+"/cancel", nil, nil)
		},
		"an API it does not have": func() mchAnswer { return e.mch(http.MethodGet, "/v3/certificates", nil, nil) },
		"5xx": func() mchAnswer {
			e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"server_errors": 1}})
			return e.mch(http.MethodGet, transferBillsPath+"/out-bill-no/"+outBillNo, nil, nil)
		},
		"429": func() mchAnswer {
			e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"frequency_limited": 1}})
			return e.mch(http.MethodGet, transferBillsPath+"/out-bill-no/"+outBillNo, nil, nil)
		},
	}
	want := map[string]int{"create": 200, "query by out_bill_no": 200, "query by transfer no": 200, "query of an unknown no": 404,
		"refused create": 400, "cancel": 200, "an API it does not have": 404, "5xx": 500, "429": 429}
	for _, name := range []string{"create", "query by out_bill_no", "query by transfer no", "query of an unknown no", "refused create", "5xx", "429", "cancel", "an API it does not have"} {
		a := calls[name]()
		if a.status != want[name] {
			t.Errorf("%s: HTTP %d %v, want %d", name, a.status, a.out, want[name])
		}
		if !e.verified(a) {
			t.Errorf("%s: the answer does not verify with wechatpay_public.pem", name)
		}
	}
	if created.out["state"] != "WAIT_USER_CONFIRM" || str(created.out["package_info"]) == "" ||
		created.out["create_time"] != "2026-03-01T18:00:00+08:00" {
		t.Errorf("create answer %v", created.out)
	}
}

func TestTransferCreateValidation(t *testing.T) {
	e := newEnv(t)
	k := e.sim.Keys()
	encrypt := func(name string) string {
		ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, k.WechatPayPublicKey, []byte(name), nil)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(ct)
	}
	withSerial := func(r *http.Request) { r.Header.Set("Wechatpay-Serial", k.PublicKeyID) }
	e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"single_max_fen": 3_000_000}})
	cases := []struct {
		name       string
		change     func(map[string]any)
		header     func(*http.Request)
		wantStatus int
		wantCode   string
	}{
		{name: "valid", wantStatus: 200},
		{name: "no appid", change: func(b map[string]any) { delete(b, "appid") }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "out_bill_no with an underscore", change: func(b map[string]any) { b["out_bill_no"] = "A_1" }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "out_bill_no of 33", change: func(b map[string]any) { b["out_bill_no"] = strings.Repeat("A", 33) }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "amount in yuan with decimals", change: func(b map[string]any) { b["transfer_amount"] = 1.5 }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "no amount", change: func(b map[string]any) { delete(b, "transfer_amount") }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "remark of 33", change: func(b map[string]any) { b["transfer_remark"] = strings.Repeat("佣", 33) }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "report rows in the wrong order", change: func(b map[string]any) {
			b["transfer_scene_report_infos"] = []map[string]string{{"info_type": "报酬说明", "info_content": "x"}, {"info_type": "岗位类型", "info_content": "y"}}
		}, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "report content of 33", change: func(b map[string]any) {
			b["transfer_scene_report_infos"] = []map[string]string{{"info_type": "岗位类型", "info_content": strings.Repeat("x", 33)}, {"info_type": "报酬说明", "info_content": "y"}}
		}, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "cash marketing scene", change: func(b map[string]any) {
			b["transfer_scene_id"], b["user_recv_perception"] = "1000", "现金奖励"
			b["transfer_scene_report_infos"] = []map[string]string{{"info_type": "活动名称", "info_content": "直播"}, {"info_type": "奖励说明", "info_content": "排行榜奖励"}}
		}, wantStatus: 200},
		{name: "2,000 yuan without the real name", change: func(b map[string]any) { b["transfer_amount"] = 200_000 }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "2,000 yuan with the real name", change: func(b map[string]any) {
			b["transfer_amount"], b["user_name"] = 200_000, encrypt("王五")
		}, header: withSerial, wantStatus: 200},
		{name: "real name without Wechatpay-Serial", change: func(b map[string]any) {
			b["transfer_amount"], b["user_name"] = 200_000, encrypt("王五")
		}, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "real name not encrypted", change: func(b map[string]any) {
			b["transfer_amount"], b["user_name"] = 200_000, "王五"
		}, header: withSerial, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "real name under 0.3 yuan", change: func(b map[string]any) {
			b["transfer_amount"], b["user_name"] = 20, encrypt("王五")
		}, header: withSerial, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "notify_url with a query", change: func(b map[string]any) { b["notify_url"] = "https://example.com/cb?a=1" }, wantStatus: 400, wantCode: "PARAM_ERROR"},
		{name: "loopback http notify_url", change: func(b map[string]any) { b["notify_url"] = "http://127.0.0.1:1/cb" }, wantStatus: 200},
		{name: "over the user's daily total", change: func(b map[string]any) {
			b["transfer_amount"], b["user_name"], b["openid"] = 2_000_001, encrypt("王五"), "oSimRich"
		}, header: withSerial, wantStatus: 400, wantCode: "INVALID_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := e.transferBody(100)
			if tc.change != nil {
				tc.change(body)
			}
			a := e.mch(http.MethodPost, transferBillsPath, body, tc.header)
			if a.status != tc.wantStatus || tc.wantCode != "" && a.out["code"] != tc.wantCode {
				t.Fatalf("HTTP %d %v, want %d %s", a.status, a.out, tc.wantStatus, tc.wantCode)
			}
			if tc.wantCode != "" && str(a.out["message"]) == "" {
				t.Error("an error without a message")
			}
		})
	}
}

func TestTransferBalance(t *testing.T) {
	e := newEnv(t)
	e.do(http.MethodPost, "/_sim/control/faults", map[string]any{"pay": map[string]any{"merchant_balance_fen": 1000}})
	first := e.transferBody(600)
	if a := e.mch(http.MethodPost, transferBillsPath, first, nil); a.status != 200 {
		t.Fatalf("first: %d %v", a.status, a.out)
	}
	// 600 is locked while the bill waits; 400 is left.
	if a := e.mch(http.MethodPost, transferBillsPath, e.transferBody(500), nil); a.status != 403 || a.out["code"] != "NOT_ENOUGH" {
		t.Fatalf("second: %d %v", a.status, a.out)
	}
	// A cancel gives the locked funds back.
	no := first["out_bill_no"].(string)
	if a := e.mch(http.MethodPost, transferBillsPath+"/out-bill-no/"+no+"/cancel", nil, nil); a.status != 200 || a.out["state"] != "CANCELING" {
		t.Fatalf("cancel: %d %v", a.status, a.out)
	}
	if a := e.mch(http.MethodPost, transferBillsPath, e.transferBody(1000), nil); a.status != 200 {
		t.Fatalf("after the cancel: %d %v", a.status, a.out)
	}
	_, faults := e.do(http.MethodGet, "/_sim/control/faults", nil)
	if bal := faults["pay"].(map[string]any)["merchant_balance_fen"]; bal != float64(0) {
		t.Errorf("balance %v, want 0", bal)
	}
}
