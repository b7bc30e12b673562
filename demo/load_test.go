package demo

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
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
			s := Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db}
			got, err := Load(ctx, s, ws.ID, d)
			if err != nil {
				t.Fatalf("first load: %v", err)
			}
			want := Summary{Touchpoints: len(d.Touchpoints), Customers: len(d.Customers), Interactions: len(d.Interactions),
				Identified: len(d.Identities), Linked: got.Linked, Surveys: len(d.Surveys), Responses: len(d.Responses)}
			if got != want || got.Linked == 0 {
				t.Errorf("first load = %+v, want %+v with some linked", got, want)
			}
			got, err = Load(ctx, s, ws.ID, d)
			if err != nil {
				t.Fatalf("second load: %v", err)
			}
			want = Summary{Customers: len(d.Customers), Duplicates: len(d.Interactions), Identified: len(d.Identities),
				ResponseDuplicates: len(d.Responses)}
			if got != want {
				t.Errorf("second load = %+v, want %+v", got, want)
			}
			checkStored(t, db, ws.ID, d)
			if !reflect.DeepEqual(d, Generate(testNow, Options{Customers: 300})) {
				t.Error("Load changed the dataset")
			}
		})
	}
}

func TestLoadSurveysOfAnotherWorkspace(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	var ws [2]*cxm.Workspace
	for i, slug := range []string{"nordlicht", "other"} {
		ws[i] = &cxm.Workspace{Slug: slug, Name: CompanyName}
		if err := db.CreateWorkspace(ctx, ws[i]); err != nil {
			t.Fatal(err)
		}
	}
	s := Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db}
	d := Generate(testNow, Options{Customers: 100})
	if _, err := Load(ctx, s, ws[0].ID, d); err != nil {
		t.Fatalf("load: %v", err)
	}
	if _, err := Load(ctx, s, ws[1].ID, d); cxm.ErrorCode(err) != cxm.EConflict {
		t.Errorf("load into another workspace with the same survey slugs: %v, want a conflict", err)
	}
	other := Generate(testNow, Options{Customers: 100, SurveyPrefix: "other-"})
	sum, err := Load(ctx, s, ws[1].ID, other)
	if err != nil || sum.Surveys != len(other.Surveys) || sum.Responses != len(other.Responses) {
		t.Errorf("load with a prefix of its own: %+v, %v", sum, err)
	}
	s.Responses = nil
	if _, err := Load(ctx, s, ws[1].ID, other); err == nil {
		t.Error("load without a response service succeeded")
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
	checkStoredResponses(t, db, ws, d)
}

// checkStoredResponses compares the stored surveys and responses with the
// dataset: every response once, with its survey, customer, touchpoint,
// times, answers and scores.
func checkStoredResponses(t *testing.T, db *store.DB, ws int64, d *Dataset) {
	t.Helper()
	ctx := context.Background()
	slugs := map[int64]string{}
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		list, next, err := db.ListSurveys(ctx, ws, cxm.SurveyFilter{Page: page})
		if err != nil {
			t.Fatalf("list surveys: %v", err)
		}
		for _, sv := range list {
			slugs[sv.ID] = sv.Slug
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(slugs) != len(d.Surveys) {
		t.Errorf("%d surveys stored, want %d", len(slugs), len(d.Surveys))
	}
	want := map[string]*Response{}
	for i := range d.Responses {
		want[d.Responses[i].ID] = &d.Responses[i]
	}
	n := 0
	for page := (cxm.Page{Limit: cxm.MaxPageLimit}); ; {
		list, next, err := db.ListResponses(ctx, ws, cxm.ResponseFilter{Page: page})
		if err != nil {
			t.Fatalf("list responses: %v", err)
		}
		for _, got := range list {
			n++
			w, ok := want[got.ID]
			if !ok {
				t.Fatalf("response %s is not in the dataset", got.ID)
			}
			ga, _ := json.Marshal(got.Answers)
			wa, _ := json.Marshal(w.Answers)
			switch {
			case slugs[got.SurveyID] != d.Surveys[w.Survey].Slug:
				t.Errorf("response %s stored for survey %s, want %s", got.ID, slugs[got.SurveyID], d.Surveys[w.Survey].Slug)
			case got.Customer != w.Customer || got.CustomerID == 0 || got.Touchpoint != w.Touchpoint || got.Channel == "" ||
				got.Source != w.Source || got.Locale != w.Locale || got.Completed != w.Completed:
				t.Errorf("response %s stored as %+v, want %+v", got.ID, got, w.Response)
			case !got.StartedAt.Equal(w.StartedAt) || (got.CompletedAt == nil) != (w.CompletedAt == nil) ||
				got.CompletedAt != nil && !got.CompletedAt.Equal(*w.CompletedAt):
				t.Errorf("response %s stored with times %v, %v, want %v, %v", got.ID, got.StartedAt, got.CompletedAt, w.StartedAt, w.CompletedAt)
			case string(ga) != string(wa) || !reflect.DeepEqual(got.Hidden, w.Hidden):
				t.Errorf("response %s stored with answers %s %v, want %s %v", got.ID, ga, got.Hidden, wa, w.Hidden)
			case !reflect.DeepEqual([]*int{got.NPS, got.CSAT, got.CES, got.Rating}, []*int{w.NPS, w.CSAT, w.CES, w.Rating}) ||
				got.NPSClass != w.NPSClass:
				t.Errorf("response %s stored with scores %v %v %v %v, want %v %v %v %v", got.ID, got.NPS, got.CSAT, got.CES, got.Rating,
					w.NPS, w.CSAT, w.CES, w.Rating)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if n != len(d.Responses) {
		t.Errorf("%d responses stored, want %d", n, len(d.Responses))
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
		if _, err := Load(ctx, Services{Touchpoints: db, Customers: db, Interactions: db, Surveys: db, Responses: db}, ws.ID, d); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(d.Interactions)), "interactions/op")
}
