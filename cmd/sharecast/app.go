package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/channelsorders"
	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/events"
	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/secrets"
	"github.com/sharecast/sharecast/server"
	"github.com/sharecast/sharecast/server/console"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/webhooks"
	"github.com/sharecast/sharecast/wechat"
	"github.com/sharecast/sharecast/wechat/pay"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// app is the whole service wired together: the one place that knows every concrete type.
type app struct {
	// alerts are the alert metrics (server.Alerts); reconciliation mismatches are a gauge of
	// their own over the stored alerts (server/admin_payouts2.go).
	alerts   *server.Alerts
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	kv       *kv.Store
	clock    clock.Clock
	offset   *clock.Offset // nil in production
	box      *secrets.Box
	brands   *brands.Service
	referral *referral.Service
	tokens   *auth.Issuer
	jobs     *jobs.Runner
	sim      *simulator.Simulator // nil in production
	server   *server.Server

	// Later areas add their services below their comment (the comments keep merges apart).
	// lives, links, touches, reservations, leaderboard
	sharing *referral.Sharing
	boards  *leaderboard.Service

	// leaderboard outputs
	// snapshots is the board service (a.boards); tests may inject one through buildOptions.
	snapshots leaderboard.Snapshots
	outputs   *leaderboard.Outputs

	// orders, attribution, commission, ledger
	// orderIntake is where both order doors deliver: a.orders, or a test's fake.
	orderIntake referral.OrderIntake
	channels    *channelsorders.Service // the Channels shop push door
	ledger      *payouts.Ledger
	book        *payouts.Book
	orders      *referral.Orders // implements referral.OrderIntake for both order doors
	members     *referral.Members
	apiKeys     *brands.APIKeys

	// payouts
	payouts    *payouts.Payouts
	payClients *pay.Clients
	batches    *payouts.Batches
	reconciler *payouts.Reconciler

	// console, stats
	// consoleLives feeds the console's lives list page (server/console.Lives).
	consoleLives console.Lives
	// stats computes the per-live numbers of the dashboard and GET …/stats.
	stats *analytics.Service

	// live operations
	reminders *reminders.Service
	webhooks  *webhooks.Service
	// events is what the domains call to emit business events (webhooks.Service).
	events events.Emitter
	// liveops: notice sync, the reminder-window guard, the shortfall round.
	liveops *liveops.Service
}

// buildOptions let tests shorten timings.
type buildOptions struct {
	// selfURL is the service's own base URL (http://host:port), for the mounted simulator.
	selfURL     string
	bcryptCost  int
	jobs        jobs.Options
	redisPrefix string
	// onReady, when set, is called once the service accepts requests (tests).
	onReady func(*app)
	// leaderboard outputs: a board for tests, the public page's refresh and the wait after
	// WeCom's rate limit (0 → production values).
	snapshots   leaderboard.Snapshots
	pageRefresh time.Duration
	pushBackoff time.Duration
	// payouts: how often open bills are swept and after how long untouched (0 → 30 s, 1 min).
	payoutSweepEvery, payoutSweepAfter time.Duration
	// payouts: how often the daily reconciliation looks for yesterday (0 → hourly).
	reconcileEvery time.Duration
	// orderIntake, when set, replaces the orders domain behind both order doors (tests).
	orderIntake referral.OrderIntake
	// live operations: the notice-sync and shortfall ticks' period (0 → 30 s).
	liveopsTick time.Duration
	// console, stats: noDemoLive leaves the ended demo live (members, reservations, orders,
	// commissions) out of the demo seeding: tests of other areas count on a bare demo brand.
	noDemoLive bool
}

// openStorage opens the database and Redis named by cfg.
func openStorage(ctx context.Context, cfg config.Config, redisPrefix string) (*store.Store, *kv.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: cfg.DBMaxOpenConns})
	if err != nil {
		return nil, nil, err
	}
	r, err := kv.Open(ctx, cfg.RedisURL, redisPrefix, 0)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, r, nil
}

// build wires the service. The database must be migrated (SQLite is migrated here).
func build(ctx context.Context, cfg config.Config, log *slog.Logger, o buildOptions) (*app, error) {
	if err := cfg.EnsureSecretKey(); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	rootKey, err := config.DecodeSecretKey(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	box, err := openBox(cfg, rootKey)
	if err != nil {
		return nil, err
	}
	st, r, err := openStorage(ctx, cfg, o.redisPrefix)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, kv: r, box: box}
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()
	if !st.IsPostgres() {
		if err := st.Migrate(ctx); err != nil {
			return nil, err
		}
	} else if err := st.CheckMigrated(ctx); err != nil {
		return nil, err
	}

	a.clock = clock.System{}
	if cfg.Mode == config.Embedded {
		a.offset = clock.NewOffset(st, time.Second)
		a.clock = a.offset
		a.sim, err = simulator.New(simulator.Options{DataDir: cfg.DataDir, Clock: a.clock, ClockAdvancer: a.offset, Logger: log,
			ServiceURL: o.selfURL})
		if err != nil {
			return nil, fmt.Errorf("simulator: %w", err)
		}
	}

	baseURL := cfg.WeChatBaseURL
	if baseURL == "" && a.sim != nil {
		baseURL = o.selfURL + "/_sim"
	}
	apiBase := ""
	if baseURL != "" {
		apiBase = baseURL + "/api"
	}
	wx := wechat.NewClient(wechat.Options{BaseURL: apiBase, Tokens: r, Logger: log})

	var prevJWT []auth.Key // tokens signed under a previous secret key verify until they expire
	for _, k := range box.DerivePrevious("jwt") {
		prevJWT = append(prevJWT, auth.NewKey(k))
	}
	a.tokens = auth.NewIssuer(auth.NewKey(box.Derive("jwt")), a.clock, st, prevJWT...)
	a.brands = &brands.Service{Store: st, Sealer: box, Passwords: auth.Passwords{Cost: o.bcryptCost}, Attempts: r, Clock: a.clock}
	a.referral = &referral.Service{Brands: a.brands, WeChat: codeExchanger{wx}, Members: st, Tokens: a.tokens, Sealer: box, Clock: a.clock,
		Links: st}

	a.jobs, err = jobs.New(jobs.Deps{Store: st, Clock: a.clock, Logger: log,
		Retention: jobs.Retention{Touches: cfg.TouchRetention, IPs: cfg.IPRetention}}, o.jobs)
	if err != nil {
		return nil, err
	}
	a.alerts = server.NewAlerts(st)
	// The outgoing-webhook Emitter and the reminder sender come first: every area's service
	// emits events or sends reminders.
	if err := a.wireLiveOps(wx, o); err != nil {
		return nil, err
	}
	// Later areas build their services and add their workers (river.AddWorker(a.jobs.Workers(),
	// …), a.jobs.AddPeriodic(…)) below their comment.
	// lives, links, touches, reservations, leaderboard
	a.buildSharing(wx)

	// leaderboard outputs
	a.snapshots = a.boards
	if o.snapshots != nil { // tests may pin a board
		a.snapshots = o.snapshots
	}
	a.outputs = newOutputs(a, baseURL, o)

	// orders, attribution, commission, ledger
	a.ledger = &payouts.Ledger{Store: st.Ledger(), Clock: a.clock}
	a.book = &payouts.Book{Store: st.Ledger(), Adjustments: st.Ledger(), Ledger: a.ledger, Events: a.events,
		Audit: st, Members: st.Ledger(), Clock: a.clock}
	a.orders = &referral.Orders{Store: st.Orders(), Book: a.book, Brands: a.brands, Audit: st, Events: a.events, Clock: a.clock}
	a.members = &referral.Members{Store: st.Orders(), Audit: st, Clock: a.clock}
	a.apiKeys = &brands.APIKeys{Store: st.Orders(), Clock: a.clock}
	a.orderIntake = a.orders
	if o.orderIntake != nil { // tests may replace the orders domain behind the Channels door
		a.orderIntake = o.orderIntake
	}
	a.channels = &channelsorders.Service{Brands: a.brands, Store: st, Jobs: a.jobs, WeChat: wx, Intake: a.orderIntake,
		Clock: a.clock, Log: log}
	if w := a.jobs.Workers(); w != nil {
		river.AddWorker(w, channelsorders.NewWorker(a.channels))
		river.AddWorker(w, jobs.NewReleaseCommissionsWorker(a.book))
		a.jobs.AddPeriodic(jobs.ReleaseCommissionsPeriodic())
	}

	// payouts
	a.wirePayouts(baseURL, o)
	a.wirePayouts2(o)

	// console, stats
	a.consoleLives = consoleLives{sharing: a.sharing, source: st.BoardSource()}
	a.stats = &analytics.Service{Source: st.LiveStats(), Brands: a.brands, Cache: r, Clock: a.clock}

	// live operations (built before the other areas' services, above, so they get its Emitter)
	a.wireLiveOps2(wx, o)

	var simHandler http.Handler
	if a.sim != nil {
		simHandler = a.sim.Handler()
	}
	a.server, err = server.New(server.Deps{Logger: log, Store: st, KV: r, Brands: a.brands, Referral: a.referral, Alerts: a.alerts,
		Tokens: a.tokens, Simulator: simHandler, MetricsToken: cfg.MetricsToken, TrustedProxies: cfg.TrustedProxies,
		// lives, links, touches, reservations, leaderboard
		Sharing: a.sharing, Leaderboard: a.boards,

		// leaderboard outputs
		Outputs: a.outputs,

		// orders, attribution, commission, ledger
		ChannelsOrders: a.channels,
		Orders:         a.orders, Members: a.members, Book: a.book, Ledger: a.ledger, APIKeys: a.apiKeys,

		// payouts
		Payouts: a.payouts, PayClients: a.payClients, Batches: a.batches, Reconciler: a.reconciler,

		// console, stats
		ConsoleKey: box.Derive("console"), ConsoleLives: a.consoleLives,
		Stats: a.stats, Exports: st.LiveStats(),

		// live operations
		Reminders: a.reminders, Webhooks: a.webhooks, LiveOps: a.liveops,
	})
	if err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

func (a *app) close() {
	if a.kv != nil {
		a.kv.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}

// codeExchanger adapts the WeChat client to what referral declares.
type codeExchanger struct{ c *wechat.Client }

func (e codeExchanger) ExchangeCode(ctx context.Context, appID, secret, code string) (referral.WeChatIdentity, error) {
	s, err := e.c.Code2Session(ctx, appID, secret, code)
	if err != nil {
		return referral.WeChatIdentity{}, err
	}
	if s.OpenID == "" {
		return referral.WeChatIdentity{}, errors.New("wechat: code2session returned no openid")
	}
	return referral.WeChatIdentity{OpenID: s.OpenID, UnionID: s.UnionID}, nil
}
