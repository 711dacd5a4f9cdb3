package channels

import (
	"context"

	"github.com/sharecast/sharecast/apperr"
)

// Order statuses of order/get (reference/WECOM-CHANNELS.md §4).
const (
	OrderUnpaid            = 10
	OrderToShip            = 20
	OrderPartlyShipped     = 21
	OrderToReceive         = 30
	OrderDone              = 100
	OrderMerchantCancelled = 190 // oversold, cancelled by the merchant
	OrderAllRefunded       = 200 // cancelled after every item was refunded
	OrderCancelled         = 250 // cancelled by the buyer, by timeout or by the merchant
)

// Order is what sharecast reads of order/get.
type Order struct {
	OrderID    string
	Status     int
	OpenID     string // the order's owner under the shop's appid (the recipient of a gift)
	UnionID    string // only when the shop is bound to the brand's Open Platform account
	CreateTime int64  // Unix seconds
	UpdateTime int64
	PayTime    int64 // pay_info.pay_time; 0 when unpaid
	Products   []OrderProduct
	City       string // delivery_info.address_info.city_name, as given ("上海市")
	// Sharer is sharer_info; nil when the order has none.
	Sharer *Sharer
	// SKUSharers is sku_sharer_infos, the per-SKU sharers.
	SKUSharers []SKUSharer
	AfterSales []AfterSaleRef
}

// Paid reports whether the order was ever paid (a cancelled order may have been).
func (o Order) Paid() bool { return o.PayTime > 0 }

// OrderProduct is one entry of product_infos. Prices are fen.
type OrderProduct struct {
	ProductID       string
	SKUID           string
	Title           string
	Count           int64 // sku_cnt
	SalePrice       int64 // per unit
	RealPrice       int64 // what the buyer paid for the line
	OnAfterSale     int64 // on_aftersale_sku_cnt
	FinishAfterSale int64 // finish_aftersale_sku_cnt
}

// Sharer is the order's sharer (分享员).
type Sharer struct {
	OpenID     string
	UnionID    string
	SharerType int // 0 ordinary, 1 shop sharer
	ShareScene int
	// Resolved is handling_progress = 1; false means WeChat is still resolving the sharer and
	// a later read may say more.
	Resolved bool
}

// SKUSharer is one entry of sku_sharer_infos.
type SKUSharer struct {
	Sharer
	SKUID     string
	FromWeCom bool
}

// AfterSaleRef is one entry of aftersale_detail.aftersale_order_list.
type AfterSaleRef struct {
	AfterSaleOrderID string
	Status           string
}

type wireSharer struct {
	SharerOpenID     string `json:"sharer_openid"`
	SharerUnionID    string `json:"sharer_unionid"`
	SharerType       Int    `json:"sharer_type"`
	ShareScene       Int    `json:"share_scene"`
	HandlingProgress *Int   `json:"handling_progress"`
}

func (w wireSharer) sharer() Sharer {
	// handling_progress absent (older answers, sku_sharer_infos) counts as resolved.
	return Sharer{OpenID: w.SharerOpenID, UnionID: w.SharerUnionID, SharerType: int(w.SharerType),
		ShareScene: int(w.ShareScene), Resolved: w.HandlingProgress == nil || *w.HandlingProgress == 1}
}

type wireOrder struct {
	OrderID     ID     `json:"order_id"`
	Status      Int    `json:"status"`
	OpenID      string `json:"openid"`
	UnionID     string `json:"unionid"`
	CreateTime  Int    `json:"create_time"`
	UpdateTime  Int    `json:"update_time"`
	OrderDetail struct {
		ProductInfos []struct {
			ProductID       ID     `json:"product_id"`
			SKUID           ID     `json:"sku_id"`
			Title           string `json:"title"`
			SKUCnt          Int    `json:"sku_cnt"`
			SalePrice       Int    `json:"sale_price"`
			RealPrice       Int    `json:"real_price"`
			OnAfterSale     Int    `json:"on_aftersale_sku_cnt"`
			FinishAfterSale Int    `json:"finish_aftersale_sku_cnt"`
		} `json:"product_infos"`
		PayInfo struct {
			PayTime Int `json:"pay_time"`
		} `json:"pay_info"`
		DeliveryInfo struct {
			AddressInfo struct {
				CityName string `json:"city_name"`
			} `json:"address_info"`
		} `json:"delivery_info"`
		SharerInfo     *wireSharer `json:"sharer_info"`
		SKUSharerInfos []struct {
			wireSharer
			SKUID     ID   `json:"sku_id"`
			FromWeCom bool `json:"from_wecom"`
		} `json:"sku_sharer_infos"`
	} `json:"order_detail"`
	AfterSaleDetail struct {
		AfterSaleOrderList []struct {
			AfterSaleOrderID ID     `json:"aftersale_order_id"`
			Status           string `json:"status"`
		} `json:"aftersale_order_list"`
	} `json:"aftersale_detail"`
}

// Order reads one order (POST /channels/ec/order/get {order_id}).
//
// Errors: 100002 (no such order for this shop's token) is NotFound CHANNELS_ORDER_NOT_FOUND;
// an answer without the order is Unavailable; everything else is Unavailable
// WECHAT_UNAVAILABLE (48001: the shop lacks the permission; 47001/40097: a bad request).
func (c *Client) Order(ctx context.Context, orderID string) (Order, error) {
	if orderID == "" {
		return Order{}, apperr.InvalidArgument("order id is required")
	}
	var out struct {
		Order *wireOrder `json:"order"`
	}
	if err := c.post(ctx, PathOrderGet, map[string]string{"order_id": orderID}, &out); err != nil {
		if errCode(err) == 100002 {
			return Order{}, apperr.Wrap(err, apperr.NotFound, "CHANNELS_ORDER_NOT_FOUND", "the Channels shop has no such order")
		}
		return Order{}, err
	}
	if out.Order == nil {
		return Order{}, apperr.New(apperr.Unavailable, "WECHAT_UNAVAILABLE", "order/get answered without an order")
	}
	w := out.Order
	o := Order{OrderID: string(w.OrderID), Status: int(w.Status), OpenID: w.OpenID, UnionID: w.UnionID,
		CreateTime: int64(w.CreateTime), UpdateTime: int64(w.UpdateTime), PayTime: int64(w.OrderDetail.PayInfo.PayTime),
		City: w.OrderDetail.DeliveryInfo.AddressInfo.CityName}
	if o.OrderID == "" {
		o.OrderID = orderID
	}
	for _, p := range w.OrderDetail.ProductInfos {
		o.Products = append(o.Products, OrderProduct{ProductID: string(p.ProductID), SKUID: string(p.SKUID), Title: p.Title,
			Count: int64(p.SKUCnt), SalePrice: int64(p.SalePrice), RealPrice: int64(p.RealPrice),
			OnAfterSale: int64(p.OnAfterSale), FinishAfterSale: int64(p.FinishAfterSale)})
	}
	if s := w.OrderDetail.SharerInfo; s != nil && (s.SharerOpenID != "" || s.SharerUnionID != "") {
		sh := s.sharer()
		o.Sharer = &sh
	}
	for _, s := range w.OrderDetail.SKUSharerInfos {
		o.SKUSharers = append(o.SKUSharers, SKUSharer{Sharer: s.sharer(), SKUID: string(s.SKUID), FromWeCom: s.FromWeCom})
	}
	for _, a := range w.AfterSaleDetail.AfterSaleOrderList {
		o.AfterSales = append(o.AfterSales, AfterSaleRef{AfterSaleOrderID: string(a.AfterSaleOrderID), Status: a.Status})
	}
	return o, nil
}
