package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the prepared statements kept for the writer.
// Queries built with a varying number of placeholders would otherwise fill
// it; once full, new queries simply run unprepared.
const maxCachedStmts = 512

// stmtCache keeps statements prepared on SQLite's single writer
// connection, so that the many small write transactions do not parse
// their SQL each time. A statement cannot be prepared while a transaction
// holds the only connection, so a miss only records the query as wanted,
// and the group committer prepares the wanted ones between commits.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

func newStmtCache() *stmtCache {
	return &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// get returns the prepared statement for q, or nil after noting q as wanted.
func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[q]; ok {
		return s // nil for a query that would not prepare
	}
	if len(c.stmts)+len(c.wanted) < maxCachedStmts {
		c.wanted[q] = true
	}
	return nil
}

// prepareWanted prepares the wanted statements on db, whose connection
// must be free. A query that fails to prepare is not tried again.
func (c *stmtCache) prepareWanted(db *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		delete(c.wanted, q)
		if s, err := db.PrepareContext(context.Background(), q); err == nil {
			c.stmts[q] = s
		} else {
			c.stmts[q] = nil
		}
	}
}

// prepared returns q prepared on the pool db, preparing it on first use,
// for SQLite's read pool, where statements can be prepared at any time.
// It returns nil when the cache is full or q does not prepare; the caller
// then runs q unprepared.
func (c *stmtCache) prepared(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	c.mu.Lock()
	s, ok := c.stmts[q]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.Unlock()
	if ok || full {
		return s
	}
	s, err := db.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.stmts[q]; ok {
		if s != nil {
			s.Close()
		}
		return old
	}
	if err != nil {
		if ctx.Err() == nil {
			c.stmts[q] = nil // a query that will never prepare
		}
		return nil
	}
	c.stmts[q] = s
	return s
}

// close releases every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		if s != nil {
			s.Close()
		}
		delete(c.stmts, q)
	}
}
