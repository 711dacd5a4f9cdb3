package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/idempotencyrecord"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/payout"
	"github.com/sharecast/sharecast/ent/payoutapproval"
	"github.com/sharecast/sharecast/ent/payoutbatch"
	"github.com/sharecast/sharecast/ent/transferattempt"
	"github.com/sharecast/sharecast/payouts"
)

// Payouts implements payouts.PayoutStore and payouts.PayeeStore.
type Payouts struct {
	*Store
	// Opener opens sealed member fields (the real name); nil → RealName fails.
	Opener interface {
		Open(owner, field string, sealed []byte) ([]byte, error)
	}
}

// Payouts returns the payouts store; opener opens sealed real names.
func (s *Store) Payouts(opener interface {
	Open(owner, field string, sealed []byte) ([]byte, error)
}) *Payouts {
	return &Payouts{Store: s, Opener: opener}
}

var (
	_ payouts.PayoutStore = (*Payouts)(nil)
	_ payouts.PayeeStore  = (*Payouts)(nil)
)

func toPayout(r *ent.Payout) payouts.Payout {
	p := payouts.Payout{ID: r.ID, BrandID: r.BrandID, MemberID: r.MemberID, AmountFen: r.AmountFen, Status: string(r.Status),
		OutBillNo: r.OutBillNo, TransferBillNo: r.TransferBillNo, WeChatState: r.WechatState, FailReason: r.FailReason,
		PackageInfo: r.PackageInfo, ApprovalsNeeded: r.ApprovalsNeeded, Approvals: r.Approvals, CancelRequested: r.CancelRequested,
		RequestedAt: r.RequestedAt, ApprovedAt: r.ApprovedAt, SubmittedAt: r.SubmittedAt, FinishedAt: r.FinishedAt,
		WeChatUpdatedAt: r.WechatUpdatedAt, TouchedAt: r.TouchedAt, Version: r.Version, SceneID: r.TransferSceneID, NotifyURL: r.NotifyURL}
	if r.BatchID != nil {
		p.BatchID = *r.BatchID
	}
	if r.IdempotencyKey != nil {
		p.IdempotencyKey = *r.IdempotencyKey
	}
	return p
}

// InsertPayout stores a new payout.
func (s *Payouts) InsertPayout(ctx context.Context, p payouts.Payout) (payouts.Payout, error) {
	c := s.ent(ctx).Payout.Create().SetID(p.ID).SetBrandID(p.BrandID).SetMemberID(p.MemberID).SetAmountFen(p.AmountFen).
		SetStatus(payout.Status(p.Status)).SetOutBillNo(p.OutBillNo).SetApprovalsNeeded(p.ApprovalsNeeded).
		SetApprovals(p.Approvals).SetRequestedAt(p.RequestedAt.UTC()).SetNillableApprovedAt(utcPtr(p.ApprovedAt)).
		SetTouchedAt(p.TouchedAt.UTC()).SetVersion(max(p.Version, 1))
	if p.BatchID != "" {
		c.SetBatchID(p.BatchID)
	}
	if p.IdempotencyKey != "" {
		c.SetIdempotencyKey(p.IdempotencyKey)
	}
	r, err := c.Save(ctx)
	if err != nil {
		return payouts.Payout{}, payoutsErr(err)
	}
	return toPayout(r), nil
}

// PayoutByID reads one payout of a brand.
func (s *Payouts) PayoutByID(ctx context.Context, brandID, id string) (payouts.Payout, error) {
	r, err := s.ent(ctx).Payout.Query().Where(payout.BrandID(brandID), payout.ID(id)).Only(ctx)
	if err != nil {
		return payouts.Payout{}, payoutsErr(err)
	}
	return toPayout(r), nil
}

// PayoutByOutBillNo reads a payout by its globally unique bill number.
func (s *Payouts) PayoutByOutBillNo(ctx context.Context, outBillNo string) (payouts.Payout, error) {
	r, err := s.ent(ctx).Payout.Query().Where(payout.OutBillNo(outBillNo)).Only(ctx)
	if err != nil {
		return payouts.Payout{}, payoutsErr(err)
	}
	return toPayout(r), nil
}

// UpdatePayout applies a change guarded by status and version (UPDATE … WHERE status = ? AND
// version = ?), so two writers can never both move the same payout.
func (s *Payouts) UpdatePayout(ctx context.Context, brandID, id string, c payouts.PayoutChange) (bool, error) {
	u := s.ent(ctx).Payout.Update().Where(payout.BrandID(brandID), payout.ID(id),
		payout.StatusEQ(payout.Status(c.FromStatus)), payout.Version(c.FromVersion)).
		AddVersion(1).SetTouchedAt(c.TouchedAt.UTC())
	if c.Status != nil {
		u.SetStatus(payout.Status(*c.Status))
	}
	if c.TransferBillNo != nil {
		u.SetTransferBillNo(*c.TransferBillNo)
	}
	if c.WeChatState != nil {
		u.SetWechatState(*c.WeChatState)
	}
	if c.FailReason != nil {
		u.SetFailReason(truncate(*c.FailReason, 256))
	}
	if c.PackageInfo != nil {
		u.SetPackageInfo(*c.PackageInfo)
	}
	if c.WeChatUpdatedAt != nil {
		u.SetWechatUpdatedAt(c.WeChatUpdatedAt.UTC())
	}
	if c.Approvals != nil {
		u.SetApprovals(*c.Approvals)
	}
	if c.CancelRequested != nil {
		u.SetCancelRequested(*c.CancelRequested)
	}
	if c.ApprovedAt != nil {
		u.SetApprovedAt(c.ApprovedAt.UTC())
	}
	if c.SubmittedAt != nil {
		u.SetSubmittedAt(c.SubmittedAt.UTC())
	}
	if c.FinishedAt != nil {
		u.SetFinishedAt(c.FinishedAt.UTC())
	}
	n, err := u.Save(ctx)
	return n == 1, err
}

// ListPayouts lists a brand's payouts, newest first (ids are time-ordered).
func (s *Payouts) ListPayouts(ctx context.Context, brandID string, f payouts.PayoutFilter, p payouts.Page) ([]payouts.Payout, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).Payout.Query().Where(payout.BrandID(brandID))
	if f.MemberID != "" {
		q = q.Where(payout.MemberID(f.MemberID))
	}
	if f.Status != "" {
		q = q.Where(payout.StatusEQ(payout.Status(f.Status)))
	}
	if p.Cursor != "" {
		q = q.Where(payout.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(payout.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]payouts.Payout, 0, len(rows))
	for _, r := range rows {
		out = append(out, toPayout(r))
	}
	return out, next, nil
}

// MemberPayoutsSince sums the member's live payouts requested since a time.
func (s *Payouts) MemberPayoutsSince(ctx context.Context, brandID, memberID string, since time.Time) (int64, error) {
	var sum int64
	err := s.sqlConn(ctx).QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_fen), 0) FROM payouts
		WHERE brand_id = $1 AND member_id = $2 AND requested_at >= $3 AND status NOT IN ('rejected', 'failed', 'cancelled')`,
		brandID, memberID, since.UTC()).Scan(&sum)
	return sum, err
}

// PayoutsTouched lists the brand's payouts whose touched_at is in [from, to).
func (s *Payouts) PayoutsTouched(ctx context.Context, brandID string, from, to time.Time) ([]payouts.Payout, error) {
	rows, err := s.ent(ctx).Payout.Query().Where(payout.BrandID(brandID), payout.TouchedAtGTE(from.UTC()), payout.TouchedAtLT(to.UTC())).
		Order(ent.Asc(payout.FieldTouchedAt), ent.Asc(payout.FieldID)).Limit(100_000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Payout, 0, len(rows))
	for _, r := range rows {
		out = append(out, toPayout(r))
	}
	return out, nil
}

// OpenPayouts lists approved or submitted payouts of every brand untouched since touchedBefore.
func (s *Payouts) OpenPayouts(ctx context.Context, touchedBefore time.Time, limit int) ([]payouts.Payout, error) {
	rows, err := s.ent(ctx).Payout.Query().Where(payout.StatusIn(payout.StatusApproved, payout.StatusSubmitted),
		payout.TouchedAtLT(touchedBefore.UTC())).Order(ent.Asc(payout.FieldTouchedAt)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Payout, 0, len(rows))
	for _, r := range rows {
		out = append(out, toPayout(r))
	}
	return out, nil
}

// InsertApproval stores one admin's decision (ErrDuplicate for the same admin twice).
func (s *Payouts) InsertApproval(ctx context.Context, a payouts.Approval) (payouts.Approval, error) {
	_, err := s.ent(ctx).PayoutApproval.Create().SetID(a.ID).SetBrandID(a.BrandID).SetPayoutID(a.PayoutID).SetAdminID(a.AdminID).
		SetDecision(payoutapproval.Decision(a.Decision)).SetNote(truncate(a.Note, 256)).SetCreatedAt(a.CreatedAt.UTC()).Save(ctx)
	return a, payoutsErr(err)
}

// ListApprovals lists the decisions on a payout, oldest first.
func (s *Payouts) ListApprovals(ctx context.Context, brandID, payoutID string) ([]payouts.Approval, error) {
	rows, err := s.ent(ctx).PayoutApproval.Query().Where(payoutapproval.BrandID(brandID), payoutapproval.PayoutID(payoutID)).
		Order(ent.Asc(payoutapproval.FieldCreatedAt), ent.Asc(payoutapproval.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Approval, 0, len(rows))
	for _, r := range rows {
		out = append(out, payouts.Approval{ID: r.ID, BrandID: r.BrandID, PayoutID: r.PayoutID, AdminID: r.AdminID,
			Decision: string(r.Decision), Note: r.Note, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// FreezeCreateParams stores the create's parameters unless the payout has them (the first
// writer wins). It changes neither version nor touched_at: it is not a change of state.
func (s *Payouts) FreezeCreateParams(ctx context.Context, brandID, id string, params payouts.CreateParams) error {
	_, err := s.ent(ctx).Payout.Update().Where(payout.BrandID(brandID), payout.ID(id), payout.TransferSceneID("")).
		SetTransferSceneID(params.SceneID).SetNotifyURL(params.NotifyURL).Save(ctx)
	return err
}

// InsertAttempt stores an intent row.
func (s *Payouts) InsertAttempt(ctx context.Context, a payouts.Attempt) (payouts.Attempt, error) {
	_, err := s.ent(ctx).TransferAttempt.Create().SetID(a.ID).SetBrandID(a.BrandID).SetPayoutID(a.PayoutID).SetOutBillNo(a.OutBillNo).
		SetOp(transferattempt.Op(a.Op)).SetOutcome(transferattempt.Outcome(a.Outcome)).SetStartedAt(a.StartedAt.UTC()).Save(ctx)
	return a, payoutsErr(err)
}

// FinishAttempt stores a call's outcome.
func (s *Payouts) FinishAttempt(ctx context.Context, brandID, id, outcome, wechatState, code, message string, at time.Time) error {
	_, err := s.ent(ctx).TransferAttempt.Update().Where(transferattempt.BrandID(brandID), transferattempt.ID(id)).
		SetOutcome(transferattempt.Outcome(outcome)).SetWechatState(wechatState).SetCode(truncate(code, 64)).
		SetMessage(truncate(message, 256)).SetFinishedAt(at.UTC()).Save(ctx)
	return err
}

// ListAttempts lists a payout's calls, oldest first.
func (s *Payouts) ListAttempts(ctx context.Context, brandID, payoutID string) ([]payouts.Attempt, error) {
	rows, err := s.ent(ctx).TransferAttempt.Query().Where(transferattempt.BrandID(brandID), transferattempt.PayoutID(payoutID)).
		Order(ent.Asc(transferattempt.FieldStartedAt), ent.Asc(transferattempt.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]payouts.Attempt, 0, len(rows))
	for _, r := range rows {
		out = append(out, payouts.Attempt{ID: r.ID, BrandID: r.BrandID, PayoutID: r.PayoutID, OutBillNo: r.OutBillNo, Op: string(r.Op),
			Outcome: string(r.Outcome), WeChatState: r.WechatState, Code: r.Code, Message: r.Message, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt})
	}
	return out, nil
}

// InsertBatch stores a batch (ErrDuplicate when the live has one).
func (s *Payouts) InsertBatch(ctx context.Context, b payouts.Batch) (payouts.Batch, error) {
	c := s.ent(ctx).PayoutBatch.Create().SetBrandID(b.BrandID).SetLiveID(b.LiveID).SetStartedBy(b.StartedBy).
		SetPayouts(b.Payouts).SetTotalFen(b.TotalFen).SetStartedAt(b.StartedAt.UTC())
	if b.ID != "" {
		c.SetID(b.ID)
	}
	r, err := c.Save(ctx)
	if err != nil {
		return payouts.Batch{}, payoutsErr(err)
	}
	b.ID = r.ID
	return b, nil
}

// BatchByID reads a batch of a brand.
func (s *Payouts) BatchByID(ctx context.Context, brandID, id string) (payouts.Batch, error) {
	r, err := s.ent(ctx).PayoutBatch.Query().Where(payoutbatch.BrandID(brandID), payoutbatch.ID(id)).Only(ctx)
	if err != nil {
		return payouts.Batch{}, payoutsErr(err)
	}
	return payouts.Batch{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, StartedBy: r.StartedBy, Payouts: r.Payouts,
		TotalFen: r.TotalFen, StartedAt: r.StartedAt}, nil
}

func toIdem(r *ent.IdempotencyRecord) payouts.IdemRecord {
	return payouts.IdemRecord{ID: r.ID, BrandID: r.BrandID, MemberID: r.MemberID, Scope: r.Scope, Key: r.Key,
		RequestHash: r.RequestHash, Status: string(r.Status), ResponseStatus: r.ResponseStatus, ResponseBody: []byte(r.ResponseBody),
		LockedAt: r.LockedAt, ExpiresAt: r.ExpiresAt, LockToken: r.LockToken}
}

// InsertIdem stores a new in-flight record; ErrDuplicate when the key exists.
func (s *Payouts) InsertIdem(ctx context.Context, r payouts.IdemRecord) (payouts.IdemRecord, error) {
	row, err := s.ent(ctx).IdempotencyRecord.Create().SetBrandID(r.BrandID).SetMemberID(r.MemberID).SetScope(r.Scope).
		SetKey(r.Key).SetRequestHash(r.RequestHash).SetStatus(idempotencyrecord.Status(r.Status)).
		SetLockedAt(r.LockedAt.UTC()).SetExpiresAt(r.ExpiresAt.UTC()).SetLockToken(r.LockToken).Save(ctx)
	if err != nil {
		return payouts.IdemRecord{}, payoutsErr(err)
	}
	return toIdem(row), nil
}

// IdemByKey reads a record.
func (s *Payouts) IdemByKey(ctx context.Context, brandID, memberID, scope, key string) (payouts.IdemRecord, error) {
	row, err := s.ent(ctx).IdempotencyRecord.Query().Where(idempotencyrecord.BrandID(brandID), idempotencyrecord.MemberID(memberID),
		idempotencyrecord.Scope(scope), idempotencyrecord.Key(key)).Only(ctx)
	if err != nil {
		return payouts.IdemRecord{}, payoutsErr(err)
	}
	return toIdem(row), nil
}

// LockIdem takes over a stale in-flight record under a new lock token.
func (s *Payouts) LockIdem(ctx context.Context, brandID, id string, staleBefore, now time.Time, token string) (bool, error) {
	n, err := s.ent(ctx).IdempotencyRecord.Update().Where(idempotencyrecord.BrandID(brandID), idempotencyrecord.ID(id),
		idempotencyrecord.StatusEQ(idempotencyrecord.StatusInFlight), idempotencyrecord.LockedAtLT(staleBefore.UTC())).
		SetLockedAt(now.UTC()).SetLockToken(token).Save(ctx)
	return n == 1, err
}

// FinishIdem stores the first answer, only while token still holds the in-flight lock.
func (s *Payouts) FinishIdem(ctx context.Context, brandID, id, token string, status int, body []byte) (bool, error) {
	n, err := s.ent(ctx).IdempotencyRecord.Update().Where(idempotencyrecord.BrandID(brandID), idempotencyrecord.ID(id),
		idempotencyrecord.StatusEQ(idempotencyrecord.StatusInFlight), idempotencyrecord.LockToken(token)).
		SetStatus(idempotencyrecord.StatusDone).SetResponseStatus(status).SetResponseBody(string(body)).Save(ctx)
	return n == 1, err
}

// DeleteIdem forgets an in-flight record whose request decided nothing, only while token
// still holds its lock.
func (s *Payouts) DeleteIdem(ctx context.Context, brandID, id, token string) error {
	_, err := s.ent(ctx).IdempotencyRecord.Delete().Where(idempotencyrecord.BrandID(brandID), idempotencyrecord.ID(id),
		idempotencyrecord.StatusEQ(idempotencyrecord.StatusInFlight), idempotencyrecord.LockToken(token)).Exec(ctx)
	return err
}

// InsertAlert stores an alert once per payout × day × kind (payouts raises them too).
func (s *Payouts) InsertAlert(ctx context.Context, a payouts.Alert) (bool, error) {
	return (&Reconciliation{s.Store}).InsertAlert(ctx, a)
}

// PurgeIdem deletes expired records.
func (s *Payouts) PurgeIdem(ctx context.Context, now time.Time, limit int) (int, error) {
	ids, err := s.ent(ctx).IdempotencyRecord.Query().Where(idempotencyrecord.ExpiresAtLT(now.UTC())).Limit(limit).IDs(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return s.ent(ctx).IdempotencyRecord.Delete().Where(idempotencyrecord.IDIn(ids...)).Exec(ctx)
}

// Payee reads what a transfer needs about a member.
func (s *Payouts) Payee(ctx context.Context, brandID, memberID string) (payouts.Payee, error) {
	m, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.ID(memberID)).Only(ctx)
	if err != nil {
		return payouts.Payee{}, payoutsErr(err)
	}
	return payouts.Payee{MemberID: m.ID, OpenID: m.Openid, Status: string(m.Status), HasRealName: len(m.RealNameSealed) > 0}, nil
}

// RealName opens the member's sealed real name.
func (s *Payouts) RealName(ctx context.Context, brandID, memberID string) (string, error) {
	m, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.ID(memberID)).Only(ctx)
	if err != nil {
		return "", payoutsErr(err)
	}
	if len(m.RealNameSealed) == 0 || s.Opener == nil {
		return "", payouts.ErrNotFound
	}
	b, err := s.Opener.Open(memberID, "real_name", m.RealNameSealed)
	return string(b), err
}
