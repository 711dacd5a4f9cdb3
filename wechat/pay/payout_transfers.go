package pay

import (
	"context"
	"errors"
	"strings"

	"github.com/sharecast/sharecast/payouts"
)

// Payout transfer texts. They are fixed: a repeated create of the same out_bill_no must carry
// the same fields, or WeChat (and the simulator) refuse it as another request.
const (
	payoutRemark = "分享佣金提现"
	// payoutInfoFirst/Second fill the scene's two report rows (活动名称/奖励说明 for 1000,
	// 岗位类型/报酬说明 for 1005).
	payoutInfoFirst  = "直播分享推广"
	payoutInfoSecond = "分享带货佣金"
)

// PayoutTransfers is payouts.Transfers on the brands' WeChat Pay merchants: it builds each
// create with the brand's scene (user_recv_perception and report infos), the encrypted real
// name when required and the notify URL, and sorts answers into payouts' classes (a Bill, a
// *payouts.RefusedError, or an unknown error).
type PayoutTransfers struct {
	Clients *Clients
	Brands  BrandService
	// NotifyURL answers the callback URL for a brand ("" sends none: queries find the outcome).
	NotifyURL func(brandID string) string
}

var _ payouts.Transfers = (*PayoutTransfers)(nil)

// refused maps this package's refusal to the domain's; nil when err is not one. A local
// refusal means nothing was sent, as definite as WeChat's own.
func refused(err error) error {
	r, ok := IsRefused(err)
	if !ok {
		return err
	}
	return &payouts.RefusedError{Code: r.Code, Message: r.Message, NotFound: r.NotFound()}
}

func toPayoutBill(b Bill) payouts.Bill {
	return payouts.Bill{OutBillNo: b.OutBillNo, TransferBillNo: b.TransferBillNo, State: string(b.State), AmountFen: b.AmountFen,
		FailReason: b.FailReason, PackageInfo: b.PackageInfo, UpdateTime: b.UpdateTime}
}

// Create asks for the payout's bill.
func (t *PayoutTransfers) Create(ctx context.Context, o payouts.TransferOrder) (payouts.Bill, error) {
	c, err := t.Clients.For(ctx, o.BrandID)
	if errors.Is(err, ErrNotConfigured) {
		// Nothing can be sent; keep the payout approved until the merchant is configured.
		return payouts.Bill{}, err
	}
	if err != nil {
		return payouts.Bill{}, err
	}
	b, err := t.Brands.Brand(ctx, o.BrandID)
	if err != nil {
		return payouts.Bill{}, err
	}
	scene := strings.TrimSpace(b.PayTransferSceneID)
	if scene == "" {
		scene = SceneCashMarketing
	}
	perception, infos, ok := SceneReport(scene, payoutInfoFirst, payoutInfoSecond)
	if !ok {
		return payouts.Bill{}, &payouts.RefusedError{Code: CodeParamError, Message: "transfer scene " + scene + " has no known report infos"}
	}
	req := TransferRequest{OutBillNo: o.OutBillNo, OpenID: o.OpenID, AmountFen: o.AmountFen, Remark: payoutRemark,
		SceneID: scene, Perception: perception, ReportInfos: infos, UserName: o.RealName}
	if t.NotifyURL != nil {
		req.NotifyURL = t.NotifyURL(o.BrandID)
	}
	bill, err := c.CreateTransfer(ctx, req)
	if err != nil {
		return payouts.Bill{}, refused(err)
	}
	return toPayoutBill(bill), nil
}

// Query asks for the bill by out_bill_no.
func (t *PayoutTransfers) Query(ctx context.Context, brandID, outBillNo string) (payouts.Bill, error) {
	c, err := t.Clients.For(ctx, brandID)
	if err != nil {
		return payouts.Bill{}, err
	}
	bill, err := c.QueryByOutBillNo(ctx, outBillNo)
	if err != nil {
		return payouts.Bill{}, refused(err)
	}
	return toPayoutBill(bill), nil
}

// Cancel asks WeChat to cancel a bill waiting for confirmation.
func (t *PayoutTransfers) Cancel(ctx context.Context, brandID, outBillNo string) (payouts.Bill, error) {
	c, err := t.Clients.For(ctx, brandID)
	if err != nil {
		return payouts.Bill{}, err
	}
	bill, err := c.CancelTransfer(ctx, outBillNo)
	if err != nil {
		return payouts.Bill{}, refused(err)
	}
	return toPayoutBill(bill), nil
}
