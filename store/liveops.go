package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/channelsnotice"
	"github.com/sharecast/sharecast/ent/live"
	"github.com/sharecast/sharecast/ent/liverisksnapshot"
	"github.com/sharecast/sharecast/ent/outreachaction"
	"github.com/sharecast/sharecast/ent/outreachround"
	"github.com/sharecast/sharecast/ent/schema"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/referral"
)

// The live-operations storage (liveops.Store): synced Channels notices, risk snapshots,
// shortfall rounds and their actions, and the recipient queries of a round.

func liveopsErr(err error) error {
	switch {
	case err == nil:
		return nil
	case ent.IsNotFound(err):
		return liveops.ErrNotFound
	case ent.IsConstraintError(err):
		return fmt.Errorf("%w: %v", liveops.ErrDuplicate, err)
	}
	return err
}

func toNotice(n *ent.ChannelsNotice) liveops.Notice {
	out := liveops.Notice{ID: n.ID, BrandID: n.BrandID, NoticeID: n.NoticeID, Status: n.Status, StatusWording: n.StatusWording,
		StartAt: n.StartAt, Description: n.Description, State: n.State, Change: n.Change, ChangedAt: n.ChangedAt,
		PreviousStartAt: n.PreviousStartAt, FirstSeenAt: n.FirstSeenAt, SyncedAt: n.SyncedAt}
	if n.LiveID != nil {
		out.LiveID = *n.LiveID
	}
	return out
}

// Notices lists a brand's synced notices, soonest start first.
func (s *Store) Notices(ctx context.Context, brandID string) ([]liveops.Notice, error) {
	rows, err := s.ent(ctx).ChannelsNotice.Query().Where(channelsnotice.BrandID(brandID)).
		Order(channelsnotice.ByStartAt(), channelsnotice.ByID()).Limit(1000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]liveops.Notice, len(rows))
	for i, r := range rows {
		out[i] = toNotice(r)
	}
	return out, nil
}

// NoticeByNoticeID reads one synced notice by WeChat's notice id.
func (s *Store) NoticeByNoticeID(ctx context.Context, brandID, noticeID string) (liveops.Notice, error) {
	row, err := s.ent(ctx).ChannelsNotice.Query().Where(channelsnotice.BrandID(brandID), channelsnotice.NoticeID(noticeID)).Only(ctx)
	if err != nil {
		return liveops.Notice{}, liveopsErr(err)
	}
	return toNotice(row), nil
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// PutNotice inserts the notice, or updates the one with its id.
func (s *Store) PutNotice(ctx context.Context, n liveops.Notice) (liveops.Notice, error) {
	if n.ID == "" {
		row, err := s.ent(ctx).ChannelsNotice.Create().SetBrandID(n.BrandID).SetNoticeID(n.NoticeID).SetStatus(n.Status).
			SetStatusWording(truncate(n.StatusWording, 32)).SetStartAt(dbTime(n.StartAt)).SetDescription(truncate(n.Description, 512)).SetState(n.State).
			SetNillableLiveID(strPtr(n.LiveID)).SetChange(n.Change).SetNillableChangedAt(utcPtr(n.ChangedAt)).
			SetNillablePreviousStartAt(utcPtr(n.PreviousStartAt)).SetFirstSeenAt(dbTime(n.FirstSeenAt)).SetSyncedAt(dbTime(n.SyncedAt)).
			Save(ctx)
		if err != nil {
			return liveops.Notice{}, liveopsErr(err)
		}
		return toNotice(row), nil
	}
	u := s.ent(ctx).ChannelsNotice.UpdateOneID(n.ID).Where(channelsnotice.BrandID(n.BrandID)).SetStatus(n.Status).
		SetStatusWording(truncate(n.StatusWording, 32)).SetStartAt(dbTime(n.StartAt)).SetDescription(truncate(n.Description, 512)).SetState(n.State).
		SetChange(n.Change).SetSyncedAt(dbTime(n.SyncedAt))
	if n.LiveID == "" {
		u.ClearLiveID()
	} else {
		u.SetLiveID(n.LiveID)
	}
	if n.ChangedAt == nil {
		u.ClearChangedAt()
	} else {
		u.SetChangedAt(dbTime(*n.ChangedAt))
	}
	if n.PreviousStartAt == nil {
		u.ClearPreviousStartAt()
	} else {
		u.SetPreviousStartAt(dbTime(*n.PreviousStartAt))
	}
	row, err := u.Save(ctx)
	if err != nil {
		return liveops.Notice{}, liveopsErr(err)
	}
	return toNotice(row), nil
}

// ReservationCounts counts the live's reservations in status reserved and those counted.
func (s *Store) ReservationCounts(ctx context.Context, brandID, liveID string) (reserved, counted int64, err error) {
	q := `SELECT COALESCE(SUM(CASE WHEN status = 'reserved' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN counted THEN 1 ELSE 0 END), 0) FROM reservations WHERE brand_id = ? AND live_id = ?`
	err = s.conn(ctx).QueryRowContext(ctx, s.rebind(q), brandID, liveID).Scan(&reserved, &counted)
	return reserved, counted, err
}

// InsertRiskSnapshot stores a snapshot.
func (s *Store) InsertRiskSnapshot(ctx context.Context, in liveops.RiskSnapshot) (liveops.RiskSnapshot, error) {
	risks, err := json.Marshal(in.Risks)
	if err != nil {
		return liveops.RiskSnapshot{}, err
	}
	row, err := s.ent(ctx).LiveRiskSnapshot.Create().SetBrandID(in.BrandID).SetLiveID(in.LiveID).SetRisks(string(risks)).
		SetReserved(in.Reserved).SetCounted(in.Counted).SetNoticeID(in.NoticeID).SetPlannedStartAt(dbTime(in.PlannedStartAt)).
		SetNillableNoticeStartAt(utcPtr(in.NoticeStartAt)).SetCreatedAt(dbTime(in.CreatedAt)).Save(ctx)
	if err != nil {
		return liveops.RiskSnapshot{}, liveopsErr(err)
	}
	return toRiskSnapshot(row)
}

func toRiskSnapshot(r *ent.LiveRiskSnapshot) (liveops.RiskSnapshot, error) {
	out := liveops.RiskSnapshot{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, Reserved: r.Reserved, Counted: r.Counted,
		NoticeID: r.NoticeID, PlannedStartAt: r.PlannedStartAt, NoticeStartAt: r.NoticeStartAt, CreatedAt: r.CreatedAt}
	if err := json.Unmarshal([]byte(r.Risks), &out.Risks); err != nil {
		return liveops.RiskSnapshot{}, fmt.Errorf("risk snapshot %s: %w", r.ID, err)
	}
	return out, nil
}

// RiskSnapshots lists a live's snapshots, newest first.
func (s *Store) RiskSnapshots(ctx context.Context, brandID, liveID string) ([]liveops.RiskSnapshot, error) {
	rows, err := s.ent(ctx).LiveRiskSnapshot.Query().Where(liverisksnapshot.BrandID(brandID), liverisksnapshot.LiveID(liveID)).
		Order(ent.Desc(liverisksnapshot.FieldCreatedAt), ent.Desc(liverisksnapshot.FieldID)).Limit(200).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]liveops.RiskSnapshot, 0, len(rows))
	for _, r := range rows {
		x, err := toRiskSnapshot(r)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// LivesStartingBetween lists reservable lives of every brand starting in (from, to].
func (s *Store) LivesStartingBetween(ctx context.Context, from, to time.Time) ([]referral.Live, error) {
	rows, err := s.ent(ctx).Live.Query().Where(live.StatusEQ(live.StatusReservable), live.PlannedStartAtGT(dbTime(from)),
		live.PlannedStartAtLTE(dbTime(to))).Order(live.ByPlannedStartAt(), live.ByID()).Limit(1000).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]referral.Live, len(rows))
	for i, r := range rows {
		out[i] = toLive(r)
	}
	return out, nil
}

func toRound(r *ent.OutreachRound) liveops.Round {
	return liveops.Round{ID: r.ID, BrandID: r.BrandID, LiveID: r.LiveID, Round: r.Round, LeadMinutes: r.LeadMinutes,
		Counted: r.Counted, Target: r.Target, Outcome: r.Outcome, CreatedAt: r.CreatedAt}
}

// InsertRound inserts a round unless (brand, live, round) exists, without aborting the
// caller's transaction on the duplicate; it answers the stored round.
func (s *Store) InsertRound(ctx context.Context, r liveops.Round) (liveops.Round, bool, error) {
	ins := entsql.Dialect(s.dialect).Insert(outreachround.Table).
		Columns(outreachround.FieldID, outreachround.FieldBrandID, outreachround.FieldLiveID, outreachround.FieldRound,
			outreachround.FieldLeadMinutes, outreachround.FieldCounted, outreachround.FieldTarget, outreachround.FieldOutcome,
			outreachround.FieldCreatedAt).
		Values(schema.NewID(), r.BrandID, r.LiveID, r.Round, r.LeadMinutes, r.Counted, r.Target, r.Outcome, dbTime(r.CreatedAt)).
		OnConflict(entsql.ConflictColumns(outreachround.FieldBrandID, outreachround.FieldLiveID, outreachround.FieldRound), entsql.DoNothing())
	query, args := ins.Query()
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return liveops.Round{}, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return liveops.Round{}, false, err
	}
	row, err := s.ent(ctx).OutreachRound.Query().Where(outreachround.BrandID(r.BrandID), outreachround.LiveID(r.LiveID),
		outreachround.Round(r.Round)).Only(ctx)
	if err != nil {
		return liveops.Round{}, false, liveopsErr(err)
	}
	return toRound(row), n == 1, nil
}

// Rounds lists a live's rounds, oldest first.
func (s *Store) Rounds(ctx context.Context, brandID, liveID string) ([]liveops.Round, error) {
	rows, err := s.ent(ctx).OutreachRound.Query().Where(outreachround.BrandID(brandID), outreachround.LiveID(liveID)).
		Order(outreachround.ByCreatedAt(), outreachround.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]liveops.Round, len(rows))
	for i, r := range rows {
		out[i] = toRound(r)
	}
	return out, nil
}

// RoundByID reads a round of a brand.
func (s *Store) RoundByID(ctx context.Context, brandID, id string) (liveops.Round, error) {
	row, err := s.ent(ctx).OutreachRound.Query().Where(outreachround.BrandID(brandID), outreachround.ID(id)).Only(ctx)
	if err != nil {
		return liveops.Round{}, liveopsErr(err)
	}
	return toRound(row), nil
}

func toAction(a *ent.OutreachAction) liveops.Action {
	return liveops.Action{ID: a.ID, BrandID: a.BrandID, RoundID: a.RoundID, LiveID: a.LiveID, Kind: a.Kind, Status: a.Status,
		Recipients: a.Recipients, Queued: a.Queued, Batch: a.Batch, Note: a.Note, CreatedAt: a.CreatedAt, DoneAt: a.DoneAt}
}

// InsertAction stores an action.
func (s *Store) InsertAction(ctx context.Context, a liveops.Action) (liveops.Action, error) {
	row, err := s.ent(ctx).OutreachAction.Create().SetBrandID(a.BrandID).SetRoundID(a.RoundID).SetLiveID(a.LiveID).
		SetKind(a.Kind).SetStatus(a.Status).SetCreatedAt(dbTime(a.CreatedAt)).Save(ctx)
	if err != nil {
		return liveops.Action{}, liveopsErr(err)
	}
	return toAction(row), nil
}

// ActionByID reads an action of a brand.
func (s *Store) ActionByID(ctx context.Context, brandID, id string) (liveops.Action, error) {
	row, err := s.ent(ctx).OutreachAction.Query().Where(outreachaction.BrandID(brandID), outreachaction.ID(id)).Only(ctx)
	if err != nil {
		return liveops.Action{}, liveopsErr(err)
	}
	return toAction(row), nil
}

// Actions lists a round's actions in creation order.
func (s *Store) Actions(ctx context.Context, brandID, roundID string) ([]liveops.Action, error) {
	rows, err := s.ent(ctx).OutreachAction.Query().Where(outreachaction.BrandID(brandID), outreachaction.RoundID(roundID)).
		Order(outreachaction.ByCreatedAt(), outreachaction.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]liveops.Action, len(rows))
	for i, r := range rows {
		out[i] = toAction(r)
	}
	return out, nil
}

// FinishAction ends a pending action (guarded: only one run can).
func (s *Store) FinishAction(ctx context.Context, brandID, id string, ch liveops.ActionChange) (bool, error) {
	note := ch.Note
	if len(note) > 512 {
		note = truncate(note, 512)
	}
	n, err := s.ent(ctx).OutreachAction.Update().Where(outreachaction.BrandID(brandID), outreachaction.ID(id),
		outreachaction.Status(liveops.ActionPending)).SetStatus(ch.Status).SetRecipients(ch.Recipients).SetQueued(ch.Queued).
		SetBatch(ch.Batch).SetNote(note).SetDoneAt(dbTime(ch.At)).Save(ctx)
	return n == 1, err
}

func (s *Store) recipients(ctx context.Context, q string, args ...any) ([]liveops.Recipient, error) {
	rows, err := s.conn(ctx).QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []liveops.Recipient
	for rows.Next() {
		var r liveops.Recipient
		if err := rows.Scan(&r.MemberID, &r.Nickname, &r.Code); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Reservers lists the members holding a reservation (status reserved) of the live.
func (s *Store) Reservers(ctx context.Context, brandID, liveID string) ([]liveops.Recipient, error) {
	return s.recipients(ctx, `SELECT r.viewer_id, m.nickname, '' FROM reservations r JOIN members m ON m.brand_id = r.brand_id AND m.id = r.viewer_id
		WHERE r.brand_id = ? AND r.live_id = ? AND r.status = 'reserved' ORDER BY r.viewer_id`, brandID, liveID)
}

// Openers lists the members who opened a share link of the live and hold no reservation of
// it (in any status: a cancelled reservation was a choice).
func (s *Store) Openers(ctx context.Context, brandID, liveID string) ([]liveops.Recipient, error) {
	return s.recipients(ctx, `SELECT m.id, m.nickname, '' FROM members m WHERE m.brand_id = ? AND m.id IN (
			SELECT t.visitor_id FROM touches t WHERE t.brand_id = ? AND t.live_id = ?
			AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.brand_id = t.brand_id AND r.live_id = t.live_id AND r.viewer_id = t.visitor_id))
		ORDER BY m.id`, brandID, brandID, liveID)
}

// TopInviters lists the n members with the most counted reservations of the live (ties: who
// got there first), each with their oldest share code of the live.
func (s *Store) TopInviters(ctx context.Context, brandID, liveID string, n int) ([]liveops.Recipient, error) {
	return s.recipients(ctx, `SELECT r.inviter_id, COALESCE((SELECT m.nickname FROM members m WHERE m.brand_id = r.brand_id
			AND m.id = r.inviter_id), ''), COALESCE((SELECT l.code FROM share_links l WHERE l.brand_id = r.brand_id
			AND l.live_id = r.live_id AND l.member_id = r.inviter_id ORDER BY l.created_at, l.id LIMIT 1), '')
		FROM reservations r WHERE r.brand_id = ? AND r.live_id = ? AND r.counted = ? AND r.inviter_id IS NOT NULL
		GROUP BY r.brand_id, r.live_id, r.inviter_id ORDER BY COUNT(*) DESC, MAX(r.counted_at), r.inviter_id LIMIT ?`,
		brandID, liveID, true, n)
}

// GroupOwners lists the members owning a group share link of the live, each with the code of
// their first group link.
func (s *Store) GroupOwners(ctx context.Context, brandID, liveID string) ([]liveops.Recipient, error) {
	return s.recipients(ctx, `SELECT l.member_id, COALESCE((SELECT m.nickname FROM members m WHERE m.brand_id = l.brand_id
			AND m.id = l.member_id), ''), MIN(l.code) FROM share_links l WHERE l.brand_id = ? AND l.live_id = ?
		AND l.channel = 'group' GROUP BY l.brand_id, l.member_id ORDER BY l.member_id LIMIT 1000`, brandID, liveID)
}
