package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Portable SQL conventions, shared by both databases:
//   - queries use ? placeholders; rebind turns them into $n for PostgreSQL;
//   - times are BIGINT microseconds since the Unix epoch, in UTC;
//   - booleans are INTEGER 0 or 1;
//   - JSON is TEXT;
//   - ids come from the id allocator, never from the database.

// rebind rewrites ? placeholders to $1, $2, … for PostgreSQL, leaving
// question marks inside quoted strings alone.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, inQuote := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// queryer is what both a transaction and a pool can do, with rebinding.
type queryer interface {
	exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, query string, args ...any) *sql.Row
	dialect() Dialect
}

// conn wraps a pool or a transaction and rebinds every query.
type conn struct {
	d Dialect
	q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
	// detach runs statements on contexts that cannot be cancelled, for
	// work inside a shared (group-committed) transaction.
	detach bool
	// tx and stmts, when set, run statements through the writer's cache
	// of prepared statements instead of parsing them each time.
	tx    *sql.Tx
	stmts *stmtCache
	// pool and poolStmts, when set, run queries through statements
	// prepared on SQLite's read pool.
	pool      *sql.DB
	poolStmts *stmtCache
}

// context returns the context statements run on.
func (c conn) context(ctx context.Context) context.Context {
	if c.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c conn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, q = c.context(ctx), rebind(c.d, q)
	if s := c.cached(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, q, args...)
}

func (c conn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx, q = c.context(ctx), rebind(c.d, q)
	if s := c.cached(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, q, args...)
}

func (c conn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx, q = c.context(ctx), rebind(c.d, q)
	if s := c.cached(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, q, args...)
}

// cached returns the prepared statement for q within the transaction, or
// nil when there is none yet (the cache then prepares it for next time).
// On the read pool it returns q prepared there.
func (c conn) cached(ctx context.Context, q string) *sql.Stmt {
	if c.poolStmts != nil {
		return c.poolStmts.prepared(ctx, c.pool, q)
	}
	if c.stmts == nil {
		return nil
	}
	s := c.stmts.get(q)
	if s == nil {
		return nil
	}
	return c.tx.StmtContext(ctx, s)
}

func (c conn) dialect() Dialect { return c.d }

// reader returns the read pool. On SQLite it never sees uncommitted writes.
func (db *DB) reader() queryer {
	return conn{d: db.dialect, q: db.read, pool: db.read, poolStmts: db.readStmts}
}

// inTx runs fn in one write transaction and commits it if fn returns nil;
// when it returns, the work is committed or wholly undone. On SQLite the
// single writer's group committer runs it, in a savepoint of a transaction
// it may share with other callers (fn must not call inTx itself); the
// transaction begins IMMEDIATE, so it never fails half-way for a lock.
func (db *DB) inTx(ctx context.Context, fn func(tx queryer) error) error {
	if db.group != nil {
		return db.group.do(ctx, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(conn{d: db.dialect, q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// micros returns t as microseconds since the epoch, the stored form of times.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros turns a stored time back into a UTC time.Time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros returns nil for a nil or zero time, so that it is stored as NULL.
func nullMicros(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timePtr turns a nullable stored time into a *time.Time.
func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// boolInt returns 1 for true and 0 for false, the stored form of booleans.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullString returns nil for "", so that it is stored as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// placeholders returns "(?, ?, …), (…)" for rows rows of cols columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// readPage reads the rows of a list query that asked for limit+1 rows and
// closes them. row scans one row into an item and returns the cursor that
// continues after it. readPage returns the first limit items and, when a
// further row exists, the cursor after the last item kept; else "".
func readPage[T any](rows *sql.Rows, limit int, row func(scanner) (T, string, error)) ([]T, string, error) {
	defer rows.Close()
	out := make([]T, 0, min(limit, 64))
	last := ""
	for rows.Next() {
		if len(out) == limit {
			return out, last, nil
		}
		item, cursor, err := row(rows)
		if err != nil {
			return nil, "", err
		}
		out, last = append(out, item), cursor
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	return out, "", nil
}
