package payouts

import (
	"strings"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
)

func TestNormalSides(t *testing.T) {
	want := map[Kind]Side{KindPending: Credit, KindAvailable: Credit, KindInFlight: Credit, KindPaid: Credit,
		KindDebt: Debit, KindCommissionExpense: Debit, KindAdjustmentExpense: Debit, KindWeChatClearing: Credit}
	for k, s := range want {
		if k.NormalSide() != s {
			t.Errorf("%s is %s-normal, want %s", k, k.NormalSide(), s)
		}
	}
	for _, k := range MemberKinds {
		if k.Owner() != OwnerMember {
			t.Errorf("%s belongs to %s", k, k.Owner())
		}
	}
	for _, k := range BrandKinds {
		if k.Owner() != OwnerBrand {
			t.Errorf("%s belongs to %s", k, k.Owner())
		}
	}
	if d := CreditOf(MemberAccount("m", KindAvailable), 5).Delta(); d != 5 {
		t.Fatalf("crediting a credit-normal account raises it: %d", d)
	}
	if d := DebitOf(MemberAccount("m", KindDebt), 5).Delta(); d != 5 {
		t.Fatalf("debiting a debit-normal account raises it: %d", d)
	}
}

func TestTxnValidate(t *testing.T) {
	exp := BrandAccount("b", KindCommissionExpense)
	pend := MemberAccount("m", KindPending)
	ok := Txn{Ref: "r", Kind: "k", Entries: []Entry{DebitOf(exp, 100), CreditOf(pend, 100)}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Txn{
		"one entry":        {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(exp, 100)}},
		"not zero-sum":     {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(exp, 100), CreditOf(pend, 99)}},
		"a zero entry":     {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(exp, 0), CreditOf(pend, 0)}},
		"no ref":           {Kind: "k", Entries: ok.Entries},
		"no kind":          {Ref: "r", Entries: ok.Entries},
		"kind of owner":    {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(Account{Owner: OwnerBrand, OwnerID: "b", Kind: KindPending}, 1), CreditOf(pend, 1)}},
		"no owner id":      {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(BrandAccount("", KindCommissionExpense), 1), CreditOf(pend, 1)}},
		"out of range":     {Ref: "r", Kind: "k", Entries: []Entry{DebitOf(exp, maxEntryFen+1), CreditOf(pend, maxEntryFen+1)}},
		"too many entries": {Ref: "r", Kind: "k", Entries: make([]Entry, 65)},
	}
	for name, tx := range cases {
		if err := tx.Validate(); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
}

func TestCreditAvailablePaysDebtFirst(t *testing.T) {
	cases := []struct {
		fen, debt, avail, repaid int64
	}{
		{100, 0, 100, 0},
		{100, 30, 70, 30},
		{100, 100, 0, 100},
		{100, 250, 0, 100},
	}
	for _, c := range cases {
		es, repaid := CreditAvailable("m", c.fen, c.debt)
		var avail, debt int64
		for _, e := range es {
			switch e.Account.Kind {
			case KindAvailable:
				avail += e.Delta()
			case KindDebt:
				debt += e.Delta()
			}
		}
		if avail != c.avail || repaid != c.repaid || debt != -c.repaid {
			t.Errorf("CreditAvailable(%d, debt %d) = available +%d, debt %d, repaid %d", c.fen, c.debt, avail, debt, repaid)
		}
	}
}

func TestHoldEndsAt(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	r := brands.Rules{HoldDays: 7, AutoConfirmDays: 15}
	paid := time.Date(2026, 3, 1, 23, 30, 0, 0, sh)
	if got, want := HoldEndsAt(paid, nil, r, sh), time.Date(2026, 3, 23, 23, 30, 0, 0, sh); !got.Equal(want) {
		t.Errorf("auto-confirm: %v, want %v", got, want)
	}
	confirmed := time.Date(2026, 3, 3, 10, 0, 0, 0, sh)
	if got, want := HoldEndsAt(paid, &confirmed, r, sh), time.Date(2026, 3, 10, 10, 0, 0, 0, sh); !got.Equal(want) {
		t.Errorf("confirmed: %v, want %v", got, want)
	}
	late := paid.AddDate(0, 0, 20)
	if got, want := HoldEndsAt(paid, &late, r, sh), time.Date(2026, 3, 23, 23, 30, 0, 0, sh); !got.Equal(want) {
		t.Errorf("a confirmation after the automatic one changes nothing: %v, want %v", got, want)
	}
	// Calendar days in the brand's zone: across the US spring-forward, 7 days are 167 hours.
	nyPaid := time.Date(2026, 3, 5, 12, 0, 0, 0, ny)
	nyConf := nyPaid
	if got := HoldEndsAt(nyPaid, &nyConf, r, ny); got.Sub(nyPaid) != 7*24*time.Hour-time.Hour {
		t.Errorf("DST: held %v", got.Sub(nyPaid))
	}
}

func TestJudge(t *testing.T) {
	good := LedgerFacts{Transactions: 1, Entries: 2, Accounts: []AccountFacts{
		{Account: MemberAccount("m", KindPending), CachedFen: 100, EntriesFen: -100},
		{Account: BrandAccount("b", KindCommissionExpense), EntriesFen: 100},
	}}
	if r := Judge("b", good); !r.OK() || !strings.Contains(r.String(), "OK") {
		t.Fatalf("good ledger: %v %v", r, r.Problems)
	}
	bad := LedgerFacts{SumFen: 5, Bad: []TxnFacts{{ID: "t", Ref: "x", Entries: 1, SumFen: 5}},
		Accounts: []AccountFacts{
			{Account: MemberAccount("m", KindAvailable), CachedFen: 10, EntriesFen: -20},
			{Account: MemberAccount("m", KindDebt), CachedFen: -5, EntriesFen: -5},
		},
		CommissionProblems: []string{"c: amount 1, reversed_fen 2"}}
	r := Judge("b", bad)
	if len(r.Problems) != 5 {
		t.Fatalf("want 5 problems, got %d: %v", len(r.Problems), r.Problems)
	}
}
