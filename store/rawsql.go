package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// queryer is what raw SQL runs on: the transaction in ctx, else the pool.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) conn(ctx context.Context) queryer {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return st.tx
	}
	return s.db
}

// rebind turns the portable "?" placeholders into PostgreSQL's $1, $2, … (SQLite takes "?").
// The queries here hold no "?" inside string literals.
func (s *Store) rebind(q string) string {
	if !s.IsPostgres() {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// dbTime normalises a time for storage: UTC, so that SQLite's text timestamps sort (and MAX)
// in time order like PostgreSQL's.
func dbTime(t time.Time) time.Time { return t.UTC() }

// timeLayouts are the text forms SQLite hands back for aggregates (MIN/MAX lose the column
// type, so the driver returns the stored text).
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// anyTime reads a scanned timestamp: a time.Time (PostgreSQL, typed SQLite columns) or the
// text SQLite answers for aggregates. nil is the zero time.
func anyTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t, nil
	case []byte:
		return parseTime(string(t))
	case string:
		return parseTime(t)
	}
	return time.Time{}, fmt.Errorf("store: %T is not a timestamp", v)
}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("store: unreadable timestamp %q", s)
}

func notFound(msg string) error { return apperr.NotFoundf("%s", msg) }

func badCursor() error { return apperr.InvalidArgument("cursor is not valid") }

// nowUTC is the wall clock for bookkeeping columns (updated_at), not business times.
func nowUTC() time.Time { return time.Now().UTC() }
