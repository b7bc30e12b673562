// Package storetest opens stores for the tests of other packages.
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cxmhq/cxm/store"
)

// SQLite opens a store in a temporary folder that is removed after the test.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{URL: filepath.Join(t.TempDir(), "cxm.db")})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres opens a store in a schema of its own on the PostgreSQL server
// named by CXM_TEST_DATABASE_URL, dropped after the test. It returns nil
// when the variable is unset.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	url := os.Getenv("CXM_TEST_DATABASE_URL")
	if url == "" {
		return nil
	}
	db, drop, err := store.OpenInNewSchema(context.Background(), url, "test", store.Config{})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		drop()
	})
	return db
}
