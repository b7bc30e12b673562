package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// TestPlanRollupReadsCoversTheRangeOnce checks, for many ranges and
// every choice of grains, that the reads cover each day of the range
// exactly once, that every week and month read is whole, and that no
// finer read spans a whole coarser period it could have used.
func TestPlanRollupReadsCoversTheRangeOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time) int { return cxm.LocalDay(t, time.UTC) }
	for range 500 {
		from := start.AddDate(0, 0, rng.IntN(120))
		to := from.AddDate(0, 0, rng.IntN(200))
		for _, grains := range [][]rollupGrain{{grainMonth, grainWeek, grainDay}, {grainWeek, grainDay}, {grainMonth, grainDay}, {grainDay}} {
			plan := planRollupReads(day(from), day(to), grains)
			covered := map[int]int{}
			for _, rd := range plan {
				if rd.from >= rd.to {
					t.Fatalf("%v..%v %v: empty read %+v", from, to, grains, rd)
				}
				if rd.grain != grainDay && (periodStart(rd.from, rd.grain) != rd.from || periodStart(rd.to, rd.grain) != rd.to) {
					t.Fatalf("%v..%v: read %+v is not whole periods", from, to, rd)
				}
				for d := cxm.DayTime(rd.from, time.UTC); day(d) < rd.to; d = d.AddDate(0, 0, 1) {
					covered[day(d)]++
				}
			}
			n := 0
			for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
				if covered[day(d)] != 1 {
					t.Fatalf("%v..%v %v: day %d read %d times (plan %+v)", from, to, grains, day(d), covered[day(d)], plan)
				}
				n++
			}
			if len(covered) != n {
				t.Fatalf("%v..%v %v: plan reads days outside the range: %+v", from, to, grains, plan)
			}
			if grains[0] == grainMonth && len(plan) > 7 {
				t.Fatalf("%v..%v: %d reads, want at most 7: %+v", from, to, len(plan), plan)
			}
		}
	}
}

// TestFeedbackSlicesByPeriodMatchARawScan loads responses over half a
// year and checks that the rollups, read through their week and month
// rows, give exactly the sums of a raw scan, for random ranges and every
// grouping by time.
func TestFeedbackSlicesByPeriodMatchARawScan(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		for _, k := range []string{"web", "store"} {
			mustCreateTouchpointAt(t, db, w.ID, k, "purchase")
		}
		s := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web", "store"))
		rng := rand.New(rand.NewPCG(9, 1))
		first := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var rs []*cxm.Response
		for i := range 1500 {
			r := apiResponse(s, fmt.Sprint("r-", i), true, cxm.Answers{"nps": float64(rng.IntN(11)), "csat": float64(1 + rng.IntN(5))})
			r.Source, r.Touchpoint, r.Locale = cxm.SourceImport, []string{"web", "store"}[rng.IntN(2)], []string{"de", "en"}[rng.IntN(2)]
			done := first.Add(time.Duration(rng.Int64N(int64(180 * 24 * time.Hour))))
			r.StartedAt, r.CompletedAt = done.Add(-time.Minute), &done
			rs = append(rs, r)
		}
		if n, err := db.ImportResponses(ctx, w.ID, rs); err != nil || n != len(rs) {
			t.Fatalf("import: %d, %v", n, err)
		}
		mustVerify(t, db, w.ID, "after import")
		groupings := [][]cxm.FeedbackDimension{nil, {cxm.ByTouchpoint}, {cxm.ByWeek}, {cxm.ByMonth, cxm.ByLocale}, {cxm.ByTouchpoint, cxm.ByWeek}, {cxm.ByDay}}
		for range 40 {
			from := first.AddDate(0, 0, rng.IntN(150)-10)
			to := from.AddDate(0, 0, 1+rng.IntN(120))
			for _, g := range groupings {
				q := cxm.FeedbackQuery{FromDay: cxm.LocalDay(from, time.UTC), ToDay: cxm.LocalDay(to, time.UTC), GroupBy: g,
					Only: []string{"", "nps", "csat"}[rng.IntN(3)]}
				got, err := db.FeedbackSlices(ctx, w.ID, q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.ScanFeedbackSlices(ctx, w.ID, q)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%v..%v by %v:\nrollups %s\nraw     %s", from, to, g, slicesString(got), slicesString(want))
				}
			}
		}
		// An unbounded query reads the month rows only.
		got, err := db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{})
		if err != nil || len(got) != 1 || got[0].Responses != int64(len(rs)) {
			t.Fatalf("unbounded total = %v, %v; want %d responses", slicesString(got), err, len(rs))
		}
		_, err = db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{GroupBy: []cxm.FeedbackDimension{cxm.ByWeek, cxm.ByMonth}})
		checkError(t, err, cxm.EInvalid)
		_, err = db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{Only: "promoters"})
		checkError(t, err, cxm.EInvalid)
		// Limited to CSAT, the NPS sums stay zero.
		got, err = db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{Only: "csat"})
		if err != nil || got[0].Promoters != 0 || got[0].CSATN == 0 || got[0].Responses != int64(len(rs)) {
			t.Errorf("only csat = %s, %v", slicesString(got), err)
		}
	})
}

// TestFillRollupPeriodsAddsMissingWeeksAndMonths removes the week and
// month rows, as a database counted before they existed would lack them,
// and checks that the fill at start restores exactly what a recount gives.
func TestFillRollupPeriodsAddsMissingWeeksAndMonths(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "web", "purchase")
		s := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web"))
		now := time.Date(2026, 5, 30, 12, 0, 0, 0, time.UTC)
		db.now = func() time.Time { return now }
		for i := range 12 {
			now = now.Add(20 * time.Hour)
			mustSubmit(t, db, apiResponse(s, fmt.Sprint("r-", i), true, cxm.Answers{"nps": float64(i % 11), "csat": 4.0}))
		}
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "DELETE FROM response_rollups WHERE grain <> 0")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := db.VerifyRollups(ctx, w.ID); c.MismatchCount == 0 {
			t.Fatal("verify finds nothing missing after the week and month rows were removed")
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db, w.ID, "after the fill")
	})
}

// slicesString prints slices for a failure message.
func slicesString(fs []*cxm.FeedbackSlice) string {
	s := ""
	for _, f := range fs {
		s += fmt.Sprintf("%+v ", *f)
	}
	return s
}
