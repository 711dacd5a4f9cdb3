package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/referral"
)

// LiveStats is the SQL side of the per-live analytics (analytics.Source): each method is one
// aggregate query over indexed columns, scoped to the brand. Indexes used: reservations
// (brand_id, live_id, …), touches (brand_id, live_id, created_at), orders (brand_id, live_id,
// paid_at) and (brand_id, paid_at), order_lines (brand_id, order_id, line_id), commissions
// (brand_id, live_id, status).
type LiveStats struct{ s *Store }

// LiveStats answers the analytics source on this store.
func (s *Store) LiveStats() *LiveStats { return &LiveStats{s} }

var _ analytics.Source = (*LiveStats)(nil)

// epochBucket is the SQL for floor(unix seconds of col / secs) on this engine.
func (ls *LiveStats) epochBucket(col string, secs int) string {
	if ls.s.IsPostgres() {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM " + col + ") / " + strconv.Itoa(secs) + ") AS BIGINT)"
	}
	// SQLite keeps times as text in UTC ("2006-01-02 15:04:05.999999999 +0000 UTC", see
	// dbTime): the first 19 characters are what strftime reads.
	return "(CAST(strftime('%s', substr(" + col + ", 1, 19)) AS INTEGER) / " + strconv.Itoa(secs) + ")"
}

// LiveInfo reads the live (NOT_FOUND for another brand's).
func (ls *LiveStats) LiveInfo(ctx context.Context, brandID, liveID string) (analytics.LiveInfo, error) {
	l, err := ls.s.LiveByID(ctx, brandID, liveID)
	if errors.Is(err, referral.ErrNotFound) {
		return analytics.LiveInfo{}, apperr.New(apperr.NotFound, "LIVE_NOT_FOUND", "no such live")
	}
	if err != nil {
		return analytics.LiveInfo{}, err
	}
	return analytics.LiveInfo{ID: l.ID, BrandID: l.BrandID, Title: l.Title, Status: l.Status,
		TargetReservations: l.TargetReservations, PlannedStartAt: l.PlannedStartAt,
		ActualStartAt: l.ActualStartAt, EndedAt: l.EndedAt}, nil
}

// ReservationCounts counts the live's reservations by state in one pass.
func (ls *LiveStats) ReservationCounts(ctx context.Context, brandID, liveID string) (analytics.ReservationCounts, error) {
	var c analytics.ReservationCounts
	err := ls.s.conn(ctx).QueryRowContext(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'reserved' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN counted THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'reserved' AND risk = 'review' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'void' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN inviter_id IS NULL THEN 1 ELSE 0 END), 0)
		FROM reservations WHERE brand_id = $1 AND live_id = $2`, brandID, liveID).
		Scan(&c.Total, &c.Reserved, &c.Counted, &c.Flagged, &c.Cancelled, &c.Voided, &c.Organic)
	return c, err
}

// ReservationsByChannel groups the live's reservations by channel ("" = organic).
func (ls *LiveStats) ReservationsByChannel(ctx context.Context, brandID, liveID string) ([]analytics.ChannelCount, error) {
	rows, err := ls.s.conn(ctx).QueryContext(ctx, `SELECT channel, COUNT(*), COALESCE(SUM(CASE WHEN counted THEN 1 ELSE 0 END), 0)
		FROM reservations WHERE brand_id = $1 AND live_id = $2 GROUP BY channel ORDER BY channel`, brandID, liveID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []analytics.ChannelCount{}
	for rows.Next() {
		var c analytics.ChannelCount
		if err := rows.Scan(&c.Channel, &c.Total, &c.Counted); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TopInviters lists the n inviters with the most counted reservations.
func (ls *LiveStats) TopInviters(ctx context.Context, brandID, liveID string, n int) ([]analytics.InviterCount, error) {
	rows, err := ls.s.conn(ctx).QueryContext(ctx, `SELECT r.inviter_id, COALESCE(m.nickname, ''), COUNT(*),
		COALESCE(SUM(CASE WHEN r.counted THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.status = 'reserved' AND r.risk = 'review' THEN 1 ELSE 0 END), 0) AS flagged
		FROM reservations r LEFT JOIN members m ON m.brand_id = r.brand_id AND m.id = r.inviter_id
		WHERE r.brand_id = $1 AND r.live_id = $2 AND r.inviter_id IS NOT NULL
		GROUP BY r.inviter_id, m.nickname
		ORDER BY 4 DESC, 3 DESC, r.inviter_id LIMIT $3`, brandID, liveID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []analytics.InviterCount{}
	for rows.Next() {
		var c analytics.InviterCount
		if err := rows.Scan(&c.MemberID, &c.Nickname, &c.Total, &c.Counted, &c.Flagged); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (ls *LiveStats) buckets(ctx context.Context, secs int, q string, args ...any) ([]analytics.Bucket, error) {
	rows, err := ls.s.conn(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []analytics.Bucket{}
	for rows.Next() {
		var (
			b int64
			n int64
		)
		if err := rows.Scan(&b, &n); err != nil {
			return nil, err
		}
		out = append(out, analytics.Bucket{At: time.Unix(b*int64(secs), 0).UTC(), Count: n})
	}
	return out, rows.Err()
}

// CountedByHour counts the counted reservations by the hour they became counted.
func (ls *LiveStats) CountedByHour(ctx context.Context, brandID, liveID string) ([]analytics.Bucket, error) {
	h := ls.epochBucket("counted_at", 3600)
	return ls.buckets(ctx, 3600, `SELECT `+h+` AS b, COUNT(*) FROM reservations
		WHERE brand_id = $1 AND live_id = $2 AND counted AND counted_at IS NOT NULL GROUP BY b ORDER BY b`, brandID, liveID)
}

// InflowByMinute counts distinct visitors per minute of w.
func (ls *LiveStats) InflowByMinute(ctx context.Context, brandID, liveID string, w analytics.Window) ([]analytics.Bucket, error) {
	m := ls.epochBucket("created_at", 60)
	return ls.buckets(ctx, 60, `SELECT `+m+` AS b, COUNT(DISTINCT visitor_id) FROM touches
		WHERE brand_id = $1 AND live_id = $2 AND created_at >= $3 AND created_at < $4 GROUP BY b ORDER BY b`,
		brandID, liveID, dbTime(w.From), dbTime(w.To))
}

// DistinctVisitors counts the distinct visitors of the live's links in w.
func (ls *LiveStats) DistinctVisitors(ctx context.Context, brandID, liveID string, w analytics.Window) (int64, error) {
	var n int64
	err := ls.s.conn(ctx).QueryRowContext(ctx, `SELECT COUNT(DISTINCT visitor_id) FROM touches
		WHERE brand_id = $1 AND live_id = $2 AND created_at >= $3 AND created_at < $4`,
		brandID, liveID, dbTime(w.From), dbTime(w.To)).Scan(&n)
	return n, err
}

// LiveGMV reads the live's order lines once (a materialised CTE over the (brand_id,
// live_id) index and the lines' (brand_id, order_id) index) and aggregates them three ways
// in one statement: by product type, by attributed sharer, and, per order not fully
// refunded, by normalised city. The top n sharers get their nicknames in a second query.
func (ls *LiveStats) LiveGMV(ctx context.Context, brandID, liveID string, n int) (analytics.LiveGMV, error) {
	rows, err := ls.s.conn(ctx).QueryContext(ctx, `WITH ll AS MATERIALIZED (
			SELECT o.id AS oid, COALESCE(o.attributed_member_id, '') AS am, o.ship_city_norm AS city,
				l.product_type AS pt, l.paid_fen AS p, l.refunded_fen AS r
			FROM orders o JOIN order_lines l ON l.brand_id = o.brand_id AND l.order_id = o.id
			WHERE o.brand_id = $1 AND o.live_id = $2)
		SELECT 't', pt, COUNT(*), COALESCE(SUM(p), 0), COALESCE(SUM(r), 0) FROM ll GROUP BY pt
		UNION ALL
		SELECT 's', am, COUNT(DISTINCT oid), COALESCE(SUM(p), 0), COALESCE(SUM(r), 0) FROM ll GROUP BY am
		UNION ALL
		SELECT 'c', city, COUNT(*), COALESCE(SUM(pp), 0), COALESCE(SUM(rr), 0) FROM (
			SELECT oid, city, SUM(p) AS pp, SUM(r) AS rr FROM ll GROUP BY oid, city) t
		WHERE NOT (rr > 0 AND rr >= pp) GROUP BY city`, brandID, liveID)
	if err != nil {
		return analytics.LiveGMV{}, err
	}
	defer rows.Close()
	out := analytics.LiveGMV{ByType: []analytics.TypeGMV{}, BySharer: []analytics.SharerGMV{}, ByCity: []analytics.CityRow{}}
	for rows.Next() {
		var (
			kind, key         string
			count, paid, refd int64
		)
		if err := rows.Scan(&kind, &key, &count, &paid, &refd); err != nil {
			return analytics.LiveGMV{}, err
		}
		switch kind {
		case "t":
			out.ByType = append(out.ByType, analytics.TypeGMV{ProductType: key, PaidFen: paid, RefundedFen: refd, NetFen: paid - refd})
		case "s":
			out.BySharer = append(out.BySharer, analytics.SharerGMV{MemberID: key, Orders: count, NetFen: paid - refd})
		case "c":
			out.ByCity = append(out.ByCity, analytics.CityRow{CityNorm: key, Orders: count, NetFen: paid - refd})
		}
	}
	if err := rows.Err(); err != nil {
		return analytics.LiveGMV{}, err
	}
	sort.Slice(out.ByType, func(i, j int) bool { return out.ByType[i].ProductType < out.ByType[j].ProductType })
	sort.Slice(out.ByCity, func(i, j int) bool { return out.ByCity[i].CityNorm < out.ByCity[j].CityNorm })
	sort.Slice(out.BySharer, func(i, j int) bool {
		a, b := out.BySharer[i], out.BySharer[j]
		if a.NetFen != b.NetFen {
			return a.NetFen > b.NetFen
		}
		return a.MemberID < b.MemberID
	})
	if len(out.BySharer) > n {
		out.BySharer = out.BySharer[:n]
	}
	return out, ls.nicknames(ctx, brandID, out.BySharer)
}

// Nicknames answers the nicknames of the brand's members among ids (one query; unknown ids
// and other brands' members are absent). The console's review queue shows them.
func (ls *LiveStats) Nicknames(ctx context.Context, brandID string, ids []string) (map[string]string, error) {
	args := []any{brandID}
	var marks []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] && len(marks) < 200 {
			seen[id] = true
			args = append(args, id)
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
	}
	out := map[string]string{}
	if len(marks) == 0 {
		return out, nil
	}
	rows, err := ls.s.conn(ctx).QueryContext(ctx, `SELECT id, nickname FROM members WHERE brand_id = $1 AND id IN (`+
		strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, nick string
		if err := rows.Scan(&id, &nick); err != nil {
			return nil, err
		}
		out[id] = nick
	}
	return out, rows.Err()
}

// nicknames fills in the sharers' nicknames.
func (ls *LiveStats) nicknames(ctx context.Context, brandID string, list []analytics.SharerGMV) error {
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.MemberID
	}
	names, err := ls.Nicknames(ctx, brandID, ids)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Nickname = names[list[i].MemberID]
	}
	return nil
}

func (ls *LiveStats) sum(ctx context.Context, q string, args ...any) (int64, error) {
	var n sql.NullInt64
	if err := ls.s.conn(ctx).QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, err
	}
	return n.Int64, nil
}

// SharerGMVIn sums the net GMV of sharer-attributed orders paid in w, whatever their live.
func (ls *LiveStats) SharerGMVIn(ctx context.Context, brandID string, w analytics.Window) (int64, error) {
	return ls.sum(ctx, `SELECT SUM(l.paid_fen - l.refunded_fen)
		FROM orders o JOIN order_lines l ON l.brand_id = o.brand_id AND l.order_id = o.id
		WHERE o.brand_id = $1 AND o.paid_at >= $2 AND o.paid_at < $3 AND o.attributed_member_id IS NOT NULL`,
		brandID, dbTime(w.From), dbTime(w.To))
}

// LiveOtherGMVIn sums the net GMV of the live's orders paid in w that no sharer brought.
func (ls *LiveStats) LiveOtherGMVIn(ctx context.Context, brandID, liveID string, w analytics.Window) (int64, error) {
	return ls.sum(ctx, `SELECT SUM(l.paid_fen - l.refunded_fen)
		FROM orders o JOIN order_lines l ON l.brand_id = o.brand_id AND l.order_id = o.id
		WHERE o.brand_id = $1 AND o.live_id = $2 AND o.paid_at >= $3 AND o.paid_at < $4 AND o.attributed_member_id IS NULL`,
		brandID, liveID, dbTime(w.From), dbTime(w.To))
}

// Commission sums the live's commissions: as accrued and net of reversals.
func (ls *LiveStats) Commission(ctx context.Context, brandID, liveID string) (int64, int64, error) {
	var acc, net sql.NullInt64
	err := ls.s.conn(ctx).QueryRowContext(ctx, `SELECT SUM(amount_fen), SUM(amount_fen - reversed_fen)
		FROM commissions WHERE brand_id = $1 AND live_id = $2`, brandID, liveID).Scan(&acc, &net)
	return acc.Int64, net.Int64, err
}
