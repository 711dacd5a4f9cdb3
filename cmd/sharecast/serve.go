package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/jobs"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	return serve(ctx, cfg, ln, buildOptions{jobs: jobs.Options{FetchPollInterval: cfg.JobsPollInterval,
		RescueStuckAfter: cfg.JobsRescueAfter, RetryBase: cfg.JobsRetryBase}}, log, stdout)
}

// serve runs the service on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg config.Config, ln net.Listener, o buildOptions, log *slog.Logger, stdout io.Writer) error {
	o.selfURL = "http://" + ln.Addr().String()
	a, err := build(ctx, cfg, log, o)
	if err != nil {
		return err
	}
	defer a.close()
	if cfg.Mode == config.Embedded {
		res, err := demo.Seed(ctx, a.store, a.brands, a.sim.Keys(), cfg.DataDir, cfg.DemoPassword, a.clock.Now())
		if err != nil {
			return fmt.Errorf("demo brand: %w", err)
		}
		if res.Created {
			if err := demo.SeedCommunity(ctx, a.store, a.sharing, res.BrandID); err != nil {
				return fmt.Errorf("demo community: %w", err)
			}
			// console pages, stats: the ended demo live the dashboard shows
			if !o.noDemoLive {
				if err := demo.SeedLive(ctx, a.store, a.sharing, a.orders, res.BrandID, a.clock.Now()); err != nil {
					return fmt.Errorf("demo live: %w", err)
				}
			}
			// payouts
			if err := demo.SeedPayout(ctx, a.store, a.book, a.payouts, res.BrandID); err != nil {
				return fmt.Errorf("demo payout: %w", err)
			}
		}
		if res.Password != "" {
			fmt.Fprintf(stdout, "demo brand created: log in to the admin API as brand %q, username %q, password %q (kept in %s)\n",
				demo.Slug, demo.Username, res.Password, res.PasswordFile)
		}
	}
	if err := a.jobs.Start(ctx); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	srv := &http.Server{Handler: a.server.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if o.onReady != nil {
		o.onReady(a)
	}
	fmt.Fprintf(stdout, "sharecast %s listening on %s (mode %s, database %s, redis %s)\n", version, o.selfURL, cfg.Mode,
		describeDB(cfg), describeRedis(cfg))
	if cfg.PublicURL == "" && cfg.IsPostgres() {
		// A shared database suggests several replicas; each would send its own listen address
		// as notify_url (production mode refuses to start without SHARECAST_PUBLIC_URL).
		log.Warn("SHARECAST_PUBLIC_URL is not set: WeChat Pay callbacks go to this replica's own address " + o.selfURL +
			"; replicas sharing a database must all set the same SHARECAST_PUBLIC_URL")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if jerr := a.jobs.Stop(sctx); jerr != nil && err == nil {
		err = jerr
	}
	return err
}

func describeDB(cfg config.Config) string {
	if cfg.IsPostgres() {
		return "postgresql"
	}
	return "sqlite " + cfg.DatabaseURL
}

func describeRedis(cfg config.Config) string {
	if cfg.RedisURL == "" {
		return "in-process"
	}
	return "external"
}
