package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
)

// OpenInNewSchema creates a new, uniquely named PostgreSQL schema and opens
// a store in it, for tests and benchmarks that need a database of their
// own beside others. drop removes the schema and everything in it.
func OpenInNewSchema(ctx context.Context, url, prefix string, cfg Config) (db *DB, drop func() error, err error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", url)
	if err != nil {
		return nil, nil, fmt.Errorf("store: open postgres: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, nil, fmt.Errorf("store: create schema: %w", err)
	}
	drop = func() error {
		a, err := sql.Open("pgx", url)
		if err != nil {
			return err
		}
		defer a.Close()
		_, err = a.Exec("DROP SCHEMA " + schema + " CASCADE")
		return err
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	cfg.URL = url + sep + "search_path=" + schema
	db, err = Open(ctx, cfg)
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, drop, nil
}
