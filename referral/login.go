package referral

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
)

// WeChatIdentity is what code2Session tells about a user.
type WeChatIdentity struct{ OpenID, UnionID string }

// CodeExchanger turns a wx.login code into an identity (the WeChat client at the edge).
type CodeExchanger interface {
	ExchangeCode(ctx context.Context, appID, secret, code string) (WeChatIdentity, error)
}

// BrandFinder finds the brand of an appid and opens its credentials (brands.Service).
type BrandFinder interface {
	BrandByAppID(ctx context.Context, appID string) (brands.Brand, error)
	Credential(b brands.Brand, field string) (string, error)
}

// Sealer seals members' real names.
type Sealer interface {
	Seal(owner, field string, plaintext []byte) ([]byte, error)
}

// Service is the member-facing use cases.
type Service struct {
	Brands  BrandFinder
	WeChat  CodeExchanger
	Members MemberStore
	Tokens  *auth.Issuer
	Sealer  Sealer
	Clock   clock.Clock
	// Links resolves invite codes (share codes) to their owner, the new member's recruiter.
	Links LinkResolver
}

// LinkResolver finds a share link by its global code (ErrNotFound when unknown).
type LinkResolver interface {
	LinkByCode(ctx context.Context, code string) (ShareLink, error)
}

// LoginInput is POST /mp/v1/session.
type LoginInput struct {
	AppID, Code, InviteCode string
}

// Session is a login's answer.
type Session struct {
	Tokens auth.Pair
	Member Member
}

var shareCodeRe = regexp.MustCompile(`^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$`)

// Login exchanges a wx.login code for a member session, creating the member on first login.
func (s *Service) Login(ctx context.Context, in LoginInput) (Session, error) {
	if strings.TrimSpace(in.Code) == "" || len(in.Code) > 128 {
		return Session{}, apperr.InvalidArgument("code is required")
	}
	if in.InviteCode != "" && !shareCodeRe.MatchString(in.InviteCode) {
		return Session{}, apperr.InvalidArgument("invite_code is not a share code")
	}
	b, err := s.Brands.BrandByAppID(ctx, in.AppID)
	if err != nil {
		return Session{}, err
	}
	secret, err := s.Brands.Credential(b, brands.CredMPAppSecret)
	if err != nil {
		return Session{}, err
	}
	if secret == "" {
		return Session{}, apperr.New(apperr.Unavailable, "BRAND_NOT_CONFIGURED", "the brand has no mini-program secret configured")
	}
	id, err := s.WeChat.ExchangeCode(ctx, in.AppID, secret, in.Code)
	if err != nil {
		return Session{}, err
	}
	now := s.Clock.Now()
	m, err := s.Members.MemberByOpenID(ctx, b.ID, id.OpenID)
	if errors.Is(err, ErrNotFound) {
		var recruiter string
		if recruiter, err = s.recruiter(ctx, b.ID, in.InviteCode); err != nil {
			return Session{}, err
		}
		m, err = s.Members.CreateMember(ctx, Member{BrandID: b.ID, OpenID: id.OpenID, UnionID: id.UnionID,
			Status: StatusActive, LeaderboardVisible: true, LastLoginAt: &now, RecruiterID: recruiter})
		if errors.Is(err, ErrDuplicate) { // a concurrent first login created it
			m, err = s.Members.MemberByOpenID(ctx, b.ID, id.OpenID)
		}
	}
	if err != nil {
		return Session{}, err
	}
	if m.Status == StatusBanned {
		return Session{}, apperr.New(apperr.Forbidden, "MEMBER_BANNED", "this member is banned by the brand")
	}
	patch := MemberPatch{LastLoginAt: &now}
	if id.UnionID != "" && m.UnionID != id.UnionID {
		patch.UnionID = &id.UnionID
	}
	if m, err = s.Members.UpdateMember(ctx, b.ID, m.ID, patch); err != nil {
		return Session{}, err
	}
	pair, err := s.Tokens.Issue(ctx, b.ID, m.ID)
	if err != nil {
		return Session{}, err
	}
	return Session{Tokens: pair, Member: m}, nil
}

// recruiter answers the owner of invite code (a share code of this brand), or "" when the
// code is empty, unknown or another brand's: a stale or foreign link must not stop a login,
// and it earns nobody anything. The new member has no descendants yet, so the recruiter can
// never be one (DESIGN §2: set once, never to a descendant).
func (s *Service) recruiter(ctx context.Context, brandID, code string) (string, error) {
	if code == "" || s.Links == nil {
		return "", nil
	}
	l, err := s.Links.LinkByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if l.BrandID != brandID {
		return "", nil
	}
	return l.MemberID, nil
}

// Refresh rotates a refresh token; a banned member's refresh is refused.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	if refreshToken == "" {
		return Session{}, apperr.InvalidArgument("refresh_token is required")
	}
	pair, err := s.Tokens.Refresh(ctx, refreshToken)
	if err != nil {
		return Session{}, err
	}
	m, err := s.Member(ctx, pair.BrandID, pair.MemberID)
	if err != nil {
		return Session{}, err
	}
	if m.Status == StatusBanned {
		return Session{}, apperr.New(apperr.Forbidden, "MEMBER_BANNED", "this member is banned by the brand")
	}
	return Session{Tokens: pair, Member: m}, nil
}

// Member returns a member of a brand (404 for another brand's or unknown ids).
func (s *Service) Member(ctx context.Context, brandID, id string) (Member, error) {
	m, err := s.Members.MemberByID(ctx, brandID, id)
	if errors.Is(err, ErrNotFound) {
		return Member{}, apperr.NotFoundf("no such member")
	}
	return m, err
}

// ProfileInput is PATCH /mp/v1/me.
type ProfileInput struct {
	Nickname           *string
	AvatarURL          *string
	LeaderboardVisible *bool
	RealName           *string
}

// UpdateProfile changes what the member sets about themself (WeChat no longer gives real
// nicknames or avatars). The real name is sealed and never read back.
func (s *Service) UpdateProfile(ctx context.Context, brandID, memberID string, in ProfileInput) (Member, error) {
	p := MemberPatch{Nickname: in.Nickname, AvatarURL: in.AvatarURL, LeaderboardVisible: in.LeaderboardVisible}
	if in.Nickname != nil {
		n := strings.TrimSpace(*in.Nickname)
		if utf8.RuneCountInString(n) > 32 || !utf8.ValidString(n) || strings.ContainsAny(n, "\x00\r\n") {
			return Member{}, apperr.InvalidArgument("nickname must be at most 32 characters on one line")
		}
		p.Nickname = &n
	}
	if in.AvatarURL != nil && *in.AvatarURL != "" {
		u := *in.AvatarURL
		if len(u) > 512 || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
			return Member{}, apperr.InvalidArgument("avatar_url must be an http(s) URL of at most 512 bytes")
		}
	}
	if in.RealName != nil {
		n := strings.TrimSpace(*in.RealName)
		if n == "" || utf8.RuneCountInString(n) > 32 {
			return Member{}, apperr.InvalidArgument("real_name must be 1-32 characters")
		}
		sealed, err := s.Sealer.Seal(memberID, RealNameField, []byte(n))
		if err != nil {
			return Member{}, err
		}
		p.RealNameSealed = sealed
	}
	m, err := s.Members.UpdateMember(ctx, brandID, memberID, p)
	if errors.Is(err, ErrNotFound) {
		return Member{}, apperr.NotFoundf("no such member")
	}
	return m, err
}
