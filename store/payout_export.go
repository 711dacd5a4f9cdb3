package store

import (
	"context"
	"strconv"
	"time"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/payout"
	"github.com/sharecast/sharecast/ent/payoutbatch"
)

// PayoutExportFilter selects the payouts of an export (GET /admin/v1/exports/payouts.csv).
type PayoutExportFilter struct {
	// LiveID: only the payouts of the live's batch.
	LiveID string
	// From/To: requested in [From, To).
	From, To *time.Time
	// PageSize is how many rows one query reads (0 → 500): memory stays bounded by it.
	PageSize int
}

// PayoutExportHeader is the CSV header of the payouts export.
var PayoutExportHeader = []string{"id", "member_id", "member_nickname", "amount_fen", "status", "out_bill_no",
	"transfer_bill_no", "wechat_state", "fail_reason", "batch_id", "live_id", "approvals_needed", "approvals",
	"requested_at", "approved_at", "submitted_at", "finished_at", "wechat_updated_at"}

// ExportPayouts streams a brand's payouts as CSV rows (the header first), oldest request
// first, reading PageSize rows at a time by keyset (requested_at, id): never every row in
// memory. fn's error stops the export and is returned. The slice passed to fn is reused.
func (s *Store) ExportPayouts(ctx context.Context, brandID string, f PayoutExportFilter, fn func(row []string) error) error {
	if err := fn(PayoutExportHeader); err != nil {
		return err
	}
	size := f.PageSize
	if size <= 0 {
		size = 500
	}
	c := s.ent(ctx)
	where := []func(*ent.PayoutQuery){}
	batchLive := map[string]string{}
	if f.LiveID != "" {
		b, err := c.PayoutBatch.Query().Where(payoutbatch.BrandID(brandID), payoutbatch.LiveID(f.LiveID)).Only(ctx)
		if ent.IsNotFound(err) {
			return nil // the live has no batch: no payouts
		}
		if err != nil {
			return err
		}
		batchLive[b.ID] = b.LiveID
		where = append(where, func(q *ent.PayoutQuery) { q.Where(payout.BatchID(b.ID)) })
	}
	if f.From != nil {
		from := f.From.UTC()
		where = append(where, func(q *ent.PayoutQuery) { q.Where(payout.RequestedAtGTE(from)) })
	}
	if f.To != nil {
		to := f.To.UTC()
		where = append(where, func(q *ent.PayoutQuery) { q.Where(payout.RequestedAtLT(to)) })
	}
	row := make([]string, len(PayoutExportHeader))
	var afterAt time.Time
	afterID := ""
	for {
		q := c.Payout.Query().Where(payout.BrandID(brandID))
		for _, w := range where {
			w(q)
		}
		if afterID != "" {
			q.Where(payout.Or(payout.RequestedAtGT(afterAt), payout.And(payout.RequestedAt(afterAt), payout.IDGT(afterID))))
		}
		page, err := q.Order(payout.ByRequestedAt(), payout.ByID()).Limit(size).All(ctx)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		names, err := s.exportNames(ctx, brandID, page)
		if err != nil {
			return err
		}
		for _, r := range page {
			p := toPayout(r)
			live := ""
			if p.BatchID != "" {
				if live, err = s.exportBatchLive(ctx, brandID, p.BatchID, batchLive); err != nil {
					return err
				}
			}
			row = row[:0]
			row = append(row, p.ID, p.MemberID, names[p.MemberID], strconv.FormatInt(p.AmountFen, 10), p.Status, p.OutBillNo,
				p.TransferBillNo, p.WeChatState, p.FailReason, p.BatchID, live, strconv.Itoa(p.ApprovalsNeeded),
				strconv.Itoa(p.Approvals), csvTime(&p.RequestedAt), csvTime(p.ApprovedAt), csvTime(p.SubmittedAt),
				csvTime(p.FinishedAt), csvTime(p.WeChatUpdatedAt))
			if err := fn(row); err != nil {
				return err
			}
		}
		if len(page) < size {
			return nil
		}
		last := page[len(page)-1]
		afterAt, afterID = last.RequestedAt, last.ID
	}
}

func (s *Store) exportNames(ctx context.Context, brandID string, page []*ent.Payout) (map[string]string, error) {
	ids := make([]string, 0, len(page))
	for _, r := range page {
		ids = append(ids, r.MemberID)
	}
	ms, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.IDIn(ids...)).
		Select(member.FieldID, member.FieldNickname).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		out[m.ID] = m.Nickname
	}
	return out, nil
}

func (s *Store) exportBatchLive(ctx context.Context, brandID, batchID string, cache map[string]string) (string, error) {
	if l, ok := cache[batchID]; ok {
		return l, nil
	}
	b, err := s.ent(ctx).PayoutBatch.Query().Where(payoutbatch.BrandID(brandID), payoutbatch.ID(batchID)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return "", err
	}
	if b != nil {
		cache[batchID] = b.LiveID
	}
	return cache[batchID], nil
}

func csvTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
