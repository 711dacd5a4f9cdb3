package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// TestOfficialSDKAgainstSimulator proves the simulator speaks WeChat Pay's contract and not
// just our client's reading of it: the official wechatpay-go SDK, configured only from the
// files under <data dir>/simulator/, signs its requests, checks every answer's signature (and
// its 5-minute window), encrypts user_name, and verifies and decrypts a callback.
func TestOfficialSDKAgainstSimulator(t *testing.T) {
	dataDir := t.TempDir()
	clk := clock.NewFixed(t0)
	sim, err := simulator.New(simulator.Options{DataDir: dataDir, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { sim.StopPay(); srv.Close() })

	// Everything the SDK knows comes from the files, as for any independent client.
	dir := simulator.KeyDir(dataDir)
	raw, err := os.ReadFile(filepath.Join(dir, "merchant.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		MchID       string `json:"mch_id"`
		AppID       string `json:"appid"`
		Serial      string `json:"merchant_serial_no"`
		PublicKeyID string `json:"public_key_id"`
		APIv3Key    string `json:"apiv3_key"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	merchantKey, err := utils.LoadPrivateKeyWithPath(filepath.Join(dir, "merchant_private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	wechatPayKey, err := utils.LoadPublicKeyWithPath(filepath.Join(dir, "wechatpay_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	client, err := core.NewClient(ctx,
		option.WithWechatPayPublicKeyAuthCipher(m.MchID, m.Serial, merchantKey, m.PublicKeyID, wechatPayKey),
		option.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}

	// The callback receiver: the SDK's own notify handler.
	handler, err := notify.NewRSANotifyHandler(m.APIv3Key, verifiers.NewSHA256WithRSAPubkeyVerifier(m.PublicKeyID, *wechatPayKey))
	if err != nil {
		t.Fatal(err)
	}
	type bill struct {
		OutBillNo      string `json:"out_bill_no"`
		TransferBillNo string `json:"transfer_bill_no"`
		State          string `json:"state"`
		MchID          string `json:"mch_id"`
		TransferAmount int64  `json:"transfer_amount"`
		OpenID         string `json:"openid"`
		PackageInfo    string `json:"package_info"`
	}
	var (
		mu       sync.Mutex
		notified []bill
		sdkErrs  []error
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var content bill
		req, err := handler.ParseNotifyRequest(r.Context(), r, &content)
		mu.Lock()
		defer mu.Unlock()
		if err != nil || req.EventType != "MCHTRANSFER.BILL.FINISHED" {
			sdkErrs = append(sdkErrs, err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		notified = append(notified, content)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)

	// The real name travels encrypted with the WeChat Pay public key, the SDK's way.
	userName, err := utils.EncryptOAEPWithPublicKey("李四", wechatPayKey)
	if err != nil {
		t.Fatal(err)
	}
	base := srv.URL + "/_sim/mch"
	res, err := client.Post(ctx, base+"/v3/fund-app/mch-transfer/transfer-bills", map[string]any{
		"appid": m.AppID, "out_bill_no": "SDK20260301001", "transfer_scene_id": "1005", "openid": "oSdkUser1",
		"user_name": userName, "transfer_amount": 888, "transfer_remark": "佣金", "notify_url": receiver.URL + "/notify",
		"user_recv_perception":        "劳务报酬",
		"transfer_scene_report_infos": []map[string]string{{"info_type": "岗位类型", "info_content": "分享员"}, {"info_type": "报酬说明", "info_content": "直播佣金"}},
	})
	if err != nil {
		t.Fatalf("the SDK refused the create answer: %v", err)
	}
	var created bill
	decodeBody(t, res.Response, &created)
	if created.State != "WAIT_USER_CONFIRM" || created.PackageInfo == "" || created.TransferBillNo == "" {
		t.Fatalf("create: %+v", created)
	}

	res, err = client.Get(ctx, base+"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/SDK20260301001")
	if err != nil {
		t.Fatalf("the SDK refused the query answer: %v", err)
	}
	var queried bill
	decodeBody(t, res.Response, &queried)
	if queried.TransferAmount != 888 || queried.MchID != m.MchID || queried.OpenID != "oSdkUser1" {
		t.Fatalf("query: %+v", queried)
	}

	// An error answer reaches the SDK as WeChat's APIError.
	_, err = client.Get(ctx, base+"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/SDKNOSUCHBILL")
	var apiErr *core.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound || apiErr.Code != "NOT_FOUND" {
		t.Fatalf("query of an unknown bill: %v", err)
	}

	// The member confirms; the callback must pass the SDK's verification and decryption.
	resp, err := http.Post(srv.URL+"/_sim/control/transfers/SDK20260301001/confirm", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: HTTP %d", resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got, bad := append([]bill(nil), notified...), append([]error(nil), sdkErrs...)
		mu.Unlock()
		if len(bad) > 0 {
			t.Fatalf("the SDK refused a callback: %v", bad)
		}
		if len(got) > 0 {
			if got[0].State != "SUCCESS" || got[0].OutBillNo != "SDK20260301001" || got[0].TransferBillNo != created.TransferBillNo ||
				got[0].TransferAmount != 888 || got[0].MchID != m.MchID {
				t.Fatalf("callback content %+v", got[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no callback reached the SDK's handler")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func decodeBody(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
