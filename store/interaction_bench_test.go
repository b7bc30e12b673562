package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// Shape of BenchmarkIngestInteractions: batches of benchBatch records, of
// which benchNew are of customers not seen before and the others of
// distinct known customers out of a pool of benchKnown.
const (
	benchBatch = 1000
	benchNew   = 20
	benchKnown = 20000
)

// benchTouchpoints are the touchpoints the benchmark's records use.
var benchTouchpoints = []string{"ad", "shop", "app", "hotline", "delivery"}

// ingestBenchStores returns a store on SQLite and, when
// CXM_TEST_DATABASE_URL is set, one on PostgreSQL, both
// empty; benchWorkspace fills them.
func ingestBenchStores(b *testing.B) map[string]*DB {
	b.Helper()
	ctx := context.Background()
	lite, err := Open(ctx, Config{URL: filepath.Join(b.TempDir(), "cxm.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lite.Close() })
	out := map[string]*DB{"sqlite": lite}
	if pg := OpenTestPostgres(b); pg != nil {
		out["postgres"] = pg
	}
	return out
}

// benchWorkspace fills db with a new workspace named slug, its
// touchpoints and benchKnown customers, first seen an hour before start.
func benchWorkspace(b *testing.B, db *DB, slug string, start time.Time) int64 {
	b.Helper()
	ctx := context.Background()
	w := &cxm.Workspace{Slug: slug, Name: "Bench"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		b.Fatal(err)
	}
	for _, key := range benchTouchpoints {
		tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: key, Name: key, StageKey: "purchase", Channel: cxm.ChannelWeb}
		if err := db.CreateTouchpoint(ctx, tp); err != nil {
			b.Fatal(err)
		}
	}
	for first := 0; first < benchKnown; first += benchBatch {
		batch := make([]*cxm.Interaction, 0, benchBatch)
		for k := first; k < first+benchBatch; k++ {
			batch = append(batch, &cxm.Interaction{Customer: "known-" + strconv.Itoa(k),
				Touchpoint: benchTouchpoints[k%len(benchTouchpoints)], Type: "signup", OccurredAt: start.Add(-time.Hour)})
		}
		if _, err := db.IngestInteractions(ctx, w.ID, batch, cxm.IngestOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	// A database in use has planner statistics; PostgreSQL's autovacuum
	// would gather them within a minute, too late for a benchmark.
	if db.dialect == Postgres {
		if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	return w.ID
}

// benchIngestBatch returns batch number n: distinct known customers, a
// few new ones, half with the sender's ids, some with a value and
// properties, all after the known customers' first interaction.
func benchIngestBatch(n int, start time.Time) []*cxm.Interaction {
	batch := make([]*cxm.Interaction, benchBatch)
	props := json.RawMessage(`{"order":"A-1001","items":3}`)
	value := 59.9
	for k := range batch {
		r := &cxm.Interaction{Touchpoint: benchTouchpoints[k%len(benchTouchpoints)], Type: "view",
			OccurredAt: start.Add(time.Duration(n*benchBatch+k) * time.Millisecond)}
		if k < benchNew {
			r.Customer = fmt.Sprintf("new-%d-%d", n, k)
		} else {
			r.Customer = "known-" + strconv.Itoa((n*(benchBatch-benchNew)+k)%benchKnown)
		}
		if k%2 == 0 {
			r.ID = fmt.Sprintf("b%d-%d", n, k)
		}
		if k%4 == 1 {
			r.Type, r.Value, r.Properties = "order", &value, props
		}
		batch[k] = r
	}
	return batch
}

// BenchmarkIngestInteractions measures the ingest hot path: one call per
// batch of 1000 interactions of distinct known customers plus a few new
// ones. The events/s metric is the figure to watch.
func BenchmarkIngestInteractions(b *testing.B) {
	for name, db := range ingestBenchStores(b) {
		runs := 0
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			start := db.now().Add(-24 * time.Hour)
			runs++
			ws := benchWorkspace(b, db, "bench-"+strconv.Itoa(runs), start)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				batch := benchIngestBatch(n, start)
				b.StartTimer()
				res, err := db.IngestInteractions(ctx, ws, batch, cxm.IngestOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Accepted != benchBatch {
					b.Fatalf("accepted %d of %d: %+v", res.Accepted, benchBatch, res.Errors)
				}
			}
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
