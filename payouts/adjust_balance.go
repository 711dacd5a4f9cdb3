package payouts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Adjustment kinds (API.md: POST /admin/v1/adjustments).
const (
	AdjustPrize        = "prize"          // a leaderboard prize: credited to available (debt first)
	AdjustCredit       = "credit"         // a goodwill credit: the same movement, told apart in reports
	AdjustDebtWriteOff = "debt_write_off" // the owner forgives (part of) a member's debt
)

// maxAdjustmentFen bounds one hand-made movement (100,000 yuan): a typo must not mint millions.
const maxAdjustmentFen = 10_000_000

// Adjustment is one hand-made ledger movement.
type Adjustment struct {
	ID, BrandID, MemberID string
	Kind                  string
	AmountFen             int64
	Reason                string
	AdminID               string
	IdempotencyKey        string
	BodyHash              string
	TransactionID         string
	CreatedAt             time.Time
}

// AdjustmentStore keeps adjustments.
type AdjustmentStore interface {
	// AdjustmentByKey finds an adjustment by its idempotency key (ErrNotFound).
	AdjustmentByKey(ctx context.Context, brandID, key string) (Adjustment, error)
	// InsertAdjustment stores one (ErrDuplicate when the key exists).
	InsertAdjustment(ctx context.Context, a Adjustment) (Adjustment, error)
}

// AdjustInput is POST /admin/v1/adjustments.
type AdjustInput struct {
	MemberID       string
	Kind           string
	AmountFen      int64
	Reason         string
	IdempotencyKey string // optional header
}

func (in AdjustInput) hash() string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", in.MemberID, in.Kind, in.AmountFen, in.Reason))
	return hex.EncodeToString(h[:])
}

// Adjust makes a prize, credit or debt write-off, audited in the same transaction. Prizes and
// credits need the owner or finance role, a write-off the owner. With an idempotency key, a
// replay answers the first adjustment (replayed = true); the key with another body is 409
// IDEMPOTENCY_KEY_REUSED.
func (b *Book) Adjust(ctx context.Context, actor brands.Actor, role, brandID string, in AdjustInput) (Adjustment, bool, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Kind != AdjustPrize && in.Kind != AdjustCredit && in.Kind != AdjustDebtWriteOff:
		return Adjustment{}, false, apperr.InvalidArgument("kind must be prize, credit or debt_write_off")
	case in.MemberID == "":
		return Adjustment{}, false, apperr.InvalidArgument("member_id is required")
	case in.AmountFen <= 0 || in.AmountFen > maxAdjustmentFen:
		return Adjustment{}, false, apperr.InvalidArgument(fmt.Sprintf("amount_fen must be 1 to %d", maxAdjustmentFen))
	case in.Reason == "" || utf8.RuneCountInString(in.Reason) > 200:
		return Adjustment{}, false, apperr.InvalidArgument("reason must be 1-200 characters")
	case len(in.IdempotencyKey) > 128:
		return Adjustment{}, false, apperr.InvalidArgument("Idempotency-Key must be at most 128 bytes")
	}
	if in.Kind == AdjustDebtWriteOff && role != brands.RoleOwner {
		return Adjustment{}, false, apperr.ForbiddenErr("only an owner may write debt off")
	}
	if role != brands.RoleOwner && role != brands.RoleFinance {
		return Adjustment{}, false, apperr.ForbiddenErr("your role may not adjust balances")
	}
	hash := in.hash()
	var (
		out      Adjustment
		replayed bool
	)
	for attempt := 0; ; attempt++ {
		err := b.Store.WithTx(ctx, func(ctx context.Context) error {
			if in.IdempotencyKey != "" {
				prev, err := b.Adjustments.AdjustmentByKey(ctx, brandID, in.IdempotencyKey)
				if err == nil {
					if prev.BodyHash != hash {
						return apperr.New(apperr.Conflict, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another body")
					}
					out, replayed = prev, true
					return nil
				}
				if !errors.Is(err, ErrNotFound) {
					return err
				}
			}
			var err error
			out, err = b.adjust(ctx, actor, brandID, in, hash)
			return err
		})
		// A concurrent request with the same key won the unique index: answer its result.
		if errors.Is(err, ErrDuplicate) && in.IdempotencyKey != "" && attempt == 0 {
			continue
		}
		return out, replayed, err
	}
}

func (b *Book) adjust(ctx context.Context, actor brands.Actor, brandID string, in AdjustInput, hash string) (Adjustment, error) {
	ok, err := b.Members.MemberExists(ctx, brandID, in.MemberID)
	if err != nil {
		return Adjustment{}, err
	}
	if !ok {
		return Adjustment{}, apperr.NotFoundf("no such member")
	}
	debt := MemberAccount(in.MemberID, KindDebt)
	bal, err := b.Ledger.Lock(ctx, brandID, MemberAccount(in.MemberID, KindAvailable), debt)
	if err != nil {
		return Adjustment{}, err
	}
	expense := BrandAccount(brandID, KindAdjustmentExpense)
	var entries []Entry
	switch in.Kind {
	case AdjustPrize, AdjustCredit:
		credits, _ := CreditAvailable(in.MemberID, in.AmountFen, bal[debt])
		entries = append([]Entry{DebitOf(expense, in.AmountFen)}, credits...)
	case AdjustDebtWriteOff:
		if in.AmountFen > bal[debt] {
			return Adjustment{}, apperr.New(apperr.Rule, "WRITE_OFF_EXCEEDS_DEBT",
				fmt.Sprintf("the member's debt is %d fen; cannot write off %d", bal[debt], in.AmountFen))
		}
		entries = []Entry{DebitOf(expense, in.AmountFen), CreditOf(debt, in.AmountFen)}
	}
	now := b.Clock.Now()
	a := Adjustment{BrandID: brandID, MemberID: in.MemberID, Kind: in.Kind, AmountFen: in.AmountFen, Reason: in.Reason,
		AdminID: actor.ID, IdempotencyKey: in.IdempotencyKey, BodyHash: hash, CreatedAt: now}
	// The adjustment id is the ledger ref: one adjustment, one transaction.
	a.ID = uuid.Must(uuid.NewV7()).String()
	txID, err := b.Ledger.Post(ctx, brandID, Txn{Ref: "adjust:" + a.ID, Kind: "adjustment_" + in.Kind, Memo: in.Reason, Entries: entries})
	if err != nil {
		return Adjustment{}, err
	}
	a.TransactionID = txID
	if a, err = b.Adjustments.InsertAdjustment(ctx, a); err != nil {
		return Adjustment{}, err
	}
	return a, b.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: actor.Type, ActorID: actor.ID,
		Action: "adjustment.create", TargetType: "member", TargetID: in.MemberID, RequestID: actor.RequestID, CreatedAt: now,
		Detail: map[string]any{"adjustment_id": a.ID, "kind": in.Kind, "amount_fen": in.AmountFen, "reason": in.Reason}})
}
