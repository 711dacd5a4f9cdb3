package payouts

import (
	"context"
	"fmt"
	"sort"
)

// AccountFacts is one account as stored: its cached balance (member accounts only) and the
// signed sum of its entries (debits positive).
type AccountFacts struct {
	Account    Account
	CachedFen  int64
	EntriesFen int64
}

// TxnFacts is a transaction whose entries break the rules (sum ≠ 0 or fewer than 2).
type TxnFacts struct {
	ID, Ref  string
	Entries  int
	SumFen   int64
	Accounts int
}

// LedgerFacts is what the store reads for Verify.
type LedgerFacts struct {
	Transactions int
	Entries      int
	SumFen       int64 // Σ of every entry of the brand
	Bad          []TxnFacts
	Accounts     []AccountFacts
	// CommissionProblems are commissions whose reversed_fen disagrees with their reversal rows
	// or exceeds their amount, by id.
	CommissionProblems []string
}

// Report is one brand's check.
type Report struct {
	BrandID      string
	Transactions int
	Entries      int
	Accounts     int
	SumFen       int64
	Problems     []string
}

// OK reports whether the brand's ledger holds every invariant.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r Report) String() string {
	state := "OK"
	if !r.OK() {
		state = fmt.Sprintf("%d PROBLEMS", len(r.Problems))
	}
	return fmt.Sprintf("%d transactions, %d entries, %d accounts, Σ entries = %d fen: %s",
		r.Transactions, r.Entries, r.Accounts, r.SumFen, state)
}

// Verify checks a brand's ledger (I1, I2 of STYLE-ANCHORS §2.8): Σ of all entries is 0; every
// transaction has ≥ 2 entries summing to 0; every member account's cached balance equals its
// entries and is ≥ 0 on its normal side; commissions agree with their reversal rows.
func (l *Ledger) Verify(ctx context.Context, brandID string) (Report, error) {
	f, err := l.Store.LedgerFacts(ctx, brandID)
	if err != nil {
		return Report{}, err
	}
	return Judge(brandID, f), nil
}

// Judge turns facts into a report (pure, so tests can feed it broken facts).
func Judge(brandID string, f LedgerFacts) Report {
	r := Report{BrandID: brandID, Transactions: f.Transactions, Entries: f.Entries, Accounts: len(f.Accounts), SumFen: f.SumFen}
	if f.SumFen != 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("entries of the brand sum to %d fen, not 0", f.SumFen))
	}
	for _, t := range f.Bad {
		r.Problems = append(r.Problems, fmt.Sprintf("transaction %s (%s): %d entries summing to %d fen", t.ID, t.Ref, t.Entries, t.SumFen))
	}
	accts := append([]AccountFacts(nil), f.Accounts...)
	sort.Slice(accts, func(i, j int) bool { return accts[i].Account.String() < accts[j].Account.String() })
	for _, a := range accts {
		onNormal := a.EntriesFen
		if a.Account.Kind.NormalSide() == Credit {
			onNormal = -onNormal
		}
		if a.Account.Owner != OwnerMember {
			continue
		}
		if a.CachedFen != onNormal {
			r.Problems = append(r.Problems, fmt.Sprintf("account %s: cached balance %d fen, entries say %d", a.Account, a.CachedFen, onNormal))
		}
		if onNormal < 0 {
			r.Problems = append(r.Problems, fmt.Sprintf("account %s is %d fen below zero on its normal side", a.Account, -onNormal))
		}
	}
	for _, c := range f.CommissionProblems {
		r.Problems = append(r.Problems, "commission "+c)
	}
	return r
}
