// Command gen writes the next versioned PostgreSQL migration (golang-migrate format) for the
// ent schema, by replaying ent/migrate/migrations on a scratch database of the local
// PostgreSQL and diffing against the schema. It needs no Atlas CLI.
//
//	go run ./ent/migrate/gen add_payouts
//
// SHARECAST_MIGRATE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a
// server where it may create and drop the scratch database, SHARECAST_MIGRATE_SCRATCH_DB
// (default sharecast_migrate_scratch; give each concurrent run its own).
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"os"

	_ "ariga.io/atlas/sql/postgres" // registers the postgres URL scheme for atlas
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq" // atlas's sqlclient opens postgres:// URLs with lib/pq

	"github.com/sharecast/sharecast/ent/migrate"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run ./ent/migrate/gen <migration_name>")
	}
	ctx := context.Background()
	scratch := os.Getenv("SHARECAST_MIGRATE_SCRATCH_DB")
	if scratch == "" {
		scratch = "sharecast_migrate_scratch"
	}
	if !validIdent(scratch) {
		log.Fatalf("SHARECAST_MIGRATE_SCRATCH_DB %q: use letters, digits and _", scratch)
	}
	adminURL := os.Getenv("SHARECAST_MIGRATE_ADMIN_URL")
	if adminURL == "" {
		adminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{"DROP DATABASE IF EXISTS " + scratch, "CREATE DATABASE " + scratch} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			log.Fatalf("%s: %v", q, err)
		}
	}
	defer admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+scratch) //nolint:errcheck

	u, err := url.Parse(adminURL)
	if err != nil {
		log.Fatal(err)
	}
	u.Path = "/" + scratch
	dir, err := sqltool.NewGolangMigrateDir("ent/migrate/migrations")
	if err != nil {
		log.Fatalf("open migration dir (run from the repository root): %v", err)
	}
	err = migrate.NamedDiff(ctx, u.String(), os.Args[1],
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(sqltool.GolangMigrateFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		log.Fatalf("diff: %v", err)
	}
	fmt.Println("wrote the migration into ent/migrate/migrations")
}

// validIdent keeps the scratch name safe to splice into DROP/CREATE DATABASE.
func validIdent(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
