package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/leaderboard"
)

// cmdLeaderboard is `sharecast leaderboard rebuild --live ID`: rewrite every board of a live
// (the live window, one per group label, ignition) from the database, the source of truth.
// Readers see the old board until each new one replaces it in one step.
func cmdLeaderboard(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("%w: sharecast leaderboard rebuild --live ID", errUsage)
	}
	fs := flag.NewFlagSet("leaderboard rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	liveID := fs.String("live", "", "the live whose boards to rebuild")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *liveID == "" {
		return fmt.Errorf("%w: --live is required", errUsage)
	}
	cfg, err := config.Load(nil, getenv)
	if err != nil {
		return err
	}
	a, err := build(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{selfURL: "http://" + cfg.Addr})
	if err != nil {
		return err
	}
	defer a.close()
	n, err := rebuildBoards(ctx, a, *liveID, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rebuilt %d boards of live %s\n", n, *liveID)
	return nil
}

// rebuildBoards finds the live in any brand (the CLI is an operator's tool) and rebuilds it,
// drawing a progress bar on w.
func rebuildBoards(ctx context.Context, a *app, liveID string, w io.Writer) (int, error) {
	info, err := a.store.LiveInfoAnyBrand(ctx, liveID)
	if err != nil {
		return 0, fmt.Errorf("live %s: %w", liveID, err)
	}
	var bar *progressbar.ProgressBar
	boards := 0
	err = a.boards.Rebuild(ctx, info.Live, func(done, total int, k leaderboard.Key, size int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("rebuilding boards"),
				progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		}
		name := k.Window
		if k.Group != "" {
			name += " / " + k.Group
		}
		bar.Describe(fmt.Sprintf("%s (%d inviters)", name, size))
		_ = bar.Set(done)
		boards = done
	})
	if bar != nil {
		_ = bar.Finish()
	}
	return boards, err
}
