package reminders

import (
	"context"
	"errors"
	"fmt"

	"github.com/sharecast/sharecast/referral"
)

// maxErrorBytes bounds the error text kept on a send.
const maxErrorBytes = 500

// Deliver sends a queued send to WeChat; the send job calls it. attempt counts from 1; final
// is true on the job's last attempt. It answers an error only when the job should retry.
//
// At most once: the credit was spent when the send was queued; before WeChat is called the
// send is marked sending in its own commit (the durable intent), so a run that finds it still
// sending (the previous one died mid-call) records unknown instead of calling again, and so
// does a call whose answer was lost. A send that surely reached nobody (WeChat refused the
// data or the message, stayed unavailable, or the deadline passed) gives its credit back.
// 43101 means WeChat holds no credit for this member and template, so every credit sharecast
// still counts for them is void.
func (s *Service) Deliver(ctx context.Context, brandID, sendID string, attempt int, final bool) error {
	send, err := s.Store.SubscribeSend(ctx, brandID, sendID)
	if errors.Is(err, ErrNotFound) {
		return nil // nothing to do; a job for a send that does not exist cannot succeed later
	}
	if err != nil {
		return err
	}
	switch send.Status {
	case StatusQueued:
	case StatusSending:
		return s.finish(ctx, send, StatusSending, StatusUnknown, send.Attempts, 0, "an earlier attempt ended without a record; not repeated", false)
	default:
		return nil // already decided (a repeated job)
	}
	now := s.Clock.Now()
	if send.ExpiresAt != nil && now.After(*send.ExpiresAt) {
		return s.finish(ctx, send, StatusQueued, StatusExpired, send.Attempts, 0, "not sent before its deadline", true)
	}
	m, err := s.Members.MemberByID(ctx, brandID, send.MemberID)
	if errors.Is(err, referral.ErrNotFound) {
		return s.finish(ctx, send, StatusQueued, StatusFailed, send.Attempts, 0, "member not found", true)
	}
	if err != nil {
		return err
	}
	moved, err := s.Store.ChangeSubscribeSend(ctx, brandID, sendID, StatusQueued,
		SendChange{Status: StatusSending, Attempts: attempt, At: now})
	if err != nil || !moved {
		return err // !moved: another run took it
	}
	err = s.Messenger.SendSubscribeMessage(ctx, Message{BrandID: brandID, OpenID: m.OpenID, TemplateID: send.TemplateID,
		Page: send.Page, Data: send.Data, MiniprogramState: send.MiniprogramState, Lang: send.Lang})
	// The outcome is recorded even when the job's context ended during the call.
	ctx = context.WithoutCancel(ctx)
	switch {
	case err == nil:
		return s.finish(ctx, send, StatusSending, StatusSent, attempt, 0, "", false)
	case errors.Is(err, ErrRefused):
		return s.finishRefused(ctx, send, attempt, err)
	case errors.Is(err, ErrBadData):
		return s.finish(ctx, send, StatusSending, StatusInvalid, attempt, 47003, err.Error(), true)
	case errors.Is(err, ErrRejected):
		return s.finish(ctx, send, StatusSending, StatusFailed, attempt, errCode(err), err.Error(), true)
	case errors.Is(err, ErrOutcomeUnknown):
		return s.finish(ctx, send, StatusSending, StatusUnknown, attempt, 0, err.Error(), false)
	case final:
		return s.finish(ctx, send, StatusSending, StatusFailed, attempt, errCode(err), "gave up: "+err.Error(), true)
	}
	// Nothing reached WeChat: back to queued for the job's next attempt.
	if _, nerr := s.Store.ChangeSubscribeSend(ctx, brandID, sendID, StatusSending, SendChange{Status: StatusQueued,
		Attempts: attempt, ErrCode: errCode(err), Error: clip(err.Error()), At: s.Clock.Now()}); nerr != nil {
		return errors.Join(err, nerr)
	}
	return fmt.Errorf("subscribe send %s attempt %d: %w", sendID, attempt, err)
}

// finish moves a send from status from to its final status st, giving its credit back when
// release is set.
func (s *Service) finish(ctx context.Context, send Send, from, st Status, attempts, code int, msg string, release bool) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		ch := SendChange{Status: st, Attempts: attempts, ErrCode: code, Error: clip(msg), At: now}
		if st == StatusSent {
			ch.SentAt = &now
		}
		if release {
			none := ""
			ch.CreditID = &none
		}
		moved, err := s.Store.ChangeSubscribeSend(ctx, send.BrandID, send.ID, from, ch)
		if err != nil || !moved {
			return err
		}
		if release && send.CreditID != "" {
			return s.Store.ReleaseSubscribeCredit(ctx, send.BrandID, send.CreditID)
		}
		return nil
	})
}

func (s *Service) finishRefused(ctx context.Context, send Send, attempt int, cause error) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.finish(ctx, send, StatusSending, StatusRefused, attempt, 43101, cause.Error(), false); err != nil {
			return err
		}
		_, err := s.Store.VoidSubscribeCredits(ctx, send.BrandID, send.MemberID, send.TemplateID, s.Clock.Now())
		return err
	})
}

// ErrCoder is implemented by a Messenger's errors that carry WeChat's errcode.
type ErrCoder interface{ WeChatErrCode() int }

func errCode(err error) int {
	var c ErrCoder
	if errors.As(err, &c) {
		return c.WeChatErrCode()
	}
	return 0
}

func clip(s string) string {
	if len(s) <= maxErrorBytes {
		return s
	}
	for i := maxErrorBytes; i > 0; i-- { // cut on a rune boundary
		if s[i]&0xC0 != 0x80 {
			return s[:i]
		}
	}
	return s[:maxErrorBytes]
}
