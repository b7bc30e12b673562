package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// openSQLiteT opens a SQLite store in a temp dir.
func openSQLiteT(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), Config{URL: filepath.Join(t.TempDir(), "cxm.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGroupCommitIsolatesFailures queues requests behind a blocked one so
// that they share a commit, and checks that each failing request is
// rolled back alone while the others are committed.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openSQLiteT(t)
	ctx := context.Background()
	if _, err := db.write.Exec("CREATE TABLE gc_test (n INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		db.inTx(ctx, func(tx queryer) error {
			close(started)
			<-release
			_, err := tx.exec(ctx, "INSERT INTO gc_test (n) VALUES (?)", 0)
			return err
		})
	}()
	<-started
	const n = 40
	errs := make([]error, n)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ctx
			if i == 7 {
				c = cancelled
			}
			errs[i-1] = db.inTx(c, func(tx queryer) error {
				if _, err := tx.exec(ctx, "INSERT INTO gc_test (n) VALUES (?)", i); err != nil {
					return err
				}
				if i%5 == 0 {
					return fmt.Errorf("request %d fails after writing", i)
				}
				return nil
			})
		}()
	}
	// Wait until all requests are queued behind the blocked one.
	for len(db.group.reqs) < n-1 {
		if len(db.group.reqs) == cap(db.group.reqs) {
			break
		}
	}
	close(release)
	wg.Wait()
	var want int
	for i := 1; i <= n; i++ {
		err := errs[i-1]
		switch {
		case i%5 == 0:
			if err == nil {
				t.Errorf("request %d: no error, want its own", i)
			}
		case i == 7:
			if err == nil {
				t.Errorf("request 7 ran with a cancelled context")
			}
		case err != nil:
			t.Errorf("request %d: %v", i, err)
		default:
			want++
		}
	}
	var got int
	db.read.QueryRow("SELECT COUNT(*) FROM gc_test WHERE n > 0").Scan(&got)
	if got != want {
		t.Errorf("%d rows committed, want %d (failed and cancelled requests must leave nothing)", got, want)
	}
	var failed int
	db.read.QueryRow("SELECT COUNT(*) FROM gc_test WHERE n % 5 = 0 AND n > 0").Scan(&failed)
	if failed != 0 {
		t.Errorf("%d rows of failed requests were committed", failed)
	}
}

func TestGroupCommitAfterClose(t *testing.T) {
	db, err := Open(context.Background(), Config{URL: filepath.Join(t.TempDir(), "cxm.db")})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = db.inTx(context.Background(), func(queryer) error { return nil })
	if !errors.Is(err, errClosed) {
		t.Errorf("write after close: %v, want errClosed", err)
	}
}

// BenchmarkSmallWrites measures 16 concurrent one-row write
// transactions, the shape of survey responses, with the group committer
// and with one transaction per write on the single writer.
func BenchmarkSmallWrites(b *testing.B) {
	for _, group := range []bool{true, false} {
		name := map[bool]string{true: "grouped", false: "one-tx-each"}[group]
		b.Run(name, func(b *testing.B) {
			db, err := Open(context.Background(), Config{URL: filepath.Join(b.TempDir(), "cxm.db")})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.write.Exec("CREATE TABLE gc_bench (id INTEGER PRIMARY KEY, ws INTEGER, body TEXT)")
			db.write.Exec("CREATE INDEX gc_bench_ws ON gc_bench (ws, id)")
			if !group {
				db.group.close()
				db.group = nil
			}
			ctx := context.Background()
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					err := db.inTx(ctx, func(tx queryer) error {
						_, err := tx.exec(ctx, "INSERT INTO gc_bench (ws, body) VALUES (?, ?)", 1, `{"nps":9,"why":"schnelle Lieferung"}`)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// TestStatementCache checks that a query seen in one transaction is
// prepared between commits and used by later ones with the same results,
// and that a query that cannot be prepared is remembered and not retried.
func TestStatementCache(t *testing.T) {
	db := openSQLiteT(t)
	ctx := context.Background()
	if _, err := db.write.Exec("CREATE TABLE sc_test (n INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	const insert = "INSERT INTO sc_test (n) VALUES (?)"
	for i := 1; i <= 3; i++ {
		if err := db.inTx(ctx, func(tx queryer) error { _, err := tx.exec(ctx, insert, i); return err }); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	c := db.group.stmts
	c.mu.Lock()
	prepared := c.stmts[insert] != nil
	c.mu.Unlock()
	if !prepared {
		t.Error("the insert was not prepared after its first transaction")
	}
	var n int
	if err := db.inTx(ctx, func(tx queryer) error {
		return tx.queryRow(ctx, "SELECT COUNT(*) FROM sc_test WHERE n <= ?", 3).Scan(&n)
	}); err != nil || n != 3 {
		t.Errorf("count = %d, %v; want 3", n, err)
	}
	const bad = "SELECT nope FROM missing_table"
	for range 2 {
		db.inTx(ctx, func(tx queryer) error { _, err := tx.exec(ctx, bad); return err })
	}
	c.mu.Lock()
	s, remembered := c.stmts[bad]
	wanted := c.wanted[bad]
	c.mu.Unlock()
	if !remembered || s != nil || wanted {
		t.Errorf("unpreparable query: remembered %v, stmt %v, wanted again %v", remembered, s, wanted)
	}
}
