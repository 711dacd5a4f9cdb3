// Command sharecast is the one composition root: every subcommand builds what it needs from
// the typed configuration (SHARECAST_* variables, flags over them).
//
//	sharecast serve        run the service (embedded default: SQLite, in-process Redis, simulator, demo brand)
//	sharecast migrate      apply database migrations (PostgreSQL)
//	sharecast simulator    run the WeChat simulator alone
//	sharecast demo         seed the demo brand into the configured database
//	sharecast brand …      create and configure brands
//	sharecast admin …      create admins, reset passwords
//	sharecast leaderboard rebuild --live ID   rebuild a live's boards from the database
//	sharecast ledger verify check every brand's ledger (non-zero exit on any violation)
//	sharecast version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // brand timezones load even on images without zoneinfo

	"github.com/sharecast/sharecast/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: sharecast <command> [flags]

commands:
  serve       run the service
  migrate     apply database migrations
  simulator   run the built-in WeChat simulator alone
  demo        seed the demo brand
  brand       create | configure | list brands
  admin       create | reset-password admins
  leaderboard rebuild --live ID: rebuild a live's boards from the database
  ledger      verify: check every brand's ledger (exit 1 on any violation)
  secrets     rotate: re-seal every stored secret under SHARECAST_SECRET_KEY
  healthcheck exit 0 when the service is ready (for container health checks)
  version     print the version

Configuration comes from SHARECAST_* variables (see README.md); flags override them.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without process globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, rest, getenv, stdout)
	case "simulator":
		err = cmdSimulator(ctx, rest, getenv, stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, rest, getenv, stdout)
	case "brand":
		err = cmdBrand(ctx, rest, getenv, stdin, stdout)
	case "admin":
		err = cmdAdmin(ctx, rest, getenv, stdin, stdout)
	case "leaderboard":
		err = cmdLeaderboard(ctx, rest, getenv, stdout, stderr)
	case "ledger":
		err = cmdLedger(ctx, rest, getenv, stdout)
	case "healthcheck":
		err = cmdHealthcheck(ctx, rest, getenv, stdout)
	case "secrets":
		err = cmdSecrets(ctx, rest, getenv, stdout)
	case "version":
		fmt.Fprintln(stdout, "sharecast", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "sharecast:", err)
	if config.IsConfigError(err) || errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

var errUsage = errors.New("usage error")

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl}))
}
