package leaderboard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Push is one message of a board to one robot: the durable intent the send job works on, and
// the result the admin reads.
type Push struct {
	ID         string
	BrandID    string
	LiveID     string
	RobotID    string
	RobotName  string
	ScheduleID string
	Kind       string // PushMarkdown or PushImage
	Query      BoardQuery
	Status     string
	Attempts   int // WeCom rate-limit refusals and failed tries so far
	Errcode    int // WeCom's last errcode, 0 when none
	Error      string
	Bytes      int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SentAt     *time.Time
}

// Message kinds and formats.
const (
	PushMarkdown = "markdown"
	PushImage    = "image"
	FormatBoth   = "both"
)

// Push states: queued → sent | failed, with retrying in between while WeCom or the network
// asks us to wait.
const (
	PushQueued   = "queued"
	PushRetrying = "retrying"
	PushSent     = "sent"
	PushFailed   = "failed"
)

// PushPatch records progress; nil fields stay.
type PushPatch struct {
	Status   *string
	Attempts *int
	Errcode  *int
	Error    *string
	Bytes    *int
	SentAt   *time.Time
}

// WeCom errcodes the pushes act on (reference/WECOM-CHANNELS.md §1.5).
const (
	ErrcodeBusy           = -1
	ErrcodeBadKey         = 93000
	ErrcodeRobotDisabled  = 93004
	ErrcodeNotInGroup     = 93008
	ErrcodeRateLimited    = 45009
	ErrcodeTooLong        = 40058
	maxRateLimitedRetries = 5
	// shrunkMarkdownBytes is the budget after WeCom refused a message as too long anyway.
	shrunkMarkdownBytes = MaxMarkdownBytes / 2
	// maxPushRobots bounds one push's fan-out.
	maxPushRobots = 20
)

// PushRequest pushes a board to robots now.
type PushRequest struct {
	RobotIDs []string
	Format   string // markdown, image or both
	Query    BoardQuery
}

func kindsOf(format string) ([]string, error) {
	switch format {
	case PushMarkdown:
		return []string{PushMarkdown}, nil
	case PushImage:
		return []string{PushImage}, nil
	case FormatBoth, "":
		return []string{PushMarkdown, PushImage}, nil
	}
	return nil, apperr.InvalidArgument("format must be markdown, image or both")
}

func checkRobotIDs(ids []string) error {
	if len(ids) == 0 || len(ids) > maxPushRobots {
		return apperr.InvalidArgument("robot_ids must name 1 to 20 robots")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > 36 || seen[id] {
			return apperr.InvalidArgument("robot_ids must be distinct robot ids")
		}
		seen[id] = true
	}
	return nil
}

// PushNow queues the board for each robot (one message per robot and kind) and answers the
// queued pushes; the send jobs are enqueued in the same transaction.
func (o *Outputs) PushNow(ctx context.Context, a brands.Actor, brandID, liveID string, r PushRequest) ([]Push, error) {
	q, err := r.Query.Normalize()
	if err != nil {
		return nil, err
	}
	kinds, err := kindsOf(r.Format)
	if err != nil {
		return nil, err
	}
	if err := checkRobotIDs(r.RobotIDs); err != nil {
		return nil, err
	}
	if _, err := o.snapshot(ctx, brandID, liveID, "", BoardQuery{Window: q.Window, Group: q.Group, TopN: 1}); err != nil {
		return nil, err
	}
	var out []Push
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		robots := make([]Robot, 0, len(r.RobotIDs))
		for _, id := range r.RobotIDs {
			rb, err := o.Store.Robot(ctx, brandID, id)
			if err != nil {
				return robotErr(err)
			}
			if !rb.Enabled {
				return apperr.New(apperr.Rule, "ROBOT_DISABLED", "robot "+rb.Name+" is disabled")
			}
			robots = append(robots, rb)
		}
		var err error
		out, err = o.queuePushes(ctx, brandID, liveID, "", robots, kinds, q)
		if err != nil {
			return err
		}
		d := queryDetail(q)
		d["live_id"], d["robot_ids"], d["format"] = liveID, r.RobotIDs, r.Format
		return o.audit(ctx, brandID, a, "leaderboard.push", "live", liveID, d)
	})
	return out, err
}

// queuePushes writes the push rows and enqueues their jobs; the caller holds the transaction.
func (o *Outputs) queuePushes(ctx context.Context, brandID, liveID, scheduleID string, robots []Robot, kinds []string, q BoardQuery) ([]Push, error) {
	now := o.now()
	var out []Push
	for _, rb := range robots {
		for _, k := range kinds {
			p, err := o.Store.CreatePush(ctx, Push{BrandID: brandID, LiveID: liveID, RobotID: rb.ID, RobotName: rb.Name,
				ScheduleID: scheduleID, Kind: k, Query: q, Status: PushQueued, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				return nil, err
			}
			if err := o.Queue.EnqueuePush(ctx, brandID, p.ID); err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// Pushes lists a live's push results, newest first.
func (o *Outputs) Pushes(ctx context.Context, brandID, liveID string, page brands.Page) ([]Push, string, error) {
	// Another brand's live (or none) answers 404 like every other route of the live, not an
	// empty list (the tenant isolation sweep).
	if _, err := o.snapshot(ctx, brandID, liveID, "", BoardQuery{Window: WindowLive, TopN: 1}); err != nil {
		return nil, "", err
	}
	return o.Store.Pushes(ctx, brandID, liveID, page)
}

// SnoozeError asks the job runner to try again after a while without counting an attempt
// (a rate limit is not a failure).
type SnoozeError struct{ After time.Duration }

func (e *SnoozeError) Error() string { return fmt.Sprintf("try again in %s", e.After) }

// Deliver sends one push. It answers nil when the push reached an end (sent or failed: the
// result is on the row), a *SnoozeError to wait for a rate limit, or another error to be
// retried with backoff; final says this is the job's last try, so a transient failure is
// recorded as failed instead.
func (o *Outputs) Deliver(ctx context.Context, brandID, pushID string, final bool) error {
	p, err := o.Store.Push(ctx, brandID, pushID)
	if errors.Is(err, ErrOutputNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Status == PushSent || p.Status == PushFailed {
		return nil // a replayed job changes nothing
	}
	rb, err := o.Store.Robot(ctx, brandID, p.RobotID)
	switch {
	case errors.Is(err, ErrOutputNotFound):
		return o.finish(ctx, p, PushFailed, 0, "the robot was deleted before the message went out")
	case err != nil:
		return err
	case !rb.Enabled:
		return o.finish(ctx, p, PushFailed, 0, "the robot is disabled")
	}
	key, err := o.Sealer.Open(brandID, robotKeyField(rb.ID), rb.KeySealed)
	if err != nil {
		return o.finish(ctx, p, PushFailed, 0, "the robot's webhook key cannot be read (was the secret key changed?); set it again")
	}
	if ok, wait, err := o.Limiter.AllowRobot(ctx, rb.ID); err != nil {
		return o.transient(ctx, p, final, err)
	} else if !ok {
		// Our own spacing (≤ 20 per minute per robot across replicas): queue, don't count.
		return &SnoozeError{After: max(wait, 100*time.Millisecond)}
	}
	msg, err := o.renderPush(ctx, p)
	if err != nil {
		if k := apperr.KindOf(err); k == apperr.NotFound || k == apperr.Unavailable || k == apperr.Invalid {
			return o.finish(ctx, p, PushFailed, 0, apperr.CodeOf(err)+": "+publicMessage(err))
		}
		return o.transient(ctx, p, final, err)
	}

	bytes := len(msg.Markdown) + len(msg.Image)
	err = o.Sender.Send(ctx, string(key), msg)
	var re *RobotError
	switch {
	case err == nil:
		now := o.now()
		st, zero, empty := PushSent, 0, ""
		if err := o.Store.UpdatePush(ctx, brandID, p.ID, PushPatch{Status: &st, Bytes: &bytes, SentAt: &now, Errcode: &zero, Error: &empty}); err != nil {
			return err
		}
		ok := RobotOK
		_, err := o.Store.UpdateRobot(ctx, brandID, rb.ID, RobotPatch{LastSentAt: &now, Status: &ok, LastErrcode: &zero, LastError: &empty})
		if errors.Is(err, ErrOutputNotFound) {
			return nil
		}
		return err
	case !errors.As(err, &re):
		return o.transient(ctx, p, final, err)
	}

	switch re.Code {
	case ErrcodeBadKey, ErrcodeRobotDisabled, ErrcodeNotInGroup:
		msg := fmt.Sprintf("WeCom refused the robot (%d): the webhook key is invalid, or the robot was removed from the group or disabled; set a new key", re.Code)
		broken := RobotBroken
		if _, err := o.Store.UpdateRobot(ctx, brandID, rb.ID, RobotPatch{Status: &broken, LastErrcode: &re.Code, LastError: &msg}); err != nil && !errors.Is(err, ErrOutputNotFound) {
			return err
		}
		return o.finish(ctx, p, PushFailed, re.Code, msg)
	case ErrcodeRateLimited:
		attempts := p.Attempts + 1
		if attempts > maxRateLimitedRetries {
			return o.finish(ctx, p, PushFailed, re.Code, "WeCom kept refusing: over 20 messages a minute for this robot (45009)")
		}
		if err := o.record(ctx, p, PushRetrying, attempts, re.Code, "WeCom rate limit (45009: 20 messages a minute per robot); waiting a minute before trying again"); err != nil {
			return err
		}
		backoff := o.RateLimitBackoff
		if backoff <= 0 {
			backoff = 65 * time.Second
		}
		return &SnoozeError{After: backoff}
	case ErrcodeTooLong:
		if p.Kind == PushMarkdown && p.Errcode != ErrcodeTooLong {
			// Our 4096-byte cut was not enough for WeCom this time: try once with half.
			if err := o.record(ctx, p, PushRetrying, p.Attempts+1, re.Code, "WeCom found the message too long (40058); sending a shorter one"); err != nil {
				return err
			}
			return &SnoozeError{After: 0}
		}
		return o.finish(ctx, p, PushFailed, re.Code, "WeCom refused the message as too long (40058)")
	case ErrcodeBusy:
		return o.transient(ctx, p, final, re)
	}
	return o.finish(ctx, p, PushFailed, re.Code, fmt.Sprintf("WeCom refused the message (%d)", re.Code))
}

func (o *Outputs) renderPush(ctx context.Context, p Push) (RobotMessage, error) {
	q := p.Query
	if p.Kind == PushImage {
		f, err := o.font(ctx)
		if err != nil {
			return RobotMessage{}, err
		}
		s, err := o.snapshot(ctx, p.BrandID, p.LiveID, "", q)
		if err != nil {
			return RobotMessage{}, err
		}
		img, err := o.renderPoster(ctx, s, f, q.Privacy)
		return RobotMessage{Image: img}, err
	}
	s, err := o.snapshot(ctx, p.BrandID, p.LiveID, "", q)
	if err != nil {
		return RobotMessage{}, err
	}
	limit := MaxMarkdownBytes
	if p.Errcode == ErrcodeTooLong {
		limit = shrunkMarkdownBytes
	}
	return RobotMessage{Markdown: RenderMarkdownWithin(s, q.Privacy, limit)}, nil
}

// transient records a failure worth retrying, or the end on the last try.
func (o *Outputs) transient(ctx context.Context, p Push, final bool, cause error) error {
	code := 0
	var re *RobotError
	if errors.As(cause, &re) {
		code = re.Code
	}
	o.logger().Warn("leaderboard push failed", "push_id", p.ID, "robot_id", p.RobotID, "error", cause.Error(), "final", final)
	if final {
		return o.finish(ctx, p, PushFailed, code, "could not reach WeCom after several tries: "+cause.Error())
	}
	if err := o.record(ctx, p, PushRetrying, p.Attempts+1, code, "could not reach WeCom, trying again: "+cause.Error()); err != nil {
		return err
	}
	return cause
}

func (o *Outputs) record(ctx context.Context, p Push, status string, attempts, code int, msg string) error {
	if len(msg) > 256 {
		msg = truncateUTF8(msg, 256)
	}
	return o.Store.UpdatePush(ctx, p.BrandID, p.ID, PushPatch{Status: &status, Attempts: &attempts, Errcode: &code, Error: &msg})
}

// finish records an end state and tells the runner the job is done.
func (o *Outputs) finish(ctx context.Context, p Push, status string, code int, msg string) error {
	return o.record(ctx, p, status, p.Attempts, code, msg)
}

// publicMessage is the caller-safe message of a classified error.
func publicMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return "internal error"
}
