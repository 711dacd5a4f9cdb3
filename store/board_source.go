package store

import (
	"context"
	"time"

	"github.com/sharecast/sharecast/ent/member"
	"github.com/sharecast/sharecast/ent/reservation"
	"github.com/sharecast/sharecast/leaderboard"
)

// BoardSource answers the leaderboard's standings from the database (leaderboard.Source).
// Every query runs on an index that leads with (brand_id, live_id).
type BoardSource struct{ s *Store }

// BoardSource returns the leaderboard source on s.
func (s *Store) BoardSource() *BoardSource { return &BoardSource{s: s} }

// ignitionBounds is the ignition window of a started live.
func ignitionBounds(l leaderboard.Live) (from, to time.Time, ok bool) {
	if l.ActualStartAt == nil {
		return time.Time{}, time.Time{}, false
	}
	return dbTime(*l.ActualStartAt), dbTime(l.ActualStartAt.Add(leaderboard.IgnitionSpan)), true
}

// Standing: for the live window, the inviter's counted reservations and the time of the
// k-th (the latest counted_at); for ignition, the distinct visitors who opened the inviter's
// links in the window and the time the k-th of them first did.
func (b *BoardSource) Standing(ctx context.Context, l leaderboard.Live, k leaderboard.Key, memberID string) (leaderboard.Standing, error) {
	var (
		q    string
		args []any
	)
	switch k.Window {
	case leaderboard.WindowIgnition:
		from, to, ok := ignitionBounds(l)
		if !ok {
			return leaderboard.Standing{MemberID: memberID}, nil
		}
		q = `SELECT COUNT(*), MAX(f) FROM (SELECT MIN(created_at) AS f FROM touches
			WHERE brand_id = ? AND live_id = ? AND inviter_id = ? AND visitor_id <> inviter_id
			AND created_at >= ? AND created_at < ? GROUP BY visitor_id) AS t`
		args = []any{l.BrandID, l.ID, memberID, from, to}
	default:
		q = `SELECT COUNT(*), MAX(counted_at) FROM reservations
			WHERE brand_id = ? AND live_id = ? AND inviter_id = ? AND counted = ?`
		args = []any{l.BrandID, l.ID, memberID, true}
		if k.Group != "" {
			q += ` AND group_label = ?`
			args = append(args, k.Group)
		}
	}
	var (
		n   int64
		max any
	)
	if err := b.s.conn(ctx).QueryRowContext(ctx, b.s.rebind(q), args...).Scan(&n, &max); err != nil {
		return leaderboard.Standing{}, err
	}
	at, err := anyTime(max)
	if err != nil {
		return leaderboard.Standing{}, err
	}
	return leaderboard.Standing{MemberID: memberID, Count: n, ReachedAt: at}, nil
}

// Standings answers every inviter with a count on k, for a rebuild.
func (b *BoardSource) Standings(ctx context.Context, l leaderboard.Live, k leaderboard.Key) ([]leaderboard.Standing, error) {
	var (
		q    string
		args []any
	)
	switch k.Window {
	case leaderboard.WindowIgnition:
		from, to, ok := ignitionBounds(l)
		if !ok {
			return nil, nil
		}
		q = `SELECT inviter_id, COUNT(*), MAX(f) FROM (SELECT inviter_id, MIN(created_at) AS f FROM touches
			WHERE brand_id = ? AND live_id = ? AND visitor_id <> inviter_id AND created_at >= ? AND created_at < ?
			GROUP BY inviter_id, visitor_id) AS t GROUP BY inviter_id`
		args = []any{l.BrandID, l.ID, from, to}
	default:
		q = `SELECT inviter_id, COUNT(*), MAX(counted_at) FROM reservations
			WHERE brand_id = ? AND live_id = ? AND counted = ? AND inviter_id IS NOT NULL`
		args = []any{l.BrandID, l.ID, true}
		if k.Group != "" {
			q += ` AND group_label = ?`
			args = append(args, k.Group)
		}
		q += ` GROUP BY inviter_id`
	}
	rows, err := b.s.conn(ctx).QueryContext(ctx, b.s.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leaderboard.Standing
	for rows.Next() {
		var (
			st  leaderboard.Standing
			max any
		)
		if err := rows.Scan(&st.MemberID, &st.Count, &max); err != nil {
			return nil, err
		}
		if st.ReachedAt, err = anyTime(max); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Groups lists the group labels with counted reservations.
func (b *BoardSource) Groups(ctx context.Context, l leaderboard.Live) ([]string, error) {
	return b.s.ent(ctx).Reservation.Query().Where(reservation.BrandID(l.BrandID), reservation.LiveID(l.ID),
		reservation.Counted(true), reservation.GroupLabelNEQ("")).Unique(true).Select(reservation.FieldGroupLabel).Strings(ctx)
}

// Displays answers members' nicknames and visibility.
func (b *BoardSource) Displays(ctx context.Context, brandID string, ids []string) (map[string]leaderboard.Display, error) {
	out := make(map[string]leaderboard.Display, len(ids))
	for i := 0; i < len(ids); i += 500 {
		rows, err := b.s.ent(ctx).Member.Query().Where(member.BrandID(brandID), member.IDIn(ids[i:min(i+500, len(ids))]...)).
			Select(member.FieldID, member.FieldNickname, member.FieldLeaderboardVisible).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			out[m.ID] = leaderboard.Display{Nickname: m.Nickname, Visible: m.LeaderboardVisible}
		}
	}
	return out, nil
}

// Total counts a live's (or one group's) counted reservations.
func (b *BoardSource) Total(ctx context.Context, l leaderboard.Live, group string) (int64, error) {
	q := b.s.ent(ctx).Reservation.Query().Where(reservation.BrandID(l.BrandID), reservation.LiveID(l.ID), reservation.Counted(true))
	if group != "" {
		q = q.Where(reservation.GroupLabel(group))
	}
	n, err := q.Count(ctx)
	return int64(n), err
}
