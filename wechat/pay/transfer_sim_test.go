package pay_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/wechat/pay"
)

// The three outcome classes against the simulator: a bill, a definite refusal, unknown.

func TestTransferConfirmedEndToEnd(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	ctx := context.Background()
	req := e.request(1234)

	b, err := c.CreateTransfer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if b.State != pay.StateWaitUserConfirm || b.PackageInfo == "" || b.TransferBillNo == "" || b.OutBillNo != req.OutBillNo {
		t.Fatalf("create answered %+v", b)
	}
	if !b.CreateTime.Equal(t0) {
		t.Errorf("create_time %v, want the service clock's %v", b.CreateTime, t0)
	}
	if c.MchID() != e.keys.MchID || c.AppID() != e.keys.AppID {
		t.Errorf("confirm parameters %s/%s", c.MchID(), c.AppID())
	}

	for name, query := range map[string]func() (pay.Bill, error){
		"by out_bill_no":      func() (pay.Bill, error) { return c.QueryByOutBillNo(ctx, req.OutBillNo) },
		"by transfer_bill_no": func() (pay.Bill, error) { return c.QueryByTransferBillNo(ctx, b.TransferBillNo) },
	} {
		q, err := query()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := pay.Bill{MchID: e.keys.MchID, AppID: e.keys.AppID, OutBillNo: req.OutBillNo, TransferBillNo: b.TransferBillNo,
			State: pay.StateWaitUserConfirm, AmountFen: 1234, OpenID: req.OpenID, CreateTime: q.CreateTime, UpdateTime: q.UpdateTime}
		if q != want || !q.CreateTime.Equal(t0) {
			t.Errorf("%s: %+v, want %+v", name, q, want)
		}
	}

	// The member confirms on the page opened with package_info.
	e.control(http.MethodPost, "/_sim/control/transfers/"+req.OutBillNo+"/confirm", map[string]string{"openid": req.OpenID}, http.StatusOK, nil)
	q, err := c.QueryByOutBillNo(ctx, req.OutBillNo)
	if err != nil || q.State != pay.StateSuccess {
		t.Fatalf("after confirm: %+v %v", q, err)
	}

	got := e.waitCallbacks("the SUCCESS callback", func(cbs []receivedCallback) bool { return len(cbs) >= 1 })
	cb := got[0]
	if cb.err != nil {
		t.Fatalf("callback did not verify: %v", cb.err)
	}
	n := cb.note
	if n.ID == "" || n.Bill.State != pay.StateSuccess || n.Bill.OutBillNo != req.OutBillNo || n.Bill.TransferBillNo != b.TransferBillNo ||
		n.Bill.AmountFen != 1234 || n.Bill.OpenID != req.OpenID || n.Bill.MchID != e.keys.MchID {
		t.Errorf("callback %+v", n)
	}
	if cb.header.Get("Wechatpay-Serial") != e.keys.PublicKeyID {
		t.Errorf("callback serial %q", cb.header.Get("Wechatpay-Serial"))
	}

	// A repeated create answers the same bill, now final: a retry never changes a decided
	// outcome and never makes a second bill.
	again, err := c.CreateTransfer(ctx, req)
	if err != nil || again.TransferBillNo != b.TransferBillNo || again.State != pay.StateSuccess || again.PackageInfo != "" {
		t.Fatalf("repeated create: %+v %v", again, err)
	}
	if n := len(e.transfers(req.OpenID)); n != 1 {
		t.Errorf("%d bills for the member, want 1", n)
	}
}

func TestTransferRefusals(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	ctx := context.Background()
	cases := []struct {
		name       string
		faults     map[string]any
		change     func(*pay.TransferRequest)
		wantStatus int
		wantCode   string
	}{
		{name: "scene report rows missing", change: func(r *pay.TransferRequest) { r.ReportInfos = r.ReportInfos[:1] },
			wantStatus: 400, wantCode: pay.CodeParamError},
		{name: "report rows of another scene", change: func(r *pay.TransferRequest) {
			_, r.ReportInfos, _ = pay.SceneReport(pay.SceneCashMarketing, "a", "b")
		}, wantStatus: 400, wantCode: pay.CodeParamError},
		{name: "perception the scene does not show", change: func(r *pay.TransferRequest) { r.Perception = "现金奖励" },
			wantStatus: 400, wantCode: pay.CodeInvalidRequest},
		{name: "scene not granted", change: func(r *pay.TransferRequest) { r.SceneID = "1001" },
			wantStatus: 400, wantCode: pay.CodeInvalidRequest},
		{name: "below the single minimum", change: func(r *pay.TransferRequest) { r.AmountFen = 9 },
			wantStatus: 400, wantCode: pay.CodeInvalidRequest},
		{name: "above the single maximum", change: func(r *pay.TransferRequest) { r.AmountFen = 20_001 },
			wantStatus: 400, wantCode: pay.CodeInvalidRequest},
		{name: "notify_url over plain http elsewhere", change: func(r *pay.TransferRequest) { r.NotifyURL = "http://example.com/cb" },
			wantStatus: 400, wantCode: pay.CodeParamError},
		{name: "merchant without the product", faults: map[string]any{"no_auth": true},
			wantStatus: 403, wantCode: pay.CodeNoAuth},
		{name: "merchant balance too low", faults: map[string]any{"merchant_balance_fen": 100},
			wantStatus: 403, wantCode: pay.CodeNotEnough},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.faults(map[string]any{"reset": true})
			if tc.faults != nil {
				e.faults(tc.faults)
			}
			req := e.request(500)
			if tc.change != nil {
				tc.change(&req)
			}
			_, err := c.CreateTransfer(ctx, req)
			ref, ok := pay.IsRefused(err)
			if !ok {
				t.Fatalf("want a refusal, got %v", err)
			}
			if ref.Status != tc.wantStatus || ref.Code != tc.wantCode || ref.Local || ref.Message == "" || ref.Op != pay.OpCreate {
				t.Errorf("refusal %+v, want HTTP %d %s from WeChat", ref, tc.wantStatus, tc.wantCode)
			}
			// A refused create made no bill.
			e.faults(map[string]any{"reset": true})
			_, err = c.QueryByOutBillNo(ctx, req.OutBillNo)
			if ref, ok := pay.IsRefused(err); !ok || !ref.NotFound() {
				t.Errorf("query after the refusal: %v, want NOT_FOUND", err)
			}
		})
	}

	t.Run("same out_bill_no, other fields", func(t *testing.T) {
		req := e.request(500)
		if _, err := c.CreateTransfer(ctx, req); err != nil {
			t.Fatal(err)
		}
		req.AmountFen = 600
		_, err := c.CreateTransfer(ctx, req)
		if ref, ok := pay.IsRefused(err); !ok || ref.Code != pay.CodeInvalidRequest {
			t.Fatalf("want INVALID_REQUEST, got %v", err)
		}
		if n := len(e.transfers(req.OpenID)); n != 1 {
			t.Errorf("%d bills, want 1", n)
		}
	})

	t.Run("checked before sending", func(t *testing.T) {
		for name, change := range map[string]func(*pay.TransferRequest){
			"out_bill_no with a dash": func(r *pay.TransferRequest) { r.OutBillNo = "DEMO-1" },
			"out_bill_no too long":    func(r *pay.TransferRequest) { r.OutBillNo = strings.Repeat("A", 33) },
			"real name missing":       func(r *pay.TransferRequest) { r.AmountFen = pay.RealNameThresholdFen },
			"remark too long":         func(r *pay.TransferRequest) { r.Remark = strings.Repeat("佣", 33) },
			"no report rows":          func(r *pay.TransferRequest) { r.ReportInfos = nil },
			"notify_url with a query": func(r *pay.TransferRequest) { r.NotifyURL += "?a=1" },
			"zero amount":             func(r *pay.TransferRequest) { r.AmountFen = 0 },
		} {
			req := e.request(500)
			change(&req)
			_, err := c.CreateTransfer(ctx, req)
			if ref, ok := pay.IsRefused(err); !ok || !ref.Local || ref.Code != pay.CodeParamError {
				t.Errorf("%s: want a local PARAM_ERROR, got %v", name, err)
			}
		}
	})
}

func TestTransferUnknownOutcomes(t *testing.T) {
	e := newSimEnv(t)
	ctx := context.Background()

	t.Run("5xx", func(t *testing.T) {
		e.faults(map[string]any{"reset": true, "server_errors": 1})
		req := e.request(500)
		_, err := e.client().CreateTransfer(ctx, req)
		assertUnknown(t, err, http.StatusInternalServerError, pay.CodeSystemError)
		// Nothing was made; the same bill number then goes through.
		if _, err := e.client().QueryByOutBillNo(ctx, req.OutBillNo); !isNotFound(err) {
			t.Fatalf("query: %v", err)
		}
		if b, err := e.client().CreateTransfer(ctx, req); err != nil || b.State != pay.StateWaitUserConfirm {
			t.Fatalf("retry: %+v %v", b, err)
		}
	})

	t.Run("FREQUENCY_LIMITED", func(t *testing.T) {
		e.faults(map[string]any{"reset": true, "frequency_limited": 1})
		_, err := e.client().QueryByOutBillNo(ctx, "DEMO1")
		assertUnknown(t, err, http.StatusTooManyRequests, pay.CodeFrequencyLimited)
	})

	t.Run("timeout after the bill was accepted, then the query finds it", func(t *testing.T) {
		e.faults(map[string]any{"reset": true, "timeout_after_accept": 1, "timeout_hold_ms": 10_000})
		c, err := pay.New(e.config(), pay.Options{BaseURL: e.srv.URL + "/_sim/mch", HTTP: &http.Client{Timeout: 300 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		req := e.request(800)
		_, err = c.CreateTransfer(ctx, req)
		assertUnknown(t, err, 0, pay.CodeNoAnswer)

		// The rule: query the same out_bill_no, never a new bill.
		q, err := c.QueryByOutBillNo(ctx, req.OutBillNo)
		if err != nil || q.State != pay.StateWaitUserConfirm || q.AmountFen != 800 {
			t.Fatalf("query: %+v %v", q, err)
		}
		// package_info comes only with a create: the same create again answers the same bill.
		b, err := c.CreateTransfer(ctx, req)
		if err != nil || b.TransferBillNo != q.TransferBillNo || b.PackageInfo == "" {
			t.Fatalf("repeated create: %+v %v", b, err)
		}
		if got := e.transfers(req.OpenID); len(got) != 1 || got[0].TransferBillNo != q.TransferBillNo {
			t.Fatalf("bills for the member: %+v, want exactly one", got)
		}
	})

	t.Run("ACCEPTED first", func(t *testing.T) {
		e.faults(map[string]any{"reset": true, "accept_only": 1})
		req := e.request(700)
		b, err := e.client().CreateTransfer(ctx, req)
		if err != nil || b.State != pay.StateAccepted || b.PackageInfo != "" {
			t.Fatalf("create: %+v %v", b, err)
		}
		b2, err := e.client().CreateTransfer(ctx, req)
		if err != nil || b2.State != pay.StateWaitUserConfirm || b2.PackageInfo == "" || b2.TransferBillNo != b.TransferBillNo {
			t.Fatalf("repeated create: %+v %v", b2, err)
		}
	})

	t.Run("no server", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		c, err := pay.New(e.config(), pay.Options{BaseURL: dead.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateTransfer(ctx, e.request(500))
		assertUnknown(t, err, 0, pay.CodeNoAnswer)
	})

	t.Run("wrong merchant key: 401 SIGN_ERROR", func(t *testing.T) {
		e.faults(map[string]any{"reset": true})
		cfg := e.config()
		cfg.MerchantPrivateKeyPEM = string(newKeyPEM(t))
		req := e.request(500)
		_, err := e.clientWith(cfg).CreateTransfer(ctx, req)
		assertUnknown(t, err, http.StatusUnauthorized, pay.CodeSignError)
		if len(e.transfers(req.OpenID)) != 0 {
			t.Error("a wrongly signed request made a bill")
		}
	})

	t.Run("answers signed with another key", func(t *testing.T) {
		e.faults(map[string]any{"reset": true})
		cfg := e.config()
		cfg.PublicKeyPEM = string(publicPEM(t, newKey(t)))
		c := e.clientWith(cfg)
		req := e.request(500)
		_, err := c.CreateTransfer(ctx, req)
		assertUnknown(t, err, http.StatusOK, pay.CodeUnverified)
		if !errors.Is(err, pay.ErrBadSignature) {
			t.Errorf("want ErrBadSignature inside, got %v", err)
		}
		// A refusal that does not verify is no refusal: it must not release money.
		req2 := e.request(5)
		_, err = c.CreateTransfer(ctx, req2)
		assertUnknown(t, err, http.StatusBadRequest, pay.CodeUnverified)
		_, err = c.QueryByOutBillNo(ctx, "NOSUCHBILL1")
		assertUnknown(t, err, http.StatusNotFound, pay.CodeUnverified)
	})

	t.Run("answers under an unknown serial", func(t *testing.T) {
		cfg := e.config()
		cfg.PublicKeyID = "PUB_KEY_ID_0000000000000000000000000001"
		_, err := e.clientWith(cfg).QueryByOutBillNo(ctx, "DEMO1")
		if !errors.Is(err, pay.ErrUnknownSerial) {
			t.Fatalf("want ErrUnknownSerial, got %v", err)
		}
		if _, ok := pay.IsRefused(err); ok {
			t.Fatal("an unverified NOT_FOUND counted as a refusal")
		}
	})
}

func TestTransferCancel(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	ctx := context.Background()
	req := e.request(500)
	if _, err := c.CreateTransfer(ctx, req); err != nil {
		t.Fatal(err)
	}
	b, err := c.CancelTransfer(ctx, req.OutBillNo)
	if err != nil || b.State != pay.StateCanceling || b.OutBillNo != req.OutBillNo || b.UpdateTime.IsZero() {
		t.Fatalf("cancel: %+v %v", b, err)
	}
	q, err := c.QueryByOutBillNo(ctx, req.OutBillNo)
	if err != nil || q.State != pay.StateCancelled {
		t.Fatalf("query: %+v %v", q, err)
	}
	again, err := c.CancelTransfer(ctx, req.OutBillNo)
	if err != nil || again.State != pay.StateCancelled {
		t.Fatalf("second cancel: %+v %v", again, err)
	}
	cbs := e.waitCallbacks("the CANCELLED callback", func(cbs []receivedCallback) bool { return len(cbs) >= 1 })
	if cbs[0].err != nil || cbs[0].note.Bill.State != pay.StateCancelled {
		t.Fatalf("callback %+v %v", cbs[0].note, cbs[0].err)
	}
	// The member can no longer confirm.
	e.control(http.MethodPost, "/_sim/control/transfers/"+req.OutBillNo+"/confirm", nil, http.StatusConflict, nil)

	// A paid bill cannot be cancelled; an unknown one is not found.
	paid := e.request(600)
	if _, err := c.CreateTransfer(ctx, paid); err != nil {
		t.Fatal(err)
	}
	e.control(http.MethodPost, "/_sim/control/transfers/"+paid.OutBillNo+"/confirm", nil, http.StatusOK, nil)
	_, err = c.CancelTransfer(ctx, paid.OutBillNo)
	if ref, ok := pay.IsRefused(err); !ok || ref.Code != pay.CodeInvalidRequest {
		t.Errorf("cancel of a paid bill: %v", err)
	}
	if _, err := c.CancelTransfer(ctx, "NOSUCHBILL2"); !isNotFound(err) {
		t.Errorf("cancel of an unknown bill: %v", err)
	}
}

func TestTransferRejectedAndExpired(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	ctx := context.Background()

	rejected := e.request(500)
	expired := e.request(700)
	for _, r := range []pay.TransferRequest{rejected, expired} {
		if _, err := c.CreateTransfer(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	e.control(http.MethodPost, "/_sim/control/transfers/"+rejected.OutBillNo+"/reject", nil, http.StatusOK, nil)
	q, err := c.QueryByOutBillNo(ctx, rejected.OutBillNo)
	if err != nil || q.State != pay.StateFail || q.FailReason != "PAYEE_ACCOUNT_ABNORMAL" {
		t.Fatalf("rejected: %+v %v", q, err)
	}

	// 24 hours of the service clock close the other one, with its callback, without any call.
	e.control(http.MethodPost, "/_sim/control/clock", map[string]int{"advance_seconds": 23 * 3600}, http.StatusOK, nil)
	if q, _ := c.QueryByOutBillNo(ctx, expired.OutBillNo); q.State != pay.StateWaitUserConfirm {
		t.Fatalf("after 23 h: %s", q.State)
	}
	e.control(http.MethodPost, "/_sim/control/clock", map[string]int{"advance_seconds": 3600}, http.StatusOK, nil)
	cbs := e.waitCallbacks("both FAIL callbacks", func(cbs []receivedCallback) bool { return len(cbs) >= 2 })
	states := map[string]pay.Bill{}
	for _, cb := range cbs {
		if cb.err != nil {
			t.Fatalf("callback: %v", cb.err)
		}
		states[cb.note.Bill.OutBillNo] = cb.note.Bill
	}
	if b := states[expired.OutBillNo]; b.State != pay.StateFail || b.FailReason != "OVERDUE_CLOSE" || !b.UpdateTime.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("expired bill's callback: %+v", b)
	}
	if b := states[rejected.OutBillNo]; b.State != pay.StateFail {
		t.Errorf("rejected bill's callback: %+v", b)
	}
}

func TestTransferWithRealName(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	e.faults(map[string]any{"single_max_fen": 500_000})
	req := e.request(pay.RealNameThresholdFen)
	req.UserName = "张三"
	b, err := c.CreateTransfer(context.Background(), req)
	if err != nil || b.State != pay.StateWaitUserConfirm {
		t.Fatalf("create: %+v %v", b, err)
	}
	got := e.transfers(req.OpenID)
	if len(got) != 1 || !got[0].HasUserName {
		t.Fatalf("the simulator did not decrypt the name: %+v", got)
	}
	// The encrypted name differs on every send; the repeated create still matches the bill.
	if again, err := c.CreateTransfer(context.Background(), req); err != nil || again.TransferBillNo != b.TransferBillNo {
		t.Fatalf("repeated create: %+v %v", again, err)
	}
}

func assertUnknown(t *testing.T, err error, status int, code string) {
	t.Helper()
	var u *pay.UnknownError
	if !errors.As(err, &u) {
		t.Fatalf("want an unknown outcome, got %v", err)
	}
	if _, refused := pay.IsRefused(err); refused {
		t.Fatalf("an unknown outcome is also a refusal: %v", err)
	}
	if u.Status != status || u.Code != code {
		t.Fatalf("unknown outcome HTTP %d %s, want HTTP %d %s (%v)", u.Status, u.Code, status, code, err)
	}
}

func isNotFound(err error) bool {
	ref, ok := pay.IsRefused(err)
	return ok && ref.NotFound()
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKeyPEM(t *testing.T) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func publicPEM(t *testing.T, k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
