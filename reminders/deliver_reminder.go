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
// At most once: the credit was spent when the send was queued, and a call that may have
// reached WeChat is never repeated (status unknown). A send that surely reached nobody
// (WeChat refused the data or the message, stayed unavailable, or the deadline passed) gives
// its credit back. 43101 means WeChat holds no credit for this member and template, so every
// credit sharecast still counts for them is void.
func (s *Service) Deliver(ctx context.Context, brandID, sendID string, attempt int, final bool) error {
	send, err := s.Store.SubscribeSend(ctx, brandID, sendID)
	if errors.Is(err, ErrNotFound) {
		return nil // nothing to do; a job for a send that does not exist cannot succeed later
	}
	if err != nil {
		return err
	}
	if send.Status != StatusQueued {
		return nil // already decided (a repeated job)
	}
	now := s.Clock.Now()
	if send.ExpiresAt != nil && now.After(*send.ExpiresAt) {
		return s.finish(ctx, send, StatusExpired, attempt-1, 0, "not sent before its deadline", true)
	}
	m, err := s.Members.MemberByID(ctx, brandID, send.MemberID)
	if err != nil {
		if errors.Is(err, referral.ErrNotFound) {
			return s.finish(ctx, send, StatusFailed, attempt-1, 0, "member not found", true)
		}
		return err
	}
	err = s.Messenger.SendSubscribeMessage(ctx, Message{BrandID: brandID, OpenID: m.OpenID, TemplateID: send.TemplateID,
		Page: send.Page, Data: send.Data, MiniprogramState: send.MiniprogramState, Lang: send.Lang})
	switch {
	case err == nil:
		return s.finish(ctx, send, StatusSent, attempt, 0, "", false)
	case errors.Is(err, ErrRefused):
		return s.finishRefused(ctx, send, attempt, err)
	case errors.Is(err, ErrBadData):
		return s.finish(ctx, send, StatusInvalid, attempt, 47003, err.Error(), true)
	case errors.Is(err, ErrRejected):
		return s.finish(ctx, send, StatusFailed, attempt, errCode(err), err.Error(), true)
	case errors.Is(err, ErrOutcomeUnknown):
		return s.finish(ctx, send, StatusUnknown, attempt, 0, err.Error(), false)
	case final:
		return s.finish(ctx, send, StatusFailed, attempt, errCode(err), "gave up: "+err.Error(), true)
	}
	if nerr := s.Store.NoteSubscribeAttempt(ctx, brandID, sendID, attempt, errCode(err), clip(err.Error()), s.Clock.Now()); nerr != nil {
		return errors.Join(err, nerr)
	}
	return fmt.Errorf("subscribe send %s attempt %d: %w", sendID, attempt, err)
}

// finish moves a queued send to its final status, giving its credit back when release is set.
func (s *Service) finish(ctx context.Context, send Send, st Status, attempts, code int, msg string, release bool) error {
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
		moved, err := s.Store.ChangeSubscribeSend(ctx, send.BrandID, send.ID, StatusQueued, ch)
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
		if err := s.finish(ctx, send, StatusRefused, attempt, 43101, cause.Error(), false); err != nil {
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
	// cut on a rune boundary
	for i := maxErrorBytes; i > 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return s[:i]
		}
	}
	return s[:maxErrorBytes]
}
