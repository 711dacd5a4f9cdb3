package pay

import (
	"context"
	"errors"
	"fmt"
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

var (
	_ payouts.Transfers = (*PayoutTransfers)(nil)
	_ payouts.Merchants = (*PayoutTransfers)(nil)
)

// refused maps this package's refusal to the domain's; nil when err is not one. A local
// refusal means nothing was sent, as definite as WeChat's own. A brand without a merchant is
// the domain's ErrNoMerchant.
func refused(err error) error {
	if errors.Is(err, ErrNotConfigured) {
		return fmt.Errorf("%w: %w", payouts.ErrNoMerchant, err)
	}
	r, ok := IsRefused(err)
	if !ok {
		return err
	}
	return &payouts.RefusedError{Code: r.Code, Message: r.Message, NotFound: r.NotFound(), BillExists: r.DuplicateBillNo()}
}

func toPayoutBill(b Bill) payouts.Bill {
	return payouts.Bill{OutBillNo: b.OutBillNo, TransferBillNo: b.TransferBillNo, State: string(b.State), AmountFen: b.AmountFen,
		FailReason: b.FailReason, PackageInfo: b.PackageInfo, UpdateTime: b.UpdateTime}
}

// CreateParams answers what a first create for the brand would carry now: the brand's transfer
// scene (1000 when unset) and the notify URL; payouts.ErrNoMerchant when the brand has no
// merchant configured.
func (t *PayoutTransfers) CreateParams(ctx context.Context, brandID string) (payouts.CreateParams, error) {
	if _, err := t.Clients.For(ctx, brandID); err != nil {
		return payouts.CreateParams{}, refused(err)
	}
	b, err := t.Brands.Brand(ctx, brandID)
	if err != nil {
		return payouts.CreateParams{}, err
	}
	out := payouts.CreateParams{SceneID: strings.TrimSpace(b.PayTransferSceneID)}
	if out.SceneID == "" {
		out.SceneID = SceneCashMarketing
	}
	if t.NotifyURL != nil {
		out.NotifyURL = t.NotifyURL(brandID)
	}
	return out, nil
}

// Create asks for the payout's bill with the payout's stored parameters (the brand's current
// ones when it has none yet): a repeat must carry the first create's fields.
func (t *PayoutTransfers) Create(ctx context.Context, o payouts.TransferOrder) (payouts.Bill, error) {
	c, err := t.Clients.For(ctx, o.BrandID)
	if err != nil {
		// Without a merchant nothing can be sent; the payout waits for one.
		return payouts.Bill{}, refused(err)
	}
	params := o.Params
	if params.SceneID == "" {
		if params, err = t.CreateParams(ctx, o.BrandID); err != nil {
			return payouts.Bill{}, err
		}
	}
	scene := params.SceneID
	perception, infos, ok := SceneReport(scene, payoutInfoFirst, payoutInfoSecond)
	if !ok {
		return payouts.Bill{}, &payouts.RefusedError{Code: CodeParamError, Message: "transfer scene " + scene + " has no known report infos"}
	}
	req := TransferRequest{OutBillNo: o.OutBillNo, OpenID: o.OpenID, AmountFen: o.AmountFen, Remark: payoutRemark,
		SceneID: scene, Perception: perception, ReportInfos: infos, UserName: o.RealName, NotifyURL: params.NotifyURL}
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
		return payouts.Bill{}, refused(err)
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
		return payouts.Bill{}, refused(err)
	}
	bill, err := c.CancelTransfer(ctx, outBillNo)
	if err != nil {
		return payouts.Bill{}, refused(err)
	}
	return toPayoutBill(bill), nil
}
