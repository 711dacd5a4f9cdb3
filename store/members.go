package store

import (
	"context"
	"fmt"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/referral"
)

func memberErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return referral.ErrNotFound
	case ent.IsConstraintError(err):
		return fmt.Errorf("%w: %v", referral.ErrDuplicate, err)
	}
	return err
}

func toMember(m *ent.Member) referral.Member {
	out := referral.Member{ID: m.ID, BrandID: m.BrandID, OpenID: m.Openid, Nickname: m.Nickname,
		AvatarURL: m.AvatarURL, Status: string(m.Status), LeaderboardVisible: m.LeaderboardVisible,
		HasRealName: len(m.RealNameSealed) > 0, CreatedAt: m.CreatedAt, LastLoginAt: m.LastLoginAt}
	if m.Unionid != nil {
		out.UnionID = *m.Unionid
	}
	if m.RecruiterID != nil {
		out.RecruiterID = *m.RecruiterID
	}
	return out
}

// CreateMember inserts a member.
func (s *Store) CreateMember(ctx context.Context, m referral.Member) (referral.Member, error) {
	c := s.ent(ctx).Member.Create().SetBrandID(m.BrandID).SetOpenid(m.OpenID).SetNickname(m.Nickname).
		SetAvatarURL(m.AvatarURL).SetStatus(member.Status(m.Status)).SetLeaderboardVisible(m.LeaderboardVisible).
		SetNillableLastLoginAt(m.LastLoginAt)
	if m.UnionID != "" {
		c.SetUnionid(m.UnionID)
	}
	if m.RecruiterID != "" {
		c.SetRecruiterID(m.RecruiterID)
	}
	row, err := c.Save(ctx)
	if err != nil {
		return referral.Member{}, memberErr(err)
	}
	return toMember(row), nil
}

// MemberByOpenID reads a member by (brand, openid).
func (s *Store) MemberByOpenID(ctx context.Context, brandID, openID string) (referral.Member, error) {
	row, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.Openid(openID)).Only(ctx)
	if err != nil {
		return referral.Member{}, memberErr(err)
	}
	return toMember(row), nil
}

// MemberByID reads a member of a brand.
func (s *Store) MemberByID(ctx context.Context, brandID, id string) (referral.Member, error) {
	row, err := s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.ID(id)).Only(ctx)
	if err != nil {
		return referral.Member{}, memberErr(err)
	}
	return toMember(row), nil
}

// UpdateMember applies a patch to a member of a brand.
func (s *Store) UpdateMember(ctx context.Context, brandID, id string, p referral.MemberPatch) (referral.Member, error) {
	u := s.ent(ctx).Member.Update().Where(member.BrandID(brandID), member.ID(id))
	if p.Nickname != nil {
		u.SetNickname(*p.Nickname)
	}
	if p.AvatarURL != nil {
		u.SetAvatarURL(*p.AvatarURL)
	}
	if p.LeaderboardVisible != nil {
		u.SetLeaderboardVisible(*p.LeaderboardVisible)
	}
	if p.RealNameSealed != nil {
		u.SetRealNameSealed(p.RealNameSealed)
	}
	if p.UnionID != nil {
		u.SetUnionid(*p.UnionID)
	}
	if p.LastLoginAt != nil {
		u.SetLastLoginAt(*p.LastLoginAt)
	}
	n, err := u.Save(ctx)
	if err != nil {
		return referral.Member{}, memberErr(err)
	}
	if n == 0 {
		return referral.Member{}, referral.ErrNotFound
	}
	return s.MemberByID(ctx, brandID, id)
}
