package store

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// eventIDs returns the ids of interactions.
func eventIDs(rs []*cxm.Interaction) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestIngestStoresDuplicatesOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		res := mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("e1", "c-1", "", "shop", testT0),
			event("e2", "c-1", "", "shop", testT0),
			event("e1", "c-1", "", "shop", testT0.Add(time.Hour)),
			event("", "c-1", "", "shop", testT0),
			event("", "c-1", "", "shop", testT0))
		if res.Accepted != 4 || res.Duplicates != 1 || !reflect.DeepEqual(res.DuplicateIndexes, []int{2}) {
			t.Errorf("first batch = %+v, want 4 accepted and duplicate [2]", res)
		}
		if res.IDs[0] != "e1" || res.IDs[2] != "e1" || res.IDs[3] == "" || res.IDs[3] == res.IDs[4] {
			t.Errorf("ids = %q, want given ids kept and distinct new ones", res.IDs)
		}
		res = mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("e2", "c-1", "", "shop", testT0),
			event("e3", "c-1", "", "shop", testT0))
		if res.Accepted != 1 || res.Duplicates != 1 || !reflect.DeepEqual(res.DuplicateIndexes, []int{0}) {
			t.Errorf("second batch = %+v, want 1 accepted and duplicate [0]", res)
		}
		list, _, err := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 5 {
			t.Errorf("stored %v, want 5 interactions", eventIDs(list))
		}
		for _, r := range list {
			if r.ID == "e1" && !r.OccurredAt.Equal(testT0) {
				t.Errorf("e1 occurred at %v, want the first record's %v", r.OccurredAt, testT0)
			}
		}
	})
}

func TestIngestUnknownTouchpoint(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		res := mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("e1", "c-1", "", "shop", testT0),
			event("e2", "c-2", "", "hotline", testT0))
		wantErrs := []cxm.ItemError{{Index: 1, Field: "touchpoint", Reason: "unknown touchpoint hotline"}}
		if res.Accepted != 1 || res.Rejected != 1 || !reflect.DeepEqual(res.Errors, wantErrs) || res.IDs[1] != "" {
			t.Errorf("result = %+v, want e2 rejected with %v", res, wantErrs)
		}
		if _, err := db.FindCustomerByExternalID(ctx, w.ID, "c-2"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("customer of a rejected record: err = %v, want not found", err)
		}

		rec := event("e2", "c-2", "", "hotline", testT0)
		res = mustIngest(t, db, w.ID, cxm.IngestOptions{CreateTouchpoints: true}, rec, event("e3", "c-2", "", "hotline", testT0))
		if res.Accepted != 2 || res.Rejected != 0 {
			t.Errorf("with CreateTouchpoints = %+v, want 2 accepted", res)
		}
		tp, err := db.FindTouchpointByKey(ctx, w.ID, "hotline")
		if err != nil {
			t.Fatal(err)
		}
		journeys, err := db.ListJourneys(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := journeys[0].Stage("awareness")
		if tp.Name != "hotline" || tp.Channel != cxm.ChannelOther || tp.Online || tp.StageID != first.ID {
			t.Errorf("created touchpoint = %+v, want named by key, channel other, offline, stage %d", tp, first.ID)
		}
		if rec.TouchpointID != tp.ID || rec.Channel != cxm.ChannelOther || rec.CustomerID == 0 || rec.ReceivedAt.IsZero() {
			t.Errorf("record after ingest = %+v", rec)
		}
	})
}

func TestIngestCustomersAndFirstTouchpoint(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		mustCreateTouchpointAt(t, db, w.ID, "store", "purchase")
		known := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "known"})
		value := 49.9
		order := &cxm.Interaction{ID: "o1", Customer: "n-1", Touchpoint: "shop", Type: "order",
			OccurredAt: testT0.Add(time.Hour), Value: &value, Properties: json.RawMessage(`{"order":"A-1"}`)}
		mustIngest(t, db, w.ID, cxm.IngestOptions{},
			order,
			event("v1", "n-1", "", "ad", testT0),
			event("k1", "known", "", "shop", testT0.Add(time.Hour)),
			event("x1", "", "stranger", "ad", testT0))
		n1, err := db.FindCustomerByExternalID(ctx, w.ID, "n-1")
		if err != nil {
			t.Fatal(err)
		}
		if order.CustomerID != n1.ID || n1.FirstTouchpointKey != "ad" || !n1.FirstSeenAt.Equal(testT0) {
			t.Errorf("new customer = %+v (record's customer %d), want first touchpoint ad at %v", n1, order.CustomerID, testT0)
		}
		firstOf := func(id int64) (string, time.Time) {
			c, err := db.FindCustomer(ctx, w.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.FirstSeenAt == nil {
				return c.FirstTouchpointKey, time.Time{}
			}
			return c.FirstTouchpointKey, *c.FirstSeenAt
		}
		if key, at := firstOf(known.ID); key != "shop" || !at.Equal(testT0.Add(time.Hour)) {
			t.Errorf("known customer's first touchpoint = %q at %v, want shop", key, at)
		}
		// A later interaction changes nothing; an earlier one moves it back.
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, event("k2", "known", "", "ad", testT0.Add(2*time.Hour)))
		if key, _ := firstOf(known.ID); key != "shop" {
			t.Errorf("after a later interaction first touchpoint = %q, want shop", key)
		}
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, event("k0", "known", "", "store", testT0.Add(-time.Hour)))
		if key, at := firstOf(known.ID); key != "store" || !at.Equal(testT0.Add(-time.Hour)) {
			t.Errorf("after an earlier interaction first touchpoint = %q at %v, want store", key, at)
		}

		stored, _, err := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{Type: "order"})
		if err != nil || len(stored) != 1 {
			t.Fatalf("orders = %v, %v", stored, err)
		}
		got := stored[0]
		if got.Customer != "n-1" || got.CustomerID != n1.ID || got.Touchpoint != "shop" || got.Channel != cxm.ChannelWeb ||
			got.Value == nil || *got.Value != value || string(got.Properties) != `{"order":"A-1"}` || got.ReceivedAt.IsZero() {
			t.Errorf("stored order = %+v", got)
		}
		anon, _, _ := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{Touchpoint: "ad", To: testT0.Add(time.Second)})
		if ids := eventIDs(anon); !reflect.DeepEqual(ids, []string{"x1", "v1"}) {
			t.Errorf("ad interactions at t0 = %v, want [x1 v1]", ids)
		}
		for _, r := range anon {
			if r.ID == "x1" && (r.CustomerID != 0 || r.AnonymousID != "stranger" || r.Value != nil || r.Properties != nil) {
				t.Errorf("anonymous record = %+v", r)
			}
		}
	})
}

func TestListInteractionsFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		var recs []*cxm.Interaction
		for i, id := range []string{"e0", "e1", "e2", "e3", "e4"} {
			tp, cust := "shop", "c-1"
			if i%2 == 1 {
				tp, cust = "ad", "c-2"
			}
			recs = append(recs, event(id, cust, "", tp, testT0.Add(time.Duration(i)*time.Hour)))
		}
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, recs...)
		c1, _ := db.FindCustomerByExternalID(ctx, w.ID, "c-1")

		var all []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			page, next, err := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{Page: cxm.Page{Limit: 2, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, eventIDs(page)...)
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"e4", "e3", "e2", "e1", "e0"}; !reflect.DeepEqual(all, want) {
			t.Errorf("pages = %v, want newest first %v", all, want)
		}

		tests := []struct {
			name string
			f    cxm.InteractionFilter
			want []string
		}{
			{"customer", cxm.InteractionFilter{CustomerID: c1.ID}, []string{"e4", "e2", "e0"}},
			{"touchpoint", cxm.InteractionFilter{Touchpoint: "ad"}, []string{"e3", "e1"}},
			{"type", cxm.InteractionFilter{Type: "order"}, []string{}},
			{"from", cxm.InteractionFilter{From: testT0.Add(3 * time.Hour)}, []string{"e4", "e3"}},
			{"to", cxm.InteractionFilter{To: testT0.Add(time.Hour)}, []string{"e0"}},
			{"unknown touchpoint", cxm.InteractionFilter{Touchpoint: "nope"}, []string{}},
		}
		for _, tt := range tests {
			page, _, err := db.ListInteractions(ctx, w.ID, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := eventIDs(page); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
		_, _, err := db.ListInteractions(ctx, w.ID, cxm.InteractionFilter{Page: cxm.Page{Cursor: "%%"}})
		checkError(t, err, cxm.EInvalid, "cursor")
	})
}

func TestTimelineOrderAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "ad", "awareness")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		// Sent out of order, two at the same time; the timeline sorts by time, then arrival.
		mustIngest(t, db, w.ID, cxm.IngestOptions{},
			event("late", "c-1", "", "shop", testT0.Add(3*time.Hour)),
			event("same-a", "c-1", "", "ad", testT0.Add(time.Hour)),
			event("same-b", "c-1", "", "shop", testT0.Add(time.Hour)),
			event("early", "c-1", "", "ad", testT0),
			event("other", "c-2", "", "ad", testT0))
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, event("earliest", "c-1", "", "shop", testT0.Add(-time.Hour)))
		c, _ := db.FindCustomerByExternalID(ctx, w.ID, "c-1")

		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			entries, next, err := db.Timeline(ctx, w.ID, c.ID, cxm.Page{Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Kind != "interaction" || !e.OccurredAt.Equal(e.Interaction.OccurredAt) || e.Interaction.Touchpoint == "" {
					t.Errorf("entry = %+v", e)
				}
				got = append(got, e.Interaction.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"earliest", "early", "same-a", "same-b", "late"}; !reflect.DeepEqual(got, want) {
			t.Errorf("timeline = %v, want %v", got, want)
		}
		_, _, err := db.Timeline(ctx, w.ID, c.ID, cxm.Page{Cursor: encodeCursor(5)})
		checkError(t, err, cxm.EInvalid, "cursor")
		_, _, err = db.Timeline(ctx, w.ID, 987654, cxm.Page{})
		checkError(t, err, cxm.ENotFound)
	})
}

func TestIngestLargeBatchWithDuplicatesAcrossChunks(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "shop", "purchase")
		id := func(k int) string { return "e" + strconv.Itoa(k) }
		var first []*cxm.Interaction
		for k := 0; k < 1200; k += 40 {
			first = append(first, event(id(k), "c-"+strconv.Itoa(k%700), "", "shop", testT0))
		}
		mustIngest(t, db, w.ID, cxm.IngestOptions{}, first...)

		var batch []*cxm.Interaction
		var wantDups []int
		for k := 0; k < 1200; k++ {
			batch = append(batch, event(id(k), "c-"+strconv.Itoa(k%700), "", "shop", testT0.Add(time.Minute)))
			if k%40 == 0 {
				wantDups = append(wantDups, k)
			}
		}
		res := mustIngest(t, db, w.ID, cxm.IngestOptions{}, batch...)
		if res.Accepted != 1200-len(wantDups) || res.Duplicates != len(wantDups) || !reflect.DeepEqual(res.DuplicateIndexes, wantDups) {
			t.Errorf("accepted %d, duplicates %d at %v; want %d and %v", res.Accepted, res.Duplicates, res.DuplicateIndexes, 1200-len(wantDups), wantDups)
		}
		customers, _, err := db.ListCustomers(ctx, w.ID, cxm.CustomerFilter{Page: cxm.Page{Limit: cxm.MaxPageLimit}})
		if err != nil {
			t.Fatal(err)
		}
		if len(customers) != 700 {
			t.Errorf("customers = %d, want 700", len(customers))
		}
		var n int
		if err := db.reader().queryRow(ctx, "SELECT COUNT(*) FROM interactions WHERE workspace_id = ?", w.ID).Scan(&n); err != nil || n != 1200 {
			t.Errorf("stored interactions = %d (%v), want 1200", n, err)
		}
	})
}
