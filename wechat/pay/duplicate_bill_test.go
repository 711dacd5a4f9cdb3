package pay_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sharecast/sharecast/wechat/pay"
)

func TestDuplicateBillNo(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"wechat's text", &pay.RefusedError{Op: pay.OpCreate, Status: 400, Code: pay.CodeInvalidRequest, Message: "商户单号重复，且与原单参数不一致"}, true},
		{"ascii comma and spaces", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: " 商户单号 重复, 且与原单参数不一致 "}, true},
		{"shorter text", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: "商户单号重复"}, true},
		{"more around it", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: "请求参数错误：商户单号重复，且与原单参数不一致，请核实"}, true},
		{"wrapped", fmt.Errorf("payout x: %w", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: "商户单号重复，且与原单参数不一致"}), true},
		{"another INVALID_REQUEST", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: "超过单笔转账上下限"}, false},
		{"the text under another code", &pay.RefusedError{Code: pay.CodeParamError, Message: "商户单号重复"}, false},
		{"refused here, before sending", &pay.RefusedError{Code: pay.CodeInvalidRequest, Message: "商户单号重复", Local: true}, false},
		{"not a refusal", errors.New("INVALID_REQUEST 商户单号重复"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pay.IsDuplicateBillNo(tc.err); got != tc.want {
				t.Fatalf("IsDuplicateBillNo(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// The simulator refuses a repeat with another scene or notify URL exactly as WeChat does, and
// the predicate recognises it; the same fields again answer the bill with its package_info.
func TestTransferRepeatWithOtherParams(t *testing.T) {
	e := newSimEnv(t)
	c := e.client()
	ctx := context.Background()
	req := e.request(1500)
	first, err := c.CreateTransfer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	otherScene := req
	otherScene.SceneID = pay.SceneCashMarketing
	otherScene.Perception, otherScene.ReportInfos, _ = pay.SceneReport(pay.SceneCashMarketing, "直播分享推广", "分享带货佣金")
	otherURL := req
	otherURL.NotifyURL = e.notifyURL + "x"
	for name, r := range map[string]pay.TransferRequest{"scene": otherScene, "notify_url": otherURL} {
		_, err := c.CreateTransfer(ctx, r)
		if !pay.IsDuplicateBillNo(err) {
			t.Fatalf("repeat with another %s: %v, want a duplicate-bill refusal", name, err)
		}
	}
	again, err := c.CreateTransfer(ctx, req)
	if err != nil || again.TransferBillNo != first.TransferBillNo || again.PackageInfo == "" {
		t.Fatalf("identical repeat: %+v %v", again, err)
	}
}
