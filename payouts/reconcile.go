package payouts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Reconciliation kinds of disagreement (alert kinds).
const (
	AlertStateMismatch  = "state_mismatch"  // WeChat's bill ended otherwise than our payout
	AlertAmountMismatch = "amount_mismatch" // the bill is for another amount
	AlertMissing        = "missing"         // we hold a bill number WeChat does not know
	AlertStuck          = "stuck"           // the bill is still open more than 24 h after it was made
	// Raised by the send job, not by the daily comparison:
	AlertCreateParamsDiffer = "create_params_differ" // a repeated create was refused as another request; the bill exists
	AlertNoMerchant         = "merchant_missing"     // an open payout's brand has no WeChat Pay merchant any more: it waits
	// AlertMemberNotActive: an approved payout is not sent because its member is frozen or
	// banned (raised by the send job, not by reconciliation).
	AlertMemberNotActive = "member_not_active"
)

// AlertKinds lists every alert kind (the sharecast_reconciliation_mismatches gauge).
var AlertKinds = []string{AlertStateMismatch, AlertAmountMismatch, AlertMissing, AlertStuck, AlertCreateParamsDiffer, AlertNoMerchant, AlertMemberNotActive}

// ReconcileZone is the zone of WeChat's update_time days (DESIGN §3.6).
var ReconcileZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// StuckAfter is how long a bill may stay open before it is an alert.
const StuckAfter = 24 * time.Hour

// Alert is one disagreement found by reconciliation.
type Alert struct {
	ID, BrandID, Day    string
	PayoutID, OutBillNo string
	Kind                string
	OurStatus           string
	OurAmountFen        int64
	WeChatState         string
	WeChatAmountFen     int64
	Detail              string
	CreatedAt           time.Time
}

// ReconcileStore keeps alerts and selects the payouts of a day.
type ReconcileStore interface {
	// PayoutsOfDay lists the brand's payouts whose bill WeChat last updated in [from, to),
	// those that may have a bill (approved or later) with no known update time, touched in
	// [from, to), and those still submitted since before openBefore (bills open too long),
	// oldest first.
	PayoutsOfDay(ctx context.Context, brandID string, from, to, openBefore time.Time) ([]Payout, error)
	// InsertAlert stores an alert; false when the same payout × day × kind is stored already.
	InsertAlert(ctx context.Context, a Alert) (bool, error)
	// ListAlerts answers the brand's alerts, newest first (day "" → every day).
	ListAlerts(ctx context.Context, brandID, day string, limit int) ([]Alert, error)
	// CountAlerts counts alerts of every brand by kind (the metric).
	CountAlerts(ctx context.Context) (map[string]int, error)
	// BrandIDs lists every brand (the daily job).
	BrandIDs(ctx context.Context) ([]string, error)
}

// ReconcileLine is one payout of the day as reconciliation saw it.
type ReconcileLine struct {
	PayoutID, OutBillNo, MemberID string
	Status                        string // ours, after applying what WeChat said
	AmountFen                     int64
	WeChatState                   string // "" when WeChat has no bill
	WeChatAmountFen               int64
	// Kinds are the disagreements (none: matched).
	Kinds  []string
	Detail string
	// Applied: our payout caught up with the bill's final state during reconciliation.
	Applied bool
}

// Reconciliation is the answer for a day.
type Reconciliation struct {
	Day        string
	Matched    []ReconcileLine
	Mismatched []ReconcileLine
	Missing    []ReconcileLine
	// NewAlerts counts alerts this run stored (0 when the day was reconciled before).
	NewAlerts int
}

// Reconciler compares our payouts with WeChat's bills, bill by bill (DESIGN §3.6): every
// payout touched on a day (WeChat's update_time, Asia/Shanghai) is queried by out_bill_no; a
// final bill our payout has not learnt yet is applied (the callback was lost), then state and
// amount must match. Mismatches, bills WeChat does not know and bills open more than 24 h
// become alerts (once per payout × day × kind).
type Reconciler struct {
	Payouts *Payouts
	Store   ReconcileStore
	// OnAlert, when set, is told of every new alert (the Prometheus counter at the edge).
	OnAlert func(kind string)
}

// ParseDay reads YYYY-MM-DD as a day in Asia/Shanghai: answers [from, to).
func ParseDay(day string) (time.Time, time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, day, ReconcileZone)
	if err != nil {
		return time.Time{}, time.Time{}, apperr.InvalidArgument("date must be a day as YYYY-MM-DD")
	}
	return d, d.AddDate(0, 0, 1), nil
}

func canReconcile(role string) error {
	if role != brands.RoleOwner && role != brands.RoleFinance {
		return apperr.ForbiddenErr("only finance or an owner may read reconciliation")
	}
	return nil
}

// ForAdmin is GET /admin/v1/reconciliation?date=: finance or owner; no date → today in
// Asia/Shanghai; a day in the future is refused.
func (r *Reconciler) ForAdmin(ctx context.Context, role, brandID, day string) (Reconciliation, error) {
	if err := canReconcile(role); err != nil {
		return Reconciliation{}, err
	}
	now := r.Payouts.Clock.Now()
	if day == "" {
		day = now.In(ReconcileZone).Format(time.DateOnly)
	}
	from, _, err := ParseDay(day)
	if err != nil {
		return Reconciliation{}, err
	}
	if from.After(now) {
		return Reconciliation{}, apperr.InvalidArgument("date is in the future")
	}
	return r.Day(ctx, brandID, day)
}

// Alerts answers the brand's alerts (finance or owner), newest first.
func (r *Reconciler) Alerts(ctx context.Context, role, brandID, day string, limit int) ([]Alert, error) {
	if err := canReconcile(role); err != nil {
		return nil, err
	}
	if day != "" {
		if _, _, err := ParseDay(day); err != nil {
			return nil, err
		}
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	return r.Store.ListAlerts(ctx, brandID, day, limit)
}

// Day reconciles one day of one brand.
func (r *Reconciler) Day(ctx context.Context, brandID, day string) (Reconciliation, error) {
	from, to, err := ParseDay(day)
	if err != nil {
		return Reconciliation{}, err
	}
	ps, err := r.Store.PayoutsOfDay(ctx, brandID, from.UTC(), to.UTC(), r.Payouts.Clock.Now().UTC().Add(-StuckAfter))
	if err != nil {
		return Reconciliation{}, err
	}
	// A brand whose merchant was removed cannot be asked about its bills: its payouts that may
	// have one (or still wait to be sent) are merchant_missing alerts instead of a failed run.
	noMerchant := false
	if r.Payouts.Merchants != nil && len(ps) > 0 {
		_, err := r.Payouts.Merchants.CreateParams(ctx, brandID)
		switch {
		case errors.Is(err, ErrNoMerchant):
			noMerchant = true
		case err != nil:
			return Reconciliation{}, err
		}
	}
	out := Reconciliation{Day: day}
	for _, p := range ps {
		var line ReconcileLine
		if noMerchant {
			line = ReconcileLine{PayoutID: p.ID, OutBillNo: p.OutBillNo, MemberID: p.MemberID, Status: p.Status, AmountFen: p.AmountFen,
				WeChatState: p.WeChatState}
			if hasBill(p) || (!PayoutFinal(p.Status) && p.Status != PayoutRequested) {
				line.Kinds, line.Detail = []string{AlertNoMerchant}, "the brand has no WeChat Pay merchant configured: the bill cannot be queried"
			}
		} else if line, err = r.one(ctx, p); err != nil {
			return Reconciliation{}, fmt.Errorf("reconcile payout %s: %w", p.ID, err)
		}
		for _, k := range line.Kinds {
			a := Alert{BrandID: brandID, Day: day, PayoutID: p.ID, OutBillNo: p.OutBillNo, Kind: k, OurStatus: line.Status,
				OurAmountFen: line.AmountFen, WeChatState: line.WeChatState, WeChatAmountFen: line.WeChatAmountFen,
				Detail: truncateRunes(line.Detail, 250), CreatedAt: r.Payouts.Clock.Now().UTC()}
			fresh, err := r.Store.InsertAlert(ctx, a)
			if err != nil {
				return Reconciliation{}, err
			}
			if fresh {
				out.NewAlerts++
				if r.OnAlert != nil {
					r.OnAlert(k)
				}
			}
		}
		switch {
		case len(line.Kinds) == 0:
			out.Matched = append(out.Matched, line)
		case line.Kinds[0] == AlertMissing:
			out.Missing = append(out.Missing, line)
		default:
			out.Mismatched = append(out.Mismatched, line)
		}
	}
	return out, nil
}

// hasBill: our payout says a bill exists at WeChat.
func hasBill(p Payout) bool {
	return p.Status == PayoutSubmitted || p.Status == PayoutPaid || p.Status == PayoutCancelled ||
		p.TransferBillNo != "" || p.WeChatState != ""
}

func (r *Reconciler) one(ctx context.Context, p Payout) (ReconcileLine, error) {
	s := r.Payouts
	line := ReconcileLine{PayoutID: p.ID, OutBillNo: p.OutBillNo, MemberID: p.MemberID, Status: p.Status, AmountFen: p.AmountFen}
	bill, err := s.Transfers.Query(ctx, p.BrandID, p.OutBillNo)
	var refused *RefusedError
	switch {
	case errors.As(err, &refused) && refused.NotFound:
		if hasBill(p) {
			line.Kinds, line.Detail = []string{AlertMissing}, "WeChat has no bill with this out_bill_no"
		}
		return line, nil
	case err != nil:
		return line, err
	}
	line.WeChatState, line.WeChatAmountFen = bill.State, bill.AmountFen
	if bill.AmountFen != 0 && bill.AmountFen != p.AmountFen {
		line.Kinds = append(line.Kinds, AlertAmountMismatch)
		line.Detail = fmt.Sprintf("the bill is for %d fen, the payout for %d", bill.AmountFen, p.AmountFen)
		return line, nil // never apply a bill of another amount
	}
	if !PayoutFinal(p.Status) && p.Status != PayoutRequested && BillKnown(bill.State) {
		// The bill moved on and we missed it (a lost callback): learn it now, once.
		got, err := s.ApplyBill(ctx, p.BrandID, bill)
		if err != nil {
			return line, err
		}
		line.Applied = got.Status != p.Status
		line.Status, p = got.Status, got
	}
	want := StatusForBill(bill.State)
	switch {
	case p.Status == PayoutRequested || p.Status == PayoutRejected:
		line.Kinds = append(line.Kinds, AlertStateMismatch)
		line.Detail = fmt.Sprintf("WeChat has a %s bill for a payout that was never approved (%s)", bill.State, p.Status)
	case want != p.Status && !(want == PayoutSubmitted && p.Status == PayoutApproved):
		line.Kinds = append(line.Kinds, AlertStateMismatch)
		line.Detail = fmt.Sprintf("WeChat says %s, we say %s", bill.State, p.Status)
	case !BillFinal(bill.State):
		made := p.RequestedAt
		if p.SubmittedAt != nil {
			made = *p.SubmittedAt
		}
		if age := s.Clock.Now().Sub(made); age > StuckAfter {
			line.Kinds = append(line.Kinds, AlertStuck)
			line.Detail = fmt.Sprintf("the bill has been %s for %s", bill.State, age.Round(time.Minute))
		}
	}
	return line, nil
}

// Daily reconciles yesterday (Asia/Shanghai, by the application clock) for every brand: the
// periodic job. Running it again for the same day adds no alerts. Answers the new alerts.
func (r *Reconciler) Daily(ctx context.Context) (int, error) {
	day := r.Payouts.Clock.Now().In(ReconcileZone).AddDate(0, 0, -1).Format(time.DateOnly)
	ids, err := r.Store.BrandIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		res, err := r.Day(ctx, id, day)
		if err != nil {
			errs = append(errs, fmt.Errorf("brand %s: %w", id, err))
			continue
		}
		n += res.NewAlerts
	}
	return n, errors.Join(errs...)
}
