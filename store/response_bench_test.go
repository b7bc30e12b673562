package store

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/cxmhq/cxm"
)

// benchRespondents is how many known customers answer in BenchmarkSubmitResponse.
const benchRespondents = 1000

// benchSurvey fills db with a new workspace named slug, a delivery
// touchpoint, an active survey of three questions at it and
// benchRespondents known customers, and returns the survey.
func benchSurvey(b *testing.B, db *DB, slug string) *cxm.Survey {
	b.Helper()
	ctx := context.Background()
	w := &cxm.Workspace{Slug: slug, Name: "Bench"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		b.Fatal(err)
	}
	tp := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "delivery", Name: "Delivery", StageKey: "receipt", Channel: cxm.ChannelDelivery}
	if err := db.CreateTouchpoint(ctx, tp); err != nil {
		b.Fatal(err)
	}
	s := testSurvey(w.ID, slug, "delivery")
	s.Questions = s.Questions[:3]
	if err := db.CreateSurvey(ctx, s); err != nil {
		b.Fatal(err)
	}
	cs := make([]*cxm.Customer, benchRespondents)
	for i := range cs {
		cs[i] = &cxm.Customer{ExternalID: "known-" + strconv.Itoa(i)}
	}
	if _, err := db.UpsertCustomers(ctx, w.ID, cs); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchResponse returns complete response n to s: three answers, a known
// customer and the touchpoint, given and derived as the web layer does.
func benchResponse(s *cxm.Survey, n int64) *cxm.Response {
	r := &cxm.Response{ID: "bench-" + strconv.FormatInt(n, 10), WorkspaceID: s.WorkspaceID, SurveyID: s.ID,
		Customer: "known-" + strconv.FormatInt(n%benchRespondents, 10), Touchpoint: "delivery", Source: cxm.SourceAPI, Locale: "de",
		Completed: true, Answers: cxm.Answers{"nps": float64(n % 11), "csat": float64(1 + n%5), "why": "Die Lieferung kam pünktlich."}}
	r.Derive(s)
	return r
}

// BenchmarkSubmitResponse measures storing complete responses one call
// each, the path of every survey answer: serially, and from 16 goroutines
// as the HTTP target (5,000 durable responses/s at concurrency 16) asks.
// The responses/s metric is the figure to watch.
func BenchmarkSubmitResponse(b *testing.B) {
	ctx := context.Background()
	for name, db := range ingestBenchStores(b) {
		runs := 0
		b.Run(name+"/serial", func(b *testing.B) {
			runs++
			s := benchSurvey(b, db, fmt.Sprintf("serial-%d", runs))
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				res, err := db.SubmitResponse(ctx, benchResponse(s, int64(n)))
				if err != nil {
					b.Fatal(err)
				}
				if !res.Created {
					b.Fatalf("response %d not created", n)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
		})
		b.Run(name+"/concurrent16", func(b *testing.B) {
			runs++
			s := benchSurvey(b, db, fmt.Sprintf("concurrent-%d", runs))
			var next atomic.Int64
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := db.SubmitResponse(ctx, benchResponse(s, next.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "responses/s")
		})
	}
}
