package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// maxGroup bounds how many write transactions share one commit.
const maxGroup = 64

// errClosed is returned for writes after Close.
var errClosed = errors.New("store: closed")

// groupCommitter runs the write transactions of SQLite's single writer.
// Callers that arrive while one commit is under way are gathered into the
// next one: each runs in a SAVEPOINT of a shared transaction, so one that
// fails is rolled back alone, and all are committed together. A caller
// returns only after its work is committed (or rolled back), so
// durability is what it would be with a transaction of its own, at a
// fraction of the cost per write.
type groupCommitter struct {
	db    *sql.DB
	stmts *stmtCache
	d     Dialect
	reqs  chan *txRequest
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.RWMutex // held for reading while sending, for writing to close
	shut  bool
}

// txRequest is one caller's write transaction.
type txRequest struct {
	ctx  context.Context
	fn   func(queryer) error
	done chan error
}

func newGroupCommitter(db *sql.DB, d Dialect) *groupCommitter {
	g := &groupCommitter{db: db, d: d, stmts: newStmtCache(), reqs: make(chan *txRequest, maxGroup), stop: make(chan struct{})}
	g.wg.Add(1)
	go g.run()
	return g
}

// do runs fn in a write transaction and returns once it is committed.
func (g *groupCommitter) do(ctx context.Context, fn func(queryer) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.RLock()
	if g.shut {
		g.mu.RUnlock()
		return errClosed
	}
	select {
	case g.reqs <- r:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued the request always gets an answer: the work may already
	// be in a commit, so the caller waits for it rather than for ctx.
	return <-r.done
}

// close stops the committer after the queued work is done.
func (g *groupCommitter) close() {
	g.mu.Lock()
	if !g.shut {
		g.shut = true
		close(g.reqs)
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func (g *groupCommitter) run() {
	defer g.wg.Done()
	for r := range g.reqs {
		batch := []*txRequest{r}
	gather:
		for len(batch) < maxGroup {
			select {
			case more, ok := <-g.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, more)
			default:
				break gather
			}
		}
		g.commit(batch)
		// Between commits the writer's connection is free: prepare the
		// statements the last transactions asked for.
		g.stmts.prepareWanted(g.db)
	}
	g.stmts.close()
}

// commit runs a batch in one transaction and answers every request.
func (g *groupCommitter) commit(batch []*txRequest) {
	tx, err := g.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	// Work runs on detached contexts: on SQLite a cancelled context
	// interrupts the connection, which would roll back the whole shared
	// transaction, not just the caller's part.
	c := conn{d: g.d, q: tx, detach: true, tx: tx, stmts: g.stmts}
	if len(batch) == 1 {
		r := batch[0]
		if err := r.ctx.Err(); err != nil {
			tx.Rollback()
			r.done <- err
			return
		}
		if err := r.fn(c); err != nil {
			tx.Rollback()
			r.done <- err
			return
		}
		r.done <- commitErr(tx.Commit())
		return
	}
	var ok []*txRequest
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		sp := "w" + strconv.Itoa(i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			r.done <- fmt.Errorf("savepoint: %w", err)
			continue
		}
		if err := r.fn(c); err != nil {
			if _, rbErr := tx.Exec("ROLLBACK TO SAVEPOINT " + sp); rbErr != nil {
				// The transaction is unusable: fail everyone still in it.
				tx.Rollback()
				r.done <- err
				for _, o := range append(ok, batch[i+1:]...) {
					o.done <- fmt.Errorf("store: shared transaction failed: %w", rbErr)
				}
				return
			}
			tx.Exec("RELEASE SAVEPOINT " + sp)
			r.done <- err
			continue
		}
		if _, err := tx.Exec("RELEASE SAVEPOINT " + sp); err != nil {
			r.done <- fmt.Errorf("release savepoint: %w", err)
			continue
		}
		ok = append(ok, r)
	}
	err = commitErr(tx.Commit())
	for _, r := range ok {
		r.done <- err
	}
}

func commitErr(err error) error {
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
