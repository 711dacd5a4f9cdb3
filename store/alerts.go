package store

import (
	"context"
	"database/sql"
	"time"
)

// AlertCounts are the figures behind the alert gauges (README "Alerts"), read at scrape time.
type AlertCounts struct {
	// StuckRunning: jobs running since before the stuck cut-off (a worker died or hangs; River
	// rescues them, so a lasting value means rescue keeps failing).
	StuckRunning int
	// StuckWaiting: jobs due since before the waiting cut-off but not picked up (no worker
	// running, or the queue is far behind).
	StuckWaiting int
	// Retrying: jobs waiting to retry after a failure.
	Retrying int
	// Discarded: jobs that gave up (all attempts failed) since the recent cut-off.
	Discarded int
	// WeComPushFailures: leaderboard pushes to WeCom robots that ended failed since the recent
	// cut-off.
	WeComPushFailures int
	// WebhookDeliveriesDead: outgoing webhook deliveries given up since the recent cut-off.
	WebhookDeliveriesDead int
	// ChannelsEventsFailing: Channels pushes received but not processed, with an error.
	ChannelsEventsFailing int
}

// AlertCutoffs are the instants the counts compare against (wall time: River stamps jobs with
// the database's clock).
type AlertCutoffs struct {
	StuckRunningBefore time.Time
	StuckWaitingBefore time.Time
	RecentSince        time.Time
}

// AlertCounts reads the alert figures across every brand (operations, not tenant data: the
// figures carry no brand).
func (s *Store) AlertCounts(ctx context.Context, c AlertCutoffs) (AlertCounts, error) {
	var out AlertCounts
	// River's timestamps: scanned into time.Time on both engines and compared in Go, so the
	// query does not depend on how each engine stores times.
	rows, err := s.conn(ctx).QueryContext(ctx, `SELECT state, attempted_at, scheduled_at, finalized_at FROM river_job
		WHERE state IN ('running', 'available', 'retryable')
		UNION ALL SELECT * FROM (SELECT state, attempted_at, scheduled_at, finalized_at FROM river_job
		WHERE state = 'discarded' ORDER BY id DESC LIMIT 1000) d`)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var attempted, scheduled, finalized sql.NullTime
		if err := rows.Scan(&state, &attempted, &scheduled, &finalized); err != nil {
			return out, err
		}
		switch state {
		case "running":
			if attempted.Valid && attempted.Time.Before(c.StuckRunningBefore) {
				out.StuckRunning++
			}
		case "available":
			if scheduled.Valid && scheduled.Time.Before(c.StuckWaitingBefore) {
				out.StuckWaiting++
			}
		case "retryable":
			out.Retrying++
		case "discarded":
			if finalized.Valid && !finalized.Time.Before(c.RecentSince) {
				out.Discarded++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&out.WeComPushFailures, `SELECT COUNT(*) FROM leaderboard_pushes WHERE status = 'failed' AND updated_at >= ?`},
		{&out.WebhookDeliveriesDead, `SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead' AND last_attempt_at >= ?`},
		{&out.ChannelsEventsFailing, `SELECT COUNT(*) FROM channels_events WHERE processed_at IS NULL AND last_error <> '' AND received_at >= ?`},
	} {
		if err := s.conn(ctx).QueryRowContext(ctx, s.rebind(q.sql), dbTime(c.RecentSince)).Scan(q.dst); err != nil {
			return out, err
		}
	}
	return out, nil
}
