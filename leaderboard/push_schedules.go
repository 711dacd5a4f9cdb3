package leaderboard

import (
	"context"
	"errors"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Schedule pushes a live's board to robots in phases relative to the live's start, e.g.
// {-180, 0, 30} (every 30 minutes in the 3 hours before) and {0, 20, 5} (every 5 minutes in
// the first 20 minutes, when private inflow matters most).
type Schedule struct {
	ID         string
	BrandID    string
	LiveID     string
	RobotIDs   []string
	Format     string
	Query      BoardQuery
	Phases     []Phase
	Enabled    bool
	LastSlotAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Phase is a half-open span [FromMinutes, ToMinutes) around the live's start (negative is
// before it) with a push every EveryMinutes, the first at FromMinutes.
type Phase struct {
	FromMinutes  int `json:"from_minutes"`
	ToMinutes    int `json:"to_minutes"`
	EveryMinutes int `json:"every_minutes"`
}

// Schedule limits: a week before to a day after the start, at most one push a minute per
// phase, a handful of phases and schedules.
const (
	minPhaseMinutes     = -7 * 24 * 60
	maxPhaseMinutes     = 24 * 60
	maxPhases           = 6
	maxSchedulesPerLive = 20
	// maxSlotLag skips a slot found late (after downtime): a board pushed an hour late would
	// mislead the group more than no push.
	maxSlotLag = 10 * time.Minute
	// scheduleScanPage and scheduleScanMax bound one tick's work.
	scheduleScanPage = 200
	scheduleScanMax  = 10_000
)

// ScheduleInput creates a schedule.
type ScheduleInput struct {
	RobotIDs []string
	Format   string
	Query    BoardQuery
	Phases   []Phase
	Enabled  *bool // nil → true
}

// ScheduleChange edits a schedule; nil fields stay.
type ScheduleChange struct {
	RobotIDs *[]string
	Format   *string
	Window   *string
	Group    *string
	Privacy  *string
	TopN     *int
	Phases   *[]Phase
	Enabled  *bool
}

func checkPhases(ps []Phase) error {
	if len(ps) == 0 || len(ps) > maxPhases {
		return apperr.InvalidArgument("phases must hold 1 to 6 phases")
	}
	for _, p := range ps {
		if p.FromMinutes < minPhaseMinutes || p.ToMinutes > maxPhaseMinutes || p.FromMinutes >= p.ToMinutes {
			return apperr.InvalidArgument("each phase needs from_minutes < to_minutes, within a week before and a day after the start")
		}
		if p.EveryMinutes < 1 || p.EveryMinutes > 24*60 {
			return apperr.InvalidArgument("every_minutes must be from 1 to 1440")
		}
	}
	return nil
}

// LatestSlot answers the latest push time of phases at or before now for a live starting at
// start, and false when none has come yet.
func LatestSlot(phases []Phase, start, now time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, p := range phases {
		from := start.Add(time.Duration(p.FromMinutes) * time.Minute)
		to := start.Add(time.Duration(p.ToMinutes) * time.Minute)
		if now.Before(from) {
			continue
		}
		every := time.Duration(p.EveryMinutes) * time.Minute
		last := now
		if !last.Before(to) {
			last = to.Add(-time.Nanosecond)
		}
		slot := from.Add(last.Sub(from) / every * every)
		if !found || slot.After(best) {
			best, found = slot, true
		}
	}
	return best, found
}

var errScheduleNotFound = apperr.New(apperr.NotFound, "NOT_FOUND", "no such push schedule")

func scheduleErr(err error) error {
	if errors.Is(err, ErrOutputNotFound) {
		return errScheduleNotFound
	}
	return err
}

// checkScheduleRobots makes sure every robot is the brand's (another brand's is 404).
func (o *Outputs) checkScheduleRobots(ctx context.Context, brandID string, ids []string) error {
	if err := checkRobotIDs(ids); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := o.Store.Robot(ctx, brandID, id); err != nil {
			return robotErr(err)
		}
	}
	return nil
}

// CreateSchedule adds a push schedule to a live.
func (o *Outputs) CreateSchedule(ctx context.Context, a brands.Actor, brandID, liveID string, in ScheduleInput) (Schedule, error) {
	q, err := in.Query.Normalize()
	if err != nil {
		return Schedule{}, err
	}
	if _, err := kindsOf(in.Format); err != nil {
		return Schedule{}, err
	}
	if in.Format == "" {
		in.Format = FormatBoth
	}
	if err := checkPhases(in.Phases); err != nil {
		return Schedule{}, err
	}
	if _, err := o.snapshot(ctx, brandID, liveID, "", BoardQuery{Window: q.Window, Group: q.Group, TopN: 1}); err != nil {
		return Schedule{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	var out Schedule
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := o.checkScheduleRobots(ctx, brandID, in.RobotIDs); err != nil {
			return err
		}
		existing, err := o.Store.Schedules(ctx, brandID, liveID)
		if err != nil {
			return err
		}
		if len(existing) >= maxSchedulesPerLive {
			return apperr.New(apperr.Rule, "SCHEDULE_LIMIT", "a live has at most 20 push schedules")
		}
		now := o.now()
		out, err = o.Store.CreateSchedule(ctx, Schedule{BrandID: brandID, LiveID: liveID, RobotIDs: in.RobotIDs,
			Format: in.Format, Query: q, Phases: in.Phases, Enabled: enabled, CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		return o.audit(ctx, brandID, a, "push_schedule.create", "push_schedule", out.ID, map[string]any{"live_id": liveID})
	})
	return out, err
}

// Schedules lists a live's schedules.
func (o *Outputs) Schedules(ctx context.Context, brandID, liveID string) ([]Schedule, error) {
	if _, err := o.snapshot(ctx, brandID, liveID, "", BoardQuery{Window: WindowLive, TopN: 1}); err != nil {
		return nil, err
	}
	return o.Store.Schedules(ctx, brandID, liveID)
}

// UpdateSchedule edits a schedule.
func (o *Outputs) UpdateSchedule(ctx context.Context, a brands.Actor, brandID, id string, ch ScheduleChange) (Schedule, error) {
	var out Schedule
	err := o.Store.WithTx(ctx, func(ctx context.Context) error {
		s, err := o.Store.Schedule(ctx, brandID, id)
		if err != nil {
			return scheduleErr(err)
		}
		if ch.RobotIDs != nil {
			if err := o.checkScheduleRobots(ctx, brandID, *ch.RobotIDs); err != nil {
				return err
			}
			s.RobotIDs = *ch.RobotIDs
		}
		if ch.Format != nil {
			if _, err := kindsOf(*ch.Format); err != nil || *ch.Format == "" {
				return apperr.InvalidArgument("format must be markdown, image or both")
			}
			s.Format = *ch.Format
		}
		q := s.Query
		if ch.Window != nil {
			q.Window = *ch.Window
		}
		if ch.Group != nil {
			q.Group = *ch.Group
		}
		if ch.Privacy != nil {
			q.Privacy = Privacy(*ch.Privacy)
		}
		if ch.TopN != nil {
			q.TopN = *ch.TopN
		}
		if s.Query, err = q.Normalize(); err != nil {
			return err
		}
		if ch.Phases != nil {
			if err := checkPhases(*ch.Phases); err != nil {
				return err
			}
			s.Phases = *ch.Phases
		}
		if ch.Enabled != nil {
			s.Enabled = *ch.Enabled
		}
		s.UpdatedAt = o.now()
		if out, err = o.Store.UpdateSchedule(ctx, brandID, id, s); err != nil {
			return scheduleErr(err)
		}
		return o.audit(ctx, brandID, a, "push_schedule.update", "push_schedule", id, map[string]any{"live_id": s.LiveID})
	})
	return out, err
}

// DeleteSchedule removes a schedule; pushes already queued still go out.
func (o *Outputs) DeleteSchedule(ctx context.Context, a brands.Actor, brandID, id string) error {
	return o.Store.WithTx(ctx, func(ctx context.Context) error {
		s, err := o.Store.Schedule(ctx, brandID, id)
		if err != nil {
			return scheduleErr(err)
		}
		if err := o.Store.DeleteSchedule(ctx, brandID, id); err != nil {
			return scheduleErr(err)
		}
		return o.audit(ctx, brandID, a, "push_schedule.delete", "push_schedule", id, map[string]any{"live_id": s.LiveID})
	})
}

// RunDueSchedules queues the pushes of every schedule whose latest slot has come and was not
// pushed yet, and answers how many pushes it queued. The live's start is read at each tick,
// so a moved start moves the slots. Run from a periodic job on wall time; "now" is the
// application clock, so the simulator's clock moves schedules too.
func (o *Outputs) RunDueSchedules(ctx context.Context) (int, error) {
	now := o.now()
	queued, after := 0, ""
	for scanned := 0; scanned < scheduleScanMax; {
		page, err := o.Store.EnabledSchedules(ctx, after, scheduleScanPage)
		if err != nil {
			return queued, err
		}
		for _, s := range page {
			n, err := o.runSchedule(ctx, s, now)
			if err != nil {
				// One schedule's trouble (its live gone, a hiccup) must not starve the others.
				o.logger().Warn("push schedule", "schedule_id", s.ID, "brand_id", s.BrandID, "error", err.Error())
				continue
			}
			queued += n
		}
		scanned += len(page)
		if len(page) < scheduleScanPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return queued, nil
}

func (o *Outputs) runSchedule(ctx context.Context, s Schedule, now time.Time) (int, error) {
	snap, err := o.snapshot(ctx, s.BrandID, s.LiveID, "", BoardQuery{Window: s.Query.Window, Group: s.Query.Group, TopN: 1})
	if err != nil {
		return 0, err
	}
	if snap.StartAt.IsZero() {
		return 0, nil
	}
	slot, ok := LatestSlot(s.Phases, snap.StartAt, now)
	if !ok || now.Sub(slot) > maxSlotLag || (s.LastSlotAt != nil && !slot.After(*s.LastSlotAt)) {
		return 0, nil
	}
	kinds, err := kindsOf(s.Format)
	if err != nil {
		return 0, err
	}
	queued := 0
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		won, err := o.Store.ClaimScheduleSlot(ctx, s.BrandID, s.ID, slot)
		if err != nil || !won {
			return err
		}
		var robots []Robot
		for _, id := range s.RobotIDs {
			rb, err := o.Store.Robot(ctx, s.BrandID, id)
			if errors.Is(err, ErrOutputNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if rb.Enabled {
				robots = append(robots, rb)
			}
		}
		pushes, err := o.queuePushes(ctx, s.BrandID, s.LiveID, s.ID, robots, kinds, s.Query)
		queued = len(pushes)
		return err
	})
	return queued, err
}
