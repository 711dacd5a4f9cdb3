package payouts

import (
	"context"
	"time"
)

// Payout statuses (DESIGN §3.6, API.md).
const (
	PayoutRequested = "requested" // awaiting the approvals it needs
	PayoutApproved  = "approved"  // the send job is enqueued (same transaction)
	PayoutSubmitted = "submitted" // a bill exists at WeChat, not final
	PayoutPaid      = "paid"
	PayoutFailed    = "failed"
	PayoutCancelled = "cancelled"
	PayoutRejected  = "rejected"
)

// PayoutStatuses lists every status, in the order of the life of a payout.
var PayoutStatuses = []string{PayoutRequested, PayoutApproved, PayoutSubmitted, PayoutPaid, PayoutFailed, PayoutCancelled, PayoutRejected}

// legal is the complete set of legal transitions (DESIGN §3.6); every other pair is illegal.
var legal = map[[2]string]bool{
	{PayoutRequested, PayoutApproved}:  true,
	{PayoutRequested, PayoutRejected}:  true,
	{PayoutApproved, PayoutSubmitted}:  true,
	{PayoutApproved, PayoutFailed}:     true, // WeChat definitely refused the create
	{PayoutSubmitted, PayoutPaid}:      true,
	{PayoutSubmitted, PayoutFailed}:    true,
	{PayoutSubmitted, PayoutCancelled}: true,
}

// CanTransition reports whether a payout may move from one status to another (I6: states only
// move forward; a final status never changes).
func CanTransition(from, to string) bool { return legal[[2]string{from, to}] }

// PayoutFinal reports whether a status is final.
func PayoutFinal(s string) bool {
	return s == PayoutPaid || s == PayoutFailed || s == PayoutCancelled || s == PayoutRejected
}

// ReleasesHold reports whether entering the status gives the held amount back to the member's
// available balance (exactly once: the release's ledger ref is fixed per payout).
func ReleasesHold(to string) bool {
	return to == PayoutRejected || to == PayoutFailed || to == PayoutCancelled
}

// Bill states at WeChat (reference/WECHAT.md §5), as the domain sees them.
const (
	BillAccepted        = "ACCEPTED"
	BillProcessing      = "PROCESSING"
	BillWaitUserConfirm = "WAIT_USER_CONFIRM"
	BillTransfering     = "TRANSFERING"
	BillSuccess         = "SUCCESS"
	BillFail            = "FAIL"
	BillCanceling       = "CANCELING"
	BillCancelled       = "CANCELLED"
)

// BillFinal reports whether a bill state is final at WeChat.
func BillFinal(state string) bool {
	return state == BillSuccess || state == BillFail || state == BillCancelled
}

// BillKnown reports whether a bill state is one WeChat documents.
func BillKnown(state string) bool {
	switch state {
	case BillAccepted, BillProcessing, BillWaitUserConfirm, BillTransfering, BillSuccess, BillFail, BillCanceling, BillCancelled:
		return true
	}
	return false
}

// StatusForBill is the payout status a bill's state leads to: submitted while the bill is
// open, then paid, failed or cancelled.
func StatusForBill(state string) string {
	switch state {
	case BillSuccess:
		return PayoutPaid
	case BillFail:
		return PayoutFailed
	case BillCancelled:
		return PayoutCancelled
	}
	return PayoutSubmitted
}

// Payout is one transfer to one member.
type Payout struct {
	ID, BrandID, MemberID string
	AmountFen             int64
	Status                string
	OutBillNo             string
	TransferBillNo        string
	WeChatState           string
	FailReason            string
	PackageInfo           string
	BatchID               string // "" when not part of a batch
	ApprovalsNeeded       int
	Approvals             int
	IdempotencyKey        string
	CancelRequested       bool
	// SceneID and NotifyURL are the create's parameters, stored with the first create intent
	// and sent unchanged on every repeat ("" before the first create).
	SceneID, NotifyURL string
	RequestedAt        time.Time
	ApprovedAt         *time.Time
	SubmittedAt        *time.Time
	FinishedAt         *time.Time
	WeChatUpdatedAt    *time.Time
	TouchedAt          time.Time
	Version            int
}

// PayoutChange is a guarded update of a payout: applied only while the row is still at
// FromStatus and FromVersion; the version then grows by one. Nil fields stay.
type PayoutChange struct {
	FromStatus  string
	FromVersion int
	Status      *string
	// Bill facts.
	TransferBillNo  *string
	WeChatState     *string
	FailReason      *string
	PackageInfo     *string
	WeChatUpdatedAt *time.Time
	Approvals       *int
	CancelRequested *bool
	ApprovedAt      *time.Time
	SubmittedAt     *time.Time
	FinishedAt      *time.Time
	TouchedAt       time.Time
}

// Approval is one admin's decision on a payout.
type Approval struct {
	ID, BrandID, PayoutID, AdminID string
	Decision                       string // approve | reject
	Note                           string
	CreatedAt                      time.Time
}

// Approval decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// Attempt is the durable intent row of one call to WeChat about a payout's bill, committed
// before the call runs (DESIGN §5), then its outcome.
type Attempt struct {
	ID, BrandID, PayoutID, OutBillNo string
	Op                               string // create | query | cancel
	Outcome                          string // pending | bill | refused | unknown
	WeChatState                      string
	Code, Message                    string
	StartedAt                        time.Time
	FinishedAt                       *time.Time
}

// Attempt operations and outcomes.
const (
	OpCreate = "create"
	OpQuery  = "query"
	OpCancel = "cancel"

	OutcomePending = "pending"
	OutcomeBill    = "bill"
	OutcomeRefused = "refused"
	OutcomeUnknown = "unknown"
)

// Batch is one payout batch of a settled live.
type Batch struct {
	ID, BrandID, LiveID, StartedBy string
	Payouts                        int
	TotalFen                       int64
	StartedAt                      time.Time
}

// IdemRecord is the stored first answer of a request made with an Idempotency-Key.
type IdemRecord struct {
	ID, BrandID, MemberID string
	Scope, Key            string
	RequestHash           string
	Status                string // in_flight | done
	ResponseStatus        int
	ResponseBody          []byte
	LockedAt, ExpiresAt   time.Time
	// LockToken names the request that holds the in-flight lock (a new one per take-over).
	LockToken string
}

// Idempotency record statuses.
const (
	IdemInFlight = "in_flight"
	IdemDone     = "done"
)

// PayoutFilter selects payouts of a brand.
type PayoutFilter struct {
	MemberID string // "" → every member
	Status   string // "" → every status
}

// PayoutStore keeps payouts, their approvals, transfer attempts, batches and idempotency
// records. Every method joins the transaction carried by ctx (store.WithTx) and takes the
// brand explicitly, except PayoutByOutBillNo and OpenPayouts, which serve callbacks and the
// sweep before a brand is known.
type PayoutStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error

	// InsertPayout stores a new payout (ErrDuplicate on out_bill_no, or on an idempotency key
	// the member's payouts already have: unique brand × member × idempotency_key).
	InsertPayout(ctx context.Context, p Payout) (Payout, error)
	PayoutByID(ctx context.Context, brandID, id string) (Payout, error)
	// PayoutByOutBillNo finds a payout by its globally unique bill number (ErrNotFound).
	PayoutByOutBillNo(ctx context.Context, outBillNo string) (Payout, error)
	// UpdatePayout applies a guarded change; false when the row is no longer at
	// (FromStatus, FromVersion).
	UpdatePayout(ctx context.Context, brandID, id string, c PayoutChange) (bool, error)
	ListPayouts(ctx context.Context, brandID string, f PayoutFilter, p Page) ([]Payout, string, error)
	// MemberPayoutsSince sums the member's payouts requested at or after since whose status
	// is not rejected, failed or cancelled (the daily total).
	MemberPayoutsSince(ctx context.Context, brandID, memberID string, since time.Time) (int64, error)
	// PayoutsTouched lists the brand's payouts whose touched_at is in [from, to) (reconciliation).
	PayoutsTouched(ctx context.Context, brandID string, from, to time.Time) ([]Payout, error)
	// OpenPayouts lists payouts of every brand that are approved or submitted and were last
	// touched before touchedBefore, oldest first (the sweep of open bills).
	OpenPayouts(ctx context.Context, touchedBefore time.Time, limit int) ([]Payout, error)

	// InsertApproval stores a decision (ErrDuplicate when that admin decided already).
	InsertApproval(ctx context.Context, a Approval) (Approval, error)
	ListApprovals(ctx context.Context, brandID, payoutID string) ([]Approval, error)

	// FreezeCreateParams stores the create's parameters on the payout unless it has them
	// already (the first writer wins; read the payout again for what was stored).
	FreezeCreateParams(ctx context.Context, brandID, id string, params CreateParams) error

	InsertAttempt(ctx context.Context, a Attempt) (Attempt, error)
	FinishAttempt(ctx context.Context, brandID, id, outcome, wechatState, code, message string, at time.Time) error
	ListAttempts(ctx context.Context, brandID, payoutID string) ([]Attempt, error)

	InsertBatch(ctx context.Context, b Batch) (Batch, error)
	BatchByID(ctx context.Context, brandID, id string) (Batch, error)

	// InsertIdem stores a new in-flight record (ErrDuplicate when the key exists).
	InsertIdem(ctx context.Context, r IdemRecord) (IdemRecord, error)
	IdemByKey(ctx context.Context, brandID, memberID, scope, key string) (IdemRecord, error)
	// LockIdem takes over an in-flight record whose lock is older than staleBefore, under a
	// new lock token; false when it is done or freshly locked.
	LockIdem(ctx context.Context, brandID, id string, staleBefore, now time.Time, token string) (bool, error)
	// FinishIdem stores the answer only while the record is in flight under token (the caller
	// still holds the lock); false when another request took it over or finished it.
	FinishIdem(ctx context.Context, brandID, id, token string, status int, body []byte) (bool, error)
	// DeleteIdem forgets a record still in flight under token (a request that decided nothing).
	DeleteIdem(ctx context.Context, brandID, id, token string) error
	// InsertAlert stores a reconciliation-style alert in the caller's transaction; false when
	// the same payout × day × kind is stored already.
	InsertAlert(ctx context.Context, a Alert) (bool, error)
	// PurgeIdem deletes records that expired before now; answers how many.
	PurgeIdem(ctx context.Context, now time.Time, limit int) (int, error)
}

// Payee is what a transfer needs to know about the member.
type Payee struct {
	MemberID string
	OpenID   string
	Status   string // active | frozen | banned
	// HasRealName: the member stored a real name (needed from 2,000 yuan).
	HasRealName bool
}

// PayeeStore reads members (the referral store).
type PayeeStore interface {
	// Payee answers ErrNotFound for an unknown member of the brand.
	Payee(ctx context.Context, brandID, memberID string) (Payee, error)
	// RealName opens the member's real name (only for a transfer that needs it).
	RealName(ctx context.Context, brandID, memberID string) (string, error)
}

// Member statuses the payouts care about (referral owns them).
const (
	MemberActive = "active"
)
