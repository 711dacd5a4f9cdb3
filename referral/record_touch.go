package referral

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/leaderboard"
)

// Touch is one open of the mini-program through a share code by a logged-in member.
type Touch struct {
	ID, BrandID, LiveID, LinkID string
	InviterID, VisitorID        string
	Channel, Group, ClientIP    string
	CreatedAt                   time.Time
}

// TouchStore keeps touches (append-only: every open is a row).
type TouchStore interface {
	CreateTouch(ctx context.Context, t Touch) error
}

// TouchResult is what the opener sees.
type TouchResult struct {
	Live    Live
	Inviter Member
}

// RecordTouch records that visitor opened code and answers the live and the inviter. Another
// brand's code is unknown here (404). An open of one's own link is recorded too, but never
// counts on the ignition board.
func (s *Sharing) RecordTouch(ctx context.Context, brandID, visitorID, code, clientIP string) (TouchResult, error) {
	link, err := s.linkForBrand(ctx, brandID, code)
	if err != nil {
		return TouchResult{}, err
	}
	if err := s.allow(ctx, "touch:"+brandID+":"+visitorID, s.Limits.normalize().TouchesPerVisitor); err != nil {
		return TouchResult{}, err
	}
	l, err := s.Live(ctx, brandID, link.LiveID)
	if err != nil {
		return TouchResult{}, err
	}
	inviter, err := s.Store.MemberByID(ctx, brandID, link.MemberID)
	if err != nil {
		return TouchResult{}, err
	}
	now := s.Clock.Now()
	if err := s.Store.CreateTouch(ctx, Touch{BrandID: brandID, LiveID: l.ID, LinkID: link.ID, InviterID: link.MemberID,
		VisitorID: visitorID, Channel: link.Channel, Group: link.Group, ClientIP: clientIP, CreatedAt: now}); err != nil {
		return TouchResult{}, err
	}
	if visitorID != link.MemberID && l.Status == LiveLive && l.InIgnition(now) {
		s.refreshBoard(ctx, l, leaderboard.WindowIgnition, "", link.MemberID)
	}
	return TouchResult{Live: l, Inviter: inviter}, nil
}
