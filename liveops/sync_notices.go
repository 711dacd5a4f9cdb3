package liveops

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
)

// SyncResult says what one brand's sync saw.
type SyncResult struct {
	Listed, Linked, Changed int
}

// QueueNoticeSyncs enqueues one notice sync per brand with a Channels shop configured (the
// periodic tick); it answers how many it queued.
func (s *Service) QueueNoticeSyncs(ctx context.Context) (int, error) {
	list, err := s.AllBrands.ListBrands(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range list {
		if b.ChannelsAppID == "" {
			continue
		}
		if err := s.Queue.EnqueueNoticeSync(ctx, b.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SyncNotices lists the brand's Channels notices and records them: each is linked to the
// brand's live with its notice id, and a notice that was revoked, used, moved, or left the
// list is marked with the change and when it was seen. A brand whose shop is not configured
// has nothing to sync.
func (s *Service) SyncNotices(ctx context.Context, brandID string) (SyncResult, error) {
	remote, err := s.Notices.LiveNotices(ctx, brandID)
	if apperr.CodeOf(err) == "CHANNELS_NOT_CONFIGURED" {
		return SyncResult{}, nil
	}
	if err != nil {
		return SyncResult{}, err
	}
	var res SyncResult
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		res = SyncResult{Listed: len(remote)}
		now := s.Clock.Now()
		known, err := s.Store.Notices(ctx, brandID)
		if err != nil {
			return err
		}
		byID := make(map[string]Notice, len(known))
		for _, n := range known {
			byID[n.NoticeID] = n
		}
		seen := make(map[string]bool, len(remote))
		for _, r := range remote {
			if r.NoticeID == "" || seen[r.NoticeID] {
				continue
			}
			seen[r.NoticeID] = true
			prev, had := byID[r.NoticeID]
			n := Notice{BrandID: brandID, NoticeID: r.NoticeID, Status: r.Status, StatusWording: r.StatusWording,
				StartAt: r.StartAt, Description: r.Description, State: stateOf(r.Status), FirstSeenAt: now, SyncedAt: now}
			if had {
				n.ID, n.FirstSeenAt = prev.ID, prev.FirstSeenAt
				n.Change, n.ChangedAt, n.PreviousStartAt = prev.Change, prev.ChangedAt, prev.PreviousStartAt
				if ch := changeOf(prev, n); ch != "" {
					n.Change, n.ChangedAt = ch, &now
					if ch == ChangeStartMoved {
						ps := prev.StartAt
						n.PreviousStartAt = &ps
					}
					res.Changed++
				}
			}
			if n.LiveID, err = s.liveFor(ctx, brandID, r.NoticeID); err != nil {
				return err
			}
			if n.LiveID != "" {
				res.Linked++
			}
			if _, err := s.Store.PutNotice(ctx, n); err != nil {
				return err
			}
		}
		for _, prev := range known {
			if seen[prev.NoticeID] || prev.State == NoticeMissing {
				continue
			}
			n := prev
			n.Status, n.State, n.Change, n.ChangedAt, n.SyncedAt = -1, NoticeMissing, ChangeMissing, &now, now
			if n.LiveID, err = s.liveFor(ctx, brandID, prev.NoticeID); err != nil {
				return err
			}
			if _, err := s.Store.PutNotice(ctx, n); err != nil {
				return err
			}
			res.Changed++
		}
		return nil
	})
	if err == nil && res.Changed > 0 {
		s.log().Info("channels notices changed", "brand_id", brandID, "changed", res.Changed)
	}
	return res, err
}

func (s *Service) liveFor(ctx context.Context, brandID, noticeID string) (string, error) {
	l, err := s.Lives.LiveByNoticeID(ctx, brandID, noticeID)
	if errors.Is(err, referral.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return l.ID, nil
}

func stateOf(status int) string {
	switch status {
	case 1:
		return NoticeRevoked
	case 2:
		return NoticeUsed
	}
	return NoticeAvailable
}

// changeOf is the change between two sightings of a notice ("" when none worth showing).
func changeOf(prev, cur Notice) string {
	if prev.State != cur.State {
		switch cur.State {
		case NoticeRevoked:
			return ChangeRevoked
		case NoticeUsed:
			return ChangeUsed
		default:
			return ChangeRestored
		}
	}
	if !prev.StartAt.Equal(cur.StartAt) {
		return ChangeStartMoved
	}
	return ""
}

// Notices lists the brand's synced notices, soonest start first.
func (s *Service) NoticeList(ctx context.Context, brandID string) ([]Notice, error) {
	return s.Store.Notices(ctx, brandID)
}

// LiveNotice is the synced notice of a live, nil when the live has no notice id or the sync
// has not seen it.
func (s *Service) LiveNotice(ctx context.Context, l referral.Live) (*Notice, error) {
	if l.NoticeID == "" {
		return nil, nil
	}
	n, err := s.Store.NoticeByNoticeID(ctx, l.BrandID, l.NoticeID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &n, nil
}
