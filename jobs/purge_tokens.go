package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/store"
)

// PurgeTokensArgs deletes refresh tokens and admin sessions that expired more than a week ago
// (kept that long so a reuse of an old token is still recognised as a reuse).
type PurgeTokensArgs struct{}

func (PurgeTokensArgs) Kind() string { return "purge_expired_tokens" }

func (PurgeTokensArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type purgeTokensWorker struct {
	river.WorkerDefaults[PurgeTokensArgs]
	store *store.Store
	clock clock.Clock
}

func (w *purgeTokensWorker) Work(ctx context.Context, _ *river.Job[PurgeTokensArgs]) error {
	_, err := w.store.PurgeExpiredTokens(ctx, w.clock.Now().Add(-7*24*time.Hour))
	return err
}
