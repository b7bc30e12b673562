// Package store implements the cxm services on database/sql, with one set
// of portable SQL for SQLite (modernc.org/sqlite, embedded) and PostgreSQL
// (pgx). Every query is scoped to a workspace.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database a DB talks to.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the cxm store. On SQLite it keeps one writer connection, so that
// writers queue in Go instead of failing with "database is locked", and a
// pool of readers that WAL lets run beside the writer. On PostgreSQL both
// are one pool.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	now     func() time.Time
	ids     *idAllocator
	// group commits SQLite's write transactions; nil on PostgreSQL.
	group *groupCommitter
	// readStmts caches statements prepared on SQLite's read pool; nil on
	// PostgreSQL, whose driver caches prepared statements itself.
	readStmts *stmtCache
	// zones caches loaded time zones by name, for rollup days.
	zones sync.Map
}

// Config says which database to open.
type Config struct {
	// URL is postgres://… for PostgreSQL; anything else is a SQLite file path.
	URL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReadConns bounds the SQLite read pool; zero means twice the CPUs.
	ReadConns int
}

// Open connects to the database and runs the embedded migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{now: cfg.Now}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if strings.HasPrefix(cfg.URL, "postgres://") || strings.HasPrefix(cfg.URL, "postgresql://") {
		db.dialect = Postgres
		if db.write, err = sql.Open("pgx", cfg.URL); err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.write.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
		db.write.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
		db.read = db.write
	} else {
		db.dialect = SQLite
		if err := db.openSQLite(cfg); err != nil {
			return nil, err
		}
		db.group = newGroupCommitter(db.write, SQLite)
		db.readStmts = newStmtCache()
	}
	db.ids = &idAllocator{db: db}
	if err := db.ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: connect to %s: %w", db.dialect, err)
	}
	return nil
}

func (db *DB) openSQLite(cfg Config) error {
	path := strings.TrimPrefix(cfg.URL, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if path == "" {
		return fmt.Errorf("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("store: create data folder: %w", err)
		}
	}
	// The path goes into a file: URI, where '?' and '#' would end it.
	uriPath := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	// synchronous(NORMAL) in WAL mode keeps every committed transaction
	// across a crash of the process (kill -9); only a power loss can take
	// the last ones back. busy_timeout covers other processes, such as a CLI
	// import beside a running server.
	common := "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-32000)&_pragma=temp_store(MEMORY)"
	var err error
	if db.write, err = sql.Open("sqlite", "file:"+uriPath+common+"&_pragma=journal_mode(WAL)&_txlock=immediate"); err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	if _, err := db.write.Exec("PRAGMA journal_mode=WAL"); err != nil {
		return fmt.Errorf("store: enable WAL: %w", err)
	}
	if db.read, err = sql.Open("sqlite", "file:"+uriPath+common+"&_pragma=query_only(1)"); err != nil {
		return fmt.Errorf("store: open sqlite readers: %w", err)
	}
	n := cfg.ReadConns
	if n <= 0 {
		n = 2 * runtime.NumCPU()
	}
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	return nil
}

// Dialect returns the database the store talks to.
func (db *DB) Dialect() Dialect { return db.dialect }

// Now returns the store's current time.
func (db *DB) Now() time.Time { return db.now() }

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	if db.readStmts != nil {
		db.readStmts.close()
	}
	var err error
	if db.read != nil && db.read != db.write {
		err = db.read.Close()
	}
	if db.write != nil {
		if e := db.write.Close(); e != nil {
			err = e
		}
	}
	return err
}
