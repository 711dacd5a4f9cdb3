package channels

import (
	"context"

	"github.com/sharecast/sharecast/apperr"
)

// After-sale statuses (getaftersaleorder's AfterSaleStatus; the push carries the same names).
const (
	AfterSaleUserCancelled          = "USER_CANCELD" // sic
	AfterSaleMerchantProcessing     = "MERCHANT_PROCESSING"
	AfterSaleMerchantRejectRefund   = "MERCHANT_REJECT_REFUND"
	AfterSaleMerchantRejectReturn   = "MERCHANT_REJECT_RETURN"
	AfterSaleUserWaitReturn         = "USER_WAIT_RETURN"
	AfterSaleReturnClosed           = "RETURN_CLOSED"
	AfterSaleMerchantWaitReceipt    = "MERCHANT_WAIT_RECEIPT"
	AfterSaleMerchantOverdueRefund  = "MERCHANT_OVERDUE_REFUND"
	AfterSaleRefundSuccess          = "MERCHANT_REFUND_SUCCESS"
	AfterSaleReturnSuccess          = "MERCHANT_RETURN_SUCCESS"
	AfterSalePlatformRefunding      = "PLATFORM_REFUNDING"
	AfterSalePlatformRefundFail     = "PLATFORM_REFUND_FAIL"
	AfterSaleUserWaitConfirm        = "USER_WAIT_CONFIRM"
	AfterSaleRefundRetryFail        = "MERCHANT_REFUND_RETRY_FAIL" // payment failed, service closed it
	AfterSaleMerchantFail           = "MERCHANT_FAIL"              // closed
	AfterSaleMerchantRejectExchange = "MERCHANT_REJECT_EXCHANGE"
	AfterSaleMerchantRejectReship   = "MERCHANT_REJECT_RESHIP"
	AfterSaleExchangeSuccess        = "MERCHANT_EXCHANGE_SUCCESS"
)

// Outcome of an after-sale status, as far as money is concerned.
const (
	OutcomeOpen     = "open"     // still being handled
	OutcomeRefunded = "refunded" // money went back to the buyer
	OutcomeClosed   = "closed"   // ended without a refund
)

// StatusOutcome says what an after-sale status means for the money: the two success statuses
// are refunds; rejections, cancellations, closures and a completed exchange end without one;
// every other status (including ones WeChat adds later) is still open, which only delays a
// commission and never pays or reverses one wrongly.
func StatusOutcome(status string) string {
	switch status {
	case AfterSaleRefundSuccess, AfterSaleReturnSuccess:
		return OutcomeRefunded
	case AfterSaleUserCancelled, AfterSaleMerchantRejectRefund, AfterSaleMerchantRejectReturn, AfterSaleReturnClosed,
		AfterSaleRefundRetryFail, AfterSaleMerchantFail, AfterSaleMerchantRejectExchange, AfterSaleMerchantRejectReship,
		AfterSaleExchangeSuccess:
		return OutcomeClosed
	}
	return OutcomeOpen
}

// AfterSale is what sharecast reads of one after-sale order. WeChat opens one after-sale per
// SKU line.
type AfterSale struct {
	AfterSaleOrderID string
	OrderID          string
	Status           string
	Type             string // REFUND, RETURN or EXCHANGE
	OpenID, UnionID  string
	ProductID, SKUID string
	Count            int64
	RefundFen        int64 // refund_info.amount
	CreateTime       int64 // Unix seconds
	UpdateTime       int64
}

type wireAfterSale struct {
	AfterSaleOrderID ID     `json:"after_sale_order_id"`
	OrderID          ID     `json:"order_id"`
	Status           string `json:"status"`
	Type             string `json:"type"`
	OpenID           string `json:"openid"`
	UnionID          string `json:"unionid"`
	ProductInfo      struct {
		ProductID ID  `json:"product_id"`
		SKUID     ID  `json:"sku_id"`
		Count     Int `json:"count"`
	} `json:"product_info"`
	RefundInfo struct {
		Amount Int `json:"amount"`
	} `json:"refund_info"`
	CreateTime Int `json:"create_time"`
	UpdateTime Int `json:"update_time"`
}

// AfterSale reads one after-sale order (POST /channels/ec/aftersale/getaftersaleorder
// {after_sale_order_id}).
//
// Errors: 10021050 (no such after-sale), 10020000 (invalid id) and 10021043 (another shop's)
// are NotFound CHANNELS_AFTERSALE_NOT_FOUND; everything else is Unavailable.
func (c *Client) AfterSale(ctx context.Context, afterSaleOrderID string) (AfterSale, error) {
	if afterSaleOrderID == "" {
		return AfterSale{}, apperr.InvalidArgument("after-sale order id is required")
	}
	var out struct {
		AfterSale *wireAfterSale `json:"after_sale_order"`
	}
	if err := c.post(ctx, PathAfterSaleGet, map[string]string{"after_sale_order_id": afterSaleOrderID}, &out); err != nil {
		switch errCode(err) {
		case 10021050, 10020000, 10021043:
			return AfterSale{}, apperr.Wrap(err, apperr.NotFound, "CHANNELS_AFTERSALE_NOT_FOUND", "the Channels shop has no such after-sale")
		}
		return AfterSale{}, err
	}
	w := out.AfterSale
	if w == nil || w.Status == "" {
		return AfterSale{}, apperr.New(apperr.Unavailable, "WECHAT_UNAVAILABLE", "getaftersaleorder answered without an after-sale")
	}
	a := AfterSale{AfterSaleOrderID: string(w.AfterSaleOrderID), OrderID: string(w.OrderID), Status: w.Status, Type: w.Type,
		OpenID: w.OpenID, UnionID: w.UnionID, ProductID: string(w.ProductInfo.ProductID), SKUID: string(w.ProductInfo.SKUID),
		Count: int64(w.ProductInfo.Count), RefundFen: int64(w.RefundInfo.Amount),
		CreateTime: int64(w.CreateTime), UpdateTime: int64(w.UpdateTime)}
	if a.AfterSaleOrderID == "" {
		a.AfterSaleOrderID = afterSaleOrderID
	}
	return a, nil
}
