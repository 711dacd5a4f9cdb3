package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/pay"
)

// TestDemoBrandPaysThroughMountedSimulator: the embedded default's demo brand is configured
// with the simulator's merchant, so the WeChat Pay client built from its sealed credentials
// can pay through the simulator mounted on the service's own port (behind the Gin middleware,
// which must let the "answer never comes" fault drop the connection).
func TestDemoBrandPaysThroughMountedSimulator(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		b, err := s.app.store.BrandBySlug(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := pay.BrandConfig(b, s.app.brands)
		if err != nil {
			t.Fatalf("the demo brand's WeChat Pay configuration: %v", err)
		}
		c, err := pay.New(cfg, pay.Options{BaseURL: s.base + "/_sim/mch", HTTP: &http.Client{Timeout: 500 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}

		var mu sync.Mutex
		var notes []pay.TransferNotification
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, pay.MaxNotificationBytes+1))
			n, err := c.Verifier().ParseTransferNotification(r.Header, body)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			mu.Lock()
			notes = append(notes, n)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		defer rcv.Close()

		_, openID := s.wxLogin("wx0000000000000001", "")
		perception, infos, ok := pay.SceneReport(b.PayTransferSceneID, "分享员", "直播预约邀请佣金")
		if !ok {
			t.Fatalf("the demo brand's scene %q", b.PayTransferSceneID)
		}
		req := pay.TransferRequest{OutBillNo: b.OutBillPrefix + "E2E1", OpenID: openID, AmountFen: 1500, Remark: "直播佣金",
			SceneID: b.PayTransferSceneID, Perception: perception, ReportInfos: infos, NotifyURL: rcv.URL + "/cb"}

		// The answer never comes, but the bill was made: query, do not make another.
		if r := s.do("POST", "/_sim/control/faults", "", map[string]any{"pay": map[string]any{"timeout_after_accept": 1, "timeout_hold_ms": 5000}}); r.status != 200 {
			t.Fatalf("faults: %d %s", r.status, r.raw)
		}
		if _, err := c.CreateTransfer(ctx, req); err == nil {
			t.Fatal("the create answered despite the fault")
		} else if _, refused := pay.IsRefused(err); refused {
			t.Fatalf("a lost answer taken for a refusal: %v", err)
		}
		q, err := c.QueryByOutBillNo(ctx, req.OutBillNo)
		if err != nil || q.State != pay.StateWaitUserConfirm || q.OpenID != openID {
			t.Fatalf("query: %+v %v", q, err)
		}
		bill, err := c.CreateTransfer(ctx, req)
		if err != nil || bill.TransferBillNo != q.TransferBillNo || bill.PackageInfo == "" {
			t.Fatalf("repeated create: %+v %v", bill, err)
		}

		if r := s.do("POST", "/_sim/control/transfers/"+req.OutBillNo+"/confirm", "", map[string]any{"openid": openID}); r.status != 200 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		var got []pay.TransferNotification
		if !within(10*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			got = append([]pay.TransferNotification(nil), notes...)
			return len(got) > 0
		}) {
			t.Fatal("no verified callback within 10s")
		}
		if got[0].Bill.State != pay.StateSuccess || got[0].Bill.OutBillNo != req.OutBillNo || got[0].Bill.AmountFen != 1500 {
			t.Fatalf("callback %+v", got[0])
		}
	})
}
