// Package ent holds the schema (ent/schema, one file per entity) and the code ent generates
// from it, which is committed. Regenerate with `go generate ./ent`, then write a migration
// with `go run ./ent/migrate/gen NAME` (needs the local PostgreSQL).
package ent

//go:generate go run -mod=mod entgo.io/ent/cmd/ent generate --feature sql/versioned-migration,sql/execquery ./schema
