package payouts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// IdemScopePayoutRequest scopes idempotency records of POST /mp/v1/payouts.
const IdemScopePayoutRequest = "payout.request"

// idemKeepFor is how long a first answer is kept (DESIGN §5: ≥ 24 h).
const idemKeepFor = 48 * time.Hour

// maxIdemKeyBytes bounds the Idempotency-Key (the API documents 128).
const maxIdemKeyBytes = 128

// Render turns the first outcome of a request into the answer the edge sends and stores: the
// payout on success, or the error (only errors meant for the caller: 4xx kinds).
type Render func(p Payout, err error) (status int, body []byte)

// Answer is what to send back for a request with an Idempotency-Key.
type Answer struct {
	Status   int
	Body     []byte
	Replayed bool
	// Payout is the payout created by this call (zero on a replay or a refused request).
	Payout Payout
}

// Errors of the idempotency protocol (409).
var (
	ErrIdemKeyReused = apperr.New(apperr.Conflict, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another body")
	ErrIdemKeyInUse  = apperr.New(apperr.Conflict, "IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is still running")
)

// Request is a member's payout request (POST /mp/v1/payouts) under an Idempotency-Key,
// bodyHash being the hash of the request body. The first request stores an in-flight record,
// then one transaction checks the rules, holds the amount, stores the payout (auto-approved
// and its send job enqueued when under the brand's threshold) and stores the rendered answer.
// A refusal the caller should see (a 4xx) is stored as the answer too. The same key and body
// again answer the stored first answer (Replayed); another body is ErrIdemKeyReused; while the
// first still runs, ErrIdemKeyInUse. An internal failure stores nothing, so a retry runs anew.
func (s *Payouts) Request(ctx context.Context, brandID, memberID string, amountFen int64, idemKey, bodyHash string, render Render) (Answer, error) {
	switch {
	case idemKey == "":
		return Answer{}, apperr.New(apperr.Invalid, "IDEMPOTENCY_KEY_REQUIRED", "the Idempotency-Key header is required")
	case len(idemKey) > maxIdemKeyBytes:
		return Answer{}, apperr.InvalidArgument(fmt.Sprintf("Idempotency-Key must be at most %d bytes", maxIdemKeyBytes))
	case bodyHash == "":
		return Answer{}, errors.New("payouts: request without a body hash")
	}
	now := s.Clock.Now().UTC()
	token := uuid.NewString()
	rec, err := s.Store.InsertIdem(ctx, IdemRecord{BrandID: brandID, MemberID: memberID, Scope: IdemScopePayoutRequest,
		Key: idemKey, RequestHash: bodyHash, Status: IdemInFlight, LockedAt: now, ExpiresAt: now.Add(idemKeepFor), LockToken: token})
	if errors.Is(err, ErrDuplicate) {
		prev, err := s.Store.IdemByKey(ctx, brandID, memberID, IdemScopePayoutRequest, idemKey)
		if err != nil {
			return Answer{}, err
		}
		switch {
		case prev.RequestHash != bodyHash:
			return Answer{}, ErrIdemKeyReused
		case prev.Status == IdemDone:
			return Answer{Status: prev.ResponseStatus, Body: prev.ResponseBody, Replayed: true}, nil
		}
		// Still in flight: take it over only when its request died long ago. The take-over
		// sets our own lock token: should the first request still be alive, its finish no
		// longer matches and its transaction rolls back (errIdemLockLost).
		ok, err := s.Store.LockIdem(ctx, brandID, prev.ID, now.Add(-s.idemLockTimeout()), now, token)
		if err != nil {
			return Answer{}, err
		}
		if !ok {
			return s.idemWinner(ctx, brandID, memberID, idemKey)
		}
		rec = prev
	} else if err != nil {
		return Answer{}, err
	}

	var (
		p      Payout
		status int
		body   []byte
	)
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.create(ctx, brandID, memberID, amountFen, "", idemKey); err != nil {
			if errors.Is(err, ErrDuplicate) {
				// The member already has a payout under this key (unique brand × member ×
				// key): another request took the key over and created it.
				return errIdemLockLost
			}
			return err
		}
		status, body = render(p, nil)
		return s.finishIdem(ctx, brandID, rec.ID, token, status, body)
	})
	if err == nil {
		return Answer{Status: status, Body: body, Payout: p}, nil
	}
	if errors.Is(err, errIdemLockLost) {
		return s.idemWinner(ctx, brandID, memberID, idemKey)
	}
	if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.Unavailable {
		// Nothing was decided: let a retry with the same key run again (unless another
		// request holds the key now: then its record stays).
		_ = s.Store.DeleteIdem(context.WithoutCancel(ctx), brandID, rec.ID, token)
		return Answer{}, err
	}
	status, body = render(Payout{}, err)
	if ferr := s.finishIdem(context.WithoutCancel(ctx), brandID, rec.ID, token, status, body); ferr != nil {
		if errors.Is(ferr, errIdemLockLost) {
			return s.idemWinner(ctx, brandID, memberID, idemKey)
		}
		return Answer{}, ferr
	}
	return Answer{Status: status, Body: body}, nil
}

// errIdemLockLost: another request took this request's idempotency key over (ours looked
// dead); whatever this request did rolls back and the key's holder answers.
var errIdemLockLost = errors.New("payouts: idempotency lock taken over by another request")

// finishIdem stores the answer while token still holds the key; errIdemLockLost otherwise.
func (s *Payouts) finishIdem(ctx context.Context, brandID, id, token string, status int, body []byte) error {
	ok, err := s.Store.FinishIdem(ctx, brandID, id, token, status, body)
	if err != nil {
		return err
	}
	if !ok {
		return errIdemLockLost
	}
	return nil
}

// idemWinner answers a request whose key another request holds: that request's stored answer
// once it finished (Replayed), else 409 IDEMPOTENCY_KEY_IN_USE.
func (s *Payouts) idemWinner(ctx context.Context, brandID, memberID, idemKey string) (Answer, error) {
	ctx = context.WithoutCancel(ctx)
	if rec, err := s.Store.IdemByKey(ctx, brandID, memberID, IdemScopePayoutRequest, idemKey); err == nil && rec.Status == IdemDone {
		return Answer{Status: rec.ResponseStatus, Body: rec.ResponseBody, Replayed: true}, nil
	}
	return Answer{}, ErrIdemKeyInUse
}

// CreateForBatch creates one payout of a batch with the checks and hold of a request, inside
// the caller's transaction (the batch's). It goes through review like any other payout; the
// admin who started the batch may not approve it.
func (s *Payouts) CreateForBatch(ctx context.Context, brandID, batchID, memberID string, amountFen int64) (Payout, error) {
	var p Payout
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		p, err = s.create(ctx, brandID, memberID, amountFen, batchID, "")
		return err
	})
	return p, err
}

// Rule errors of a request (422).
func errLimit(msg string) error { return apperr.New(apperr.Rule, "PAYOUT_LIMIT", msg) }

// ErrNotConfigured refuses a payout of a brand with no WeChat Pay merchant (409).
var ErrNotConfigured = apperr.New(apperr.Conflict, "PAYOUTS_NOT_CONFIGURED", "payouts are not available: the brand has no WeChat Pay merchant configured")

var errInsufficient = apperr.New(apperr.Rule, "PAYOUT_INSUFFICIENT_BALANCE", "the amount is more than the available balance")

// ApprovalsNeeded is how many approvals a payout needs when the member's payouts today, this
// one included, come to dayTotalFen (DESIGN §3.6): none under the auto-approve threshold, one
// above it, two different admins above the second threshold. The thresholds are taken as set:
// auto_approve_below_fen 0 reviews every payout, second_approval_above_fen 0 asks two
// approvals for every payout.
func ApprovalsNeeded(dayTotalFen int64, r brands.Rules) int {
	switch {
	case dayTotalFen > r.SecondApprovalAboveFen:
		return 2
	case dayTotalFen < r.AutoApproveBelowFen:
		return 0
	}
	return 1
}

// create runs inside a transaction: checks, hold, payout row, send job when auto-approved.
func (s *Payouts) create(ctx context.Context, brandID, memberID string, amountFen int64, batchID, idemKey string) (Payout, error) {
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return Payout{}, err
	}
	r := b.Rules.Normalize()
	// Without a merchant nothing could ever be sent: refuse before anything is held.
	if s.Merchants != nil {
		if _, err := s.Merchants.CreateParams(ctx, brandID); errors.Is(err, ErrNoMerchant) {
			return Payout{}, ErrNotConfigured
		} else if err != nil {
			return Payout{}, err
		}
	}
	payee, err := s.Payees.Payee(ctx, brandID, memberID)
	if errors.Is(err, ErrNotFound) {
		return Payout{}, apperr.NotFoundf("no such member")
	}
	if err != nil {
		return Payout{}, err
	}
	switch {
	case payee.Status != MemberActive:
		return Payout{}, apperr.New(apperr.Rule, "MEMBER_FROZEN", "this member may not request payouts now")
	case amountFen <= 0:
		return Payout{}, apperr.InvalidArgument("amount_fen must be a positive integer")
	case amountFen < r.PayoutMinFen:
		return Payout{}, errLimit(fmt.Sprintf("the minimum payout is %d fen", r.PayoutMinFen))
	case amountFen > r.PayoutMaxFen:
		return Payout{}, errLimit(fmt.Sprintf("the maximum payout is %d fen", r.PayoutMaxFen))
	case amountFen >= RealNameThresholdFen && !payee.HasRealName:
		return Payout{}, errLimit("payouts of 2,000 yuan or more need the member's real name")
	case payee.OpenID == "":
		return Payout{}, apperr.New(apperr.Rule, "PAYOUT_NO_OPENID", "the member has no openid to pay to")
	}
	// Lock the member's accounts first: it serialises this member's requests, so the daily
	// total and the balance below are read by one request at a time.
	avail := MemberAccount(memberID, KindAvailable)
	bal, err := s.Ledger.Lock(ctx, brandID, avail, MemberAccount(memberID, KindInFlight))
	if err != nil {
		return Payout{}, err
	}
	now := s.Clock.Now().UTC()
	loc := BrandLocation(b.Timezone)
	y, m, d := now.In(loc).Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
	today, err := s.Store.MemberPayoutsSince(ctx, brandID, memberID, dayStart)
	if err != nil {
		return Payout{}, err
	}
	if today+amountFen > r.PayoutDailyMaxFen {
		return Payout{}, errLimit(fmt.Sprintf("payouts of a member are limited to %d fen a day; %d fen are already requested today", r.PayoutDailyMaxFen, today))
	}
	if bal[avail] < amountFen {
		return Payout{}, errInsufficient
	}
	p := Payout{ID: uuid.Must(uuid.NewV7()).String(), BrandID: brandID, MemberID: memberID, AmountFen: amountFen,
		Status: PayoutRequested, OutBillNo: NewOutBillNo(b.OutBillPrefix), BatchID: batchID,
		ApprovalsNeeded: ApprovalsNeeded(today+amountFen, r), IdempotencyKey: idemKey,
		RequestedAt: now, TouchedAt: now, Version: 1}
	if p.ApprovalsNeeded == 0 {
		p.Status, p.ApprovedAt = PayoutApproved, &now
	}
	if p, err = s.Store.InsertPayout(ctx, p); err != nil {
		return Payout{}, err
	}
	if err := s.hold(ctx, p); err != nil {
		if errors.Is(err, ErrInsufficient) {
			return Payout{}, errInsufficient
		}
		return Payout{}, err
	}
	if p.Status == PayoutApproved {
		if err := s.Queue.EnqueuePayoutAdvance(ctx, brandID, p.ID, 0); err != nil {
			return Payout{}, err
		}
		if err := s.Audit.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: "system", ActorID: "auto-approve",
			Action: "payout.approve", TargetType: "payout", TargetID: p.ID, CreatedAt: now,
			Detail: map[string]any{"amount_fen": p.AmountFen, "member_id": memberID, "auto": true, "day_total_fen": today + amountFen}}); err != nil {
			return Payout{}, err
		}
	}
	return p, nil
}

// RealNameThresholdFen is the amount from which WeChat needs the payee's real name (2,000 yuan).
const RealNameThresholdFen = 200_000
