package store

import (
	"context"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestResponsesFollowTheCustomer checks that responses take part in the
// customer's life: identify links anonymous ones, a merge moves them,
// erasure deletes them, and a touchpoint a survey or response uses cannot
// be deleted.
func TestResponsesFollowTheCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		tp := mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		s := mustCreateSurvey(t, db, testSurvey(w.ID, "after-delivery", "delivery"))

		anon := apiResponse(s, "r-anon", true, cxm.Answers{"nps": 3.0})
		anon.AnonymousID = "anon-9"
		mustSubmit(t, db, anon)
		if _, err := db.Identify(ctx, w.ID, "anon-9", &cxm.Customer{ExternalID: "k-1"}); err != nil {
			t.Fatal(err)
		}
		kept, err := db.FindCustomerByExternalID(ctx, w.ID, "k-1")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindResponse(ctx, w.ID, "r-anon"); got == nil || got.CustomerID != kept.ID {
			t.Fatalf("identify did not link the anonymous response: %+v", got)
		}

		dupResp := apiResponse(s, "r-dup", true, cxm.Answers{"nps": 9.0})
		dupResp.Customer = "k-1-dup"
		mustSubmit(t, db, dupResp)
		dup, err := db.FindCustomerByExternalID(ctx, w.ID, "k-1-dup")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeCustomers(ctx, w.ID, kept.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		rs, _, err := db.ListResponses(ctx, w.ID, cxm.ResponseFilter{CustomerID: kept.ID})
		if err != nil || len(rs) != 2 {
			t.Fatalf("after merge the kept customer has %d responses (%v), want 2", len(rs), err)
		}

		if err := db.DeleteTouchpoint(ctx, w.ID, tp.ID); cxm.ErrorCode(err) != cxm.EConflict {
			t.Errorf("deleting a touchpoint in use: %v, want conflict", err)
		}
		other := mustCreateTouchpointAt(t, db, w.ID, "unused", "receipt")
		mustCreateSurvey(t, db, testSurvey(w.ID, "listing-unused", "unused"))
		if err := db.DeleteTouchpoint(ctx, w.ID, other.ID); cxm.ErrorCode(err) != cxm.EConflict {
			t.Errorf("deleting a touchpoint a survey lists: %v, want conflict", err)
		}

		if err := db.DeleteCustomer(ctx, w.ID, kept.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"r-anon", "r-dup"} {
			if _, err := db.FindResponse(ctx, w.ID, id); cxm.ErrorCode(err) != cxm.ENotFound {
				t.Errorf("response %s after erasure: %v, want not found", id, err)
			}
		}
	})
}
