package payouts

import (
	"context"
	"fmt"
	"sort"

	"github.com/sharecast/sharecast/events"
)

// Reverse takes back parts of commissions (I9): from the pending balance while a commission is
// pending; once available, from the available balance as far as it goes, the rest becoming
// debt. Each reversal is a row of its own and a ledger transaction of its own; a commission
// reversed in full becomes `reversed`. A request whose cause was already applied to its
// commission is skipped, so a replay changes nothing. Call it inside the business transaction.
func (b *Book) Reverse(ctx context.Context, brandID string, reqs []ReverseRequest) ([]Reversal, error) {
	reqs = append([]ReverseRequest(nil), reqs...)
	// Commission rows are locked in id order, then the accounts: the same order as the release
	// job (commission, then accounts), so the two cannot deadlock.
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].CommissionID != reqs[j].CommissionID {
			return reqs[i].CommissionID < reqs[j].CommissionID
		}
		return reqs[i].Cause < reqs[j].Cause
	})
	type item struct {
		req ReverseRequest
		c   Commission
	}
	var items []item
	memberSet := map[string]bool{}
	for _, r := range reqs {
		if r.AmountFen <= 0 {
			continue
		}
		if r.Cause == "" || len(r.Cause) > 96 {
			return nil, fmt.Errorf("payouts: reversal cause %q must be 1-96 bytes", r.Cause)
		}
		done, err := b.Store.ReversalsByCommission(ctx, brandID, r.CommissionID)
		if err != nil {
			return nil, err
		}
		if hasCause(done, r.Cause) {
			continue
		}
		ok, err := b.Store.AddReversed(ctx, brandID, r.CommissionID, r.AmountFen)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("payouts: reversing %d fen of commission %s would exceed it", r.AmountFen, r.CommissionID)
		}
		c, err := b.Store.CommissionByID(ctx, brandID, r.CommissionID)
		if err != nil {
			return nil, err
		}
		items = append(items, item{req: r, c: c})
		memberSet[c.BeneficiaryID] = true
	}
	if len(items) == 0 {
		return nil, nil
	}
	var accts []Account
	for m := range memberSet {
		accts = append(accts, MemberAccount(m, KindPending), MemberAccount(m, KindAvailable), MemberAccount(m, KindDebt))
	}
	bal, err := b.Ledger.Lock(ctx, brandID, accts...)
	if err != nil {
		return nil, err
	}
	now := b.Clock.Now()
	expense := BrandAccount(brandID, KindCommissionExpense)
	out := make([]Reversal, 0, len(items))
	for _, it := range items {
		c, amt := it.c, it.req.AmountFen
		rv := Reversal{BrandID: brandID, CommissionID: c.ID, Cause: it.req.Cause, AmountFen: amt, CreatedAt: now}
		var entries []Entry
		switch c.Status {
		case StatusPending:
			rv.Phase = StatusPending
			entries = []Entry{DebitOf(MemberAccount(c.BeneficiaryID, KindPending), amt), CreditOf(expense, amt)}
		case StatusAvailable:
			rv.Phase = StatusAvailable
			avail := MemberAccount(c.BeneficiaryID, KindAvailable)
			take := min(amt, max(bal[avail], 0))
			rv.DebtFen = amt - take
			if take > 0 {
				entries = append(entries, DebitOf(avail, take))
				bal[avail] -= take
			}
			if rv.DebtFen > 0 {
				debt := MemberAccount(c.BeneficiaryID, KindDebt)
				entries = append(entries, DebitOf(debt, rv.DebtFen))
				bal[debt] += rv.DebtFen
			}
			entries = append(entries, CreditOf(expense, amt))
		default:
			return nil, fmt.Errorf("payouts: commission %s is %s with %d fen left", c.ID, c.Status, c.RemainingFen())
		}
		rv, err = b.Store.InsertReversal(ctx, rv)
		if err != nil {
			return nil, err
		}
		if _, err := b.Ledger.Post(ctx, brandID, Txn{Ref: "reverse:" + rv.ID, Kind: "commission_reverse",
			Memo: "commission " + c.ID + " " + it.req.Cause, Entries: entries}); err != nil {
			return nil, err
		}
		if c.RemainingFen() == 0 {
			if _, err := b.Store.SetCommissionStatus(ctx, brandID, c.ID, c.Status, StatusReversed, now); err != nil {
				return nil, err
			}
		}
		if err := b.Events.Emit(ctx, brandID, events.CommissionReversed, map[string]any{
			"commission_id": c.ID, "reversal_id": rv.ID, "order_id": c.OrderID, "member_id": c.BeneficiaryID,
			"tier": c.Tier, "amount_fen": amt, "debt_fen": rv.DebtFen, "phase": rv.Phase, "cause": rv.Cause,
			"remaining_fen": c.RemainingFen(),
		}); err != nil {
			return nil, err
		}
		out = append(out, rv)
	}
	return out, nil
}

func hasCause(rs []Reversal, cause string) bool {
	for _, r := range rs {
		if r.Cause == cause {
			return true
		}
	}
	return false
}
