package referral

import (
	"context"
	"time"
)

// This file is the contract between the two order doors (the Channels shop push at the edge,
// the brand's open API) and the domain that stores orders, attributes them and accrues
// commission. Both doors translate what they receive into these types and call OrderIntake;
// neither knows how attribution or the ledger work.

// Where an order came from.
const (
	SourceChannels = "channels" // WeChat Channels shop (微信小店) message push + order/get
	SourceOpenAPI  = "open_api" // the brand's own systems, POST /open/v1/orders
)

// Product types decide the commission rate (DESIGN §3.5).
const (
	ProductFlashSale = "flash_sale"
	ProductClassic   = "classic"
	ProductProfit    = "profit"
	ProductExclusive = "exclusive"
)

// Identity names a WeChat user as a door knows them: an openid (under the brand's
// mini-program appid for the open API; under the shop's appid for Channels, which then only
// matches members through the unionid) and/or a unionid. Zero means unknown.
type Identity struct {
	OpenID  string
	UnionID string
}

// IsZero reports whether nothing identifies the user.
func (i Identity) IsZero() bool { return i.OpenID == "" && i.UnionID == "" }

// OrderLineInput is one line as paid.
type OrderLineInput struct {
	LineID      string // unique within the order (Channels: sku_id, or product_id:sku_id)
	ProductID   string
	SKUID       string
	ProductType string // one of the Product* types; "" → the brand's catalogue or plan default
	Quantity    int64  // ≥ 1
	PaidFen     int64  // what the buyer paid for the whole line after discounts, no freight; ≥ 0
}

// PaidOrder is an order at payment.
type PaidOrder struct {
	Source     string
	ExternalID string // the door's order id as a string (Channels ids exceed 2^53)
	Buyer      Identity
	Lines      []OrderLineInput
	ShipCity   string // as given; normalised by the domain ("上海市" = "上海")
	PaidAt     time.Time
	LiveID     string   // open API only; "" → decided from the live windows
	ShareCode  string   // open API share_code; "" if none
	Sharer     Identity // Channels sharer_info of the order; zero if none
}

// After-sale states as the domain needs them.
const (
	AfterSaleOpen     = "open"     // a request is being handled: blocks the commission becoming available
	AfterSaleRefunded = "refunded" // money went back: Lines say how much per line
	AfterSaleClosed   = "closed"   // rejected or withdrawn: nothing refunded, no longer blocks
)

// RefundLine is money returned on one line.
type RefundLine struct {
	LineID    string
	RefundFen int64 // > 0
}

// AfterSaleUpdate is the newest state of one after-sale (Channels) or one refund (open API,
// which reports only completed refunds: State is AfterSaleRefunded).
type AfterSaleUpdate struct {
	Source      string
	ExternalID  string // the order's id
	AfterSaleID string // Channels after_sale_order_id, or the open API refund_id; idempotency key
	State       string
	Lines       []RefundLine // for AfterSaleRefunded
	At          time.Time
}

// OrderIntake is implemented by the orders domain. Every method is idempotent (the same call
// twice changes nothing the second time) and accepts events in any order: a confirm, cancel,
// settle or after-sale for an order not yet paid is parked and applied when it is.
type OrderIntake interface {
	Paid(ctx context.Context, brandID string, o PaidOrder) error
	// Confirmed: receipt confirmed by the buyer or automatically; starts the holding period.
	Confirmed(ctx context.Context, brandID, source, externalID string, at time.Time) error
	// Cancelled after payment means every line was refunded (Channels cancel_type 3) or the
	// merchant cancelled; commissions of the order are reversed in full.
	Cancelled(ctx context.Context, brandID, source, externalID string, at time.Time) error
	// Settled: the platform settled the order with the merchant (Channels …_settle).
	Settled(ctx context.Context, brandID, source, externalID string, at time.Time) error
	AfterSale(ctx context.Context, brandID string, u AfterSaleUpdate) error
}
