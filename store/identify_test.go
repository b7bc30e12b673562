package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestIdentifyLinksAnonymousInteractions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("a1", "", "v-1", "ad", testT0),
			event("a2", "", "v-1", "shop", testT0.Add(time.Hour)),
			event("o1", "", "v-other", "shop", testT0),
			event("k1", "c-1", "", "shop", testT0.Add(2*time.Hour)))
		c, err := db.FindCustomerByExternalID(ctx, w.ID, "c-1")
		if err != nil {
			t.Fatal(err)
		}
		if c.FirstTouchpointKey != "shop" {
			t.Fatalf("first touchpoint before identify = %q, want shop", c.FirstTouchpointKey)
		}
		if _, err := db.UpdateCustomer(ctx, w.ID, c.ID, cxm.CustomerUpdate{Name: ptr("Anna")}); err != nil {
			t.Fatal(err)
		}

		res, err := db.Identify(ctx, w.ID, "v-1", &cxm.Customer{ExternalID: "c-1", Name: "Other", Email: "anna@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Customer
		if res.Created || res.Linked != 2 || got.ID != c.ID {
			t.Errorf("result = created %v, linked %d, customer %d; want false, 2, %d", res.Created, res.Linked, got.ID, c.ID)
		}
		if got.Name != "Anna" || got.Email != "anna@example.com" {
			t.Errorf("profile = %q %q; want the stored name kept and the empty email filled", got.Name, got.Email)
		}
		if got.FirstTouchpointKey != "ad" || got.FirstSeenAt == nil || !got.FirstSeenAt.Equal(testT0) {
			t.Errorf("first touchpoint = %q at %v, want ad at %v", got.FirstTouchpointKey, got.FirstSeenAt, testT0)
		}
		if ids, want := timelineIDs(t, db, w.ID, c.ID), []string{"a1", "a2", "k1"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("timeline = %v, want %v", ids, want)
		}

		// Identifying again links nothing new; later anonymous events go
		// straight to the customer.
		res, err = db.Identify(ctx, w.ID, "v-1", &cxm.Customer{ExternalID: "c-1"})
		if err != nil || res.Linked != 0 || res.Created {
			t.Errorf("second identify = %+v, %v; want nothing linked", res, err)
		}
		r := mustIngest(t, db, w.ID, cxm.IngestOptions{}, event("a3", "", "v-1", "shop", testT0.Add(3*time.Hour)))
		if r.Accepted != 1 {
			t.Fatalf("ingest = %+v", r)
		}
		if ids := timelineIDs(t, db, w.ID, c.ID); len(ids) != 4 {
			t.Errorf("timeline after identify = %v, want 4 events", ids)
		}
	})
}

func TestIdentifyCreatesCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, event("a1", "", "v-2", "ad", testT0))
		res, err := db.Identify(ctx, w.ID, "v-2", &cxm.Customer{ExternalID: "new", Name: "Neu", Locale: "de",
			Attributes: cxm.Attributes{"plan": "pro"}})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Customer
		if !res.Created || res.Linked != 1 || c.Name != "Neu" || c.Attributes["plan"] != "pro" || c.FirstTouchpointKey != "ad" {
			t.Errorf("identify = %+v with customer %+v", res, c)
		}
		found, err := db.FindCustomerByExternalID(ctx, w.ID, "new")
		if err != nil || found.ID != c.ID {
			t.Errorf("find created = %v, %v", found, err)
		}
	})
}

func TestIdentifyErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		if _, err := db.Identify(ctx, w.ID, "v-1", &cxm.Customer{ExternalID: "c-1"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			anon    string
			profile *cxm.Customer
			code    string
			fields  []string
		}{
			{"no external id", "v-9", &cxm.Customer{Name: "x"}, cxm.EInvalid, []string{"customer"}},
			{"no profile", "v-9", nil, cxm.EInvalid, []string{"customer"}},
			{"no anonymous id", "", &cxm.Customer{ExternalID: "c-9"}, cxm.EInvalid, []string{"anonymous_id"}},
			{"bad email", "v-9", &cxm.Customer{ExternalID: "c-9", Email: "x"}, cxm.EInvalid, []string{"email"}},
			{"anonymous id of another", "v-1", &cxm.Customer{ExternalID: "c-2"}, cxm.EConflict, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.Identify(ctx, w.ID, tt.anon, tt.profile)
				checkError(t, err, tt.code, tt.fields...)
			})
		}
		// The conflict rolled back the customer it would have created.
		if _, err := db.FindCustomerByExternalID(ctx, w.ID, "c-2"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("customer of failed identify: err = %v, want not found", err)
		}
	})
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
