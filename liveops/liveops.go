// Package liveops is the brand's live-operations assistant (issue 9): it keeps the Channels
// account's live notices in sync with the brand's lives and notices when one is revoked or
// moved; it guards live edits that would cost the platform's one reminder (the LiveGuard
// behind 409 RISK_ACK_REQUIRED); and it runs the shortfall second round before the start
// (subscribe reminders, a WeCom board push, task messages to the top inviters and group
// owners), each action a durable job that runs once per live and round.
//
// Like every domain package it declares what it needs and imports no HTTP, SQL, Redis or
// WeChat client package: the composition root adapts those.
package liveops

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
)

// Notice states (ours; WeChat's status is kept beside them).
const (
	NoticeAvailable = "available"
	NoticeRevoked   = "revoked" // WeChat status 1: cancelled; its reservations are gone
	NoticeUsed      = "used"    // WeChat status 2: the live happened
	NoticeMissing   = "missing" // no longer in the account's list
)

// Notice changes the sync detects.
const (
	ChangeRevoked    = "revoked"
	ChangeStartMoved = "start_moved"
	ChangeUsed       = "used"
	ChangeMissing    = "missing"
	ChangeRestored   = "restored"
)

// Notice is one live notice of a brand's Channels account as last synced.
type Notice struct {
	ID, BrandID, NoticeID string
	Status                int // WeChat's: 0 available, 1 cancelled, 2 used; -1 when missing
	StatusWording         string
	StartAt               time.Time
	Description           string
	State                 string
	LiveID                string // "" when no live of the brand uses the notice id
	Change                string // the last change detected, "" when none
	ChangedAt             *time.Time
	PreviousStartAt       *time.Time
	FirstSeenAt, SyncedAt time.Time
}

// RemoteNotice is a notice as WeChat lists it.
type RemoteNotice struct {
	NoticeID      string
	Status        int
	StatusWording string
	StartAt       time.Time
	Description   string
}

// RiskSnapshot keeps a live's counts just before an acknowledged risky change.
type RiskSnapshot struct {
	ID, BrandID, LiveID string
	Risks               []string
	Reserved, Counted   int64
	NoticeID            string
	PlannedStartAt      time.Time
	NoticeStartAt       *time.Time
	CreatedAt           time.Time
}

// Round names; one shortfall round per live.
const RoundShortfall = "shortfall"

// Round outcomes.
const (
	OutcomeShortfall = "shortfall"  // counted < target: the actions were queued
	OutcomeTargetMet = "target_met" // nothing to send
	OutcomeNoTarget  = "no_target"  // the live has no target: nothing to compare
)

// Action kinds of a shortfall round.
const (
	ActionSubscribeReminders = "subscribe_reminders" // (a) reservers and openers who gave a credit
	ActionWeComPush          = "wecom_push"          // (b) the board with the gap, to every enabled robot
	ActionInviterTasks       = "inviter_tasks"       // (c) top inviters and group owners: copy + their link
)

// ActionKinds lists a round's actions in order.
var ActionKinds = []string{ActionSubscribeReminders, ActionWeComPush, ActionInviterTasks}

// Action statuses.
const (
	ActionPending = "pending"
	ActionDone    = "done"
	ActionSkipped = "skipped" // could not apply (no template, no robot); Note says why
	ActionFailed  = "failed"  // a permanent error; Note says what
)

// Round is one shortfall check of a live.
type Round struct {
	ID, BrandID, LiveID, Round string
	LeadMinutes                int
	Counted, Target            int64
	Outcome                    string
	CreatedAt                  time.Time
}

// Gap is how many counted reservations the live lacks (0 when the target is met).
func (r Round) Gap() int64 { return max(0, r.Target-r.Counted) }

// Action is one action of a round.
type Action struct {
	ID, BrandID, RoundID, LiveID, Kind string
	Status                             string
	Recipients, Queued                 int
	Batch, Note                        string
	CreatedAt                          time.Time
	DoneAt                             *time.Time
}

// ActionChange ends a pending action.
type ActionChange struct {
	Status             string
	Recipients, Queued int
	Batch, Note        string
	At                 time.Time
}

// Recipient is a member a round writes to, with their share code for the live ("" when
// they have none).
type Recipient struct {
	MemberID string
	Nickname string
	Code     string
}

// ErrNotFound, ErrDuplicate are what Store implementations answer.
var (
	ErrNotFound  = errors.New("liveops: not found")
	ErrDuplicate = errors.New("liveops: duplicate")
)

// Store is the storage the package needs; every method takes the brand except the global
// scans the periodic jobs use.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error

	Notices(ctx context.Context, brandID string) ([]Notice, error)
	NoticeByNoticeID(ctx context.Context, brandID, noticeID string) (Notice, error)
	// PutNotice inserts or updates the notice with n's (brand, notice id).
	PutNotice(ctx context.Context, n Notice) (Notice, error)

	// ReservationCounts answers the live's reserved (status reserved) and counted reservations.
	ReservationCounts(ctx context.Context, brandID, liveID string) (reserved, counted int64, err error)
	InsertRiskSnapshot(ctx context.Context, s RiskSnapshot) (RiskSnapshot, error)
	RiskSnapshots(ctx context.Context, brandID, liveID string) ([]RiskSnapshot, error)

	// LivesStartingBetween lists reservable lives of every brand whose planned start is in
	// (from, to] (periodic job only).
	LivesStartingBetween(ctx context.Context, from, to time.Time) ([]referral.Live, error)
	// InsertRound inserts r unless the (brand, live, round) exists; it answers the stored
	// round and whether it was inserted, without aborting the caller's transaction.
	InsertRound(ctx context.Context, r Round) (Round, bool, error)
	Rounds(ctx context.Context, brandID, liveID string) ([]Round, error)
	RoundByID(ctx context.Context, brandID, id string) (Round, error)
	InsertAction(ctx context.Context, a Action) (Action, error)
	ActionByID(ctx context.Context, brandID, id string) (Action, error)
	Actions(ctx context.Context, brandID, roundID string) ([]Action, error)
	// FinishAction applies ch if the action is still pending; it reports whether it did.
	FinishAction(ctx context.Context, brandID, id string, ch ActionChange) (bool, error)

	// Reservers: members with a reservation in status reserved for the live.
	Reservers(ctx context.Context, brandID, liveID string) ([]Recipient, error)
	// Openers: members who opened a share link of the live (a touch) and hold no reservation.
	Openers(ctx context.Context, brandID, liveID string) ([]Recipient, error)
	// TopInviters: the n members with the most counted reservations, with their code.
	TopInviters(ctx context.Context, brandID, liveID string, n int) ([]Recipient, error)
	// GroupOwners: members owning a group share link of the live, with that code.
	GroupOwners(ctx context.Context, brandID, liveID string) ([]Recipient, error)
}

// Lives reads lives (store.Store satisfies it).
type Lives interface {
	LiveByID(ctx context.Context, brandID, id string) (referral.Live, error)
	LiveByNoticeID(ctx context.Context, brandID, noticeID string) (referral.Live, error)
}

// Brands reads brands (brands.Service and store.Store satisfy the parts they have).
type Brands interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
}

// BrandLister lists every brand (periodic jobs only).
type BrandLister interface {
	ListBrands(ctx context.Context) ([]brands.Brand, error)
}

// NoticeSource lists a brand's Channels notices (the shop API's getfinderlivenoticerecordlist).
type NoticeSource interface {
	LiveNotices(ctx context.Context, brandID string) ([]RemoteNotice, error)
}

// Queue enqueues the durable jobs, inside the transaction in ctx.
type Queue interface {
	EnqueueNoticeSync(ctx context.Context, brandID string) error
	EnqueueOutreachAction(ctx context.Context, brandID, actionID string) error
}

// Reminders is the subscribe-message sender (reminders.Service).
type Reminders interface {
	Send(ctx context.Context, req reminders.Request) (reminders.Result, error)
	Templates(ctx context.Context, brandID string) ([]reminders.Template, error)
	BatchSummary(ctx context.Context, brandID, batch string) (map[reminders.Status]int, error)
}

// BoardPusher queues the live's board (markdown, with the gap to the target) to every enabled
// WeCom robot of the brand, in the transaction in ctx; it answers how many robots and pushes.
type BoardPusher interface {
	PushBoardToAllRobots(ctx context.Context, brandID, liveID string) (robots, pushes int, err error)
}

// Service is the live-operations use cases.
type Service struct {
	Store     Store
	Lives     Lives
	Brands    Brands
	AllBrands BrandLister
	Notices   NoticeSource
	Queue     Queue
	Reminders Reminders
	Pusher    BoardPusher
	Clock     clock.Clock
	Log       *slog.Logger
	// TopInviters is how many of the board's best get a task message (0 → 10).
	TopInviters int
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
