// Package storetest gives tests fresh, migrated storage on every engine the service supports:
// SQLite (always) and PostgreSQL (SHARECAST_TEST_POSTGRES_URL, a fresh schema per test), and
// Redis: miniredis (always) and a real server (SHARECAST_TEST_REDIS_URL, a key prefix per test).
// With SHARECAST_TEST_REQUIRE_SERVICES=1 (CI) a missing or unreachable service fails the test
// instead of leaving that engine out.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sharecast/sharecast/kv"
	"github.com/sharecast/sharecast/store"
)

// Engine names one storage combination.
type Engine struct {
	Name        string // "sqlite" or "postgres"
	postgresURL string
}

func required() bool { return os.Getenv("SHARECAST_TEST_REQUIRE_SERVICES") == "1" }

// Engines lists the database engines to run a test on.
func Engines(t testing.TB) []Engine {
	t.Helper()
	out := []Engine{{Name: "sqlite"}}
	u := os.Getenv("SHARECAST_TEST_POSTGRES_URL")
	if u == "" {
		if required() {
			t.Fatal("SHARECAST_TEST_REQUIRE_SERVICES=1 but SHARECAST_TEST_POSTGRES_URL is not set: start PostgreSQL and set it (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
		}
		return out
	}
	return append(out, Engine{Name: "postgres", postgresURL: u})
}

// Each runs fn as a subtest per engine with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, Open(t, e)) })
	}
}

// Open returns a fresh, migrated store on e, removed when the test ends.
func Open(t testing.TB, e Engine) *store.Store {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch e.Name {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		dsn = freshSchema(t, e.postgresURL)
	default:
		t.Fatalf("unknown engine %q", e.Name)
	}
	// Four connections per test keep parallel packages well under PostgreSQL's 100.
	s, err := store.Open(ctx, dsn, store.Options{MaxOpenConns: 4})
	if err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e.Name, err)
	}
	return s
}

// DSN returns a fresh database URL (a new PostgreSQL schema or SQLite file) without opening
// it, for tests that run the whole service.
func DSN(t testing.TB, e Engine) string {
	t.Helper()
	if e.Name == "postgres" {
		return freshSchema(t, e.postgresURL)
	}
	return filepath.Join(t.TempDir(), "test.db")
}

func freshSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		unavailable(t, "PostgreSQL", err)
	}
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema := "t_" + randHex(8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		unavailable(t, "PostgreSQL", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("SHARECAST_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// RedisEngines lists the Redis servers to run a test on: "" is miniredis.
func RedisEngines(t testing.TB) []string {
	t.Helper()
	out := []string{""}
	u := os.Getenv("SHARECAST_TEST_REDIS_URL")
	if u == "" {
		if required() {
			t.Fatal("SHARECAST_TEST_REQUIRE_SERVICES=1 but SHARECAST_TEST_REDIS_URL is not set: start Redis and set it (e.g. redis://127.0.0.1:6379/0)")
		}
		return out
	}
	return append(out, u)
}

// Redis opens url ("" → miniredis) with a key prefix of its own.
func Redis(t testing.TB, url string) *kv.Store {
	t.Helper()
	r, err := kv.Open(context.Background(), url, "test:"+randHex(6)+":", 4)
	if err != nil {
		unavailable(t, "Redis", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// EachRedis runs fn per Redis engine.
func EachRedis(t *testing.T, fn func(t *testing.T, r *kv.Store)) {
	t.Helper()
	for _, u := range RedisEngines(t) {
		name := "miniredis"
		if u != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) { fn(t, Redis(t, u)) })
	}
}

func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if required() {
		t.Fatalf("%s is required (SHARECAST_TEST_REQUIRE_SERVICES=1) but unavailable: %v", what, err)
	}
	t.Skipf("%s unavailable, engine left out (set SHARECAST_TEST_REQUIRE_SERVICES=1 to fail instead): %v", what, err)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
