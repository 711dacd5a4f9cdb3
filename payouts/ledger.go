// Package payouts owns the money after attribution: the double-entry ledger (accounts with
// normal sides, immutable transactions of entries summing to zero, balances as projections),
// the commission lifecycle (pending → available or reversed, debt, adjustments) and, with the
// payouts work, the payout state machine. It declares the storage it needs and never imports
// HTTP, SQL, Redis or WeChat Pay packages.
package payouts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/clock"
)

// Kind is what an account holds (DESIGN §5).
type Kind string

// Member accounts.
const (
	KindPending   Kind = "pending"   // commission earned, still in its holding period
	KindAvailable Kind = "available" // withdrawable
	KindInFlight  Kind = "in_flight" // held by a payout that has not ended
	KindPaid      Kind = "paid"      // paid out, lifetime total
	KindDebt      Kind = "debt"      // the member owes the brand (a refund after available)
)

// Brand accounts.
const (
	KindCommissionExpense Kind = "commission_expense" // what commissions cost the brand
	KindAdjustmentExpense Kind = "adjustment_expense" // prizes, credits and written-off debt
	KindWeChatClearing    Kind = "wechat_clearing"    // money handed to WeChat Pay for transfers
)

// Owner says whose account it is.
type Owner string

const (
	OwnerMember Owner = "member"
	OwnerBrand  Owner = "brand"
)

// Side is a normal side: the side on which the account's balance is positive.
type Side string

const (
	Debit  Side = "debit"
	Credit Side = "credit"
)

// MemberKinds are every member account, in the order balances are shown.
var MemberKinds = []Kind{KindPending, KindAvailable, KindInFlight, KindPaid, KindDebt}

// BrandKinds are every brand account.
var BrandKinds = []Kind{KindCommissionExpense, KindAdjustmentExpense, KindWeChatClearing}

// NormalSide is the side on which the account kind's balance is positive. Member pending,
// available, in_flight and paid are liabilities (credit-normal); member debt is a receivable
// and the brand's expenses are costs (debit-normal); wechat_clearing holds what was handed to
// WeChat and not yet settled, a liability (credit-normal).
func (k Kind) NormalSide() Side {
	switch k {
	case KindDebt, KindCommissionExpense, KindAdjustmentExpense:
		return Debit
	default:
		return Credit
	}
}

// Owner is whose accounts of this kind are.
func (k Kind) Owner() Owner {
	switch k {
	case KindPending, KindAvailable, KindInFlight, KindPaid, KindDebt:
		return OwnerMember
	case KindCommissionExpense, KindAdjustmentExpense, KindWeChatClearing:
		return OwnerBrand
	}
	return ""
}

// Account names one account of a brand.
type Account struct {
	Owner   Owner
	OwnerID string // member id, or the brand id for brand accounts
	Kind    Kind
}

// MemberAccount names a member's account.
func MemberAccount(memberID string, k Kind) Account {
	return Account{Owner: OwnerMember, OwnerID: memberID, Kind: k}
}

// BrandAccount names one of the brand's own accounts.
func BrandAccount(brandID string, k Kind) Account {
	return Account{Owner: OwnerBrand, OwnerID: brandID, Kind: k}
}

func (a Account) String() string { return fmt.Sprintf("%s:%s:%s", a.Owner, a.OwnerID, a.Kind) }

// Entry is one line of a transaction: AmountFen > 0 debits the account, < 0 credits it.
type Entry struct {
	Account   Account
	AmountFen int64
}

// Debit and Credit build entries from a positive amount.
func DebitOf(a Account, fen int64) Entry  { return Entry{Account: a, AmountFen: fen} }
func CreditOf(a Account, fen int64) Entry { return Entry{Account: a, AmountFen: -fen} }

// Delta is how an entry moves the account's balance on its normal side.
func (e Entry) Delta() int64 {
	if e.Account.Kind.NormalSide() == Debit {
		return e.AmountFen
	}
	return -e.AmountFen
}

// Txn is one ledger transaction. Ref is its idempotency key within the brand (unique): the
// caller derives it from the business fact it records ("accrue:<order>:v1",
// "release:<commission>", "payout-hold:<payout>") so the same fact can never post twice.
type Txn struct {
	Ref     string
	Kind    string // short machine name: commission_accrue, payout_hold, …
	Memo    string
	Entries []Entry
}

// Ledger errors.
var (
	// ErrInsufficient: the transaction would take a member account below zero on its normal side.
	ErrInsufficient = errors.New("payouts: a member account would go below zero")
	// ErrAlreadyPosted: a transaction with this ref exists.
	ErrAlreadyPosted = errors.New("payouts: a transaction with this ref exists")
	// ErrNotFound and ErrDuplicate are what stores answer.
	ErrNotFound  = errors.New("payouts: not found")
	ErrDuplicate = errors.New("payouts: duplicate")
)

// maxEntryFen bounds one entry so no sum of a transaction's entries can overflow int64.
const (
	maxEntryFen     = 1 << 50 // ≈ 1.1e15 fen, 11 trillion yuan
	maxEntries      = 64
	maxRefBytes     = 128
	maxTxnKindBytes = 32
)

// Validate checks the transaction's shape: 2 to 64 entries, none zero, on accounts whose kind
// fits their owner, summing to zero.
func (t Txn) Validate() error {
	bad := func(f string, a ...any) error {
		return fmt.Errorf("payouts: invalid transaction %q: %s", t.Ref, fmt.Sprintf(f, a...))
	}
	if t.Ref == "" || len(t.Ref) > maxRefBytes {
		return bad("ref must be 1-%d bytes", maxRefBytes)
	}
	if t.Kind == "" || len(t.Kind) > maxTxnKindBytes {
		return bad("kind must be 1-%d bytes", maxTxnKindBytes)
	}
	if len(t.Entries) < 2 || len(t.Entries) > maxEntries {
		return bad("%d entries; want 2 to %d", len(t.Entries), maxEntries)
	}
	var sum int64
	for _, e := range t.Entries {
		switch {
		case e.AmountFen == 0:
			return bad("an entry of 0 on %s", e.Account)
		case e.AmountFen > maxEntryFen || e.AmountFen < -maxEntryFen:
			return bad("entry on %s out of range", e.Account)
		case e.Account.Kind.Owner() == "" || e.Account.Kind.Owner() != e.Account.Owner:
			return bad("account %s: kind does not belong to that owner", e.Account)
		case e.Account.OwnerID == "":
			return bad("account %s has no owner id", e.Account)
		}
		sum += e.AmountFen
	}
	if sum != 0 {
		return bad("entries sum to %d, not 0", sum)
	}
	return nil
}

// LedgerStore keeps accounts, transactions and entries. Every method joins the transaction
// carried by ctx (store.WithTx).
type LedgerStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// LockAccounts creates missing accounts and locks them until the transaction ends (always
	// in the same order, so two transactions cannot deadlock on them); it answers their
	// balances on the normal side.
	LockAccounts(ctx context.Context, brandID string, accts []Account) (map[Account]int64, error)
	// PostTxn writes the transaction and its entries and moves the cached balance of every
	// member account with a guarded UPDATE: ErrInsufficient when one would go below zero,
	// ErrAlreadyPosted when the ref exists. It answers the transaction id.
	PostTxn(ctx context.Context, brandID string, t Txn, postedAt time.Time) (string, error)
	// AccountBalances sums the entries of an owner's accounts by kind (the projection).
	AccountBalances(ctx context.Context, brandID string, owner Owner, ownerID string) (map[Kind]int64, error)
	// LedgerFacts reads what Verify judges.
	LedgerFacts(ctx context.Context, brandID string) (LedgerFacts, error)
}

// Ledger is the posting API. Post and Lock must run inside one business transaction
// (WithTx) with the change they record.
type Ledger struct {
	Store LedgerStore
	Clock clock.Clock
}

// Lock makes the accounts exist, locks them for the rest of the transaction and answers their
// balances on the normal side. Lock every account a decision depends on once, before deciding
// (e.g. how much of a reversal the available balance covers), then Post.
func (l *Ledger) Lock(ctx context.Context, brandID string, accts ...Account) (map[Account]int64, error) {
	return l.Store.LockAccounts(ctx, brandID, accts)
}

// Post validates and writes a transaction: ErrInsufficient (wrapped) when a member account
// would go below zero, ErrAlreadyPosted when its ref exists. Answers the transaction id.
func (l *Ledger) Post(ctx context.Context, brandID string, t Txn) (string, error) {
	if err := t.Validate(); err != nil {
		return "", err
	}
	return l.Store.PostTxn(ctx, brandID, t, l.Clock.Now())
}

// Balances are a member's balances on their normal sides.
type Balances struct {
	PendingFen, AvailableFen, InFlightFen, PaidFen, DebtFen int64
}

// MemberBalances projects a member's balances from the ledger entries (zeros before any).
func (l *Ledger) MemberBalances(ctx context.Context, brandID, memberID string) (Balances, error) {
	m, err := l.Store.AccountBalances(ctx, brandID, OwnerMember, memberID)
	if err != nil {
		return Balances{}, err
	}
	return Balances{PendingFen: m[KindPending], AvailableFen: m[KindAvailable], InFlightFen: m[KindInFlight],
		PaidFen: m[KindPaid], DebtFen: m[KindDebt]}, nil
}

// CreditAvailable builds the entries that credit fen to a member's available balance, paying
// their debt first (DESIGN §3.5): debt is the member's debt balance as locked. The caller adds
// the debit side. Answers the entries and the part that repaid debt.
func CreditAvailable(memberID string, fen, debt int64) ([]Entry, int64) {
	repay := min(fen, max(debt, 0))
	var out []Entry
	if fen-repay > 0 {
		out = append(out, CreditOf(MemberAccount(memberID, KindAvailable), fen-repay))
	}
	if repay > 0 {
		out = append(out, CreditOf(MemberAccount(memberID, KindDebt), repay))
	}
	return out, repay
}
