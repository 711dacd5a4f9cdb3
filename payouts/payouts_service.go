package payouts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/events"
)

// Payouts is the payout service (DESIGN §3.6): request with the hold, review, transfer through
// WeChat Pay and the outcomes of its bills. Its API, for the HTTP edge, the jobs and the
// batch/reconciliation work:
//
//   - Request(ctx, brandID, memberID, amountFen, idemKey, bodyHash, render): a member's
//     request under an Idempotency-Key. One transaction holds the amount (available →
//     in_flight), stores the Payout with its out_bill_no and finishes the idempotency record
//     with the rendered first answer; a replay answers that first answer (a 4xx too).
//   - CreateForBatch(ctx, brandID, batchID, memberID, amountFen): the same checks and hold
//     for one payout of a batch, inside the caller's transaction (no idempotency record: the
//     batch row is the idempotency).
//   - Approve(ctx, actor, role, brandID, payoutID) / Reject(…, note): review by finance or
//     owner; the transition and the send job commit together; reject releases the hold once.
//   - Cancel(ctx, brandID, memberID, payoutID): the member cancels a bill still waiting for
//     confirmation (carried out by the send job).
//   - Advance(ctx, brandID, payoutID): the send job's work — create the bill (intent row
//     first), or query / cancel it, and apply what WeChat answers. Safe to run any number of
//     times, concurrently too: one bill per payout, one ledger effect.
//   - ApplyBill(ctx, brandID, bill): apply a bill's state learnt from a callback, a query or
//     reconciliation (idempotent; a decided outcome never changes).
//   - Sweep(ctx, limit): enqueue Advance for open payouts (approved or submitted) not touched
//     for a while (the periodic query of open bills, and a rescue of lost jobs).
//   - Get, List, ListMember, Touched (payouts touched in [from, to), for reconciliation).
type Payouts struct {
	Store  PayoutStore
	Ledger *Ledger
	Payees PayeeStore
	Brands BrandReader
	Audit  Auditor
	Events events.Emitter
	// Queue enqueues the send job inside the caller's transaction.
	Queue SendQueue
	// Transfers is WeChat Pay (per brand, at the edge).
	Transfers Transfers
	// Merchants says whether the brand has a WeChat Pay merchant and what its creates carry
	// (wechat/pay at the edge); nil → every brand has one and creates carry Transfers' defaults.
	Merchants Merchants
	// Alerts stores the alerts the send job raises (a repeat refused as differing, a merchant
	// removed); nil → none are stored. OnAlert, when set, is told of every new one.
	Alerts  AlertSink
	OnAlert func(kind string)
	// Reminder asks the member to confirm a waiting bill; nil → no reminders.
	Reminder ConfirmReminder
	Clock    clock.Clock
	// IdemLockTimeout: an in-flight idempotency record older than this may be taken over
	// (the first request died). ≤ 0 → 60 s.
	IdemLockTimeout time.Duration
	// SweepAfter: open payouts untouched for this long are advanced again. ≤ 0 → 1 minute.
	SweepAfter time.Duration
}

// BrandReader reads a brand's settings (brands.Service).
type BrandReader interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
}

// SendQueue enqueues the job that advances a payout (jobs, River), in the caller's
// transaction. Enqueuing a payout that has a job waiting is a no-op.
type SendQueue interface {
	EnqueuePayoutAdvance(ctx context.Context, brandID, payoutID string, after time.Duration) error
}

// ConfirmReminder sends the "confirm your transfer" subscribe message when the member gave a
// credit for it (reminders); it answers nil and sends nothing when they did not.
type ConfirmReminder interface {
	RemindPayoutConfirm(ctx context.Context, p Payout) error
}

// TransferOrder is one create call.
type TransferOrder struct {
	BrandID   string
	PayoutID  string
	OutBillNo string
	OpenID    string
	AmountFen int64
	// RealName is set when the amount needs it (≥ 2,000 yuan).
	RealName string
	// Params are the payout's stored create parameters; a zero SceneID (a payout stored before
	// they were kept, or no Merchants) → the brand's current ones.
	Params CreateParams
}

// CreateParams are the fields of a create that could change between two calls for the same
// out_bill_no (the brand's transfer scene, the replica's callback URL). WeChat refuses a repeat
// whose fields differ, so they are stored with the first create intent and sent on every repeat.
type CreateParams struct {
	SceneID   string
	NotifyURL string // "" → no callback (queries find the outcome)
}

// ErrNoMerchant means the brand has no WeChat Pay merchant configured: nothing can be sent.
var ErrNoMerchant = errors.New("payouts: the brand has no WeChat Pay merchant configured")

// Merchants is what the payouts learn of a brand's WeChat Pay merchant (wechat/pay at the edge).
type Merchants interface {
	// CreateParams answers the parameters a first create would carry now, or ErrNoMerchant.
	CreateParams(ctx context.Context, brandID string) (CreateParams, error)
}

// AlertSink stores an alert once per payout × day × kind (false when it was stored already).
type AlertSink interface {
	InsertAlert(ctx context.Context, a Alert) (bool, error)
}

// Bill is what WeChat said about a payout's bill.
type Bill struct {
	OutBillNo      string
	TransferBillNo string
	State          string
	AmountFen      int64 // 0 when the answer does not carry it (create, cancel)
	FailReason     string
	PackageInfo    string
	UpdateTime     time.Time
}

// RefusedError is WeChat's definite refusal (nothing was done). Any other error from
// Transfers means the outcome is unknown.
type RefusedError struct {
	Code, Message string
	// NotFound: WeChat has no such bill (a query).
	NotFound bool
	// BillExists: a create refused because a bill with this out_bill_no exists with other
	// fields (INVALID_REQUEST "商户单号重复，且与原单参数不一致"). It is not a refusal of the
	// payout: the bill may still be paid.
	BillExists bool
}

func (e *RefusedError) Error() string { return "wechat pay refused: " + e.Code + ": " + e.Message }

// Transfers is WeChat Pay's transfer API for a brand (wechat/pay at the edge).
type Transfers interface {
	Create(ctx context.Context, o TransferOrder) (Bill, error)
	Query(ctx context.Context, brandID, outBillNo string) (Bill, error)
	Cancel(ctx context.Context, brandID, outBillNo string) (Bill, error)
}

// NewOutBillNo makes a bill number: the brand's prefix and 24 random hex digits (96 bits), at
// most 32 letters and digits. Fixed for the payout's life (I5).
func NewOutBillNo(prefix string) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	n := prefix + strings.ToUpper(hex.EncodeToString(b[:]))
	if len(n) > 32 {
		n = n[:32]
	}
	return n
}

func (s *Payouts) idemLockTimeout() time.Duration {
	if s.IdemLockTimeout > 0 {
		return s.IdemLockTimeout
	}
	return time.Minute
}

func (s *Payouts) sweepAfter() time.Duration {
	if s.SweepAfter > 0 {
		return s.SweepAfter
	}
	return time.Minute
}

// Ledger refs of a payout's postings: fixed per payout, so each posts at most once.
func holdRef(id string) string    { return "payout-hold:" + id }
func releaseRef(id string) string { return "payout-release:" + id }
func paidRef(id string) string    { return "payout-paid:" + id }

// hold moves the amount from available to in_flight (ErrInsufficient, wrapped, when it is not there).
func (s *Payouts) hold(ctx context.Context, p Payout) error {
	_, err := s.Ledger.Post(ctx, p.BrandID, Txn{Ref: holdRef(p.ID), Kind: "payout_hold", Memo: "payout " + p.OutBillNo,
		Entries: []Entry{DebitOf(MemberAccount(p.MemberID, KindAvailable), p.AmountFen),
			CreditOf(MemberAccount(p.MemberID, KindInFlight), p.AmountFen)}})
	return err
}

// release gives the held amount back (debt first, DESIGN §3.5), exactly once per payout.
func (s *Payouts) release(ctx context.Context, p Payout) error {
	debt := MemberAccount(p.MemberID, KindDebt)
	bal, err := s.Ledger.Lock(ctx, p.BrandID, MemberAccount(p.MemberID, KindInFlight), MemberAccount(p.MemberID, KindAvailable), debt)
	if err != nil {
		return err
	}
	credits, _ := CreditAvailable(p.MemberID, p.AmountFen, bal[debt])
	_, err = s.Ledger.Post(ctx, p.BrandID, Txn{Ref: releaseRef(p.ID), Kind: "payout_release", Memo: "payout " + p.OutBillNo,
		Entries: append([]Entry{DebitOf(MemberAccount(p.MemberID, KindInFlight), p.AmountFen)}, credits...)})
	return err
}

// markPaid moves the held amount to the member's lifetime paid total. The member's liability
// stays on the books as paid (pending + available + in_flight + paid − debt is what the
// member earned net, STYLE-ANCHORS I2); the brand-side cash leaves through WeChat and is
// checked bill by bill by reconciliation.
func (s *Payouts) markPaid(ctx context.Context, p Payout) error {
	_, err := s.Ledger.Post(ctx, p.BrandID, Txn{Ref: paidRef(p.ID), Kind: "payout_paid", Memo: "payout " + p.OutBillNo,
		Entries: []Entry{DebitOf(MemberAccount(p.MemberID, KindInFlight), p.AmountFen),
			CreditOf(MemberAccount(p.MemberID, KindPaid), p.AmountFen)}})
	return err
}

func ptr[T any](v T) *T { return &v }
