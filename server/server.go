// Package server is the HTTP edge: the Gin engine, its middleware, the admin routes and the
// mounting of the mini-program API and the simulator. Handlers are thin (bind → validate → call
// the domain → map); every error leaves through server/httperr.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sharecast/sharecast/analytics"
	"github.com/sharecast/sharecast/auth"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/channelsorders"
	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/liveops"
	"github.com/sharecast/sharecast/miniprogramapi"
	"github.com/sharecast/sharecast/payouts"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
	"github.com/sharecast/sharecast/server/console"
	"github.com/sharecast/sharecast/server/httperr"
	"github.com/sharecast/sharecast/server/middleware"
	"github.com/sharecast/sharecast/server/openapi"
	"github.com/sharecast/sharecast/store"
	"github.com/sharecast/sharecast/webhooks"
	"github.com/sharecast/sharecast/wechat/pay"
)

// Deps are what the routes call.
type Deps struct {
	Logger         *slog.Logger
	Store          *store.Store
	KV             *kv.Store
	Brands         *brands.Service
	Referral       *referral.Service
	Tokens         *auth.Issuer
	Simulator      http.Handler // nil in production mode
	MetricsToken   string
	TrustedProxies []string
	CORSOrigins    []string
	// BodyLimitBytes caps request bodies; 0 → 1 MiB.
	BodyLimitBytes int64
	// Alerts are the alert metrics on /metrics (nil: none).
	Alerts *Alerts

	// Later areas add their services below their comment (the comments keep merges apart).
	// lives, links, touches, reservations, leaderboard
	Sharing     *referral.Sharing
	Leaderboard *leaderboard.Service

	// leaderboard outputs: text, poster, public page, WeCom robots
	Outputs *leaderboard.Outputs

	// orders, attribution, commission, ledger, open API, Channels webhook
	ChannelsOrders *channelsorders.Service
	Orders         *referral.Orders
	Members        *referral.Members
	Book           *payouts.Book
	Ledger         *payouts.Ledger
	APIKeys        *brands.APIKeys

	// payouts, WeChat Pay callbacks, reconciliation
	Payouts    *payouts.Payouts
	PayClients *pay.Clients
	// payout batches, reconciliation and its alerts (payouts2)
	Batches    *payouts.Batches
	Reconciler *payouts.Reconciler

	// console pages, stats, exports
	// ConsoleKey signs the console's CSRF tokens (secrets.Box.Derive("console")).
	ConsoleKey []byte
	// ConsoleLives feeds the console's lives list; nil until the lives service is wired in.
	ConsoleLives console.Lives
	// Stats computes per-live stats; Exports streams CSV exports (routes absent when nil).
	Stats   *analytics.Service
	Exports analytics.Exporter

	// live operations: notices, subscriptions, outreach, outgoing webhooks
	Reminders *reminders.Service
	Webhooks  *webhooks.Service
	// LiveOps: notice sync, the reminder-window guard's snapshots, shortfall rounds.
	LiveOps *liveops.Service
}

// Server holds the engine.
type Server struct {
	d      Deps
	engine *gin.Engine
}

// PublicPrefixes are the routes reachable without a token; a test walks every other route
// and expects 401 without one. Keyed by a global token or unauthenticated by nature.
var PublicPrefixes = []string{
	"/healthz", "/readyz", "/metrics", "/openapi.json",
	"/mp/v1/session", "/admin/v1/login",
	// lives, links, touches, reservations, leaderboard
	"/mp/v1/links", // only GET /mp/v1/links/{code}/qr: the code is an unguessable global token

	// leaderboard outputs
	"/lb",

	// orders (inbound webhooks, open API with its own key check)
	"/webhooks/channels",

	// payouts (inbound webhooks)
	"/webhooks/wechatpay",

	// console
	// The login form, the language switch and the CSS/JS. Console pages are not public: without
	// a session they redirect (303) to the login form instead of answering 401 JSON.
	"/admin/login", "/admin/lang", "/admin/static",

	// live operations
}

// New builds the engine with every route.
func New(d Deps) (*Server, error) {
	if d.BodyLimitBytes <= 0 {
		d.BodyLimitBytes = 1 << 20
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := middleware.TrustedProxies(e, d.TrustedProxies); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metricsMW, _ := middleware.Metrics(reg)

	e.Use(middleware.RequestID(), middleware.Recovery(d.Logger), middleware.AccessLog(d.Logger), metricsMW,
		middleware.CORS(d.CORSOrigins), middleware.BodyLimit(d.BodyLimitBytes))
	if d.Alerts != nil {
		reg.MustRegister(d.Alerts)
		e.Use(d.Alerts.callbackFailures())
	}
	e.NoRoute(httperr.NoRoute)
	e.NoMethod(httperr.NoMethod)

	s := &Server{d: d, engine: e}
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", middleware.MetricsHandler(reg, d.MetricsToken))
	e.GET("/openapi.json", openapi.Handler())

	// Per client address: generous enough for a venue's shared NAT during a live.
	ipLimit := middleware.PerIP.Handler(d.KV)

	mp := &miniprogramapi.Handlers{
		Referral: d.Referral,
		Tokens:   d.Tokens,
		Limiter:  d.KV,
		// lives, links, touches, reservations, leaderboard
		Sharing:     d.Sharing,
		Leaderboard: d.Leaderboard,

		// leaderboard outputs
		Outputs: d.Outputs,

		// orders
		Ledger: d.Ledger,
		Book:   d.Book,

		// payouts
		Payouts: d.Payouts, PayoutBrands: d.Brands,

		// live operations
		Reminders: d.Reminders,
	}

	mpPublic := e.Group("/mp/v1", ipLimit, middleware.MPLogin.Handler(d.KV))
	mpAuthed := e.Group("/mp/v1", ipLimit)
	mp.Register(mpPublic, mpAuthed)

	admin := e.Group("/admin/v1", ipLimit)
	admin.POST("/login", s.adminLogin)
	authed := admin.Group("", s.requireAdmin())
	authed.POST("/logout", s.adminLogout)
	authed.POST("/password", s.adminPassword)
	owner := authed.Group("", requireRole(brands.RoleOwner))
	owner.GET("/admins", s.listAdmins)
	owner.POST("/admins", s.createAdmin)
	owner.PATCH("/admins/:id", s.patchAdmin)
	owner.GET("/settings", s.getSettings)
	owner.PATCH("/settings", s.patchSettings)
	authed.GET("/audit", requireRole(brands.RoleOwner, brands.RoleFinance), s.listAudit)

	// Later areas register their routes below their comment, each through a method in a file
	// of its own (keep the comments: they keep merges apart).
	// lives, links, touches, reservations, leaderboard
	s.registerSharing(e, authed, mp, ipLimit)

	// leaderboard outputs: text, poster, public page, WeCom robots
	s.registerLeaderboardOutputs(authed, e.Group("", ipLimit))

	// orders, attribution, commission, ledger, open API, Channels webhook
	s.registerChannelsWebhook(e)
	s.registerOrders(e, ipLimit, authed)

	// payouts, WeChat Pay callbacks, reconciliation
	s.registerPayouts(e, authed)
	s.registerPayouts2(authed, reg)

	// console pages, stats, exports
	s.registerStats(authed)
	con, err := console.New(console.Deps{Logger: d.Logger, Brands: d.Brands, Key: d.ConsoleKey,
		// lives, links, touches, reservations, leaderboard
		Lives: d.ConsoleLives,
		// leaderboard outputs

		// orders

		// payouts
		Payouts: d.Payouts, Reconciler: d.Reconciler,

		// console pages, stats, exports
		Stats: consoleStats(d.Stats), Reservations: consoleReservations(d.Sharing), MemberNames: consoleNames(d.Store),
		Members: consoleMembers(d.Members), Orders: consoleOrders(d.Orders), Adjust: consoleAdjust(d.Book),
		APIKeys: consoleAPIKeys(d.APIKeys), Board: consoleBoard(d.Outputs), Webhooks: consoleWebhooks(d.Webhooks),

		// live operations
		Sharing: d.Sharing, LiveOps: d.LiveOps,
	})
	if err != nil {
		return nil, err
	}
	con.Register(e.Group(console.Prefix, ipLimit))

	// live operations: notices, subscriptions, outreach, outgoing webhooks
	s.registerLiveOps(authed)
	s.registerLiveOps2(authed)

	if d.Simulator != nil {
		sim := gin.WrapH(d.Simulator)
		e.Any("/_sim/*path", sim)
	}
	return s, nil
}

// consoleStats and consoleReservations hand the console nil interfaces (not typed nils)
// when the services are absent, so its pages say "not available".
func consoleStats(s *analytics.Service) console.Stats {
	if s == nil {
		return nil
	}
	return s
}

func consoleReservations(s *referral.Sharing) console.Reservations {
	if s == nil {
		return nil
	}
	return s
}

func consoleMembers(m *referral.Members) console.Members {
	if m == nil {
		return nil
	}
	return m
}

func consoleOrders(o *referral.Orders) console.OrderReassigner {
	if o == nil {
		return nil
	}
	return o
}

func consoleAdjust(b *payouts.Book) console.Adjuster {
	if b == nil {
		return nil
	}
	return b
}

func consoleAPIKeys(k *brands.APIKeys) console.APIKeys {
	if k == nil {
		return nil
	}
	return k
}

func consoleBoard(o *leaderboard.Outputs) console.BoardOutputs {
	if o == nil {
		return nil
	}
	return o
}

func consoleWebhooks(w *webhooks.Service) console.Webhooks {
	if w == nil {
		return nil
	}
	return w
}

func consoleNames(st *store.Store) console.MemberNames {
	if st == nil {
		return nil
	}
	return st.LiveStats()
}

// Handler is the root handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists the registered routes (for the OpenAPI and tenancy tests).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// IsSimulatorRoute tells the route walkers which routes belong to the simulator.
func IsSimulatorRoute(path string) bool { return strings.HasPrefix(path, "/_sim") }

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := s.d.Store.Ping(ctx); err != nil {
		checks["database"] = "unreachable"
		status = http.StatusServiceUnavailable
	}
	if err := s.d.KV.Ping(ctx); err != nil {
		checks["redis"] = "unreachable"
		status = http.StatusServiceUnavailable
	}
	state := "ok"
	if status != http.StatusOK {
		state = "unavailable"
	}
	c.JSON(status, gin.H{"status": state, "checks": checks})
}
