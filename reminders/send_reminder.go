package reminders

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Request asks for one subscribe message.
type Request struct {
	BrandID, MemberID string
	Purpose           Purpose
	// Key makes the send idempotent within the brand: a second Send with the same key sends
	// nothing (e.g. "shortfall:<live>:t30:<member>"). 1-128 characters.
	Key string
	// Batch groups sends for a summary (CountBatch), e.g. "shortfall:<live>:t30". Optional.
	Batch string
	// Values fill the template's {variables} (see Variables[Purpose]).
	Values map[string]string
	// ExpiresAt, when set, is the last moment the message is still worth sending (service
	// clock); a send still queued then is dropped and its credit given back.
	ExpiresAt time.Time
}

// Result says what Send did.
type Result struct {
	SendID string
	Status Status // queued, or no_credit; a duplicate answers the first send's current status
	// Duplicate: an earlier Send had this key; nothing new was sent.
	Duplicate bool
}

var keyRe = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// Send records a subscribe message for a member and, when the member holds a credit for the
// purpose's template, spends it and enqueues the job that sends it; all in the transaction in
// ctx when there is one (so a round's sends commit with the round). A send whose key exists
// sends nothing again; one that found no credit is tried again with the same key (nothing was
// sent and nothing spent), so a re-run reaches members who granted a credit since.
//
// Errors: ErrNoTemplate when the brand has no template for the purpose; Invalid
// SUBSCRIBE_FIELD_INVALID naming the field when a value breaks WeChat's rule for it (nothing
// is recorded); SUBSCRIBE_VALUE_MISSING when a value the template uses is not supplied;
// Conflict IDEMPOTENCY_KEY_REUSED when the key was used for another member or purpose.
func (s *Service) Send(ctx context.Context, req Request) (Result, error) {
	switch {
	case !req.Purpose.Valid():
		return Result{}, apperr.InvalidArgument("unknown subscribe purpose " + quoteShort(string(req.Purpose)))
	case req.BrandID == "" || req.MemberID == "":
		return Result{}, apperr.InvalidArgument("brand and member are required")
	case !keyRe.MatchString(req.Key):
		return Result{}, apperr.InvalidArgument("key must be 1-128 visible ASCII characters")
	case len(req.Batch) > 128:
		return Result{}, apperr.InvalidArgument("batch must be at most 128 characters")
	}
	tmpl, err := s.Store.SubscribeTemplate(ctx, req.BrandID, req.Purpose)
	if errors.Is(err, ErrNotFound) {
		return Result{}, ErrNoTemplate
	}
	if err != nil {
		return Result{}, err
	}
	page, data, err := tmpl.render(req.Values)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		rec := Send{BrandID: req.BrandID, MemberID: req.MemberID, Purpose: req.Purpose, Key: req.Key, Batch: req.Batch,
			TemplateID: tmpl.TemplateID, Page: page, Data: data, MiniprogramState: tmpl.MiniprogramState, Lang: tmpl.Lang,
			Status: StatusNoCredit, CreatedAt: now, UpdatedAt: now}
		if !req.ExpiresAt.IsZero() {
			exp := req.ExpiresAt
			rec.ExpiresAt = &exp
		}
		got, inserted, err := s.Store.InsertSubscribeSend(ctx, rec)
		if err != nil {
			return err
		}
		res = Result{SendID: got.ID, Status: got.Status, Duplicate: !inserted}
		if !inserted {
			if got.MemberID != req.MemberID || got.Purpose != req.Purpose {
				return apperr.New(apperr.Conflict, "IDEMPOTENCY_KEY_REUSED", "this send key was used for another member or purpose")
			}
			if got.Status != StatusNoCredit {
				return nil
			}
		}
		// The first send recorded what to send; a retry of a no_credit send keeps it.
		creditID, ok, err := s.Store.SpendSubscribeCredit(ctx, got.BrandID, got.MemberID, got.TemplateID, got.ID, now)
		if err != nil || !ok {
			return err
		}
		moved, err := s.Store.ChangeSubscribeSend(ctx, got.BrandID, got.ID, StatusNoCredit,
			SendChange{Status: StatusQueued, CreditID: &creditID, At: now})
		if err != nil {
			return err
		}
		if !moved {
			// A concurrent Send with this key queued it first.
			return s.Store.ReleaseSubscribeCredit(ctx, got.BrandID, creditID)
		}
		res.Status = StatusQueued
		return s.Queue.EnqueueSubscribeSend(ctx, got.BrandID, got.ID)
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// BatchSummary counts a batch's sends by status, e.g. for "what was sent, to how many".
func (s *Service) BatchSummary(ctx context.Context, brandID, batch string) (map[Status]int, error) {
	return s.Store.CountSubscribeSends(ctx, brandID, batch)
}

// Sends lists the brand's send log, newest first.
func (s *Service) Sends(ctx context.Context, brandID string, f SendFilter, p brands.Page) ([]Send, string, error) {
	if f.Purpose != "" && !f.Purpose.Valid() {
		return nil, "", apperr.InvalidArgument("unknown purpose " + quoteShort(string(f.Purpose)))
	}
	if f.Status != "" && !validStatus(f.Status) {
		return nil, "", apperr.InvalidArgument("unknown status " + quoteShort(string(f.Status)))
	}
	return s.Store.ListSubscribeSends(ctx, brandID, f, p)
}

func validStatus(st Status) bool {
	for _, s := range Statuses {
		if s == st {
			return true
		}
	}
	return false
}
