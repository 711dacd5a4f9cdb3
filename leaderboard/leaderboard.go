// Package leaderboard owns the reservation-invitation leaderboard (预约邀请排行榜): the windows,
// the ranking rule (higher count first; at equal count, whoever reached it first), the packing
// of that rule into one sortable score, anonymity, and the rebuild from the source of truth.
// It declares the board store it needs (Redis at the edge) and never imports Redis or SQL.
package leaderboard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Windows.
const (
	WindowLive     = "live"     // counted reservations per inviter
	WindowIgnition = "ignition" // distinct visitors per inviter in the first 20 minutes of the live
)

// IgnitionSpan is how long after the actual start the ignition window lasts.
const IgnitionSpan = 20 * time.Minute

// Anonymous is shown for members who opted out of public boards.
const Anonymous = "匿名"

// Key names one board.
type Key struct {
	LiveID string
	Window string
	Group  string // only with WindowLive; "" = the whole live
}

// Limits of the packed score: count·2³² + (2³² − 1 − seconds since the live was created) must
// stay below 2⁵³ to be exact in a float64.
const (
	MaxCount   = 1<<21 - 1
	maxSeconds = 1<<32 - 1
)

// ErrScoreRange means a standing cannot be packed exactly.
var ErrScoreRange = errors.New("leaderboard: count out of range")

// Pack turns a standing into the board score: higher counts first, and at equal count the
// earlier reachedAt first. Seconds are counted from the live's creation and clamped to the
// 32-bit range. A count of 0 packs to 0 (off the board).
func Pack(count int64, reachedAt, origin time.Time) (float64, error) {
	if count < 0 || count > MaxCount {
		return 0, fmt.Errorf("%w: %d", ErrScoreRange, count)
	}
	if count == 0 {
		return 0, nil
	}
	secs := int64(reachedAt.Sub(origin) / time.Second)
	secs = min(max(secs, 0), maxSeconds)
	return float64(count<<32 + (maxSeconds - secs)), nil
}

// Unpack recovers the count and the seconds since origin from a score.
func Unpack(score float64) (count int64, secs int64) {
	if score <= 0 || math.IsNaN(score) {
		return 0, 0
	}
	v := int64(score)
	return v >> 32, maxSeconds - v&maxSeconds
}

// Standing is an inviter's position on one board, from the source of truth.
type Standing struct {
	MemberID  string
	Count     int64
	ReachedAt time.Time
}

// Scored is a board member and its packed score.
type Scored struct {
	MemberID string
	Score    float64
}

// Display is how a member shows on boards.
type Display struct {
	Nickname string
	Visible  bool
}

// Board is the fast store of boards (Redis sorted sets at the edge).
type Board interface {
	// Set puts memberID at score on key (score 0 removes it).
	Set(ctx context.Context, k Key, memberID string, score float64) error
	// Top answers the first n members, best first.
	Top(ctx context.Context, k Key, n int) ([]Scored, error)
	// Rank answers memberID's 0-based rank and score; ok is false when not on the board.
	Rank(ctx context.Context, k Key, memberID string) (rank int64, score float64, ok bool, err error)
	// Replace swaps the whole board for entries atomically (rebuild).
	Replace(ctx context.Context, k Key, entries []Scored) error
	// Lock serialises refreshes of one (board family, member) so a slow refresh cannot
	// overwrite a newer one; fn runs while the lock is held.
	Lock(ctx context.Context, liveID, memberID string, fn func(ctx context.Context) error) error
	// Names and PutNames cache members' display per brand.
	Names(ctx context.Context, brandID string, ids []string) (map[string]Display, error)
	PutNames(ctx context.Context, brandID string, names map[string]Display) error
}
