package referral

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/payouts"
)

// Order is a paid order with its lines and current attribution.
type Order struct {
	ID, BrandID        string
	Source, ExternalID string
	BodyHash           string
	Buyer              Identity
	BuyerMemberID      string
	ShipCity           string
	ShipCityNorm       string
	LiveID             string
	ShareCode          string
	Sharer             Identity
	TotalPaidFen       int64
	PaidAt             time.Time
	ConfirmedAt        *time.Time
	SettledAt          *time.Time
	CancelledAt        *time.Time
	HoldEndsAt         time.Time
	PlanVersion        int
	Attribution        Attribution
	AttributionVersion int
	Lines              []OrderLine
	CreatedAt          time.Time
}

// OrderLine is one stored line; ID is the row id, LineID the door's.
type OrderLine struct {
	ID, LineID                    string
	ProductID, SKUID, ProductType string
	Quantity, PaidFen             int64
	RefundedFen                   int64
}

// Line finds a line by the door's line id.
func (o Order) Line(lineID string) (OrderLine, bool) {
	for _, l := range o.Lines {
		if l.LineID == lineID {
			return l, true
		}
	}
	return OrderLine{}, false
}

// OrderPatch changes an order; nil fields stay.
type OrderPatch struct {
	ConfirmedAt, SettledAt, CancelledAt, HoldEndsAt *time.Time
	// Attribution with AttributionVersion replaces the current attribution.
	Attribution        *Attribution
	AttributionVersion int
}

// AttributionRecord is one version of an order's attribution.
type AttributionRecord struct {
	BrandID, OrderID string
	Version          int
	Attribution      Attribution
	ActorType        string // system | admin
	ActorID          string
	CreatedAt        time.Time
}

// AfterSale is a stored after-sale of an order.
type AfterSale struct {
	ID, BrandID, OrderID string
	AfterSaleID          string
	State                string
	Lines                []RefundLine
	BodyHash             string
	At                   time.Time
}

// Parked event kinds.
const (
	ParkConfirm   = "confirm"
	ParkCancel    = "cancel"
	ParkSettle    = "settle"
	ParkAfterSale = "after_sale"
)

// ParkedEvent is an event for an order not yet paid.
type ParkedEvent struct {
	ID, BrandID, Source, ExternalID string
	Kind, Key                       string
	AfterSale                       *AfterSaleUpdate // for ParkAfterSale
	At                              time.Time
}

// TouchRef is one open of a share link, as attribution reads it.
type TouchRef struct {
	ID, LiveID, InviterID, VisitorID string
	At                               time.Time
}

// ShareLinkRef is what a share code names.
type ShareLinkRef struct {
	BrandID, MemberID, LiveID string
}

// BindingChange is one audited change of a buyer's binding.
type BindingChange struct {
	BuyerID, FromSharerID, ToSharerID string
	Mode                              string
	Cause                             string // touch | order | admin
	Ref                               string
	Reason                            string
	At                                time.Time
	ExpiresAt, ProtectedUntil         *time.Time
}

// OrderStore is the storage orders, attribution and binding need. Every method joins the
// transaction carried by ctx.
type OrderStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Lock serialises transactions on key until the transaction ends (every event of one
	// order, every binding change of one buyer).
	Lock(ctx context.Context, key string) error

	OrderByExternal(ctx context.Context, brandID, source, externalID string) (Order, error)
	OrderByID(ctx context.Context, brandID, id string) (Order, error)
	// CreateOrder stores the order and its lines (ErrDuplicate when the external id exists).
	CreateOrder(ctx context.Context, o Order) (Order, error)
	UpdateOrder(ctx context.Context, brandID, id string, p OrderPatch) error
	AddOrderAttribution(ctx context.Context, r AttributionRecord) error
	OrderAttributions(ctx context.Context, brandID, orderID string) ([]AttributionRecord, error)
	// AddLineRefund raises a line's refunded_fen, only while it stays ≤ paid_fen.
	AddLineRefund(ctx context.Context, brandID, lineRowID string, fen int64) (bool, error)

	AfterSaleByKey(ctx context.Context, brandID, orderID, afterSaleID string) (AfterSale, error)
	CreateAfterSale(ctx context.Context, a AfterSale) (AfterSale, error)
	// MoveAfterSale changes the state from → to (guarded), storing the refunded lines.
	MoveAfterSale(ctx context.Context, brandID, id, from, to string, lines []RefundLine, at time.Time) (bool, error)
	OrderAfterSales(ctx context.Context, brandID, orderID string) ([]AfterSale, error)

	ParkEvent(ctx context.Context, e ParkedEvent) error
	ParkedEvents(ctx context.Context, brandID, source, externalID string) ([]ParkedEvent, error)
	DeleteParkedEvents(ctx context.Context, brandID string, ids []string) error

	MemberByID(ctx context.Context, brandID, id string) (Member, error)
	MemberByOpenID(ctx context.Context, brandID, openID string) (Member, error)
	MemberByUnionID(ctx context.Context, brandID, unionID string) (Member, error)
	// ShareLinkByCode looks a share code up (global; ErrNotFound).
	ShareLinkByCode(ctx context.Context, code string) (ShareLinkRef, error)
	// TouchesAfter lists a visitor's touches after `after` (nil: from the start) up to and
	// including through, oldest first, at most limit.
	TouchesAfter(ctx context.Context, brandID, visitorID string, after *time.Time, through time.Time, limit int) ([]TouchRef, error)
	// LastTouch is the visitor's newest touch on the live at or before `before`, by another
	// member than the visitor (ErrNotFound).
	LastTouch(ctx context.Context, brandID, visitorID, liveID string, before time.Time) (TouchRef, error)
	LiveExists(ctx context.Context, brandID, liveID string) (bool, error)
	// LiveAt is the live whose window (actual start to end + grace) holds t, the latest started
	// first (ErrNotFound).
	LiveAt(ctx context.Context, brandID string, t time.Time, grace time.Duration) (string, error)

	BindingOf(ctx context.Context, brandID, buyerID string) (Binding, error)
	SaveBinding(ctx context.Context, brandID string, b Binding) error
	AddBindingChange(ctx context.Context, brandID string, c BindingChange) error
	// BindingAt rebuilds a buyer's binding at t from the changes (ErrNotFound: unbound).
	BindingAt(ctx context.Context, brandID, buyerID string, t time.Time) (Binding, error)
	// FirstPaidAt is the buyer's earliest paid order other than excludeOrderID (nil: none).
	FirstPaidAt(ctx context.Context, brandID, buyerID, excludeOrderID string) (*time.Time, error)

	BindingRules(ctx context.Context, brandID string) (BindingRules, error)
	SaveBindingRules(ctx context.Context, brandID string, r BindingRules) error
	// PlanAt is the plan in force at t (ErrNotFound: none, the default applies).
	PlanAt(ctx context.Context, brandID string, t time.Time) (Plan, error)
	PlanByVersion(ctx context.Context, brandID string, version int) (Plan, error)
	LatestPlan(ctx context.Context, brandID string) (Plan, error)
	// CreatePlan stores p as the next version, effective from p.EffectiveFrom.
	CreatePlan(ctx context.Context, brandID string, p Plan, createdBy string) (Plan, error)
}

// CommissionBook is the commission lifecycle and ledger (payouts.Book).
type CommissionBook interface {
	Accrue(ctx context.Context, brandID, orderID string, attributionVersion int, cs []payouts.NewCommission) ([]payouts.Commission, error)
	OrderCommissions(ctx context.Context, brandID, orderID string) ([]payouts.Commission, error)
	Reverse(ctx context.Context, brandID string, reqs []payouts.ReverseRequest) ([]payouts.Reversal, error)
	Reschedule(ctx context.Context, brandID, orderID string, dueAt time.Time) error
}

// BrandSettingsReader reads a brand's settings (brands.Service).
type BrandSettingsReader interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
}

// Auditor appends to the audit log in the caller's transaction.
type Auditor interface {
	AppendAudit(ctx context.Context, e brands.AuditEntry) error
}

// Orders stores orders from both doors, attributes them, computes their commissions and hands
// those to the commission book. It implements OrderIntake.
type Orders struct {
	Store  OrderStore
	Book   CommissionBook
	Brands BrandSettingsReader
	Audit  Auditor
	Events events.Emitter
	Clock  clock.Clock
}

var _ OrderIntake = (*Orders)(nil)

// liveOrderGrace: orders paid this long after a live ended still belong to it (payment
// completes after the stream stops).
const liveOrderGrace = time.Hour
