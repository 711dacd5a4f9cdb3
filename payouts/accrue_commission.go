package payouts

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Accrue records an order's commissions under one attribution version as pending and posts
// them as one ledger transaction (brand commission_expense → each beneficiary's pending).
// Call it inside the business transaction that records the order or its reassignment.
func (b *Book) Accrue(ctx context.Context, brandID, orderID string, attributionVersion int, cs []NewCommission) ([]Commission, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	perMember := map[string]int64{}
	var total int64
	for _, c := range cs {
		if c.AmountFen <= 0 || c.AmountFen > maxEntryFen || (c.Tier != 1 && c.Tier != 2) || c.OrderID != orderID ||
			c.AttributionVersion != attributionVersion || c.BeneficiaryID == "" {
			return nil, fmt.Errorf("payouts: bad commission to accrue: %+v", c)
		}
		perMember[c.BeneficiaryID] += c.AmountFen
		total += c.AmountFen
	}
	rows, err := b.Store.InsertCommissions(ctx, brandID, cs)
	if err != nil {
		return nil, err
	}
	members := make([]string, 0, len(perMember))
	for m := range perMember {
		members = append(members, m)
	}
	sort.Strings(members)
	entries := []Entry{DebitOf(BrandAccount(brandID, KindCommissionExpense), total)}
	for _, m := range members {
		entries = append(entries, CreditOf(MemberAccount(m, KindPending), perMember[m]))
	}
	_, err = b.Ledger.Post(ctx, brandID, Txn{Ref: "accrue:" + orderID + ":v" + strconv.Itoa(attributionVersion),
		Kind: "commission_accrue", Memo: "order " + orderID, Entries: entries})
	return rows, err
}

// Reschedule moves the end of the holding period of an order's pending commissions (a receipt
// confirmation arrived).
func (b *Book) Reschedule(ctx context.Context, brandID, orderID string, dueAt time.Time) error {
	return b.Store.RescheduleOrder(ctx, brandID, orderID, dueAt)
}

// OrderCommissions lists every commission of an order, all attribution versions.
func (b *Book) OrderCommissions(ctx context.Context, brandID, orderID string) ([]Commission, error) {
	return b.Store.CommissionsByOrder(ctx, brandID, orderID)
}
