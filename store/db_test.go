package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// testDBs returns a fresh store on SQLite in a temp dir and, when
// CXM_TEST_DATABASE_URL is set, one on PostgreSQL in a schema of its own
// that is dropped after the test. Run the store suite once per store.
func testDBs(t *testing.T) map[string]*DB {
	t.Helper()
	ctx := context.Background()
	out := map[string]*DB{}
	lite, err := Open(ctx, Config{URL: filepath.Join(t.TempDir(), "cxm.db")})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { lite.Close() })
	out["sqlite"] = lite
	if pg := OpenTestPostgres(t); pg != nil {
		out["postgres"] = pg
	}
	return out
}

// forEachDB runs fn as a subtest on every test store.
func forEachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	for name, db := range testDBs(t) {
		t.Run(name, func(t *testing.T) { fn(t, db) })
	}
}

// OpenTestPostgres opens a store on PostgreSQL in a new schema of its own
// when CXM_TEST_DATABASE_URL is set, and drops the schema after the test.
// It returns nil (and logs why) when the variable is unset.
func OpenTestPostgres(t testing.TB) *DB {
	t.Helper()
	url := os.Getenv("CXM_TEST_DATABASE_URL")
	if url == "" {
		t.Log("PostgreSQL tests skipped: CXM_TEST_DATABASE_URL is not set")
		return nil
	}
	db, drop, err := OpenInNewSchema(context.Background(), url, "test", Config{})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		drop()
	})
	return db
}

func TestMigrateIsIdempotent(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		v, err := db.MigrationVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := migrations()
		if want := ms[len(ms)-1].version; v != want {
			t.Errorf("version = %d, want %d", v, want)
		}
	})
}

func TestIDsAreUniqueAndIncreasing(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		prev := int64(0)
		for _, n := range []int{1, 5, idBlock, 3, 2 * idBlock} {
			first, err := db.ids.take(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if first <= prev {
				t.Fatalf("take(%d) = %d, not after %d", n, first, prev)
			}
			prev = first + int64(n) - 1
		}
	})
}

func TestRebind(t *testing.T) {
	tests := []struct {
		d        Dialect
		in, want string
	}{
		{SQLite, "SELECT ? , ?", "SELECT ? , ?"},
		{Postgres, "SELECT ?, ?", "SELECT $1, $2"},
		{Postgres, "SELECT '?' , ?", "SELECT '?' , $1"},
	}
	for _, tt := range tests {
		if got := rebind(tt.d, tt.in); got != tt.want {
			t.Errorf("rebind(%s, %q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}
}
