package store

import (
	"context"

	"github.com/sharecast/sharecast/referral"
)

// CreateTouch appends a touch.
func (s *Store) CreateTouch(ctx context.Context, t referral.Touch) error {
	return s.ent(ctx).Touch.Create().SetBrandID(t.BrandID).SetLiveID(t.LiveID).SetLinkID(t.LinkID).
		SetInviterID(t.InviterID).SetVisitorID(t.VisitorID).SetChannel(t.Channel).SetGroupLabel(t.Group).
		SetClientIP(t.ClientIP).SetCreatedAt(dbTime(t.CreatedAt)).Exec(ctx)
}
