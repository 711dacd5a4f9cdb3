package payouts

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
)

// Commission statuses (DESIGN §3.5).
const (
	StatusPending   = "pending"
	StatusAvailable = "available"
	StatusReversed  = "reversed"
)

// Commission is one beneficiary's commission on one order line under one attribution version.
type Commission struct {
	ID, BrandID          string
	OrderID, OrderLineID string
	LiveID               string
	BeneficiaryID        string
	Tier                 int
	AttributionVersion   int
	PlanVersion          int
	ProductType          string
	AmountFen            int64
	ReversedFen          int64
	Status               string
	DueAt                time.Time
	AvailableAt          *time.Time
	CreatedAt            time.Time
}

// RemainingFen is what has not been reversed.
func (c Commission) RemainingFen() int64 { return c.AmountFen - c.ReversedFen }

// NewCommission is a commission to accrue.
type NewCommission struct {
	OrderID, OrderLineID string
	LiveID               string
	BeneficiaryID        string
	Tier                 int
	AttributionVersion   int
	PlanVersion          int
	ProductType          string
	AmountFen            int64
	DueAt                time.Time
}

// Reversal is one taking-back of a commission.
type Reversal struct {
	ID, BrandID, CommissionID string
	Cause                     string
	AmountFen                 int64
	Phase                     string // pending | available
	DebtFen                   int64
	CreatedAt                 time.Time
}

// ReverseRequest asks to take back AmountFen of a commission; Cause is its idempotency key
// within the commission (e.g. "refund:<after-sale row id>", "reassign:v2").
type ReverseRequest struct {
	CommissionID string
	Cause        string
	AmountFen    int64
}

// Page is a cursor page request.
type Page struct {
	Cursor string
	Limit  int
}

// CommissionStore keeps commissions and their reversals. Every method joins the transaction
// carried by ctx.
type CommissionStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// InsertCommissions creates pending commissions (ErrDuplicate on the I3 key).
	InsertCommissions(ctx context.Context, brandID string, cs []NewCommission) ([]Commission, error)
	CommissionByID(ctx context.Context, brandID, id string) (Commission, error)
	CommissionsByOrder(ctx context.Context, brandID, orderID string) ([]Commission, error)
	ReversalsByCommission(ctx context.Context, brandID, commissionID string) ([]Reversal, error)
	// AddReversed raises reversed_fen by fen, only while it stays ≤ amount_fen (the row is
	// locked until the transaction ends); false when it would not.
	AddReversed(ctx context.Context, brandID, commissionID string, fen int64) (bool, error)
	// InsertReversal stores a reversal row (ErrDuplicate when the cause exists).
	InsertReversal(ctx context.Context, r Reversal) (Reversal, error)
	// SetCommissionStatus moves a commission from one status to another (guarded); false when
	// it was not in from.
	SetCommissionStatus(ctx context.Context, brandID, id, from, to string, at time.Time) (bool, error)
	// RescheduleOrder sets due_at of the order's pending commissions.
	RescheduleOrder(ctx context.Context, brandID, orderID string, dueAt time.Time) error
	// DueCommissions lists pending commissions whose due_at has passed and whose line has no
	// open after-sale (an open after-sale without lines blocks every line of its order).
	DueCommissions(ctx context.Context, brandID string, now time.Time, limit int) ([]Commission, error)
	// LineBlocked reports whether an open after-sale blocks the line now.
	LineBlocked(ctx context.Context, brandID, orderID, orderLineID string) (bool, error)
	ListMemberCommissions(ctx context.Context, brandID, memberID, status string, p Page) ([]Commission, string, error)
	// SettleLives moves ended lives (ended at or before endedBefore) with no pending commission
	// to settled; answers their ids.
	SettleLives(ctx context.Context, brandID string, endedBefore time.Time) ([]string, error)
	ListBrandIDs(ctx context.Context) ([]string, error)
}

// Auditor appends to the audit log in the caller's transaction (the brands store).
type Auditor interface {
	AppendAudit(ctx context.Context, e brands.AuditEntry) error
}

// Book is the commission lifecycle on top of the ledger: accrue, reverse, release, adjust.
type Book struct {
	Store       CommissionStore
	Adjustments AdjustmentStore
	Ledger      *Ledger
	Events      events.Emitter
	Audit       Auditor
	// Members answers whether a member exists in a brand (adjustments).
	Members MemberChecker
	Clock   clock.Clock
}

// MemberChecker finds members (the referral store).
type MemberChecker interface {
	MemberExists(ctx context.Context, brandID, memberID string) (bool, error)
}

// HoldEndsAt is when a paid order's commissions may become available: the holding period of
// holdDays starts at receipt confirmation, or automatically autoConfirmDays after payment,
// whichever is first; days are calendar days in the brand's timezone (DESIGN §3.5).
func HoldEndsAt(paidAt time.Time, confirmedAt *time.Time, r brands.Rules, loc *time.Location) time.Time {
	r = r.Normalize()
	if loc == nil {
		loc = time.UTC
	}
	start := paidAt.In(loc).AddDate(0, 0, r.AutoConfirmDays)
	if confirmedAt != nil && confirmedAt.Before(start) {
		start = confirmedAt.In(loc)
	}
	// UTC: SQLite compares times as text, so every stored time shares one offset.
	return start.AddDate(0, 0, r.HoldDays).UTC()
}

// BrandLocation loads a brand's timezone (Asia/Shanghai when unset or unknown).
func BrandLocation(tz string) *time.Location {
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc, _ = time.LoadLocation("Asia/Shanghai")
	}
	if loc == nil {
		return time.UTC
	}
	return loc
}
