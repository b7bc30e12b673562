package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// testT0 is the base time of interactions in the customer tests.
var testT0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// mustCreateCustomer stores c in workspace ws and fails the test on error.
func mustCreateCustomer(t *testing.T, db *DB, ws int64, c *cxm.Customer) *cxm.Customer {
	t.Helper()
	c.WorkspaceID = ws
	if err := db.CreateCustomer(context.Background(), c); err != nil {
		t.Fatalf("create customer %q: %v", c.ExternalID, err)
	}
	return c
}

// event returns an interaction of customer (an external id) or, when
// customer is empty, of the anonymous id anon.
func event(id, customer, anon, touchpoint string, at time.Time) *cxm.Interaction {
	return &cxm.Interaction{ID: id, Customer: customer, AnonymousID: anon, Touchpoint: touchpoint, Type: "view", OccurredAt: at}
}

// mustIngest stores recs and fails the test on error.
func mustIngest(t *testing.T, db *DB, ws int64, opt cxm.IngestOptions, recs ...*cxm.Interaction) cxm.BatchResult {
	t.Helper()
	res, err := db.IngestInteractions(context.Background(), ws, recs, opt)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

// timelineIDs returns the event ids of the customer's whole timeline.
func timelineIDs(t *testing.T, db *DB, ws, customerID int64) []string {
	t.Helper()
	entries, _, err := db.Timeline(context.Background(), ws, customerID, cxm.Page{Limit: cxm.MaxPageLimit})
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	ids := []string{}
	for _, e := range entries {
		ids = append(ids, e.Interaction.ID)
	}
	return ids
}

func TestCustomerCreateFindUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		c := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "c-1", Email: " Anna@Example.com ", Name: "Anna",
			Locale: "de", Birthday: "1990-05-01", Attributes: cxm.Attributes{"tier": "gold", "visits": 3.0, "vip": true},
			Consent: cxm.Consent{Email: true}})
		if c.ID == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("created = %+v, want an id and a time", c)
		}
		got, err := db.FindCustomer(ctx, w.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &cxm.Customer{ID: c.ID, WorkspaceID: w.ID, ExternalID: "c-1", Email: "anna@example.com", Name: "Anna",
			Locale: "de", Birthday: "1990-05-01", Attributes: cxm.Attributes{"tier": "gold", "visits": 3.0, "vip": true},
			Consent: cxm.Consent{Email: true}, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("found  %+v\nwant %+v", got, want)
		}
		byExt, err := db.FindCustomerByExternalID(ctx, w.ID, "c-1")
		if err != nil || byExt.ID != c.ID {
			t.Errorf("by external id = %v, %v; want customer %d", byExt, err, c.ID)
		}

		err = db.CreateCustomer(ctx, &cxm.Customer{WorkspaceID: w.ID, ExternalID: "c-1"})
		checkError(t, err, cxm.EConflict, "external_id")
		err = db.CreateCustomer(ctx, &cxm.Customer{WorkspaceID: w.ID, Email: "nope", Locale: "fr"})
		checkError(t, err, cxm.EInvalid, "email", "locale")
		for range 2 { // customers without external id do not collide
			mustCreateCustomer(t, db, w.ID, &cxm.Customer{Name: "Walk-in"})
		}

		name, ext := "Anna B.", "c-1b"
		up, err := db.UpdateCustomer(ctx, w.ID, c.ID, cxm.CustomerUpdate{Name: &name, ExternalID: &ext,
			Attributes: cxm.Attributes{"visits": 4.0, "tier": nil}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindCustomer(ctx, w.ID, c.ID)
		if got.Name != "Anna B." || got.ExternalID != "c-1b" || !reflect.DeepEqual(got.Attributes, cxm.Attributes{"visits": 4.0, "vip": true}) {
			t.Errorf("after update = %+v", got)
		}
		if up.Name != got.Name {
			t.Errorf("update returned name %q, stored %q", up.Name, got.Name)
		}
		if _, err := db.FindCustomerByExternalID(ctx, w.ID, "c-1"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("old external id: err = %v, want not found", err)
		}
		if f, err := db.FindCustomerByExternalID(ctx, w.ID, "c-1b"); err != nil || f.ID != c.ID {
			t.Errorf("new external id = %v, %v", f, err)
		}

		other := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "c-2"})
		_, err = db.UpdateCustomer(ctx, w.ID, other.ID, cxm.CustomerUpdate{ExternalID: &ext})
		checkError(t, err, cxm.EConflict, "external_id")
		bad := "x"
		_, err = db.UpdateCustomer(ctx, w.ID, other.ID, cxm.CustomerUpdate{Email: &bad})
		checkError(t, err, cxm.EInvalid, "email")
		_, err = db.UpdateCustomer(ctx, w.ID, 424242, cxm.CustomerUpdate{Name: &name})
		checkError(t, err, cxm.ENotFound)
	})
}

func TestCustomerDeleteErasesEverything(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		keep := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "keep"})
		gone := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "gone"})
		dup := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "dup"})
		if _, err := db.MergeCustomers(ctx, w.ID, gone.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Identify(ctx, w.ID, "v-1", &cxm.Customer{ExternalID: "gone"}); err != nil {
			t.Fatal(err)
		}
		mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("e1", "gone", "", "shop", testT0), event("e2", "keep", "", "shop", testT0),
			event("e3", "dup", "", "shop", testT0), event("e4", "", "v-1", "shop", testT0))

		if err := db.DeleteCustomer(ctx, w.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindCustomer(ctx, w.ID, gone.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("find deleted: err = %v, want not found", err)
		}
		for _, ext := range []string{"gone", "dup"} {
			if _, err := db.FindCustomerByExternalID(ctx, w.ID, ext); cxm.ErrorCode(err) != cxm.ENotFound {
				t.Errorf("find %s: err = %v, want not found", ext, err)
			}
		}
		list, _, err := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != "e2" {
			t.Errorf("interactions left = %v, want only e2", list)
		}
		var merges int
		db.reader().queryRow(ctx, "SELECT COUNT(*) FROM customer_merges WHERE workspace_id = ?", w.ID).Scan(&merges)
		if merges != 0 {
			t.Errorf("merge records left = %d, want 0", merges)
		}
		checkError(t, db.DeleteCustomer(ctx, w.ID, gone.ID), cxm.ENotFound)
		if _, err := db.FindCustomer(ctx, w.ID, keep.ID); err != nil {
			t.Errorf("other customer: %v", err)
		}
		// The external id is free again.
		mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "gone"})
	})
}

func TestListCustomersPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		var ids []int64
		for _, ext := range []string{"a", "b", "c", "d", "e"} {
			c := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: ext, Email: ext + "@example.com"})
			ids = append(ids, c.ID)
		}
		var got []int64
		cursor, pages := "", 0
		for {
			page, next, err := db.ListCustomers(ctx, w.ID, cxm.CustomerFilter{Page: cxm.Page{Cursor: cursor, Limit: 2}})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range page {
				got = append(got, c.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !reflect.DeepEqual(got, ids) || pages != 3 {
			t.Errorf("pages = %d with %v, want 3 with %v", pages, got, ids)
		}

		tests := []struct {
			name string
			f    cxm.CustomerFilter
			want []int64
		}{
			{"email", cxm.CustomerFilter{Email: "C@example.com"}, ids[2:3]},
			{"external id", cxm.CustomerFilter{ExternalID: "d"}, ids[3:4]},
			{"no match", cxm.CustomerFilter{ExternalID: "zz"}, nil},
		}
		for _, tt := range tests {
			page, _, err := db.ListCustomers(ctx, w.ID, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range page {
				got = append(got, c.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		for _, bad := range []string{"!!!", encodeCursor(1, 2), "bm9wZQ"} {
			_, _, err := db.ListCustomers(ctx, w.ID, cxm.CustomerFilter{Page: cxm.Page{Cursor: bad}})
			checkError(t, err, cxm.EInvalid, "cursor")
		}
	})
}

func TestCustomerWorkspaceIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "alpha")
		b := mustCreateWorkspace(t, db, "beta")
		mustCreateTouchpointAt(t, db, a.ID, "shop", "purchase")
		mustCreateTouchpointAt(t, db, b.ID, "shop", "purchase")
		ca := mustCreateCustomer(t, db, a.ID, &cxm.Customer{ExternalID: "same", Name: "A"})
		cb := mustCreateCustomer(t, db, b.ID, &cxm.Customer{ExternalID: "same", Name: "B"})
		mustIngest(t, db, a.ID, cxm.IngestOptions{}, event("e1", "same", "", "shop", testT0))

		name := "hijacked"
		checks := []struct {
			name string
			err  error
		}{
			{"find", second(db.FindCustomer(ctx, b.ID, ca.ID))},
			{"update", second(db.UpdateCustomer(ctx, b.ID, ca.ID, cxm.CustomerUpdate{Name: &name}))},
			{"merge from", second(db.MergeCustomers(ctx, b.ID, cb.ID, ca.ID))},
			{"merge into", second(db.MergeCustomers(ctx, b.ID, ca.ID, cb.ID))},
			{"list merges", second(db.ListMerges(ctx, b.ID, ca.ID))},
			{"delete", db.DeleteCustomer(ctx, b.ID, ca.ID)},
		}
		for _, c := range checks {
			if cxm.ErrorCode(c.err) != cxm.ENotFound {
				t.Errorf("%s in another workspace: err = %v, want not found", c.name, c.err)
			}
		}
		if _, _, err := db.Timeline(ctx, b.ID, ca.ID, cxm.Page{}); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("timeline in another workspace: err = %v, want not found", err)
		}
		if f, err := db.FindCustomerByExternalID(ctx, b.ID, "same"); err != nil || f.ID != cb.ID {
			t.Errorf("external id in beta = %v, %v; want beta's customer", f, err)
		}
		list, _, err := db.ListCustomers(ctx, b.ID, cxm.CustomerFilter{})
		if err != nil || len(list) != 1 || list[0].ID != cb.ID {
			t.Errorf("beta's customers = %v, %v; want only its own", list, err)
		}
		events, _, err := db.ListInteractions(ctx, b.ID, cxm.InteractionFilter{})
		if err != nil || len(events) != 0 {
			t.Errorf("beta's interactions = %v, %v; want none", events, err)
		}
		events, _, _ = db.ListInteractions(ctx, a.ID, cxm.InteractionFilter{})
		if len(events) != 1 || events[0].CustomerID != ca.ID {
			t.Errorf("alpha's interactions = %v, want one of its customer", events)
		}
		if got, _ := db.FindCustomer(ctx, a.ID, ca.ID); got == nil || got.Name != "A" {
			t.Errorf("alpha's customer after beta's attempts = %+v", got)
		}
	})
}

// second returns the error of a two-value call.
func second[T any](_ T, err error) error { return err }

func TestUpsertCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		old := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "c-1", Email: "old@example.com", Name: "Old",
			Attributes: cxm.Attributes{"tier": "gold", "city": "Köln"}, Consent: cxm.Consent{Email: true}})
		batch := []*cxm.Customer{
			{ExternalID: "c-2", Name: "New", Attributes: cxm.Attributes{"score": 1.0}},
			{ExternalID: "c-3", Email: "not-an-email"},
			{Name: "No id"},
			{ExternalID: "c-1", Name: "Renamed", Attributes: cxm.Attributes{"tier": "silver", "city": nil, "age": 40.0},
				Consent: cxm.Consent{Analytics: true}},
			{ExternalID: "c-2", Email: "new@example.com"},
		}
		res, err := db.UpsertCustomers(ctx, w.ID, batch)
		if err != nil {
			t.Fatal(err)
		}
		wantErrs := []cxm.ItemError{
			{Index: 1, Field: "email", Reason: "must be an email address"},
			{Index: 2, Field: "external_id", Reason: "is required for import"},
		}
		if res.Accepted != 3 || res.Rejected != 2 || !reflect.DeepEqual(res.Errors, wantErrs) {
			t.Errorf("result = %+v, want 3 accepted and errors %v", res, wantErrs)
		}
		if res.IDs[1] != "" || res.IDs[3] == "" || res.IDs[0] != res.IDs[4] {
			t.Errorf("ids = %q", res.IDs)
		}
		got, _ := db.FindCustomer(ctx, w.ID, old.ID)
		want := cxm.Customer{Email: "old@example.com", Name: "Renamed",
			Attributes: cxm.Attributes{"tier": "silver", "age": 40.0}, Consent: cxm.Consent{Analytics: true}}
		if got.Email != want.Email || got.Name != want.Name || !reflect.DeepEqual(got.Attributes, want.Attributes) || got.Consent != want.Consent {
			t.Errorf("updated = %+v\nwant %+v", got, want)
		}
		c2, err := db.FindCustomerByExternalID(ctx, w.ID, "c-2")
		if err != nil {
			t.Fatal(err)
		}
		if c2.Name != "New" || c2.Email != "new@example.com" || !reflect.DeepEqual(c2.Attributes, cxm.Attributes{"score": 1.0}) {
			t.Errorf("created = %+v", c2)
		}
		if _, err := db.FindCustomerByExternalID(ctx, w.ID, "c-3"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("rejected record stored: err = %v", err)
		}
	})
}
