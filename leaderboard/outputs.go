package leaderboard

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/clock"
)

// Outputs is the board outside the mini-program: paste-ready text, the poster, public pages,
// WeCom robots and their pushes (on demand and on schedules). It renders only from Snapshots
// and reaches storage, WeCom, Redis and the job queue through the interfaces below.
type Outputs struct {
	Snapshots Snapshots
	Store     OutputStore
	Sealer    Sealer
	Fonts     FontSource
	Sender    RobotSender
	Limiter   RobotLimiter
	Queue     PushQueue
	Clock     clock.Clock
	Log       *slog.Logger
	// PageRefresh is how often the public page reloads its numbers; 0 → 15 s.
	PageRefresh time.Duration
	// RateLimitBackoff is the wait after WeCom's 45009; 0 → 65 s (WeCom lifts a minute-level
	// limit about a minute after it was hit).
	RateLimitBackoff time.Duration

	renderOnce  sync.Once
	renderSlots chan struct{}
}

// renderPoster draws a poster while holding one of NumCPU render slots: a poster costs a few
// hundred milliseconds of CPU, and a burst of requests must queue rather than starve the API.
func (o *Outputs) renderPoster(ctx context.Context, s Snapshot, f *Font, p Privacy) ([]byte, error) {
	o.renderOnce.Do(func() { o.renderSlots = make(chan struct{}, max(1, runtime.NumCPU())) })
	select {
	case o.renderSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-o.renderSlots }()
	return RenderPoster(s, f, p)
}

// Sealer seals robot webhook keys (secrets.Box).
type Sealer interface {
	Seal(owner, field string, plaintext []byte) ([]byte, error)
	Open(owner, field string, sealed []byte) ([]byte, error)
}

// RobotMessage is one robot message: markdown or a PNG image.
type RobotMessage struct {
	Markdown string
	Image    []byte
}

// RobotSender sends to a WeCom group robot (wechat/wecom at the edge). WeCom's refusals come
// back as *RobotError; anything else is a transport failure worth a retry.
type RobotSender interface {
	Send(ctx context.Context, webhookKey string, m RobotMessage) error
}

// RobotError is WeCom's non-zero errcode.
type RobotError struct {
	Code    int
	Message string
}

func (e *RobotError) Error() string {
	return "wecom errcode " + strconv.Itoa(e.Code) + ": " + e.Message
}

// RobotLimiter spaces sends per robot across replicas (Redis at the edge).
type RobotLimiter interface {
	AllowRobot(ctx context.Context, robotID string) (ok bool, retryAfter time.Duration, err error)
}

// PushQueue enqueues the send of one push; it joins the transaction in ctx (River).
type PushQueue interface {
	EnqueuePush(ctx context.Context, brandID, pushID string) error
}

// ErrOutputNotFound is what OutputStore answers for a missing row (or another brand's).
var ErrOutputNotFound = errors.New("leaderboard: output not found")

// OutputStore is the storage of shares, robots, schedules and pushes. Every method but the
// two global lookups (share by token hash, the schedule scan) takes brand_id.
type OutputStore interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	AppendAudit(ctx context.Context, e brands.AuditEntry) error

	CreateShare(ctx context.Context, s Share) (Share, error)
	ShareByTokenHash(ctx context.Context, hash []byte) (Share, error)
	// RevokeShare sets revoked_at once; ErrOutputNotFound when brandID has no such share.
	RevokeShare(ctx context.Context, brandID string, hash []byte, at time.Time) (Share, error)

	CreateRobot(ctx context.Context, r Robot) (Robot, error)
	Robot(ctx context.Context, brandID, id string) (Robot, error)
	Robots(ctx context.Context, brandID string) ([]Robot, error)
	CountRobots(ctx context.Context, brandID string) (int, error)
	UpdateRobot(ctx context.Context, brandID, id string, p RobotPatch) (Robot, error)
	DeleteRobot(ctx context.Context, brandID, id string) error

	CreatePush(ctx context.Context, p Push) (Push, error)
	Push(ctx context.Context, brandID, id string) (Push, error)
	Pushes(ctx context.Context, brandID, liveID string, page brands.Page) ([]Push, string, error)
	UpdatePush(ctx context.Context, brandID, id string, p PushPatch) error

	CreateSchedule(ctx context.Context, s Schedule) (Schedule, error)
	Schedule(ctx context.Context, brandID, id string) (Schedule, error)
	Schedules(ctx context.Context, brandID, liveID string) ([]Schedule, error)
	SchedulesWithRobot(ctx context.Context, brandID, robotID string) ([]Schedule, error)
	UpdateSchedule(ctx context.Context, brandID, id string, s Schedule) (Schedule, error)
	DeleteSchedule(ctx context.Context, brandID, id string) error
	// EnabledSchedules pages every brand's enabled schedules by id (the tick).
	EnabledSchedules(ctx context.Context, afterID string, limit int) ([]Schedule, error)
	// ClaimScheduleSlot moves last_slot_at to slot only while it is still before slot (or
	// unset): exactly one caller wins a slot.
	ClaimScheduleSlot(ctx context.Context, brandID, id string, slot time.Time) (bool, error)
}

// BoardQuery selects a board and how it shows.
type BoardQuery struct {
	Window  string
	Group   string
	Privacy Privacy
	TopN    int
}

// Limits of a query.
const (
	DefaultTopN = 10
	MaxTopN     = 100
	maxGroupLen = 64
)

// Normalize fills defaults and refuses what no board can answer.
func (q BoardQuery) Normalize() (BoardQuery, error) {
	if q.Window == "" {
		q.Window = WindowLive
	}
	if q.Window != WindowLive && q.Window != WindowIgnition {
		return q, apperr.InvalidArgument("window must be live or ignition")
	}
	if q.Group != "" && q.Window != WindowLive {
		return q, apperr.InvalidArgument("group boards exist only for the live window")
	}
	if len(q.Group) > maxGroupLen {
		return q, apperr.InvalidArgument("group must be at most 64 bytes")
	}
	p, ok := ParsePrivacy(string(q.Privacy))
	if !ok {
		return q, apperr.InvalidArgument("privacy must be nickname, masked or rank_only")
	}
	q.Privacy = p
	if q.TopN == 0 {
		q.TopN = DefaultTopN
	}
	if q.TopN < 1 || q.TopN > MaxTopN {
		return q, apperr.InvalidArgument("top_n must be from 1 to 100")
	}
	return q, nil
}

// CodeBoardUnavailable answers while no board service is wired.
const CodeBoardUnavailable = "LEADERBOARD_UNAVAILABLE"

func (o *Outputs) snapshot(ctx context.Context, brandID, liveID, memberID string, q BoardQuery) (Snapshot, error) {
	if o.Snapshots == nil {
		return Snapshot{}, apperr.New(apperr.Unavailable, CodeBoardUnavailable, "the leaderboard is not available")
	}
	if liveID == "" {
		return Snapshot{}, apperr.NotFoundf("no such live")
	}
	return o.Snapshots.Snapshot(ctx, SnapshotRequest{BrandID: brandID, LiveID: liveID, Window: q.Window,
		Group: q.Group, TopN: q.TopN, MemberID: memberID})
}

// Text is the paste-ready board; memberID "" for admins (no personal link).
func (o *Outputs) Text(ctx context.Context, brandID, liveID, memberID string, q BoardQuery) (string, error) {
	q, err := q.Normalize()
	if err != nil {
		return "", err
	}
	s, err := o.snapshot(ctx, brandID, liveID, memberID, q)
	if err != nil {
		return "", err
	}
	return RenderText(s, q.Privacy), nil
}

// Poster is the PNG board; memberID "" for admins (no QR).
func (o *Outputs) Poster(ctx context.Context, brandID, liveID, memberID string, q BoardQuery) ([]byte, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	f, err := o.font(ctx)
	if err != nil {
		return nil, err
	}
	s, err := o.snapshot(ctx, brandID, liveID, memberID, q)
	if err != nil {
		return nil, err
	}
	return o.renderPoster(ctx, s, f, q.Privacy)
}

func (o *Outputs) font(ctx context.Context) (*Font, error) {
	if o.Fonts == nil {
		return nil, FontMissing("no font source is configured")
	}
	return o.Fonts.Font(ctx)
}

func (o *Outputs) now() time.Time {
	if o.Clock == nil {
		return time.Now()
	}
	return o.Clock.Now()
}

func (o *Outputs) logger() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

func (o *Outputs) audit(ctx context.Context, brandID string, a brands.Actor, action, targetType, targetID string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	return o.Store.AppendAudit(ctx, brands.AuditEntry{BrandID: brandID, ActorType: a.Type, ActorID: a.ID, Action: action,
		TargetType: targetType, TargetID: targetID, Detail: detail, RequestID: a.RequestID, CreatedAt: o.now()})
}

func queryDetail(q BoardQuery) map[string]any {
	return map[string]any{"window": q.Window, "group": q.Group, "privacy": string(q.Privacy), "top_n": q.TopN}
}
