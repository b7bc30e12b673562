package demo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
)

// testStores returns a new store on SQLite and, when CXM_TEST_DATABASE_URL
// is set, one on PostgreSQL in a schema of its own.
func testStores(t *testing.T) map[string]*store.DB {
	t.Helper()
	out := map[string]*store.DB{"sqlite": storetest.SQLite(t)}
	if pg := storetest.Postgres(t); pg != nil {
		out["postgres"] = pg
	} else {
		t.Log("PostgreSQL skipped: CXM_TEST_DATABASE_URL is not set")
	}
	return out
}

func TestLoadTwiceStoresOnce(t *testing.T) {
	d := Generate(testNow, Options{Customers: 300})
	for name, db := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ws := &cxm.Workspace{Slug: "nordlicht", Name: CompanyName}
			if err := db.CreateWorkspace(ctx, ws); err != nil {
				t.Fatalf("create workspace: %v", err)
			}
			s := Services{Touchpoints: db, Customers: db, Interactions: db}
			got, err := Load(ctx, s, ws.ID, d)
			if err != nil {
				t.Fatalf("first load: %v", err)
			}
			want := Summary{Touchpoints: len(d.Touchpoints), Customers: len(d.Customers), Interactions: len(d.Interactions),
				Identified: len(d.Identities), Linked: got.Linked}
			if got != want || got.Linked == 0 {
				t.Errorf("first load = %+v, want %+v with some linked", got, want)
			}
			got, err = Load(ctx, s, ws.ID, d)
			if err != nil {
				t.Fatalf("second load: %v", err)
			}
			want = Summary{Customers: len(d.Customers), Duplicates: len(d.Interactions), Identified: len(d.Identities)}
			if got != want {
				t.Errorf("second load = %+v, want %+v", got, want)
			}
			checkStored(t, db, ws.ID, d)
		})
	}
}

// checkStored compares what the store holds with the dataset: every
// interaction once, and every customer with the first touchpoint and time
// of their journey, anonymous beginnings included.
func checkStored(t *testing.T, db *store.DB, ws int64, d *Dataset) {
	t.Helper()
	ctx := context.Background()
	tps, err := db.ListTouchpoints(ctx, ws)
	if err != nil || len(tps) != len(d.Touchpoints) {
		t.Errorf("%d touchpoints stored (%v), want %d", len(tps), err, len(d.Touchpoints))
	}
	stored := 0
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		list, next, err := db.ListInteractions(ctx, ws, cxm.InteractionFilter{Page: page})
		if err != nil {
			t.Fatalf("list interactions: %v", err)
		}
		stored += len(list)
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if stored != len(d.Interactions) {
		t.Errorf("%d interactions stored, want %d", stored, len(d.Interactions))
	}
	profiles := map[string]Profile{}
	for _, p := range d.Profiles {
		profiles[p.Customer] = p
	}
	n := 0
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		list, next, err := db.ListCustomers(ctx, ws, cxm.CustomerFilter{Page: page})
		if err != nil {
			t.Fatalf("list customers: %v", err)
		}
		for _, c := range list {
			n++
			p, ok := profiles[c.ExternalID]
			switch {
			case !ok:
				t.Errorf("customer %q is not in the dataset", c.ExternalID)
			case c.FirstTouchpointKey != p.FirstTouchpoint || c.FirstSeenAt == nil || !c.FirstSeenAt.Equal(p.FirstSeenAt):
				t.Errorf("customer %s first met %s at %v, want %s at %v", c.ExternalID, c.FirstTouchpointKey, c.FirstSeenAt,
					p.FirstTouchpoint, p.FirstSeenAt)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if n != len(d.Customers) {
		t.Errorf("%d customers stored, want %d", n, len(d.Customers))
	}
}

func BenchmarkLoad(b *testing.B) {
	d := Generate(testNow, Options{})
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(ctx, store.Config{URL: filepath.Join(b.TempDir(), "cxm.db")})
		if err != nil {
			b.Fatal(err)
		}
		ws := &cxm.Workspace{Slug: "nordlicht", Name: CompanyName}
		if err := db.CreateWorkspace(ctx, ws); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := Load(ctx, Services{Touchpoints: db, Customers: db, Interactions: db}, ws.ID, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(d.Interactions)), "interactions/op")
}
