package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/adjustment"
	"github.com/sharecast/sharecast/ent/brand"
	"github.com/sharecast/sharecast/ent/ledgeraccount"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/schema"
	"github.com/sharecast/sharecast/payouts"
)

// Ledger implements the payouts stores (ledger, commissions, adjustments) on the shared
// database. It is a type of its own so its method names stay apart from other areas'.
type Ledger struct{ *Store }

// Ledger returns the payouts stores.
func (s *Store) Ledger() *Ledger { return &Ledger{s} }

var (
	_ payouts.LedgerStore     = (*Ledger)(nil)
	_ payouts.CommissionStore = (*Ledger)(nil)
	_ payouts.AdjustmentStore = (*Ledger)(nil)
	_ payouts.MemberChecker   = (*Ledger)(nil)
)

func payoutsErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return payouts.ErrNotFound
	case ent.IsConstraintError(err):
		return fmt.Errorf("%w: %v", payouts.ErrDuplicate, err)
	}
	return err
}

// execQuerier is the transaction carried by ctx, or the pool.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) sqlConn(ctx context.Context) execQuerier {
	if tx, ok := Tx(ctx); ok {
		return tx
	}
	return s.db
}

// execN runs a statement and answers the rows it changed. Placeholders are $1, $2, … on both
// engines (SQLite reads them as numbered parameters).
func (s *Store) execN(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.sqlConn(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func sortedAccounts(accts []payouts.Account) []payouts.Account {
	seen := map[payouts.Account]bool{}
	out := make([]payouts.Account, 0, len(accts))
	for _, a := range accts {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// ensureAccounts creates missing accounts; a concurrent creator's row wins quietly.
func (l *Ledger) ensureAccounts(ctx context.Context, brandID string, accts []payouts.Account) error {
	now := time.Now().UTC()
	for _, a := range accts {
		if a.Kind.Owner() != a.Owner {
			return fmt.Errorf("store: account %s: kind does not belong to that owner", a)
		}
		_, err := l.execN(ctx, `INSERT INTO ledger_accounts (id, brand_id, owner_type, owner_id, kind, normal_side, balance_fen, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT (brand_id, owner_type, owner_id, kind) DO NOTHING`,
			schema.NewID(), brandID, string(a.Owner), a.OwnerID, string(a.Kind), string(a.Kind.NormalSide()), now)
		if err != nil {
			return fmt.Errorf("store: create account %s: %w", a, err)
		}
	}
	return nil
}

// LockAccounts creates missing accounts, locks the member accounts in a fixed order with a
// no-op UPDATE (a row lock on PostgreSQL until the transaction ends; SQLite's immediate
// transaction already serialises writers) and answers every balance on its normal side.
func (l *Ledger) LockAccounts(ctx context.Context, brandID string, accts []payouts.Account) (map[payouts.Account]int64, error) {
	accts = sortedAccounts(accts)
	if err := l.ensureAccounts(ctx, brandID, accts); err != nil {
		return nil, err
	}
	out := make(map[payouts.Account]int64, len(accts))
	for _, a := range accts {
		if a.Owner == payouts.OwnerMember {
			if _, err := l.execN(ctx, `UPDATE ledger_accounts SET balance_fen = balance_fen
				WHERE brand_id = $1 AND owner_type = $2 AND owner_id = $3 AND kind = $4`,
				brandID, string(a.Owner), a.OwnerID, string(a.Kind)); err != nil {
				return nil, err
			}
			var bal int64
			if err := l.sqlConn(ctx).QueryRowContext(ctx, `SELECT balance_fen FROM ledger_accounts
				WHERE brand_id = $1 AND owner_type = $2 AND owner_id = $3 AND kind = $4`,
				brandID, string(a.Owner), a.OwnerID, string(a.Kind)).Scan(&bal); err != nil {
				return nil, err
			}
			out[a] = bal
			continue
		}
		// Brand accounts carry no cached balance (every posting touches them: caching would make
		// them one hot row); their balance is the sum of their entries.
		var sum int64
		if err := l.sqlConn(ctx).QueryRowContext(ctx, `SELECT COALESCE(SUM(e.amount_fen), 0) FROM ledger_entries e
			JOIN ledger_accounts a ON a.id = e.account_id
			WHERE a.brand_id = $1 AND a.owner_type = $2 AND a.owner_id = $3 AND a.kind = $4`,
			brandID, string(a.Owner), a.OwnerID, string(a.Kind)).Scan(&sum); err != nil {
			return nil, err
		}
		if a.Kind.NormalSide() == payouts.Credit {
			sum = -sum
		}
		out[a] = sum
	}
	return out, nil
}

// PostTxn writes a validated transaction.
func (l *Ledger) PostTxn(ctx context.Context, brandID string, t payouts.Txn, postedAt time.Time) (string, error) {
	c := l.ent(ctx)
	tx, err := c.LedgerTransaction.Create().SetBrandID(brandID).SetKind(t.Kind).SetRef(t.Ref).SetMemo(truncate(t.Memo, 256)).
		SetPostedAt(postedAt.UTC()).SetCreatedAt(time.Now().UTC()).Save(ctx)
	if ent.IsConstraintError(err) {
		return "", fmt.Errorf("%w: %s", payouts.ErrAlreadyPosted, t.Ref)
	}
	if err != nil {
		return "", err
	}
	accts := make([]payouts.Account, 0, len(t.Entries))
	deltas := map[payouts.Account]int64{}
	for _, e := range t.Entries {
		accts = append(accts, e.Account)
		deltas[e.Account] += e.Delta()
	}
	accts = sortedAccounts(accts)
	if err := l.ensureAccounts(ctx, brandID, accts); err != nil {
		return "", err
	}
	ids := make(map[payouts.Account]string, len(accts))
	for _, a := range accts {
		row, err := c.LedgerAccount.Query().Where(ledgeraccount.BrandID(brandID), ledgeraccount.OwnerTypeEQ(ledgeraccount.OwnerType(a.Owner)),
			ledgeraccount.OwnerID(a.OwnerID), ledgeraccount.KindEQ(ledgeraccount.Kind(a.Kind))).Only(ctx)
		if err != nil {
			return "", err
		}
		ids[a] = row.ID
		if a.Owner != payouts.OwnerMember || deltas[a] == 0 {
			continue
		}
		// The guarded UPDATE is the invariant: no member account below zero on its normal side.
		n, err := l.execN(ctx, `UPDATE ledger_accounts SET balance_fen = balance_fen + $1 WHERE id = $2 AND balance_fen + $1 >= 0`,
			deltas[a], row.ID)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return "", fmt.Errorf("%w: %s by %d fen", payouts.ErrInsufficient, a, deltas[a])
		}
	}
	now := time.Now().UTC()
	bulk := make([]*ent.LedgerEntryCreate, 0, len(t.Entries))
	for _, e := range t.Entries {
		bulk = append(bulk, c.LedgerEntry.Create().SetBrandID(brandID).SetTransactionID(tx.ID).
			SetAccountID(ids[e.Account]).SetAmountFen(e.AmountFen).SetCreatedAt(now))
	}
	if _, err := c.LedgerEntry.CreateBulk(bulk...).Save(ctx); err != nil {
		return "", err
	}
	return tx.ID, nil
}

// AccountBalances projects an owner's balances from the entries.
func (l *Ledger) AccountBalances(ctx context.Context, brandID string, owner payouts.Owner, ownerID string) (map[payouts.Kind]int64, error) {
	rows, err := l.sqlConn(ctx).QueryContext(ctx, `SELECT a.kind, COALESCE(SUM(e.amount_fen), 0) FROM ledger_accounts a
		LEFT JOIN ledger_entries e ON e.account_id = a.id
		WHERE a.brand_id = $1 AND a.owner_type = $2 AND a.owner_id = $3 GROUP BY a.kind`, brandID, string(owner), ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[payouts.Kind]int64{}
	for rows.Next() {
		var (
			kind string
			sum  int64
		)
		if err := rows.Scan(&kind, &sum); err != nil {
			return nil, err
		}
		k := payouts.Kind(kind)
		if k.NormalSide() == payouts.Credit {
			sum = -sum
		}
		out[k] = sum
	}
	return out, rows.Err()
}

// LedgerFacts reads what `ledger verify` judges, with plain SQL over the whole brand.
func (l *Ledger) LedgerFacts(ctx context.Context, brandID string) (payouts.LedgerFacts, error) {
	var f payouts.LedgerFacts
	db := l.sqlConn(ctx)
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_transactions WHERE brand_id = $1`, brandID).Scan(&f.Transactions); err != nil {
		return f, err
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM ledger_entries WHERE brand_id = $1`,
		brandID).Scan(&f.Entries, &f.SumFen); err != nil {
		return f, err
	}
	rows, err := db.QueryContext(ctx, `SELECT t.id, t.ref, COUNT(e.id), COALESCE(SUM(e.amount_fen), 0), COUNT(DISTINCT e.account_id)
		FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
		WHERE t.brand_id = $1 GROUP BY t.id, t.ref
		HAVING COUNT(e.id) < 2 OR COALESCE(SUM(e.amount_fen), 0) <> 0`, brandID)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var t payouts.TxnFacts
		if err := rows.Scan(&t.ID, &t.Ref, &t.Entries, &t.SumFen, &t.Accounts); err != nil {
			rows.Close()
			return f, err
		}
		f.Bad = append(f.Bad, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = db.QueryContext(ctx, `SELECT a.owner_type, a.owner_id, a.kind, a.balance_fen, COALESCE(SUM(e.amount_fen), 0)
		FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
		WHERE a.brand_id = $1 GROUP BY a.id, a.owner_type, a.owner_id, a.kind, a.balance_fen`, brandID)
	if err != nil {
		return f, err
	}
	for rows.Next() {
		var (
			a               payouts.AccountFacts
			owner, id, kind string
		)
		if err := rows.Scan(&owner, &id, &kind, &a.CachedFen, &a.EntriesFen); err != nil {
			rows.Close()
			return f, err
		}
		a.Account = payouts.Account{Owner: payouts.Owner(owner), OwnerID: id, Kind: payouts.Kind(kind)}
		f.Accounts = append(f.Accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	rows, err = db.QueryContext(ctx, `SELECT c.id, c.status, c.amount_fen, c.reversed_fen, COALESCE(SUM(r.amount_fen), 0)
		FROM commissions c LEFT JOIN commission_reversals r ON r.commission_id = c.id
		WHERE c.brand_id = $1 GROUP BY c.id, c.status, c.amount_fen, c.reversed_fen
		HAVING c.reversed_fen <> COALESCE(SUM(r.amount_fen), 0) OR c.reversed_fen > c.amount_fen
			OR (c.status = 'reversed' AND c.reversed_fen <> c.amount_fen)
			OR (c.status <> 'reversed' AND c.reversed_fen = c.amount_fen)`, brandID)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, status                string
			amount, reversed, rowsSum int64
		)
		if err := rows.Scan(&id, &status, &amount, &reversed, &rowsSum); err != nil {
			return f, err
		}
		f.CommissionProblems = append(f.CommissionProblems, fmt.Sprintf("%s (%s): amount %d, reversed_fen %d, reversal rows %d",
			id, status, amount, reversed, rowsSum))
	}
	return f, rows.Err()
}

// MemberExists reports whether a member belongs to the brand.
func (l *Ledger) MemberExists(ctx context.Context, brandID, memberID string) (bool, error) {
	return l.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.ID(memberID)).Exist(ctx)
}

// ListBrandIDs lists every brand (the periodic jobs walk them).
func (l *Ledger) ListBrandIDs(ctx context.Context) ([]string, error) {
	return l.ent(ctx).Brand.Query().Order(brand.ByID()).IDs(ctx)
}

// AdjustmentByKey finds an adjustment by its idempotency key.
func (l *Ledger) AdjustmentByKey(ctx context.Context, brandID, key string) (payouts.Adjustment, error) {
	row, err := l.ent(ctx).Adjustment.Query().Where(adjustment.BrandID(brandID), adjustment.IdempotencyKey(key)).Only(ctx)
	if err != nil {
		return payouts.Adjustment{}, payoutsErr(err)
	}
	return toAdjustment(row), nil
}

// InsertAdjustment stores an adjustment.
func (l *Ledger) InsertAdjustment(ctx context.Context, a payouts.Adjustment) (payouts.Adjustment, error) {
	c := l.ent(ctx).Adjustment.Create().SetID(a.ID).SetBrandID(a.BrandID).SetMemberID(a.MemberID).
		SetKind(adjustment.Kind(a.Kind)).SetAmountFen(a.AmountFen).SetReason(truncate(a.Reason, 256)).SetAdminID(a.AdminID).
		SetBodyHash(a.BodyHash).SetTransactionID(a.TransactionID).SetCreatedAt(a.CreatedAt.UTC())
	if a.IdempotencyKey != "" {
		c.SetIdempotencyKey(a.IdempotencyKey)
	}
	row, err := c.Save(ctx)
	if err != nil {
		return payouts.Adjustment{}, payoutsErr(err)
	}
	return toAdjustment(row), nil
}

func toAdjustment(r *ent.Adjustment) payouts.Adjustment {
	a := payouts.Adjustment{ID: r.ID, BrandID: r.BrandID, MemberID: r.MemberID, Kind: string(r.Kind), AmountFen: r.AmountFen,
		Reason: r.Reason, AdminID: r.AdminID, BodyHash: r.BodyHash, TransactionID: r.TransactionID, CreatedAt: r.CreatedAt}
	if r.IdempotencyKey != nil {
		a.IdempotencyKey = *r.IdempotencyKey
	}
	return a
}

// truncate cuts s to at most n bytes on a rune boundary: ent's MaxLen counts bytes, and text
// from outside (WeChat messages, admin notes) is mostly 3-byte Chinese, so a cut by characters
// can overflow the column and fail the whole transaction.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
