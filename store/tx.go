package store

import (
	"context"
	"database/sql"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/sharecast/sharecast/ent"
)

type txKey struct{}

type txState struct {
	tx     *sql.Tx
	client *ent.Client
}

// WithTx runs fn in one database transaction carried in the context: every store method and
// every job insert (jobs.Insert) called with that context joins it. It commits when fn returns
// nil and rolls back on an error or a panic. A nested call joins the outer transaction.
//
// The transaction is a plain *sql.Tx with a throwaway ent client built on it, so River can
// insert jobs in the same transaction (ent hides its own *sql.Tx).
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	if s.writeGate != nil {
		// SQLite has one writer; its busy handler is not fair, so under a burst one
		// transaction can lose the lock race until its busy timeout ends. Queueing our own
		// transactions here first (channel waiters are served in order) leaves the busy
		// handler only River's few writes to arbitrate.
		select {
		case s.writeGate <- struct{}{}:
			defer func() { <-s.writeGate }()
		case <-ctx.Done():
			return fmt.Errorf("begin: %w", ctx.Err())
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	st := &txState{
		tx:     tx,
		client: ent.NewClient(ent.Driver(txDriver{entsql.NewDriver(s.dialect, entsql.Conn{ExecQuerier: tx})})),
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// txDriver is an ent driver on an open *sql.Tx. ent's graph updates open their own
// transaction through Driver.Tx; here that joins the outer one (commit and rollback are
// no-ops), because the outer WithTx owns the real transaction.
type txDriver struct{ *entsql.Driver }

func (d txDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }

// Tx returns the transaction carried by ctx, if any (for River's InsertTx).
func Tx(ctx context.Context) (*sql.Tx, bool) {
	st, ok := ctx.Value(txKey{}).(*txState)
	if !ok {
		return nil, false
	}
	return st.tx, true
}

// ent returns the client for ctx: the transaction's when inside WithTx.
func (s *Store) ent(ctx context.Context) *ent.Client {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.client
	}
	return s.client
}
