package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sharecast/sharecast/store"
)

// Alerts are the metrics to alert on (README "Alerts"): stuck and failing jobs, inbound
// callback failures, WeCom push failures (reconciliation mismatches are the
// sharecast_reconciliation_mismatches gauge of server/admin_payouts2.go), dead outgoing webhooks.
// The gauges are read from the database at scrape time, so every replica reports the same
// figures and nothing is lost on a restart; the counters count what this replica saw.
type Alerts struct {
	// CallbackFailures counts inbound callbacks (/webhooks/<source>/…) answered with a 4xx or
	// 5xx, by source and status: bad signatures, unknown brands, our own errors.
	CallbackFailures *prometheus.CounterVec

	store *store.Store
	now   func() time.Time
	// StuckAfter: a job running longer is stuck; WaitingAfter: a due job waiting longer is
	// stuck; Recent: the window of the failure gauges.
	StuckAfter, WaitingAfter, Recent time.Duration

	stuck, retrying, discarded, pushFailed, webhooksDead, channelsFailing, scrapeErrors *prometheus.Desc
}

// NewAlerts builds the alert metrics over st (wall clock: River stamps jobs with the
// database's).
func NewAlerts(st *store.Store) *Alerts {
	return &Alerts{
		CallbackFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharecast_callback_failures_total",
			Help: "Inbound callbacks (WeChat pushes and notifications) refused or failed, by source and status."}, []string{"source", "status"}),
		store: st, now: time.Now, StuckAfter: 15 * time.Minute, WaitingAfter: 5 * time.Minute, Recent: 24 * time.Hour,
		stuck: prometheus.NewDesc("sharecast_jobs_stuck", "Background jobs stuck: running too long, or due and not picked up.",
			[]string{"reason"}, nil),
		retrying:        prometheus.NewDesc("sharecast_jobs_retrying", "Background jobs waiting to retry after a failure.", nil, nil),
		discarded:       prometheus.NewDesc("sharecast_jobs_discarded_recent", "Background jobs that gave up in the last 24 hours.", nil, nil),
		pushFailed:      prometheus.NewDesc("sharecast_wecom_push_failures_recent", "Leaderboard pushes to WeCom robots that failed in the last 24 hours.", nil, nil),
		webhooksDead:    prometheus.NewDesc("sharecast_webhook_deliveries_dead_recent", "Outgoing webhook deliveries given up in the last 24 hours.", nil, nil),
		channelsFailing: prometheus.NewDesc("sharecast_channels_events_failing", "Channels pushes received in the last 24 hours and not processed because of an error.", nil, nil),
		scrapeErrors:    prometheus.NewDesc("sharecast_alerts_scrape_error", "1 when the alert figures could not be read from the database at this scrape.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (a *Alerts) Describe(ch chan<- *prometheus.Desc) {
	a.CallbackFailures.Describe(ch)
	for _, d := range []*prometheus.Desc{a.stuck, a.retrying, a.discarded, a.pushFailed, a.webhooksDead, a.channelsFailing, a.scrapeErrors} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the counters, then the gauges read now.
func (a *Alerts) Collect(ch chan<- prometheus.Metric) {
	a.CallbackFailures.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	now := a.now()
	c, err := a.store.AlertCounts(ctx, store.AlertCutoffs{StuckRunningBefore: now.Add(-a.StuckAfter),
		StuckWaitingBefore: now.Add(-a.WaitingAfter), RecentSince: now.Add(-a.Recent)})
	if err != nil {
		ch <- prometheus.MustNewConstMetric(a.scrapeErrors, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(a.scrapeErrors, prometheus.GaugeValue, 0)
	g := func(d *prometheus.Desc, v int, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	g(a.stuck, c.StuckRunning, "running_too_long")
	g(a.stuck, c.StuckWaiting, "waiting_too_long")
	g(a.retrying, c.Retrying)
	g(a.discarded, c.Discarded)
	g(a.pushFailed, c.WeComPushFailures)
	g(a.webhooksDead, c.WebhookDeliveriesDead)
	g(a.channelsFailing, c.ChannelsEventsFailing)
}

// callbackFailures counts the 4xx/5xx answers of the inbound callback routes
// (/webhooks/<source>/…), so a route another area adds there is counted without a change.
func (a *Alerts) callbackFailures() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		route := c.FullPath()
		rest, ok := strings.CutPrefix(route, "/webhooks/")
		if !ok {
			return
		}
		if st := c.Writer.Status(); st >= 400 {
			source, _, _ := strings.Cut(rest, "/")
			a.CallbackFailures.WithLabelValues(source, strconv.Itoa(st)).Inc()
		}
	}
}
