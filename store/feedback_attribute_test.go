package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// TestFeedbackByAttributeSplitsByCustomerValue gives customers a string,
// a number and a boolean attribute, answers for them and for an anonymous
// visitor, and checks the sums per value, by hand, with a time dimension,
// and the refusal of an attribute with too many values.
func TestFeedbackByAttributeSplitsByCustomerValue(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC) // a Monday
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, w.ID, "web", "purchase")
		s := mustCreateSurvey(t, db, rollupSurvey(w.ID, "s", "web"))
		tiers := []any{"gold", "gold", "silver", 2.5, true}
		for i, tier := range tiers {
			mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: fmt.Sprint("c-", i), Attributes: cxm.Attributes{"tier": tier, "n": float64(i)}})
		}
		mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "c-none"})
		mustCreateCustomer(t, db, other.ID, &cxm.Customer{ExternalID: "c-0", Attributes: cxm.Attributes{"tier": "gold"}})
		// Gold: customers 0 and 1 answer 10 and 0; silver 9; 2.5 answers
		// 7; true answers 3 twice, a week apart; c-none and an anonymous
		// visitor answer 10.
		answers := []struct {
			customer string
			nps      int
		}{{"c-0", 10}, {"c-1", 0}, {"c-2", 9}, {"c-3", 7}, {"c-4", 3}, {"c-none", 10}, {"", 10}, {"c-4", 3}}
		for i, a := range answers {
			if i == len(answers)-1 {
				now = now.AddDate(0, 0, 7)
			}
			r := apiResponse(s, fmt.Sprint("r-", i), true, cxm.Answers{"nps": float64(a.nps)})
			if a.customer == "" {
				r.AnonymousID = "visitor"
			} else {
				r.Customer = a.customer
			}
			mustSubmit(t, db, r)
		}
		got, err := db.FeedbackByAttribute(ctx, w.ID, cxm.FeedbackQuery{}, "tier")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]cxm.FeedbackSums{
			"":       {Responses: 2, Promoters: 2},
			"2.5":    {Responses: 1, Passives: 1},
			"gold":   {Responses: 2, Promoters: 1, Detractors: 1},
			"silver": {Responses: 1, Promoters: 1},
			"true":   {Responses: 2, Detractors: 2},
		}
		if len(got) != len(want) {
			t.Fatalf("slices = %s, want %d values", slicesString(got), len(want))
		}
		for _, f := range got {
			if f.FeedbackSums != want[f.Attribute] {
				t.Errorf("tier %q = %+v, want %+v", f.Attribute, f.FeedbackSums, want[f.Attribute])
			}
		}
		got, err = db.FeedbackByAttribute(ctx, w.ID, cxm.FeedbackQuery{GroupBy: []cxm.FeedbackDimension{cxm.ByWeek}}, "tier")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 6 || got[len(got)-1].Day != 20260511 || got[len(got)-1].Attribute != "true" || got[len(got)-1].Responses != 1 {
			t.Errorf("by week = %s", slicesString(got))
		}
		for i := range cxm.MaxAttributeValues + 1 {
			c := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: fmt.Sprint("many-", i), Attributes: cxm.Attributes{"code": fmt.Sprint("v", i)}})
			r := apiResponse(s, fmt.Sprint("m-", i), true, cxm.Answers{"nps": 5.0})
			r.Customer = c.ExternalID
			mustSubmit(t, db, r)
		}
		_, err = db.FeedbackByAttribute(ctx, w.ID, cxm.FeedbackQuery{}, "code")
		checkError(t, err, cxm.EInvalid)
	})
}
