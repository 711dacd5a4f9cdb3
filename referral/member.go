// Package referral owns the community side: members and their login, share links, touches,
// reservations, binding and attribution. It declares the storage and WeChat interfaces it
// needs and never imports HTTP, SQL, Redis or WeChat Pay packages.
package referral

import (
	"context"
	"errors"
	"time"
)

// Member statuses.
const (
	StatusActive = "active"
	StatusFrozen = "frozen"
	StatusBanned = "banned"
)

// Member is a community member of one brand.
type Member struct {
	ID, BrandID        string
	OpenID, UnionID    string
	Nickname           string
	AvatarURL          string
	Status             string
	LeaderboardVisible bool
	HasRealName        bool
	RecruiterID        string
	CreatedAt          time.Time
	LastLoginAt        *time.Time
}

// MemberPatch changes a member; nil fields stay.
type MemberPatch struct {
	Nickname           *string
	AvatarURL          *string
	LeaderboardVisible *bool
	RealNameSealed     []byte // non-nil → replace
	UnionID            *string
	LastLoginAt        *time.Time
}

// ErrNotFound and ErrDuplicate are what stores answer.
var (
	ErrNotFound  = errors.New("referral: not found")
	ErrDuplicate = errors.New("referral: duplicate")
)

// MemberStore keeps members.
type MemberStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CreateMember inserts; ErrDuplicate when (brand, openid) exists.
	CreateMember(ctx context.Context, m Member) (Member, error)
	MemberByOpenID(ctx context.Context, brandID, openID string) (Member, error)
	MemberByID(ctx context.Context, brandID, id string) (Member, error)
	UpdateMember(ctx context.Context, brandID, id string, p MemberPatch) (Member, error)
}
