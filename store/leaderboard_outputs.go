package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/leaderboardpush"
	"github.com/sharecast/sharecast/ent/leaderboardshare"
	"github.com/sharecast/sharecast/ent/pushschedule"
	"github.com/sharecast/sharecast/ent/wecomrobot"
	"github.com/sharecast/sharecast/leaderboard"
)

// This file implements leaderboard.OutputStore: public shares, WeCom robots, push schedules
// and push results. Times are stored in UTC so both engines compare them the same way.

func outputErr(err error) error {
	if ent.IsNotFound(err) {
		return leaderboard.ErrOutputNotFound
	}
	return err
}

func toShare(r *ent.LeaderboardShare) leaderboard.Share {
	return leaderboard.Share{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, TokenHash: r.TokenHash,
		Query:     leaderboard.BoardQuery{Window: r.BoardWindow, Group: r.GroupLabel, Privacy: leaderboard.Privacy(r.Privacy), TopN: r.TopN},
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}

// CreateShare inserts a public board page.
func (s *Store) CreateShare(ctx context.Context, sh leaderboard.Share) (leaderboard.Share, error) {
	r, err := s.ent(ctx).LeaderboardShare.Create().SetBrandID(sh.BrandID).SetLiveID(sh.LiveID).SetTokenHash(sh.TokenHash).
		SetBoardWindow(sh.Query.Window).SetGroupLabel(sh.Query.Group).SetPrivacy(string(sh.Query.Privacy)).SetTopN(sh.Query.TopN).
		SetCreatedBy(sh.CreatedBy).SetCreatedAt(sh.CreatedAt.UTC()).Save(ctx)
	if err != nil {
		return leaderboard.Share{}, err
	}
	return toShare(r), nil
}

// ShareByTokenHash finds a share before the brand is known (the public page).
func (s *Store) ShareByTokenHash(ctx context.Context, hash []byte) (leaderboard.Share, error) {
	r, err := s.ent(ctx).LeaderboardShare.Query().Where(leaderboardshare.TokenHash(hash)).Only(ctx)
	if err != nil {
		return leaderboard.Share{}, outputErr(err)
	}
	return toShare(r), nil
}

// RevokeShare sets revoked_at on the brand's share once and answers it.
func (s *Store) RevokeShare(ctx context.Context, brandID string, hash []byte, at time.Time) (leaderboard.Share, error) {
	c := s.ent(ctx)
	r, err := c.LeaderboardShare.Query().Where(leaderboardshare.BrandID(brandID), leaderboardshare.TokenHash(hash)).Only(ctx)
	if err != nil {
		return leaderboard.Share{}, outputErr(err)
	}
	if r.RevokedAt == nil {
		if _, err := c.LeaderboardShare.Update().Where(leaderboardshare.ID(r.ID), leaderboardshare.RevokedAtIsNil()).
			SetRevokedAt(at.UTC()).Save(ctx); err != nil {
			return leaderboard.Share{}, err
		}
		t := at.UTC()
		r.RevokedAt = &t
	}
	return toShare(r), nil
}

func toRobot(r *ent.WecomRobot) leaderboard.Robot {
	return leaderboard.Robot{ID: r.ID, BrandID: r.BrandID, Name: r.Name, KeySealed: r.KeySealed, Enabled: r.Enabled,
		Status: string(r.Status), LastErrcode: r.LastErrcode, LastError: r.LastError, LastSentAt: r.LastSentAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// CreateRobot inserts a robot with the id the domain chose (its key is sealed for that id).
func (s *Store) CreateRobot(ctx context.Context, rb leaderboard.Robot) (leaderboard.Robot, error) {
	r, err := s.ent(ctx).WecomRobot.Create().SetID(rb.ID).SetBrandID(rb.BrandID).SetName(rb.Name).
		SetKeySealed(rb.KeySealed).SetEnabled(rb.Enabled).Save(ctx)
	if err != nil {
		return leaderboard.Robot{}, err
	}
	return toRobot(r), nil
}

// Robot reads one robot of a brand.
func (s *Store) Robot(ctx context.Context, brandID, id string) (leaderboard.Robot, error) {
	r, err := s.ent(ctx).WecomRobot.Query().Where(wecomrobot.BrandID(brandID), wecomrobot.ID(id)).Only(ctx)
	if err != nil {
		return leaderboard.Robot{}, outputErr(err)
	}
	return toRobot(r), nil
}

// Robots lists a brand's robots by name (at most 100 exist).
func (s *Store) Robots(ctx context.Context, brandID string) ([]leaderboard.Robot, error) {
	rows, err := s.ent(ctx).WecomRobot.Query().Where(wecomrobot.BrandID(brandID)).
		Order(ent.Asc(wecomrobot.FieldName), ent.Asc(wecomrobot.FieldID)).Limit(500).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]leaderboard.Robot, len(rows))
	for i, r := range rows {
		out[i] = toRobot(r)
	}
	return out, nil
}

// CountRobots counts a brand's robots.
func (s *Store) CountRobots(ctx context.Context, brandID string) (int, error) {
	return s.ent(ctx).WecomRobot.Query().Where(wecomrobot.BrandID(brandID)).Count(ctx)
}

// UpdateRobot applies a patch to a brand's robot.
func (s *Store) UpdateRobot(ctx context.Context, brandID, id string, p leaderboard.RobotPatch) (leaderboard.Robot, error) {
	u := s.ent(ctx).WecomRobot.Update().Where(wecomrobot.BrandID(brandID), wecomrobot.ID(id)).SetUpdatedAt(time.Now().UTC())
	if p.Name != nil {
		u.SetName(*p.Name)
	}
	if p.KeySealed != nil {
		u.SetKeySealed(p.KeySealed)
	}
	if p.Enabled != nil {
		u.SetEnabled(*p.Enabled)
	}
	if p.Status != nil {
		u.SetStatus(wecomrobot.Status(*p.Status))
	}
	if p.LastErrcode != nil {
		u.SetLastErrcode(*p.LastErrcode)
	}
	if p.LastError != nil {
		u.SetLastError(truncate(*p.LastError, 256))
	}
	if p.LastSentAt != nil {
		u.SetLastSentAt(p.LastSentAt.UTC())
	}
	n, err := u.Save(ctx)
	if err != nil {
		return leaderboard.Robot{}, err
	}
	if n == 0 {
		return leaderboard.Robot{}, leaderboard.ErrOutputNotFound
	}
	return s.Robot(ctx, brandID, id)
}

// DeleteRobot removes a brand's robot.
func (s *Store) DeleteRobot(ctx context.Context, brandID, id string) error {
	n, err := s.ent(ctx).WecomRobot.Delete().Where(wecomrobot.BrandID(brandID), wecomrobot.ID(id)).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return leaderboard.ErrOutputNotFound
	}
	return nil
}

func toPush(r *ent.LeaderboardPush) leaderboard.Push {
	return leaderboard.Push{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, RobotID: r.RobotID, RobotName: r.RobotName,
		ScheduleID: r.ScheduleID, Kind: string(r.Kind),
		Query:  leaderboard.BoardQuery{Window: r.BoardWindow, Group: r.GroupLabel, Privacy: leaderboard.Privacy(r.Privacy), TopN: r.TopN},
		Status: string(r.Status), Attempts: r.Attempts, Errcode: r.Errcode, Error: r.Error, Bytes: r.Bytes,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, SentAt: r.SentAt}
}

// CreatePush inserts a push result row.
func (s *Store) CreatePush(ctx context.Context, p leaderboard.Push) (leaderboard.Push, error) {
	r, err := s.ent(ctx).LeaderboardPush.Create().SetBrandID(p.BrandID).SetLiveID(p.LiveID).SetRobotID(p.RobotID).
		SetRobotName(p.RobotName).SetScheduleID(p.ScheduleID).SetKind(leaderboardpush.Kind(p.Kind)).
		SetBoardWindow(p.Query.Window).SetGroupLabel(p.Query.Group).SetPrivacy(string(p.Query.Privacy)).SetTopN(p.Query.TopN).
		SetStatus(leaderboardpush.Status(p.Status)).SetCreatedAt(p.CreatedAt.UTC()).SetUpdatedAt(p.UpdatedAt.UTC()).Save(ctx)
	if err != nil {
		return leaderboard.Push{}, err
	}
	return toPush(r), nil
}

// Push reads one push of a brand.
func (s *Store) Push(ctx context.Context, brandID, id string) (leaderboard.Push, error) {
	r, err := s.ent(ctx).LeaderboardPush.Query().Where(leaderboardpush.BrandID(brandID), leaderboardpush.ID(id)).Only(ctx)
	if err != nil {
		return leaderboard.Push{}, outputErr(err)
	}
	return toPush(r), nil
}

// Pushes pages a live's pushes, newest first; the cursor is the last id seen (ids are
// time-ordered UUIDv7).
func (s *Store) Pushes(ctx context.Context, brandID, liveID string, p brands.Page) ([]leaderboard.Push, string, error) {
	limit := clampLimit(p.Limit)
	q := s.ent(ctx).LeaderboardPush.Query().Where(leaderboardpush.BrandID(brandID), leaderboardpush.LiveID(liveID))
	if p.Cursor != "" {
		q = q.Where(leaderboardpush.IDLT(p.Cursor))
	}
	rows, err := q.Order(ent.Desc(leaderboardpush.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = rows[limit-1].ID
	}
	out := make([]leaderboard.Push, len(rows))
	for i, r := range rows {
		out[i] = toPush(r)
	}
	return out, next, nil
}

// UpdatePush records a push's progress. A push that reached sent or failed never changes
// again (a late retry of a finished job cannot undo its result).
func (s *Store) UpdatePush(ctx context.Context, brandID, id string, p leaderboard.PushPatch) error {
	u := s.ent(ctx).LeaderboardPush.Update().Where(leaderboardpush.BrandID(brandID), leaderboardpush.ID(id),
		leaderboardpush.StatusIn(leaderboardpush.StatusQueued, leaderboardpush.StatusRetrying)).SetUpdatedAt(time.Now().UTC())
	if p.Status != nil {
		u.SetStatus(leaderboardpush.Status(*p.Status))
	}
	if p.Attempts != nil {
		u.SetAttempts(*p.Attempts)
	}
	if p.Errcode != nil {
		u.SetErrcode(*p.Errcode)
	}
	if p.Error != nil {
		u.SetError(truncate(*p.Error, 256))
	}
	if p.Bytes != nil {
		u.SetBytes(*p.Bytes)
	}
	if p.SentAt != nil {
		u.SetSentAt(p.SentAt.UTC())
	}
	_, err := u.Save(ctx)
	return err
}

func toSchedule(r *ent.PushSchedule) (leaderboard.Schedule, error) {
	out := leaderboard.Schedule{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, Format: r.Format,
		Query:   leaderboard.BoardQuery{Window: r.BoardWindow, Group: r.GroupLabel, Privacy: leaderboard.Privacy(r.Privacy), TopN: r.TopN},
		Enabled: r.Enabled, LastSlotAt: r.LastSlotAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal([]byte(r.RobotIds), &out.RobotIDs); err != nil {
		return out, fmt.Errorf("push schedule %s robot_ids: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Phases), &out.Phases); err != nil {
		return out, fmt.Errorf("push schedule %s phases: %w", r.ID, err)
	}
	return out, nil
}

func toSchedules(rows []*ent.PushSchedule) ([]leaderboard.Schedule, error) {
	out := make([]leaderboard.Schedule, 0, len(rows))
	for _, r := range rows {
		sc, err := toSchedule(r)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func scheduleJSON(sc leaderboard.Schedule) (robots, phases string, err error) {
	ids := sc.RobotIDs
	if ids == nil {
		ids = []string{}
	}
	r, err := json.Marshal(ids)
	if err != nil {
		return "", "", err
	}
	p, err := json.Marshal(sc.Phases)
	if err != nil {
		return "", "", err
	}
	return string(r), string(p), nil
}

// CreateSchedule inserts a push schedule.
func (s *Store) CreateSchedule(ctx context.Context, sc leaderboard.Schedule) (leaderboard.Schedule, error) {
	robots, phases, err := scheduleJSON(sc)
	if err != nil {
		return leaderboard.Schedule{}, err
	}
	r, err := s.ent(ctx).PushSchedule.Create().SetBrandID(sc.BrandID).SetLiveID(sc.LiveID).SetRobotIds(robots).
		SetPhases(phases).SetFormat(sc.Format).SetBoardWindow(sc.Query.Window).SetGroupLabel(sc.Query.Group).
		SetPrivacy(string(sc.Query.Privacy)).SetTopN(sc.Query.TopN).SetEnabled(sc.Enabled).Save(ctx)
	if err != nil {
		return leaderboard.Schedule{}, err
	}
	return toSchedule(r)
}

// Schedule reads one schedule of a brand.
func (s *Store) Schedule(ctx context.Context, brandID, id string) (leaderboard.Schedule, error) {
	r, err := s.ent(ctx).PushSchedule.Query().Where(pushschedule.BrandID(brandID), pushschedule.ID(id)).Only(ctx)
	if err != nil {
		return leaderboard.Schedule{}, outputErr(err)
	}
	return toSchedule(r)
}

// Schedules lists a live's schedules, oldest first (at most 20 exist).
func (s *Store) Schedules(ctx context.Context, brandID, liveID string) ([]leaderboard.Schedule, error) {
	rows, err := s.ent(ctx).PushSchedule.Query().Where(pushschedule.BrandID(brandID), pushschedule.LiveID(liveID)).
		Order(ent.Asc(pushschedule.FieldID)).Limit(200).All(ctx)
	if err != nil {
		return nil, err
	}
	return toSchedules(rows)
}

// SchedulesWithRobot lists a brand's schedules that name a robot.
func (s *Store) SchedulesWithRobot(ctx context.Context, brandID, robotID string) ([]leaderboard.Schedule, error) {
	rows, err := s.ent(ctx).PushSchedule.Query().Where(pushschedule.BrandID(brandID),
		pushschedule.RobotIdsContains(`"`+robotID+`"`)).Limit(10_000).All(ctx)
	if err != nil {
		return nil, err
	}
	return toSchedules(rows)
}

// UpdateSchedule writes a schedule's editable fields (not last_slot_at: only a claim moves it).
func (s *Store) UpdateSchedule(ctx context.Context, brandID, id string, sc leaderboard.Schedule) (leaderboard.Schedule, error) {
	robots, phases, err := scheduleJSON(sc)
	if err != nil {
		return leaderboard.Schedule{}, err
	}
	n, err := s.ent(ctx).PushSchedule.Update().Where(pushschedule.BrandID(brandID), pushschedule.ID(id)).
		SetRobotIds(robots).SetPhases(phases).SetFormat(sc.Format).SetBoardWindow(sc.Query.Window).
		SetGroupLabel(sc.Query.Group).SetPrivacy(string(sc.Query.Privacy)).SetTopN(sc.Query.TopN).
		SetEnabled(sc.Enabled).SetUpdatedAt(time.Now().UTC()).Save(ctx)
	if err != nil {
		return leaderboard.Schedule{}, err
	}
	if n == 0 {
		return leaderboard.Schedule{}, leaderboard.ErrOutputNotFound
	}
	return s.Schedule(ctx, brandID, id)
}

// DeleteSchedule removes a brand's schedule.
func (s *Store) DeleteSchedule(ctx context.Context, brandID, id string) error {
	n, err := s.ent(ctx).PushSchedule.Delete().Where(pushschedule.BrandID(brandID), pushschedule.ID(id)).Exec(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return leaderboard.ErrOutputNotFound
	}
	return nil
}

// EnabledSchedules pages every brand's enabled schedules by id (the periodic tick only).
func (s *Store) EnabledSchedules(ctx context.Context, afterID string, limit int) ([]leaderboard.Schedule, error) {
	q := s.ent(ctx).PushSchedule.Query().Where(pushschedule.Enabled(true))
	if afterID != "" {
		q = q.Where(pushschedule.IDGT(afterID))
	}
	rows, err := q.Order(ent.Asc(pushschedule.FieldID)).Limit(limit).All(ctx)
	if err != nil {
		return nil, err
	}
	return toSchedules(rows)
}

// ClaimScheduleSlot moves last_slot_at forward to slot with a guarded update: of concurrent
// claimers of one slot exactly one sees a row change.
func (s *Store) ClaimScheduleSlot(ctx context.Context, brandID, id string, slot time.Time) (bool, error) {
	slot = slot.UTC()
	n, err := s.ent(ctx).PushSchedule.Update().Where(pushschedule.BrandID(brandID), pushschedule.ID(id),
		pushschedule.Or(pushschedule.LastSlotAtIsNil(), pushschedule.LastSlotAtLT(slot))).
		SetLastSlotAt(slot).Save(ctx)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

var _ leaderboard.OutputStore = (*Store)(nil)
