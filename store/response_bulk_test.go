package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// importBatch returns n derived responses to the survey, numbered from
// from, spread over the touchpoints and a month around midnights.
func importBatch(sv *cxm.Survey, from, n int, rng *rand.Rand) []*cxm.Response {
	base := time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC)
	out := make([]*cxm.Response, 0, n)
	for i := from; i < from+n; i++ {
		r := &cxm.Response{ID: fmt.Sprintf("imp-%d", i), SurveyID: sv.ID, Source: cxm.SourceImport,
			Locale: []string{"de", "en"}[rng.IntN(2)], Completed: rng.IntN(5) > 0,
			Answers: cxm.Answers{"nps": float64(rng.IntN(11))}}
		if rng.IntN(3) > 0 {
			r.Answers["csat"] = float64(1 + rng.IntN(5))
		}
		if rng.IntN(2) > 0 {
			r.Answers["ces"] = float64(1 + rng.IntN(7))
		}
		if k := rng.IntN(len(sv.Touchpoints) + 1); k < len(sv.Touchpoints) {
			r.Touchpoint = sv.Touchpoints[k]
		}
		r.StartedAt = base.Add(time.Duration(rng.IntN(30*24*60)) * time.Minute)
		done := r.StartedAt.Add(time.Duration(rng.IntN(120)) * time.Minute)
		r.CompletedAt = &done
		r.Derive(sv)
		out = append(out, r)
	}
	return out
}

// countStored returns how many responses and completed responses the
// workspace holds.
func countStored(t *testing.T, db *DB, ws int64) (all, completed int64) {
	t.Helper()
	err := db.reader().queryRow(context.Background(), "SELECT COUNT(*), COALESCE(SUM(completed), 0) FROM responses WHERE workspace_id = ?", ws).
		Scan(&all, &completed)
	if err != nil {
		t.Fatal(err)
	}
	return all, completed
}

func TestImportResponsesKeepsRollupsExact(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := &cxm.Workspace{Slug: "acme", Name: "Acme", TimeZone: "Europe/Berlin"}
		if err := db.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"web", "store"} {
			mustCreateTouchpointAt(t, db, w.ID, k, "purchase")
		}
		sv := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web", "store"))
		rng := rand.New(rand.NewPCG(3, 5))

		// More than one statement's rows on either database.
		first := importBatch(sv, 0, 1200, rng)
		n, err := db.ImportResponses(ctx, w.ID, first)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(first) {
			t.Fatalf("imported %d of %d", n, len(first))
		}
		mustVerify(t, db, w.ID, "first import")

		// The same batch again, with ids that repeat within the batch and
		// new ones among them: only the new ones count.
		again := importBatch(sv, 0, 1200, rand.New(rand.NewPCG(3, 5)))
		fresh := importBatch(sv, 5000, 300, rng)
		mixed := append(append(again[:600:600], fresh...), fresh[:50]...)
		n, err = db.ImportResponses(ctx, w.ID, mixed)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(fresh) {
			t.Fatalf("repeated batch imported %d, want %d", n, len(fresh))
		}
		c := mustVerify(t, db, w.ID, "repeated import")
		all, completed := countStored(t, db, w.ID)
		if all != int64(len(first)+len(fresh)) {
			t.Errorf("stored %d responses, want %d", all, len(first)+len(fresh))
		}
		if c.Responses != completed {
			t.Errorf("rollup recount saw %d completed responses, table has %d", c.Responses, completed)
		}
		var want int64
		for _, r := range append(first, fresh...) {
			if r.Completed {
				want++
			}
		}
		total, err := db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(total) != 1 || total[0].Responses != want || completed != want {
			t.Fatalf("rollups count %+v, table %d, want %d", total, completed, want)
		}

		// A stored response keeps its times and touchpoint.
		got, err := db.FindResponse(ctx, w.ID, first[7].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.StartedAt.Equal(first[7].StartedAt) || got.Touchpoint != first[7].Touchpoint || got.CustomerID != 0 {
			t.Errorf("stored %+v, imported %+v", got, first[7])
		}
	})
}

func TestImportResponsesRejectsBadInputWithoutWriting(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, w.ID, "web", "purchase")
		sv := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web"))
		otherSurvey := mustCreateSurvey(t, db, rollupSurvey(other.ID, "o"))
		rng := rand.New(rand.NewPCG(1, 2))
		for name, tc := range map[string]struct {
			edit  func(r *cxm.Response)
			field string
		}{
			"no id":          {func(r *cxm.Response) { r.ID = "" }, "responses[1].id"},
			"bad touchpoint": {func(r *cxm.Response) { r.Touchpoint = "nowhere" }, "responses[1].touchpoint"},
			"other survey":   {func(r *cxm.Response) { r.SurveyID = otherSurvey.ID }, "responses[1].survey_id"},
			"bad locale":     {func(r *cxm.Response) { r.Locale = "xx" }, "responses[1].locale"},
			"invitation":     {func(r *cxm.Response) { r.InvitationID = 9 }, "responses[1].invitation_id"},
		} {
			t.Run(name, func(t *testing.T) {
				rs := importBatch(sv, 0, 3, rng)
				tc.edit(rs[1])
				_, err := db.ImportResponses(ctx, w.ID, rs)
				checkError(t, err, cxm.EInvalid, tc.field)
				if all, _ := countStored(t, db, w.ID); all != 0 {
					t.Fatalf("%d responses stored after a rejected import", all)
				}
			})
		}
	})
}

// TestScanFeedbackSlicesMatchesRollups answers the same queries from the
// rollups and from the raw responses, across a change of daylight saving
// time, and expects the same slices.
func TestScanFeedbackSlicesMatchesRollups(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := &cxm.Workspace{Slug: "acme", Name: "Acme", TimeZone: "Europe/Berlin"}
		if err := db.CreateWorkspace(ctx, w); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"web", "store"} {
			mustCreateTouchpointAt(t, db, w.ID, k, "purchase")
		}
		sv := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web", "store"))
		if _, err := db.ImportResponses(ctx, w.ID, importBatch(sv, 0, 800, rand.New(rand.NewPCG(9, 9)))); err != nil {
			t.Fatal(err)
		}
		all := []cxm.FeedbackDimension{cxm.ByDay, cxm.BySurvey, cxm.ByTouchpoint, cxm.ByChannel, cxm.ByLocale}
		for _, q := range []cxm.FeedbackQuery{
			{},
			{GroupBy: all},
			{FromDay: 20260310, ToDay: 20260405, GroupBy: []cxm.FeedbackDimension{cxm.ByTouchpoint, cxm.ByDay}},
			{FromDay: 20260329, GroupBy: []cxm.FeedbackDimension{cxm.ByDay}, Locales: []string{"en"}},
			{ToDay: 20260315, GroupBy: []cxm.FeedbackDimension{cxm.ByChannel}},
		} {
			want, err := db.FeedbackSlices(ctx, w.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.ScanFeedbackSlices(ctx, w.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			key := func(f *cxm.FeedbackSlice) string {
				return fmt.Sprint(f.Day, f.SurveyID, f.TouchpointID, f.Channel, f.Locale)
			}
			byKey := map[string]cxm.FeedbackSums{}
			for _, f := range want {
				byKey[key(f)] = f.FeedbackSums
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("%+v: scan gives %d slices, rollups %d", q, len(got), len(want))
			}
			for _, f := range got {
				if byKey[key(f)] != f.FeedbackSums {
					t.Fatalf("%+v: slice %s scans %+v, rollups %+v", q, key(f), f.FeedbackSums, byKey[key(f)])
				}
			}
		}
	})
}
