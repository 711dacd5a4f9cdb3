package pay

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A fake WeChat Pay that answers exactly what each case says, to pin down the classification:
// only a signed 2xx is a bill, only a signed 4xx with a definite code is a refusal, everything
// else is unknown.

type fakeAnswer struct {
	status int
	body   string
	// sign: how the answer is signed: "ok", "none", "stale", "other key".
	sign string
}

func fakeWeChat(t *testing.T, a fakeAnswer, seen *http.Request, seenBody *[]byte) *httptest.Server {
	k := merchantKeys(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if seen != nil {
			*seen = *r.Clone(context.Background())
			*seenBody = body
		}
		var h http.Header
		switch a.sign {
		case "ok":
			h = signedHeader(t, k.pubKey, testPublicKeyID, time.Now().Unix(), "n", []byte(a.body))
		case "stale":
			h = signedHeader(t, k.pubKey, testPublicKeyID, time.Now().Add(-6*time.Minute).Unix(), "n", []byte(a.body))
		case "other key":
			h = signedHeader(t, k.certKey, testPublicKeyID, time.Now().Unix(), "n", []byte(a.body))
		default:
			h = http.Header{}
		}
		for name, v := range h {
			w.Header()[name] = v
		}
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fakeClient(t *testing.T, baseURL string) *Client {
	t.Helper()
	k := merchantKeys(t)
	c, err := New(Config{MchID: testMchID, AppID: "wx0000000000000001", MerchantSerialNo: "3775B6A45ACD588826D15E583A95F5DD7C1DBB72",
		MerchantPrivateKeyPEM: k.merchantPEM, APIv3Key: testAPIv3Key, PublicKeyID: testPublicKeyID, PublicKeyPEM: k.pubKeyPEM,
		PlatformCertificatesPEM: k.certPEM}, Options{BaseURL: baseURL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func classifyRequest() TransferRequest {
	perception, infos, _ := SceneReport(SceneCommission, "分享员", "佣金")
	return TransferRequest{OutBillNo: "DEMO1", OpenID: "oUser1", AmountFen: 500, Remark: "佣金", SceneID: SceneCommission,
		Perception: perception, ReportInfos: infos}
}

func TestCreateAnswerClassification(t *testing.T) {
	bill := `{"out_bill_no":"DEMO1","transfer_bill_no":"1330000071100999991182020050700019480001","create_time":"2026-03-01T18:00:00+08:00","state":"WAIT_USER_CONFIRM","package_info":"affffddafdfafddffda=="}`
	errBody := func(code string) string { return `{"code":"` + code + `","message":"说明"}` }
	cases := []struct {
		name       string
		answer     fakeAnswer
		wantBill   bool
		wantRefuse string // refusal code
		wantCode   string // unknown code
		wantErr    error
	}{
		{name: "signed bill", answer: fakeAnswer{200, bill, "ok"}, wantBill: true},
		{name: "unsigned bill", answer: fakeAnswer{200, bill, "none"}, wantCode: CodeUnverified, wantErr: ErrMalformed},
		{name: "stale bill", answer: fakeAnswer{200, bill, "stale"}, wantCode: CodeUnverified, wantErr: ErrStale},
		{name: "bill signed by another key", answer: fakeAnswer{200, bill, "other key"}, wantCode: CodeUnverified, wantErr: ErrBadSignature},
		{name: "bill of another out_bill_no", answer: fakeAnswer{200, strings.Replace(bill, "DEMO1", "DEMO2", 1), "ok"}, wantCode: CodeBadAnswer},
		{name: "bill in an unknown state", answer: fakeAnswer{200, strings.Replace(bill, "WAIT_USER_CONFIRM", "LIMBO", 1), "ok"}, wantCode: CodeBadAnswer},
		{name: "200 not JSON", answer: fakeAnswer{200, "<html>", "ok"}, wantCode: CodeBadAnswer},
		{name: "signed PARAM_ERROR", answer: fakeAnswer{400, errBody("PARAM_ERROR"), "ok"}, wantRefuse: CodeParamError},
		{name: "signed INVALID_REQUEST", answer: fakeAnswer{400, errBody("INVALID_REQUEST"), "ok"}, wantRefuse: CodeInvalidRequest},
		{name: "signed NO_AUTH", answer: fakeAnswer{403, errBody("NO_AUTH"), "ok"}, wantRefuse: CodeNoAuth},
		{name: "signed NOT_ENOUGH", answer: fakeAnswer{403, errBody("NOT_ENOUGH"), "ok"}, wantRefuse: CodeNotEnough},
		{name: "unsigned PARAM_ERROR", answer: fakeAnswer{400, errBody("PARAM_ERROR"), "none"}, wantCode: CodeUnverified},
		{name: "PARAM_ERROR signed by another key", answer: fakeAnswer{400, errBody("PARAM_ERROR"), "other key"}, wantCode: CodeUnverified},
		{name: "a 4xx code not known to be definite", answer: fakeAnswer{403, errBody("RULE_LIMIT"), "ok"}, wantCode: "RULE_LIMIT"},
		{name: "NOT_FOUND for a create", answer: fakeAnswer{404, errBody("NOT_FOUND"), "ok"}, wantCode: CodeNotFound},
		{name: "PARAM_ERROR with a 5xx status", answer: fakeAnswer{500, errBody("PARAM_ERROR"), "ok"}, wantCode: CodeParamError},
		{name: "SYSTEM_ERROR", answer: fakeAnswer{500, errBody("SYSTEM_ERROR"), "ok"}, wantCode: CodeSystemError},
		{name: "FREQUENCY_LIMITED", answer: fakeAnswer{429, errBody("FREQUENCY_LIMITED"), "ok"}, wantCode: CodeFrequencyLimited},
		{name: "gateway HTML", answer: fakeAnswer{502, "<html>bad gateway</html>", "none"}, wantCode: CodeUnexpected},
		{name: "401 SIGN_ERROR", answer: fakeAnswer{401, errBody("SIGN_ERROR"), "none"}, wantCode: CodeSignError},
		{name: "202 instead of 200", answer: fakeAnswer{202, bill, "ok"}, wantCode: CodeUnexpected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeWeChat(t, tc.answer, nil, nil)
			b, err := fakeClient(t, srv.URL).CreateTransfer(context.Background(), classifyRequest())
			switch {
			case tc.wantBill:
				if err != nil || b.State != StateWaitUserConfirm || b.PackageInfo != "affffddafdfafddffda==" || b.MchID != testMchID {
					t.Fatalf("%+v %v", b, err)
				}
			case tc.wantRefuse != "":
				ref, ok := IsRefused(err)
				if !ok || ref.Code != tc.wantRefuse || ref.Message != "说明" || ref.Local {
					t.Fatalf("want refusal %s, got %v", tc.wantRefuse, err)
				}
			default:
				var u *UnknownError
				if !errors.As(err, &u) || u.Code != tc.wantCode {
					t.Fatalf("want unknown %s, got %v", tc.wantCode, err)
				}
				if _, ok := IsRefused(err); ok {
					t.Fatal("unknown and refused at once")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("want %v inside, got %v", tc.wantErr, err)
				}
			}
		})
	}
}

func TestCreateRequestOnTheWire(t *testing.T) {
	var seen http.Request
	var body []byte
	srv := fakeWeChat(t, fakeAnswer{400, `{"code":"PARAM_ERROR","message":"x"}`, "ok"}, &seen, &body)
	req := classifyRequest()
	req.AmountFen = RealNameThresholdFen
	req.UserName = "张三"
	req.NotifyURL = "https://example.com/webhooks/wechatpay/b1/transfer"
	_, _ = fakeClient(t, srv.URL+"/").CreateTransfer(context.Background(), req)

	if seen.URL.Path != "/v3/fund-app/mch-transfer/transfer-bills" || seen.Method != http.MethodPost {
		t.Errorf("%s %s", seen.Method, seen.URL.Path)
	}
	// Answers are expected under the public key, also while a certificate is still configured.
	if got := seen.Header.Get(HeaderSerial); got != testPublicKeyID {
		t.Errorf("Wechatpay-Serial %q", got)
	}
	auth := seen.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "WECHATPAY2-SHA256-RSA2048 ") || !strings.Contains(auth, `mchid="`+testMchID+`"`) {
		t.Errorf("Authorization %q", auth)
	}
	var sent map[string]any
	if err := json.Unmarshal(body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent["transfer_amount"] != float64(RealNameThresholdFen) || sent["appid"] != "wx0000000000000001" ||
		sent["user_recv_perception"] != "劳务报酬" || sent["notify_url"] != req.NotifyURL {
		t.Errorf("body %s", body)
	}
	name, _ := sent["user_name"].(string)
	if name == "" || strings.Contains(string(body), "张三") {
		t.Fatalf("user_name not encrypted: %s", body)
	}
	infos, _ := sent["transfer_scene_report_infos"].([]any)
	if len(infos) != 2 || infos[0].(map[string]any)["info_type"] != "岗位类型" {
		t.Errorf("report infos %v", infos)
	}
}
