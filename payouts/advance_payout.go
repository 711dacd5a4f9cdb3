package payouts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/events"
)

// Advance moves a payout on with WeChat (the send job's work, safe to repeat):
//   - approved: if an earlier create may have reached WeChat (its intent row has no stored
//     answer, or the answer was unknown), query the same out_bill_no first; otherwise (or when
//     WeChat has no such bill) commit a create intent row, create the bill and apply the
//     answer. A definite refusal fails the payout and releases the hold; an unknown outcome is
//     returned as an error so the job retries (and then queries).
//   - submitted: carry out a member's cancel, else query the bill and apply its state.
//   - anything else: nothing to do.
//
// A member's cancel asked for while it runs is carried out before it returns: the job is unique
// per payout while running, so the cancel's enqueue found this run and was a no-op. A brand
// whose merchant is gone (ErrNoMerchant) leaves the payout as it is, raises a merchant_missing
// alert and returns nil: retrying at the job's pace cannot help; the sweep looks again.
func (s *Payouts) Advance(ctx context.Context, brandID, payoutID string) error {
	err := s.advance(ctx, brandID, payoutID)
	if err == nil {
		// Read again: a cancel may have been asked for meanwhile. Concurrent runs may both
		// send it; WeChat answers a repeated cancel with the bill's state (or refuses it).
		var p Payout
		if p, err = s.Store.PayoutByID(ctx, brandID, payoutID); err == nil && cancelPending(p) {
			err = s.cancel(ctx, p)
		}
	}
	if errors.Is(err, ErrNoMerchant) {
		return s.noMerchant(ctx, brandID, payoutID)
	}
	return err
}

// cancelPending: the member asked to cancel a bill that is still open and not being cancelled.
func cancelPending(p Payout) bool {
	return p.Status == PayoutSubmitted && p.CancelRequested && !BillFinal(p.WeChatState) && p.WeChatState != BillCanceling
}

func (s *Payouts) advance(ctx context.Context, brandID, payoutID string) error {
	p, err := s.Store.PayoutByID(ctx, brandID, payoutID)
	if err != nil {
		return err
	}
	switch p.Status {
	case PayoutApproved:
		return s.send(ctx, p)
	case PayoutSubmitted:
		if cancelPending(p) {
			return s.cancel(ctx, p)
		}
		if err := s.query(ctx, p); err != nil {
			return err
		}
		if p, err = s.Store.PayoutByID(ctx, brandID, payoutID); err != nil {
			return err
		}
		if needsPackage(p) {
			// Only a create's answer carries package_info; repeating the create with the
			// same out_bill_no and fields answers the existing bill with it. Not when WeChat
			// refused our last repeat as another request: it would refuse it again.
			if refused, err := s.lastCreateRefused(ctx, p); err != nil || refused {
				return err
			}
			return s.createBill(ctx, p)
		}
	}
	return nil
}

// lastCreateRefused: the payout's last create was refused by WeChat. For a payout whose bill
// is open that is a repeat taken for another request (any other refusal fails the payout).
func (s *Payouts) lastCreateRefused(ctx context.Context, p Payout) (bool, error) {
	attempts, err := s.Store.ListAttempts(ctx, p.BrandID, p.ID)
	if err != nil {
		return false, err
	}
	for i := len(attempts) - 1; i >= 0; i-- {
		if a := attempts[i]; a.Op == OpCreate {
			return a.Outcome == OutcomeRefused && a.Code != CodeNotConfigured, nil
		}
	}
	return false, nil
}

// CodeNotConfigured is the code of an attempt that could not be sent: the brand has no merchant.
const CodeNotConfigured = "NOT_CONFIGURED"

// needsPackage: the bill is open and will wait for the member, but we do not hold the
// package_info the confirm page needs (the create's answer was lost, or said ACCEPTED only).
func needsPackage(p Payout) bool {
	switch {
	case p.Status != PayoutSubmitted || p.CancelRequested || p.PackageInfo != "":
		return false
	}
	return p.WeChatState == BillAccepted || p.WeChatState == BillProcessing || p.WeChatState == BillWaitUserConfirm
}

func (s *Payouts) send(ctx context.Context, p Payout) error {
	if held, err := s.holdForInactiveMember(ctx, p); held || err != nil {
		return err
	}
	attempts, err := s.Store.ListAttempts(ctx, p.BrandID, p.ID)
	if err != nil {
		return err
	}
	for _, a := range attempts {
		if a.Op != OpCreate || (a.Outcome != OutcomePending && a.Outcome != OutcomeUnknown) {
			continue
		}
		// A create may have reached WeChat: never create blindly, query the same bill number.
		bill, err := s.Transfers.Query(ctx, p.BrandID, p.OutBillNo)
		var refused *RefusedError
		switch {
		case err == nil:
			applied, err := s.ApplyBill(ctx, p.BrandID, bill)
			if err != nil || !needsPackage(applied) {
				return err
			}
			// The bill exists and waits: repeat the create for its package_info.
			return s.createBill(ctx, applied)
		case errors.As(err, &refused) && refused.NotFound:
			// WeChat has no bill: creating again with the same out_bill_no is safe.
		default:
			return fmt.Errorf("payout %s: query after an unanswered create: %w", p.ID, err)
		}
		break
	}
	return s.createBill(ctx, p)
}

// createBill commits a create intent row, calls WeChat with the payout's fixed out_bill_no and
// stores the answer with its effect. Repeating it for the same payout is safe: WeChat answers
// the bill it has for that number.
func (s *Payouts) createBill(ctx context.Context, p Payout) error {
	payee, err := s.Payees.Payee(ctx, p.BrandID, p.MemberID)
	if err != nil {
		return err
	}
	order := TransferOrder{BrandID: p.BrandID, PayoutID: p.ID, OutBillNo: p.OutBillNo, OpenID: payee.OpenID, AmountFen: p.AmountFen}
	if p.AmountFen >= RealNameThresholdFen {
		if order.RealName, err = s.Payees.RealName(ctx, p.BrandID, p.MemberID); err != nil {
			return err
		}
	}
	// Ask even when the parameters are stored: a brand whose merchant was removed must not
	// get an intent row (and a call that can only fail).
	var current CreateParams
	if s.Merchants != nil {
		if current, err = s.Merchants.CreateParams(ctx, p.BrandID); err != nil {
			return err
		}
	}
	// The intent row commits before the call (DESIGN §5, I8), with the parameters of the
	// first create, which every repeat sends unchanged.
	a := Attempt{ID: uuid.Must(uuid.NewV7()).String(), BrandID: p.BrandID, PayoutID: p.ID,
		OutBillNo: p.OutBillNo, Op: OpCreate, Outcome: OutcomePending, StartedAt: s.Clock.Now().UTC()}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if p.SceneID == "" && current.SceneID != "" {
			if err := s.Store.FreezeCreateParams(ctx, p.BrandID, p.ID, current); err != nil {
				return err
			}
			cur, err := s.Store.PayoutByID(ctx, p.BrandID, p.ID)
			if err != nil {
				return err
			}
			p.SceneID, p.NotifyURL = cur.SceneID, cur.NotifyURL // another run's, when it stored first
		}
		var err error
		a, err = s.Store.InsertAttempt(ctx, a)
		return err
	})
	if err != nil {
		return err
	}
	order.Params = CreateParams{SceneID: p.SceneID, NotifyURL: p.NotifyURL}
	bill, err := s.Transfers.Create(ctx, order)
	return s.settleAttempt(ctx, p, a, bill, err, true)
}

// settleAttempt stores a create or cancel call's answer with its effect.
func (s *Payouts) settleAttempt(ctx context.Context, p Payout, a Attempt, bill Bill, callErr error, create bool) error {
	ctx = context.WithoutCancel(ctx) // the answer is in hand: store it even if the job is being stopped
	now := s.Clock.Now().UTC()
	var refused *RefusedError
	switch {
	case callErr == nil:
		return s.Store.WithTx(ctx, func(ctx context.Context) error {
			if err := s.Store.FinishAttempt(ctx, p.BrandID, a.ID, OutcomeBill, bill.State, "", "", now); err != nil {
				return err
			}
			_, err := s.ApplyBill(ctx, p.BrandID, bill)
			return err
		})
	case errors.Is(callErr, ErrNoMerchant):
		// Nothing was sent (no merchant to send with): as definite as a refusal, but of the
		// brand's setup, not of the payout, which waits (Advance raises the alert).
		if err := s.Store.FinishAttempt(ctx, p.BrandID, a.ID, OutcomeRefused, "", CodeNotConfigured, truncateRunes(callErr.Error(), 200), now); err != nil {
			return err
		}
		return callErr
	case create && errors.As(callErr, &refused) && refused.BillExists:
		return s.billExists(ctx, p, a, refused, now)
	case errors.As(callErr, &refused):
		return s.Store.WithTx(ctx, func(ctx context.Context) error {
			if err := s.Store.FinishAttempt(ctx, p.BrandID, a.ID, OutcomeRefused, "", refused.Code, truncateRunes(refused.Message, 200), now); err != nil {
				return err
			}
			cur, err := s.Store.PayoutByID(ctx, p.BrandID, p.ID)
			if err != nil {
				return err
			}
			if create {
				if cur.Status != PayoutApproved {
					return nil // a callback or query decided it meanwhile
				}
				return s.finish(ctx, cur, PayoutFailed, Bill{FailReason: truncateRunes(refused.Code+": "+refused.Message, 200)}, now)
			}
			// WeChat will not cancel (confirmed already, or final): stop asking; the query decides.
			if cur.Status == PayoutSubmitted && cur.CancelRequested {
				_, err = s.Store.UpdatePayout(ctx, p.BrandID, p.ID, PayoutChange{FromStatus: cur.Status, FromVersion: cur.Version,
					CancelRequested: ptr(false), TouchedAt: now})
			}
			return err
		})
	default:
		msg := callErr.Error()
		if err := s.Store.FinishAttempt(ctx, p.BrandID, a.ID, OutcomeUnknown, "", "UNKNOWN", truncateRunes(msg, 200), now); err != nil {
			return err
		}
		return fmt.Errorf("payout %s: %s outcome unknown, will query: %w", p.ID, a.Op, callErr)
	}
}

// billExists handles a create WeChat refused because a bill with the payout's out_bill_no
// exists with other fields: never a failure (the bill may be paid; releasing the hold could
// pay twice). The attempt is stored as refused, an alert raised once per payout, and the bill
// is learnt by a query and applied; until a query answers, the payout stays as it is.
func (s *Payouts) billExists(ctx context.Context, p Payout, a Attempt, refused *RefusedError, now time.Time) error {
	if err := s.Store.FinishAttempt(ctx, p.BrandID, a.ID, OutcomeRefused, "", refused.Code, truncateRunes(refused.Message, 200), now); err != nil {
		return err
	}
	// Dated by the request, so every later run finds the same alert.
	day := p.RequestedAt.In(ReconcileZone).Format(time.DateOnly)
	if err := s.raise(ctx, p, AlertCreateParamsDiffer, day, "a repeated create was refused as differing from the first: "+refused.Message); err != nil {
		return err
	}
	bill, err := s.Transfers.Query(ctx, p.BrandID, p.OutBillNo)
	if err != nil {
		return fmt.Errorf("payout %s: create refused as a differing repeat, query: %w", p.ID, err)
	}
	_, err = s.ApplyBill(ctx, p.BrandID, bill)
	return err
}

// noMerchant leaves an open payout of a brand without a merchant as it is and says so: a
// merchant_missing alert, once per payout and day.
func (s *Payouts) noMerchant(ctx context.Context, brandID, payoutID string) error {
	p, err := s.Store.PayoutByID(ctx, brandID, payoutID)
	if err != nil {
		return err
	}
	if PayoutFinal(p.Status) {
		return nil
	}
	day := s.Clock.Now().In(ReconcileZone).Format(time.DateOnly)
	return s.raise(ctx, p, AlertNoMerchant, day, "the brand has no WeChat Pay merchant configured: the payout waits for one")
}

// raise stores an alert about a payout (once per payout × day × kind).
func (s *Payouts) raise(ctx context.Context, p Payout, kind, day, detail string) error {
	if s.Alerts == nil {
		return nil
	}
	fresh, err := s.Alerts.InsertAlert(ctx, Alert{BrandID: p.BrandID, Day: day, PayoutID: p.ID, OutBillNo: p.OutBillNo, Kind: kind,
		OurStatus: p.Status, OurAmountFen: p.AmountFen, WeChatState: p.WeChatState, Detail: truncateRunes(detail, 250),
		CreatedAt: s.Clock.Now().UTC()})
	if err == nil && fresh && s.OnAlert != nil {
		s.OnAlert(kind)
	}
	return err
}

func (s *Payouts) query(ctx context.Context, p Payout) error {
	bill, err := s.Transfers.Query(ctx, p.BrandID, p.OutBillNo)
	if err != nil {
		var refused *RefusedError
		if errors.As(err, &refused) && !refused.NotFound {
			return nil // a refused query says nothing about the bill; the sweep asks again
		}
		return fmt.Errorf("payout %s: query: %w", p.ID, err)
	}
	_, err = s.ApplyBill(ctx, p.BrandID, bill)
	return err
}

func (s *Payouts) cancel(ctx context.Context, p Payout) error {
	a, err := s.Store.InsertAttempt(ctx, Attempt{ID: uuid.Must(uuid.NewV7()).String(), BrandID: p.BrandID, PayoutID: p.ID,
		OutBillNo: p.OutBillNo, Op: OpCancel, Outcome: OutcomePending, StartedAt: s.Clock.Now().UTC()})
	if err != nil {
		return err
	}
	bill, err := s.Transfers.Cancel(ctx, p.BrandID, p.OutBillNo)
	return s.settleAttempt(ctx, p, a, bill, err, false)
}

// ApplyBill applies a bill's state (from a create or cancel answer, a query, a callback or
// reconciliation) to its payout, once: approved → submitted while the bill is open, then paid
// (in_flight → paid), failed or cancelled (hold released), with the payout.paid /
// payout.failed event in the same transaction. A final payout never changes (I7); a final bill
// that contradicts it is still acknowledged but stores a state_mismatch alert (once); a bill
// whose amount differs from the payout's is refused (409 BILL_MISMATCH) and changes nothing.
func (s *Payouts) ApplyBill(ctx context.Context, brandID string, bill Bill) (Payout, error) {
	if !BillKnown(bill.State) {
		return Payout{}, apperr.InvalidArgument("unknown bill state " + bill.State)
	}
	var out Payout
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.Store.PayoutByOutBillNo(ctx, bill.OutBillNo)
		if errors.Is(err, ErrNotFound) || (err == nil && p.BrandID != brandID) {
			return apperr.NotFoundf("no payout has this out_bill_no")
		}
		if err != nil {
			return err
		}
		if bill.AmountFen != 0 && bill.AmountFen != p.AmountFen {
			return apperr.New(apperr.Conflict, "BILL_MISMATCH", fmt.Sprintf("the bill is for %d fen, the payout for %d", bill.AmountFen, p.AmountFen))
		}
		out, err = s.applyBill(ctx, p, bill)
		return err
	})
	return out, err
}

func (s *Payouts) applyBill(ctx context.Context, p Payout, bill Bill) (Payout, error) {
	if PayoutFinal(p.Status) {
		return p, s.noteContradiction(ctx, p, bill)
	}
	if p.Status == PayoutRequested {
		return p, apperr.New(apperr.Conflict, "BILL_BEFORE_APPROVAL", "a bill exists for a payout not approved")
	}
	now := s.Clock.Now().UTC()
	target := StatusForBill(bill.State)
	// The member is reminded once the confirm page can open: waiting, with a package_info.
	hadConfirm := p.WeChatState == BillWaitUserConfirm && p.PackageInfo != ""
	facts := PayoutChange{FromStatus: p.Status, FromVersion: p.Version, TouchedAt: now}
	changed := false
	if bill.State != p.WeChatState {
		facts.WeChatState, changed = ptr(bill.State), true
	}
	if bill.TransferBillNo != "" && bill.TransferBillNo != p.TransferBillNo {
		facts.TransferBillNo, changed = ptr(bill.TransferBillNo), true
	}
	if bill.PackageInfo != "" && bill.PackageInfo != p.PackageInfo {
		facts.PackageInfo, changed = ptr(bill.PackageInfo), true
	}
	if !bill.UpdateTime.IsZero() {
		t := bill.UpdateTime.UTC()
		facts.WeChatUpdatedAt = &t
	}
	if p.Status == PayoutApproved {
		facts.Status, facts.SubmittedAt, changed = ptr(PayoutSubmitted), &now, true
	}
	if changed {
		ok, err := s.Store.UpdatePayout(ctx, p.BrandID, p.ID, facts)
		if err != nil {
			return p, err
		}
		if !ok {
			return p, errChanged
		}
		if p, err = s.Store.PayoutByID(ctx, p.BrandID, p.ID); err != nil {
			return p, err
		}
	}
	if target != PayoutSubmitted {
		if err := s.finish(ctx, p, target, bill, now); err != nil {
			return p, err
		}
		return s.Store.PayoutByID(ctx, p.BrandID, p.ID)
	}
	if !hadConfirm && p.WeChatState == BillWaitUserConfirm && p.PackageInfo != "" && s.Reminder != nil {
		if err := s.Reminder.RemindPayoutConfirm(ctx, p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// finish moves a payout to a final status with its single ledger effect and event.
func (s *Payouts) finish(ctx context.Context, p Payout, to string, bill Bill, now time.Time) error {
	if !CanTransition(p.Status, to) {
		return fmt.Errorf("payouts: illegal transition %s → %s of %s", p.Status, to, p.ID)
	}
	c := PayoutChange{FromStatus: p.Status, FromVersion: p.Version, Status: &to, FinishedAt: &now, TouchedAt: now}
	reason := bill.FailReason
	if reason == "" && to == PayoutCancelled {
		reason = "cancelled"
	}
	if reason != "" {
		c.FailReason = ptr(truncateRunes(reason, 200))
	}
	ok, err := s.Store.UpdatePayout(ctx, p.BrandID, p.ID, c)
	if err != nil {
		return err
	}
	if !ok {
		return errChanged
	}
	data := map[string]any{"payout_id": p.ID, "member_id": p.MemberID, "amount_fen": p.AmountFen,
		"out_bill_no": p.OutBillNo, "status": to}
	if to == PayoutPaid {
		if err := s.markPaid(ctx, p); err != nil {
			return err
		}
		return s.Events.Emit(ctx, p.BrandID, events.PayoutPaid, data)
	}
	if err := s.release(ctx, p); err != nil {
		return err
	}
	data["fail_reason"] = reason
	return s.Events.Emit(ctx, p.BrandID, events.PayoutFailed, data)
}

// Sweep enqueues Advance for open payouts (approved or submitted) untouched for SweepAfter:
// the periodic query of open bills (24 h expiry shows up as WeChat's FAIL or CANCELLED) and a
// rescue of send jobs that were lost. It also deletes expired idempotency records. Answers how
// many payouts it enqueued.
func (s *Payouts) Sweep(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 500
	}
	// First answers are kept 48 h (≥ 24 h, DESIGN §5); older ones go.
	if _, err := s.Store.PurgeIdem(ctx, s.Clock.Now().UTC(), limit); err != nil {
		return 0, err
	}
	open, err := s.Store.OpenPayouts(ctx, s.Clock.Now().UTC().Add(-s.sweepAfter()), limit)
	if err != nil {
		return 0, err
	}
	if len(open) == 0 {
		return 0, nil
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		for _, p := range open {
			if err := s.Queue.EnqueuePayoutAdvance(ctx, p.BrandID, p.ID, 0); err != nil {
				return err
			}
		}
		return nil
	})
	return len(open), err
}
