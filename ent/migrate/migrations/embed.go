// Package migrations embeds the versioned PostgreSQL migrations (golang-migrate format),
// written by `go run ./ent/migrate/gen NAME` and applied by `sharecast migrate`.
package migrations

import "embed"

// FS holds the *.sql files.
//
//go:embed *.sql
var FS embed.FS
