package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// metricValue reads one series from /metrics ("" when absent).
func (s *svc) metricValue(series string) string {
	s.t.Helper()
	res, err := s.http.Get(s.base + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(string(raw))
	if m == nil {
		return ""
	}
	return m[1]
}

// The alert metrics are on /metrics on both engines: the database gauges read without error,
// a job running for an hour counts as stuck, and a refused inbound callback is counted by
// source and status.
func TestAlertMetrics(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		for _, series := range []string{`sharecast_alerts_scrape_error`, `sharecast_jobs_retrying`, `sharecast_jobs_discarded_recent`,
			`sharecast_wecom_push_failures_recent`, `sharecast_webhook_deliveries_dead_recent`, `sharecast_channels_events_failing`,
			`sharecast_jobs_stuck{reason="waiting_too_long"}`} {
			if v := s.metricValue(series); v != "0" {
				t.Errorf("%s = %q, want 0", series, v)
			}
		}

		// A worker that died an hour ago leaves its job "running": stuck.
		ctx := context.Background()
		var id int64
		poll(t, "a completed job", func() bool {
			return s.app.store.DB().QueryRowContext(ctx, `SELECT id FROM river_job WHERE state = 'completed' LIMIT 1`).Scan(&id) == nil
		})
		if _, err := s.app.store.DB().ExecContext(ctx, `UPDATE river_job SET state = 'running', finalized_at = NULL, attempted_at = $1 WHERE id = $2`,
			time.Now().Add(-time.Hour).UTC(), id); err != nil {
			t.Fatal(err)
		}
		if v := s.metricValue(`sharecast_jobs_stuck{reason="running_too_long"}`); v != "1" {
			t.Errorf("stuck running jobs = %q, want 1", v)
		}

		// A push to the Channels door with no valid signature is refused and counted.
		brandID := demoBrandID(t, s)
		before, _ := strconv.Atoi(s.metricValue(`sharecast_callback_failures_total{source="channels",status="401"}`))
		req, _ := http.NewRequest("POST", s.base+"/webhooks/channels/"+brandID+"?signature=x&timestamp=1&nonce=n&msg_signature=x",
			strings.NewReader(`{"Encrypt":"AAAA"}`))
		res, err := s.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Fatalf("a forged push answered %d", res.StatusCode)
		}
		series := `sharecast_callback_failures_total{source="channels",status="` + strconv.Itoa(res.StatusCode) + `"}`
		if res.StatusCode != 401 {
			before = 0
		}
		if got, _ := strconv.Atoi(s.metricValue(series)); got != before+1 {
			t.Errorf("%s = %d, want %d", series, got, before+1)
		}
	})
}
