// Package store is the SQL edge: it opens PostgreSQL (pgx through database/sql) or SQLite
// (modernc, no cgo), applies migrations, runs transactions, and implements the storage
// interfaces the domain packages declare. Every tenant query takes brand_id explicitly.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/sharecast/sharecast/ent"
	"github.com/sharecast/sharecast/ent/migrate/migrations"
)

// Options tune the pool.
type Options struct {
	MaxOpenConns int // ≤ 0 → 20
}

// Store owns the database handle and the ent client on it.
type Store struct {
	db      *sql.DB
	dialect string
	client  *ent.Client
	// writeGate serialises WithTx on SQLite (see WithTx); nil on PostgreSQL.
	writeGate chan struct{}
}

// Open connects to url: a postgres:// URL, or a SQLite file path. It does not migrate.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 20
	}
	var (
		db  *sql.DB
		dia string
		err error
	)
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		dia = dialect.Postgres
		db, err = sql.Open("pgx", rawURL)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(opts.MaxOpenConns)
		db.SetMaxIdleConns(min(opts.MaxOpenConns, 10))
		db.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		dia = dialect.SQLite
		path := strings.TrimPrefix(rawURL, "sqlite://")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, err
			}
		}
		// _txlock=immediate takes the write lock at BEGIN, so two writers queue on the busy
		// timeout instead of failing with SQLITE_BUSY at their first write.
		q := url.Values{}
		q.Add("_txlock", "immediate")
		q.Add("_pragma", "busy_timeout(15000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		// One writer at a time is SQLite's nature; a few connections let reads proceed.
		db.SetMaxOpenConns(min(opts.MaxOpenConns, 4))
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	drv := entsql.OpenDB(dia, db)
	st := &Store{db: db, dialect: dia, client: ent.NewClient(ent.Driver(drv))}
	if dia == dialect.SQLite {
		st.writeGate = make(chan struct{}, 1)
	}
	return st, nil
}

// DB is the shared handle (river uses it for its own queries).
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is dialect.Postgres or dialect.SQLite.
func (s *Store) Dialect() string { return s.dialect }

// IsPostgres reports the engine.
func (s *Store) IsPostgres() bool { return s.dialect == dialect.Postgres }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database (for /readyz).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// ErrNotMigrated tells serve to refuse an unmigrated PostgreSQL database.
var ErrNotMigrated = errors.New("the database schema is not up to date: run `sharecast migrate` (with the same SHARECAST_DATABASE_URL) first")

// Migrate brings the schema up to date: the versioned migrations on PostgreSQL, ent's
// automatic migration on SQLite; then River's own tables on either.
func (s *Store) Migrate(ctx context.Context) error {
	if s.IsPostgres() {
		m, err := s.migrator()
		if err != nil {
			return err
		}
		if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
			return fmt.Errorf("migrate: %w", err)
		}
		mig, err := rivermigrate.New(riverdatabasesql.New(s.db), nil)
		if err != nil {
			return err
		}
		if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("river migrate: %w", err)
		}
		return nil
	}
	if err := s.client.Schema.Create(ctx); err != nil {
		return fmt.Errorf("sqlite schema: %w", err)
	}
	mig, err := rivermigrate.New(riversqlite.New(s.db), nil)
	if err != nil {
		return err
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate (sqlite): %w", err)
	}
	return nil
}

// CheckMigrated answers ErrNotMigrated when a PostgreSQL database lacks migrations this binary
// knows of, or a migration failed half-way (dirty). SQLite migrates itself, so it always passes.
func (s *Store) CheckMigrated(ctx context.Context) error {
	if !s.IsPostgres() {
		return nil
	}
	m, err := s.migrator()
	if err != nil {
		return err
	}
	v, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return ErrNotMigrated
	}
	if err != nil {
		return err
	}
	if dirty {
		return fmt.Errorf("migration %d failed half-way (dirty): fix it, then run `sharecast migrate`", v)
	}
	latest, err := latestVersion()
	if err != nil {
		return err
	}
	if v < latest {
		return ErrNotMigrated
	}
	mig, err := rivermigrate.New(riverdatabasesql.New(s.db), nil)
	if err != nil {
		return err
	}
	res, err := mig.Validate(ctx, nil)
	if err != nil || !res.OK {
		return ErrNotMigrated
	}
	return nil
}

func (s *Store) migrator() (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	drv, err := migratepgx.WithInstance(s.db, &migratepgx.Config{})
	if err != nil {
		return nil, fmt.Errorf("migrate driver: %w", err)
	}
	return migrate.NewWithInstance("iofs", src, "pgx5", drv)
}

func latestVersion() (uint, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return 0, err
	}
	v, err := src.First()
	if err != nil {
		return 0, err
	}
	for {
		next, err := src.Next(v)
		if err != nil {
			return v, nil // fs.ErrNotExist at the end
		}
		v = next
	}
}
