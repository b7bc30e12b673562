package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestMergeCustomersKeepsEverything(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		into := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "a", Name: "Anna",
			Attributes: cxm.Attributes{"tier": "gold", "city": "Berlin"}, Consent: cxm.Consent{Email: true, Analytics: true}})
		from := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "b", Name: "Bertha", Email: "b@example.com",
			Attributes: cxm.Attributes{"tier": "silver", "score": 7.0}, Consent: cxm.Consent{Email: false, Analytics: true}})
		mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("ea", "a", "", "shop", testT0.Add(2*time.Hour)),
			event("eb", "b", "", "ad", testT0))
		if _, err := db.Identify(ctx, w.ID, "v-b", &cxm.Customer{ExternalID: "b"}); err != nil {
			t.Fatal(err)
		}

		got, err := db.MergeCustomers(ctx, w.ID, into.ID, from.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &cxm.Customer{ID: into.ID, WorkspaceID: w.ID, ExternalID: "a", Email: "b@example.com", Name: "Anna",
			Attributes: cxm.Attributes{"tier": "gold", "city": "Berlin", "score": 7.0},
			Consent:    cxm.Consent{Email: false, Analytics: true}, FirstTouchpointKey: "ad"}
		if got.Email != want.Email || got.Name != want.Name || got.ExternalID != want.ExternalID ||
			!reflect.DeepEqual(got.Attributes, want.Attributes) || got.Consent != want.Consent ||
			got.FirstTouchpointKey != "ad" || got.FirstSeenAt == nil || !got.FirstSeenAt.Equal(testT0) {
			t.Errorf("merged = %+v\nwant %+v first seen %v", got, want, testT0)
		}
		if stored, _ := db.FindCustomer(ctx, w.ID, into.ID); !reflect.DeepEqual(stored, got) {
			t.Errorf("stored %+v\nreturned %+v", stored, got)
		}
		if _, err := db.FindCustomer(ctx, w.ID, from.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("merged-away customer: err = %v, want not found", err)
		}
		if f, err := db.FindCustomerByExternalID(ctx, w.ID, "b"); err != nil || f.ID != into.ID {
			t.Errorf("old external id resolves to %v, %v; want the kept customer", f, err)
		}
		if ids, want := timelineIDs(t, db, w.ID, into.ID), []string{"eb", "ea"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("timeline = %v, want %v", ids, want)
		}
		merges, err := db.ListMerges(ctx, w.ID, into.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(merges) != 1 || merges[0].FromID != from.ID || merges[0].From.Name != "Bertha" ||
			merges[0].From.Attributes["tier"] != "silver" || merges[0].From.ExternalID != "b" {
			t.Errorf("merge records = %+v", merges)
		}

		// New events of the old external and anonymous ids reach the kept customer.
		recs := []*cxm.Interaction{event("eb2", "b", "", "shop", testT0.Add(3*time.Hour)),
			event("vb", "", "v-b", "shop", testT0.Add(4*time.Hour))}
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, recs...)
		for _, r := range recs {
			if r.CustomerID != into.ID {
				t.Errorf("%s went to customer %d, want %d", r.ID, r.CustomerID, into.ID)
			}
		}
		// A creation with the merged-away external id is a conflict.
		err = db.CreateCustomer(ctx, &cxm.Customer{WorkspaceID: w.ID, ExternalID: "b"})
		checkError(t, err, cxm.EConflict, "external_id")

		// Merging the kept customer on carries the earlier merge record along.
		top := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "top"})
		if _, err := db.MergeCustomers(ctx, w.ID, top.ID, into.ID); err != nil {
			t.Fatal(err)
		}
		merges, _ = db.ListMerges(ctx, w.ID, top.ID)
		var fromIDs []int64
		for _, m := range merges {
			fromIDs = append(fromIDs, m.FromID)
		}
		if !reflect.DeepEqual(fromIDs, []int64{from.ID, into.ID}) {
			t.Errorf("merge records of top are from %v, want %v", fromIDs, []int64{from.ID, into.ID})
		}
		if ids := timelineIDs(t, db, w.ID, top.ID); len(ids) != 4 {
			t.Errorf("top's timeline = %v, want 4 events", ids)
		}
		if f, err := db.FindCustomerByExternalID(ctx, w.ID, "b"); err != nil || f.ID != top.ID {
			t.Errorf("b resolves to %v, %v; want top", f, err)
		}
	})
}

func TestMergeCustomersErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		a := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "a"})
		_, err := db.MergeCustomers(ctx, w.ID, a.ID, a.ID)
		checkError(t, err, cxm.EInvalid, "from_id")
		_, err = db.MergeCustomers(ctx, w.ID, a.ID, 999999)
		checkError(t, err, cxm.ENotFound)
		_, err = db.MergeCustomers(ctx, w.ID, 999999, a.ID)
		checkError(t, err, cxm.ENotFound)
		if _, err := db.FindCustomer(ctx, w.ID, a.ID); err != nil {
			t.Errorf("customer after failed merges: %v", err)
		}
	})
}
