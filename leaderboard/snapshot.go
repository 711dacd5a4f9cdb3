package leaderboard

import (
	"context"
	"time"
)

// Privacy says how names show on outputs that leave the mini-program (text, poster, public
// page, WeCom push).
type Privacy string

const (
	PrivacyNickname Privacy = "nickname"  // the nickname the member set
	PrivacyMasked   Privacy = "masked"    // first character + "*" (张*)
	PrivacyRankOnly Privacy = "rank_only" // no names at all
)

// Row is one ranked line of a snapshot. Name is the display name before privacy is applied:
// the nickname, or Anonymous for members who opted out of public boards.
type Row struct {
	Rank      int
	Name      string
	Count     int64 // counted reservations (live window) or distinct visitors (ignition)
	Anonymous bool  // leaderboard_visible = false: always shown as Anonymous
}

// Snapshot is one board as every output shows it: ranked, names resolved. The renderers
// (text, poster, page, WeCom markdown) take a Snapshot and apply Privacy themselves.
type Snapshot struct {
	BrandName  string
	BrandColor string // "#RRGGBB"; "" → the default colour
	LiveID     string
	LiveTitle  string
	Window     string // WindowLive or WindowIgnition
	Group      string // group label, "" for the whole live
	StartAt    time.Time
	Location   *time.Location // the brand's timezone, for times shown
	TakenAt    time.Time
	Target     int64 // the live's reservation target; 0 = none
	Total      int64 // counted reservations of the live (or of the group)
	Rows       []Row // top N, best first
	// For a member's own outputs: their row (Rank 0 when not on the board), their share link
	// and their QR image. Zero for admin outputs.
	Me      *Row
	LinkURL string
	QR      []byte
}

// SnapshotRequest names a board and how much of it to take.
type SnapshotRequest struct {
	BrandID  string
	LiveID   string
	Window   string
	Group    string
	TopN     int    // ≤ 0 → 10; capped at 100
	MemberID string // "" for admin outputs; else Me is filled
}

// Snapshots is what the outputs need from the board service.
type Snapshots interface {
	Snapshot(ctx context.Context, r SnapshotRequest) (Snapshot, error)
}
