package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/schema"
	"github.com/sharecast/sharecast/ent/subscribecredit"
	"github.com/sharecast/sharecast/ent/subscribesend"
	"github.com/sharecast/sharecast/ent/subscribetemplate"
	"github.com/sharecast/sharecast/reminders"
)

// This file implements reminders.Store: subscribe templates, credits and the send log.

func remindersErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return reminders.ErrNotFound
	case ent.IsConstraintError(err):
		return fmt.Errorf("%w: %v", reminders.ErrDuplicate, err)
	}
	return err
}

func toTemplate(t *ent.SubscribeTemplate) (reminders.Template, error) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(t.Fields), &fields); err != nil {
		return reminders.Template{}, fmt.Errorf("subscribe template %s fields: %w", t.ID, err)
	}
	return reminders.Template{BrandID: t.BrandID, Purpose: reminders.Purpose(t.Purpose), TemplateID: t.TemplateID,
		Page: t.Page, Fields: fields, MiniprogramState: t.MiniprogramState, Lang: t.Lang,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}, nil
}

// SubscribeTemplates lists a brand's templates by purpose.
func (s *Store) SubscribeTemplates(ctx context.Context, brandID string) ([]reminders.Template, error) {
	rows, err := s.ent(ctx).SubscribeTemplate.Query().Where(subscribetemplate.BrandID(brandID)).
		Order(ent.Asc(subscribetemplate.FieldPurpose)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]reminders.Template, 0, len(rows))
	for _, r := range rows {
		t, err := toTemplate(r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// SubscribeTemplate reads the template of one purpose.
func (s *Store) SubscribeTemplate(ctx context.Context, brandID string, p reminders.Purpose) (reminders.Template, error) {
	row, err := s.ent(ctx).SubscribeTemplate.Query().
		Where(subscribetemplate.BrandID(brandID), subscribetemplate.Purpose(string(p))).Only(ctx)
	if err != nil {
		return reminders.Template{}, remindersErr(err)
	}
	return toTemplate(row)
}

// PutSubscribeTemplate creates or replaces the template of a purpose. Callers run it in a
// transaction; a concurrent first put loses on the unique index and the caller retries.
func (s *Store) PutSubscribeTemplate(ctx context.Context, t reminders.Template) (reminders.Template, error) {
	fields, err := json.Marshal(t.Fields)
	if err != nil {
		return reminders.Template{}, err
	}
	c := s.ent(ctx)
	n, err := c.SubscribeTemplate.Update().
		Where(subscribetemplate.BrandID(t.BrandID), subscribetemplate.Purpose(string(t.Purpose))).
		SetTemplateID(t.TemplateID).SetPage(t.Page).SetFields(string(fields)).
		SetMiniprogramState(t.MiniprogramState).SetLang(t.Lang).SetUpdatedAt(t.UpdatedAt).Save(ctx)
	if err != nil {
		return reminders.Template{}, remindersErr(err)
	}
	if n == 0 {
		_, err = c.SubscribeTemplate.Create().SetBrandID(t.BrandID).SetPurpose(string(t.Purpose)).
			SetTemplateID(t.TemplateID).SetPage(t.Page).SetFields(string(fields)).
			SetMiniprogramState(t.MiniprogramState).SetLang(t.Lang).
			SetCreatedAt(t.CreatedAt).SetUpdatedAt(t.UpdatedAt).Save(ctx)
		if err != nil {
			return reminders.Template{}, remindersErr(err)
		}
	}
	return s.SubscribeTemplate(ctx, t.BrandID, t.Purpose)
}

// DeleteSubscribeTemplate removes the template of a purpose.
func (s *Store) DeleteSubscribeTemplate(ctx context.Context, brandID string, p reminders.Purpose) error {
	n, err := s.ent(ctx).SubscribeTemplate.Delete().
		Where(subscribetemplate.BrandID(brandID), subscribetemplate.Purpose(string(p))).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return reminders.ErrNotFound
	}
	return nil
}

// AddSubscribeCredits adds n available credits.
func (s *Store) AddSubscribeCredits(ctx context.Context, brandID, memberID, templateID string, n int, at time.Time) error {
	c := s.ent(ctx)
	builders := make([]*ent.SubscribeCreditCreate, n)
	for i := range builders {
		builders[i] = c.SubscribeCredit.Create().SetBrandID(brandID).SetMemberID(memberID).
			SetTemplateID(templateID).SetGrantedAt(at)
	}
	return c.SubscribeCredit.CreateBulk(builders...).Exec(ctx)
}

// CountSubscribeCredits counts available credits per template id.
func (s *Store) CountSubscribeCredits(ctx context.Context, brandID, memberID string, templateIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(templateIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		TemplateID string `json:"template_id"`
		Count      int    `json:"count"`
	}
	err := s.ent(ctx).SubscribeCredit.Query().
		Where(subscribecredit.BrandID(brandID), subscribecredit.MemberID(memberID),
			subscribecredit.TemplateIDIn(templateIDs...), subscribecredit.StatusEQ(subscribecredit.StatusAvailable)).
		GroupBy(subscribecredit.FieldTemplateID).Aggregate(ent.Count()).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.TemplateID] = r.Count
	}
	return out, nil
}

// spendCandidates is how many of the oldest available credits one round of SpendSubscribeCredit
// tries; losing all of them to concurrent spenders makes it look again.
const spendCandidates = 4

// SpendSubscribeCredit marks the oldest available credit spent by sendID. The guarded update
// (… WHERE status = 'available') lets exactly one of several concurrent spenders take a
// credit, on both engines, without SELECT … FOR UPDATE.
func (s *Store) SpendSubscribeCredit(ctx context.Context, brandID, memberID, templateID, sendID string, at time.Time) (string, bool, error) {
	c := s.ent(ctx)
	for {
		ids, err := c.SubscribeCredit.Query().
			Where(subscribecredit.BrandID(brandID), subscribecredit.MemberID(memberID),
				subscribecredit.TemplateID(templateID), subscribecredit.StatusEQ(subscribecredit.StatusAvailable)).
			Order(ent.Asc(subscribecredit.FieldGrantedAt), ent.Asc(subscribecredit.FieldID)).
			Limit(spendCandidates).IDs(ctx)
		if err != nil {
			return "", false, err
		}
		if len(ids) == 0 {
			return "", false, nil
		}
		for _, id := range ids {
			n, err := c.SubscribeCredit.Update().
				Where(subscribecredit.BrandID(brandID), subscribecredit.ID(id),
					subscribecredit.StatusEQ(subscribecredit.StatusAvailable)).
				SetStatus(subscribecredit.StatusSpent).SetSendID(sendID).SetSpentAt(at).Save(ctx)
			if err != nil {
				return "", false, err
			}
			if n == 1 {
				return id, true, nil
			}
		}
	}
}

// ReleaseSubscribeCredit makes a spent credit available again.
func (s *Store) ReleaseSubscribeCredit(ctx context.Context, brandID, creditID string) error {
	_, err := s.ent(ctx).SubscribeCredit.Update().
		Where(subscribecredit.BrandID(brandID), subscribecredit.ID(creditID),
			subscribecredit.StatusEQ(subscribecredit.StatusSpent)).
		SetStatus(subscribecredit.StatusAvailable).ClearSendID().ClearSpentAt().Save(ctx)
	return err
}

// VoidSubscribeCredits voids every available credit of (member, template).
func (s *Store) VoidSubscribeCredits(ctx context.Context, brandID, memberID, templateID string, at time.Time) (int, error) {
	return s.ent(ctx).SubscribeCredit.Update().
		Where(subscribecredit.BrandID(brandID), subscribecredit.MemberID(memberID),
			subscribecredit.TemplateID(templateID), subscribecredit.StatusEQ(subscribecredit.StatusAvailable)).
		SetStatus(subscribecredit.StatusVoid).SetSpentAt(at).Save(ctx)
}

func toSend(r *ent.SubscribeSend) (reminders.Send, error) {
	var data map[string]string
	if err := json.Unmarshal([]byte(r.Data), &data); err != nil {
		return reminders.Send{}, fmt.Errorf("subscribe send %s data: %w", r.ID, err)
	}
	out := reminders.Send{ID: r.ID, BrandID: r.BrandID, MemberID: r.MemberID, Purpose: reminders.Purpose(r.Purpose),
		Key: r.Key, Batch: r.Batch, TemplateID: r.TemplateID, Page: r.Page, Data: data,
		MiniprogramState: r.MiniprogramState, Lang: r.Lang, Status: reminders.Status(r.Status),
		Attempts: r.Attempts, ErrCode: r.Errcode, Error: r.Error, ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SentAt: r.SentAt}
	if r.CreditID != nil {
		out.CreditID = *r.CreditID
	}
	return out, nil
}

// InsertSubscribeSend inserts a send unless its (brand, key) exists, with INSERT … ON
// CONFLICT DO NOTHING: a duplicate must not abort the caller's transaction (PostgreSQL
// aborts a transaction on a unique violation), and a concurrent insert of the same key waits
// for the first and then finds it.
func (s *Store) InsertSubscribeSend(ctx context.Context, in reminders.Send) (reminders.Send, bool, error) {
	data, err := json.Marshal(in.Data)
	if err != nil {
		return reminders.Send{}, false, err
	}
	id := schema.NewID()
	var expires any
	if in.ExpiresAt != nil {
		expires = *in.ExpiresAt
	}
	ins := entsql.Dialect(s.dialect).Insert(subscribesend.Table).
		Columns(subscribesend.FieldID, subscribesend.FieldBrandID, subscribesend.FieldMemberID, subscribesend.FieldPurpose,
			subscribesend.FieldKey, subscribesend.FieldBatch, subscribesend.FieldTemplateID, subscribesend.FieldPage,
			subscribesend.FieldData, subscribesend.FieldMiniprogramState, subscribesend.FieldLang, subscribesend.FieldStatus,
			subscribesend.FieldAttempts, subscribesend.FieldErrcode, subscribesend.FieldError, subscribesend.FieldExpiresAt,
			subscribesend.FieldCreatedAt, subscribesend.FieldUpdatedAt).
		Values(id, in.BrandID, in.MemberID, string(in.Purpose), in.Key, in.Batch, in.TemplateID, in.Page,
			string(data), in.MiniprogramState, in.Lang, string(in.Status), 0, 0, "", expires, in.CreatedAt, in.UpdatedAt).
		OnConflict(entsql.ConflictColumns(subscribesend.FieldBrandID, subscribesend.FieldKey), entsql.DoNothing())
	query, args := ins.Query()
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return reminders.Send{}, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return reminders.Send{}, false, err
	}
	row, err := s.ent(ctx).SubscribeSend.Query().
		Where(subscribesend.BrandID(in.BrandID), subscribesend.Key(in.Key)).Only(ctx)
	if err != nil {
		return reminders.Send{}, false, remindersErr(err)
	}
	got, err := toSend(row)
	return got, n == 1, err
}

// exec runs a statement in the transaction carried by ctx, or on the pool.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx, ok := Tx(ctx); ok {
		return tx.ExecContext(ctx, query, args...)
	}
	return s.db.ExecContext(ctx, query, args...)
}

// SubscribeSend reads one send.
func (s *Store) SubscribeSend(ctx context.Context, brandID, id string) (reminders.Send, error) {
	row, err := s.ent(ctx).SubscribeSend.Query().Where(subscribesend.BrandID(brandID), subscribesend.ID(id)).Only(ctx)
	if err != nil {
		return reminders.Send{}, remindersErr(err)
	}
	return toSend(row)
}

// ChangeSubscribeSend applies ch if the send is still in status from.
func (s *Store) ChangeSubscribeSend(ctx context.Context, brandID, id string, from reminders.Status, ch reminders.SendChange) (bool, error) {
	u := s.ent(ctx).SubscribeSend.Update().
		Where(subscribesend.BrandID(brandID), subscribesend.ID(id), subscribesend.StatusEQ(subscribesend.Status(from))).
		SetStatus(subscribesend.Status(ch.Status)).SetUpdatedAt(ch.At)
	if ch.CreditID != nil {
		if *ch.CreditID == "" {
			u.ClearCreditID()
		} else {
			u.SetCreditID(*ch.CreditID)
		}
	}
	if ch.Attempts > 0 {
		u.SetAttempts(ch.Attempts)
	}
	if ch.ErrCode != 0 || ch.Error != "" {
		u.SetErrcode(ch.ErrCode).SetError(truncate(ch.Error, 512))
	}
	if ch.SentAt != nil {
		u.SetSentAt(*ch.SentAt)
	}
	n, err := u.Save(ctx)
	return n == 1, err
}

// ListSubscribeSends pages the send log, newest first; the cursor is the last id seen.
func (s *Store) ListSubscribeSends(ctx context.Context, brandID string, f reminders.SendFilter, p brands.Page) ([]reminders.Send, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).SubscribeSend.Query().Where(subscribesend.BrandID(brandID))
	if f.MemberID != "" {
		q = q.Where(subscribesend.MemberID(f.MemberID))
	}
	if f.Batch != "" {
		q = q.Where(subscribesend.Batch(f.Batch))
	}
	if f.Purpose != "" {
		q = q.Where(subscribesend.Purpose(string(f.Purpose)))
	}
	if f.Status != "" {
		q = q.Where(subscribesend.StatusEQ(subscribesend.Status(f.Status)))
	}
	if p.Cursor != "" {
		q = q.Where(subscribesend.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(subscribesend.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]reminders.Send, 0, len(rows))
	for _, r := range rows {
		sd, err := toSend(r)
		if err != nil {
			return nil, "", err
		}
		out = append(out, sd)
	}
	return out, next, nil
}

// CountSubscribeSends counts a batch's sends by status.
func (s *Store) CountSubscribeSends(ctx context.Context, brandID, batch string) (map[reminders.Status]int, error) {
	var rows []struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	}
	err := s.ent(ctx).SubscribeSend.Query().Where(subscribesend.BrandID(brandID), subscribesend.Batch(batch)).
		GroupBy(subscribesend.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[reminders.Status]int{}
	for _, r := range rows {
		out[reminders.Status(r.Status)] = r.Count
	}
	return out, nil
}

var _ reminders.Store = (*Store)(nil)
