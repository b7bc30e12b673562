package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// rollupSurvey returns a survey that asks every kind of score.
func rollupSurvey(ws int64, slug string, touchpoints ...string) *cxm.Survey {
	s := testSurvey(ws, slug, touchpoints...)
	s.Questions = append(s.Questions,
		cxm.Question{Key: "ces", Kind: cxm.KindCES, Text: cxm.LocalizedText{"de": "Wie einfach?"}},
		cxm.Question{Key: "stars", Kind: cxm.KindRating, Text: cxm.LocalizedText{"de": "Sterne?"}})
	return s
}

// mustVerify fails the test unless the rollups match a recount.
func mustVerify(t *testing.T, db *DB, ws int64, when string) *cxm.RollupCheck {
	t.Helper()
	c, err := db.VerifyRollups(context.Background(), ws)
	if err != nil {
		t.Fatalf("%s: verify: %v", when, err)
	}
	if c.MismatchCount != 0 {
		t.Fatalf("%s: %d rollup rows differ from a recount, first %+v", when, c.MismatchCount, c.Mismatches[0])
	}
	return c
}

// TestRollupsMatchARecountAfterRandomChanges submits, completes, repeats
// and deletes responses, deletes and merges customers and moves the
// workspace's time zone, in a random order from a fixed seed, and checks
// after every step that the incremental rollups equal a recount from the
// raw responses, and that their totals equal what the responses say.
func TestRollupsMatchARecountAfterRandomChanges(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 28, 21, 0, 0, 0, time.UTC) // the night Europe moves its clocks
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		for _, k := range []string{"web", "store", "hotline"} {
			mustCreateTouchpointAt(t, db, w.ID, k, "purchase")
		}
		mustCreateTouchpointAt(t, db, other.ID, "web", "purchase")
		surveys := []*cxm.Survey{
			mustCreateSurvey(t, db, rollupSurvey(w.ID, "s-web", "web", "store")),
			mustCreateSurvey(t, db, rollupSurvey(w.ID, "s-hotline", "hotline")),
		}
		otherSurvey := mustCreateSurvey(t, db, rollupSurvey(other.ID, "s-other", "web"))

		rng := rand.New(rand.NewPCG(7, 11))
		var partial, complete []string
		surveyOf := map[string]*cxm.Survey{}
		customers := []string{}
		next := 0
		answers := func(s *cxm.Survey) cxm.Answers {
			a := cxm.Answers{"nps": float64(rng.IntN(11))}
			if rng.IntN(4) > 0 {
				a["csat"] = float64(1 + rng.IntN(5))
			}
			if rng.IntN(3) > 0 {
				a["ces"] = float64(1 + rng.IntN(7))
			}
			if rng.IntN(2) > 0 {
				a["stars"] = float64(1 + rng.IntN(5))
			}
			return a
		}
		submit := func(id string, s *cxm.Survey, complete bool) {
			surveyOf[id] = s
			r := apiResponse(s, id, complete, answers(s))
			r.Locale = []string{"de", "en"}[rng.IntN(2)]
			if len(s.Touchpoints) > 1 {
				r.Touchpoint = s.Touchpoints[rng.IntN(len(s.Touchpoints))]
			}
			if rng.IntN(3) == 0 {
				r.AnonymousID = fmt.Sprintf("anon-%d", rng.IntN(20))
			} else {
				r.Customer = fmt.Sprintf("c-%d", rng.IntN(30))
				customers = append(customers, r.Customer)
			}
			mustSubmit(t, db, r)
		}
		pick := func(ids *[]string) string {
			i := rng.IntN(len(*ids))
			id := (*ids)[i]
			*ids = append((*ids)[:i], (*ids)[i+1:]...)
			return id
		}
		zoneMoved := false
		for step := 0; step < 300; step++ {
			now = now.Add(time.Duration(rng.IntN(180)) * time.Minute)
			var what string
			switch op := rng.IntN(100); {
			case op < 35:
				what = "submit complete"
				next++
				id := fmt.Sprintf("r-%d", next)
				submit(id, surveys[rng.IntN(2)], true)
				complete = append(complete, id)
			case op < 55:
				what = "submit partial"
				next++
				id := fmt.Sprintf("r-%d", next)
				submit(id, surveys[0], false)
				partial = append(partial, id)
			case op < 70 && len(partial) > 0:
				what = "complete partial"
				id := pick(&partial)
				r := apiResponse(surveys[0], id, true, cxm.Answers{"csat": float64(1 + rng.IntN(5))})
				mustSubmit(t, db, r)
				complete = append(complete, id)
			case op < 75 && len(complete) > 0:
				what = "repeat complete"
				id := complete[rng.IntN(len(complete))]
				r, err := db.FindResponse(ctx, w.ID, id)
				if cxm.ErrorCode(err) == cxm.ENotFound {
					break // gone with its deleted customer
				}
				if err != nil {
					t.Fatal(err)
				}
				if res := mustSubmit(t, db, apiResponse(surveyOf[id], id, true, cxm.Answers{"nps": 0.0})); !res.Duplicate || intOf(res.Response.NPS) != intOf(r.NPS) {
					t.Fatalf("repeating complete %s changed it", id)
				}
			case op < 85 && len(complete) > 0:
				what = "delete response"
				// A response may be gone already with its deleted customer.
				if err := db.DeleteResponse(ctx, w.ID, pick(&complete)); err != nil && cxm.ErrorCode(err) != cxm.ENotFound {
					t.Fatal(err)
				}
			case op < 90 && len(customers) > 1:
				what = "delete customer"
				c, err := db.FindCustomerByExternalID(ctx, w.ID, customers[rng.IntN(len(customers))])
				if err == nil {
					if err := db.DeleteCustomer(ctx, w.ID, c.ID); err != nil {
						t.Fatal(err)
					}
				}
			case op < 95 && len(customers) > 1:
				what = "merge customers"
				a, errA := db.FindCustomerByExternalID(ctx, w.ID, customers[rng.IntN(len(customers))])
				b, errB := db.FindCustomerByExternalID(ctx, w.ID, customers[rng.IntN(len(customers))])
				if errA == nil && errB == nil && a.ID != b.ID {
					if _, err := db.MergeCustomers(ctx, w.ID, a.ID, b.ID); err != nil {
						t.Fatal(err)
					}
				}
			case !zoneMoved && step > 150:
				what, zoneMoved = "move time zone", true
				zone := "America/New_York"
				if _, err := db.UpdateWorkspace(ctx, w.ID, cxm.WorkspaceUpdate{TimeZone: &zone}); err != nil {
					t.Fatal(err)
				}
			default:
				what = "other workspace"
				next++
				r := apiResponse(otherSurvey, fmt.Sprintf("o-%d", next), true, answers(otherSurvey))
				mustSubmit(t, db, r)
			}
			mustVerify(t, db, w.ID, fmt.Sprintf("step %d (%s)", step, what))
		}
		if !zoneMoved {
			t.Fatal("the random walk never moved the time zone; the test did not cover it")
		}

		// The rollups' totals are what the stored responses say.
		var want cxm.FeedbackSums
		done := true
		for cursor := ""; ; {
			rs, nextCursor, err := db.ListResponses(ctx, w.ID, cxm.ResponseFilter{Completed: &done, Page: cxm.Page{Limit: 500, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				want.AddScores(r.NPS, r.CSAT, r.CES, r.Rating, 1)
			}
			if cursor = nextCursor; cursor == "" {
				break
			}
		}
		total, err := db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(total) != 1 || total[0].FeedbackSums != want {
			t.Errorf("total = %+v, want %+v", total, want)
		}
		if want.Responses < 50 {
			t.Errorf("only %d completed responses remain; the walk is too short to mean much", want.Responses)
		}
	})
}

// TestVerifyFindsAndRebuildRepairsADamagedRollup proves that verify can
// fail: it damages one stored row, the month's, and expects verify to
// name it and rebuild to repair it.
func TestVerifyFindsAndRebuildRepairsADamagedRollup(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "web", "purchase")
		s := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web"))
		for i := range 10 {
			mustSubmit(t, db, apiResponse(s, fmt.Sprint("r-", i), true, cxm.Answers{"nps": float64(i), "csat": 5.0}))
		}
		mustVerify(t, db, w.ID, "before damage")
		err := db.inTx(ctx, func(tx queryer) error {
			_, err := tx.exec(ctx, "UPDATE response_rollups SET promoters = promoters + 1 WHERE workspace_id = ? AND grain = ?", w.ID, grainMonth)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.VerifyRollups(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.MismatchCount != 1 || c.Mismatches[0].Grain != "month" || c.Mismatches[0].Stored.Promoters != c.Mismatches[0].Recounted.Promoters+1 {
			t.Fatalf("verify after damage = %+v, want the one damaged row", c)
		}
		if _, err := db.RebuildRollups(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db, w.ID, "after rebuild")
		_, err = db.VerifyRollups(ctx, w.ID+99999)
		checkError(t, err, cxm.ENotFound)
	})
}

// TestFeedbackSlicesGroupAndFilter checks grouping by day and touchpoint
// in the workspace's time zone and the filters.
func TestFeedbackSlicesGroupAndFilter(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// 23:30 UTC on 1 June is already 2 June in Berlin.
		now := time.Date(2026, 6, 1, 23, 30, 0, 0, time.UTC)
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		web := mustCreateTouchpointAt(t, db, w.ID, "web", "purchase")
		store := mustCreateTouchpointAt(t, db, w.ID, "store", "purchase")
		s := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web", "store"))
		submit := func(id, tp string, nps int) {
			r := apiResponse(s, id, true, cxm.Answers{"nps": float64(nps)})
			r.Touchpoint = tp
			mustSubmit(t, db, r)
		}
		submit("a", "web", 10)
		submit("b", "store", 3)
		now = now.Add(24 * time.Hour)
		submit("c", "web", 8)
		got, err := db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{GroupBy: []cxm.FeedbackDimension{cxm.ByDay, cxm.ByTouchpoint}})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			day        int
			tp         int64
			p, pa, det int64
		}
		var rows []row
		for _, f := range got {
			rows = append(rows, row{f.Day, f.TouchpointID, f.Promoters, f.Passives, f.Detractors})
		}
		lo, hi := min(web.ID, store.ID), max(web.ID, store.ID)
		want := []row{{20260602, lo, 0, 0, 0}, {20260602, hi, 0, 0, 0}, {20260603, web.ID, 0, 1, 0}}
		for i := range want[:2] {
			if want[i].tp == web.ID {
				want[i].p = 1
			} else {
				want[i].det = 1
			}
		}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("slices = %v, want %v", rows, want)
		}
		got, err = db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{FromDay: 20260603, TouchpointIDs: []int64{web.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Responses != 1 || got[0].Passives != 1 {
			t.Errorf("filtered = %+v, want the one response of 3 June at web", got)
		}
		_, err = db.FeedbackSlices(ctx, w.ID, cxm.FeedbackQuery{GroupBy: []cxm.FeedbackDimension{"colour"}})
		checkError(t, err, cxm.EInvalid, "group_by")
	})
}
