package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// mustSubmit stores r and fails the test on error.
func mustSubmit(t *testing.T, db *DB, r *cxm.Response) *cxm.SubmitResult {
	t.Helper()
	res, err := db.SubmitResponse(context.Background(), r)
	if err != nil {
		t.Fatalf("submit response %q: %v", r.ID, err)
	}
	return res
}

// apiResponse returns a response to survey s with answers, derived as
// the web layer derives them.
func apiResponse(s *cxm.Survey, id string, complete bool, answers cxm.Answers) *cxm.Response {
	r := &cxm.Response{ID: id, WorkspaceID: s.WorkspaceID, SurveyID: s.ID, Source: cxm.SourceAPI, Locale: "de",
		Answers: answers, Completed: complete}
	r.Derive(s)
	return r
}

// responseIDs returns the ids of rs in order.
func responseIDs(rs []*cxm.Response) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// intOf returns *p, or -1 for nil.
func intOf(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func TestSubmitResponsePartialThenComplete(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
		now := start
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		tp := mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		s := mustCreateSurvey(t, db, testSurvey(w.ID, "survey", "delivery"))

		r := apiResponse(s, "r-1", false, cxm.Answers{"nps": 9.0, "why": "schnell"})
		r.Hidden = map[string]string{"order_id": "A-1"}
		res := mustSubmit(t, db, r)
		got := res.Response
		if !res.Created || res.Duplicate || got.Completed || got.CompletedAt != nil {
			t.Fatalf("partial = created %v duplicate %v %s", res.Created, res.Duplicate, jsonOf(t, got))
		}
		if got.Touchpoint != "delivery" || got.Channel != tp.Channel || intOf(got.NPS) != 9 || got.NPSClass != cxm.Promoter ||
			!got.StartedAt.Equal(start) || got.Hidden["order_id"] != "A-1" {
			t.Errorf("partial stored as %s", jsonOf(t, got))
		}
		if found, err := db.FindResponse(ctx, w.ID, "r-1"); err != nil || jsonOf(t, found) != jsonOf(t, got) {
			t.Errorf("found %s (%v), submit answered %s", jsonOf(t, found), err, jsonOf(t, got))
		}

		// The same id completes it: answers merge, new values win, and the
		// scores cover the merged answers though this submit has no NPS.
		now = start.Add(time.Minute)
		r = apiResponse(s, "r-1", true, cxm.Answers{"csat": 4.0, "why": "sehr schnell", "what": []string{"speed"}})
		res = mustSubmit(t, db, r)
		got = res.Response
		if res.Created || res.Duplicate || !got.Completed {
			t.Fatalf("complete = created %v duplicate %v %s", res.Created, res.Duplicate, jsonOf(t, got))
		}
		want := `{"csat":4,"nps":9,"what":["speed"],"why":"sehr schnell"}`
		if a := jsonOf(t, got.Answers); a != want {
			t.Errorf("merged answers = %s, want %s", a, want)
		}
		if intOf(got.NPS) != 9 || intOf(got.CSAT) != 4 || got.CompletedAt == nil || !got.CompletedAt.Equal(now) ||
			!got.StartedAt.Equal(start) || !got.UpdatedAt.Equal(now) || got.Hidden["order_id"] != "A-1" {
			t.Errorf("completed stored as %s", jsonOf(t, got))
		}
		stored := jsonOf(t, got)

		// A completed response is never changed again.
		now = start.Add(time.Hour)
		res = mustSubmit(t, db, apiResponse(s, "r-1", true, cxm.Answers{"nps": 0.0}))
		if !res.Duplicate || res.Created {
			t.Errorf("resubmit = created %v duplicate %v, want a duplicate", res.Created, res.Duplicate)
		}
		if g := jsonOf(t, res.Response); g != stored {
			t.Errorf("duplicate answered %s, want %s", g, stored)
		}
		found, err := db.FindResponse(ctx, w.ID, "r-1")
		if err != nil {
			t.Fatal(err)
		}
		if g := jsonOf(t, found); g != stored {
			t.Errorf("after duplicate found %s, want %s", g, stored)
		}
		list, _, err := db.ListResponses(ctx, w.ID, cxm.ResponseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Errorf("stored %d responses, want 1", len(list))
		}

		// Without id, a response gets a new one every time.
		a := mustSubmit(t, db, apiResponse(s, "", true, cxm.Answers{"nps": 3.0}))
		b := mustSubmit(t, db, apiResponse(s, "", true, cxm.Answers{"nps": 3.0}))
		if a.Response.ID == "" || a.Response.ID == b.Response.ID || !a.Created || !b.Created {
			t.Errorf("ids %q and %q, want two new ones", a.Response.ID, b.Response.ID)
		}
	})
}

func TestSubmitResponseResolvesCustomerAndTouchpoint(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		hotline := &cxm.Touchpoint{WorkspaceID: w.ID, Key: "hotline", Name: "Hotline", StageKey: "receipt", Channel: cxm.ChannelPhone}
		if err := db.CreateTouchpoint(ctx, hotline); err != nil {
			t.Fatal(err)
		}
		one := mustCreateSurvey(t, db, testSurvey(w.ID, "one", "hotline"))
		two := mustCreateSurvey(t, db, testSurvey(w.ID, "two", "hotline", "delivery"))
		known := mustCreateCustomer(t, db, w.ID, &cxm.Customer{ExternalID: "known"})
		if _, err := db.Identify(ctx, w.ID, "anon-1", &cxm.Customer{ExternalID: "known"}); err != nil {
			t.Fatal(err)
		}

		// An unknown external id becomes a customer who speaks the answer's language.
		r := apiResponse(one, "new", true, cxm.Answers{"nps": 5.0})
		r.Customer, r.Locale = "c-new", "en"
		got := mustSubmit(t, db, r).Response
		c, err := db.FindCustomerByExternalID(ctx, w.ID, "c-new")
		if err != nil {
			t.Fatal(err)
		}
		if got.CustomerID != c.ID || got.Customer != "c-new" || c.Locale != "en" {
			t.Errorf("response customer %d %q, created %+v", got.CustomerID, got.Customer, c)
		}
		if found, err := db.FindResponse(ctx, w.ID, "new"); err != nil || jsonOf(t, found) != jsonOf(t, got) {
			t.Errorf("found %s (%v), submit answered %s", jsonOf(t, found), err, jsonOf(t, got))
		}
		// The survey's only touchpoint is the default, with its channel.
		if got.Touchpoint != "hotline" || got.Channel != cxm.ChannelPhone {
			t.Errorf("touchpoint %q channel %q, want hotline phone", got.Touchpoint, got.Channel)
		}

		tests := []struct {
			name                string
			survey              *cxm.Survey
			customer, anon, tp  string
			wantCustomer        int64
			wantTP, wantChannel string
		}{
			{"known customer", two, "known", "", "delivery", known.ID, "delivery", "web"},
			{"stitched anonymous id", two, "", "anon-1", "hotline", known.ID, "hotline", "phone"},
			{"unknown anonymous id", one, "", "anon-2", "", 0, "hotline", "phone"},
			{"no default among two touchpoints", two, "", "", "", 0, "", ""},
		}
		for _, tt := range tests {
			r := apiResponse(tt.survey, tt.name, true, cxm.Answers{"nps": 7.0})
			r.Customer, r.AnonymousID, r.Touchpoint = tt.customer, tt.anon, tt.tp
			got := mustSubmit(t, db, r).Response
			if got.CustomerID != tt.wantCustomer || got.Touchpoint != tt.wantTP || string(got.Channel) != tt.wantChannel ||
				got.AnonymousID != tt.anon {
				t.Errorf("%s: customer %d touchpoint %q channel %q anonymous %q, want %d %q %q %q", tt.name,
					got.CustomerID, got.Touchpoint, got.Channel, got.AnonymousID, tt.wantCustomer, tt.wantTP, tt.wantChannel, tt.anon)
			}
			if found, err := db.FindResponse(ctx, w.ID, tt.name); err != nil || jsonOf(t, found) != jsonOf(t, got) {
				t.Errorf("%s: found %s (%v), submit answered %s", tt.name, jsonOf(t, found), err, jsonOf(t, got))
			}
		}
		cs, _, err := db.ListCustomers(ctx, w.ID, cxm.CustomerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 {
			t.Errorf("%d customers, want known and c-new", len(cs))
		}
	})
}

func TestSubmitResponseErrors(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		s := mustCreateSurvey(t, db, testSurvey(w.ID, "survey", "delivery"))
		other := mustCreateSurvey(t, db, testSurvey(w.ID, "other", "delivery"))
		mustSubmit(t, db, apiResponse(other, "taken", false, cxm.Answers{"nps": 1.0}))
		tests := []struct {
			name   string
			change func(r *cxm.Response)
			code   string
			fields []string
		}{
			{"unknown touchpoint", func(r *cxm.Response) { r.Touchpoint = "nope" }, cxm.EInvalid, []string{"touchpoint"}},
			{"bad touchpoint key", func(r *cxm.Response) { r.Touchpoint = "No Key" }, cxm.EInvalid, []string{"touchpoint"}},
			{"unknown survey", func(r *cxm.Response) { r.SurveyID += 9999 }, cxm.ENotFound, nil},
			{"id of another survey's response", func(r *cxm.Response) { r.ID = "taken" }, cxm.EConflict, []string{"id"}},
			{"bad locale", func(r *cxm.Response) { r.Locale = "fr" }, cxm.EInvalid, []string{"locale"}},
			{"bad source", func(r *cxm.Response) { r.Source = "fax" }, cxm.EInvalid, []string{"source"}},
			{"NUL in id", func(r *cxm.Response) { r.ID = "a\x00b" }, cxm.EInvalid, []string{"id"}},
			{"long customer", func(r *cxm.Response) { r.Customer = string(make([]byte, 201)) }, cxm.EInvalid, []string{"customer"}},
		}
		for _, tt := range tests {
			r := apiResponse(s, "r-"+tt.name, true, cxm.Answers{"nps": 5.0})
			tt.change(r)
			_, err := db.SubmitResponse(ctx, r)
			checkError(t, err, tt.code, tt.fields...)
		}
		list, _, err := db.ListResponses(ctx, w.ID, cxm.ResponseFilter{SurveyID: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("failed submits stored %v", responseIDs(list))
		}
		got, err := db.FindResponse(ctx, w.ID, "taken")
		if err != nil {
			t.Fatal(err)
		}
		if got.SurveyID != other.ID || jsonOf(t, got.Answers) != `{"nps":1}` {
			t.Errorf("the other survey's response changed: %s", jsonOf(t, got))
		}
	})
}

func TestSubmitResponseKeepsGivenTimes(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		w := mustCreateWorkspace(t, db, "acme")
		s := mustCreateSurvey(t, db, testSurvey(w.ID, "survey"))
		started := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		done := started.Add(3 * time.Minute)
		r := apiResponse(s, "imported", true, cxm.Answers{"nps": 10.0})
		r.Source, r.StartedAt, r.CompletedAt = cxm.SourceImport, started, &done
		got := mustSubmit(t, db, r).Response
		if !got.StartedAt.Equal(started) || got.CompletedAt == nil || !got.CompletedAt.Equal(done) || got.Source != cxm.SourceImport {
			t.Errorf("imported response stored as %s", jsonOf(t, got))
		}
	})
}

func TestListResponsesFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		start := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
		now := start
		db.now = func() time.Time { return now }
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		mustCreateTouchpointAt(t, db, w.ID, "delivery", "receipt")
		mustCreateTouchpointAt(t, db, w.ID, "hotline", "receipt")
		mustCreateTouchpointAt(t, db, other.ID, "delivery", "receipt")
		s1 := mustCreateSurvey(t, db, testSurvey(w.ID, "s1", "delivery", "hotline"))
		s2 := mustCreateSurvey(t, db, testSurvey(w.ID, "s2", "delivery"))
		so := mustCreateSurvey(t, db, testSurvey(other.ID, "so", "delivery"))
		// r1 … r6 start one minute apart; r5 and r6 in the same microsecond.
		rows := []struct {
			id       string
			survey   *cxm.Survey
			tp, cust string
			complete bool
			answers  cxm.Answers
		}{
			{"r1", s1, "delivery", "c1", true, cxm.Answers{"nps": 10.0}},
			{"r2", s1, "hotline", "c2", true, cxm.Answers{"nps": 3.0}},
			{"r3", s1, "delivery", "c1", false, cxm.Answers{"csat": 2.0}},
			{"r4", s2, "delivery", "", true, cxm.Answers{"nps": 7.0}},
			{"r5", s1, "hotline", "c2", true, cxm.Answers{"nps": 8.0}},
			{"r6", s1, "hotline", "c1", true, cxm.Answers{"nps": 0.0}},
		}
		for i, row := range rows {
			now = start.Add(time.Duration(min(i, 4)) * time.Minute)
			r := apiResponse(row.survey, row.id, row.complete, row.answers)
			r.Touchpoint, r.Customer = row.tp, row.cust
			mustSubmit(t, db, r)
		}
		mustSubmit(t, db, apiResponse(so, "o1", true, cxm.Answers{"nps": 9.0}))
		c1, err := db.FindCustomerByExternalID(ctx, w.ID, "c1")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			f    cxm.ResponseFilter
			want []string
		}{
			{"all, newest first", cxm.ResponseFilter{}, []string{"r6", "r5", "r4", "r3", "r2", "r1"}},
			{"survey", cxm.ResponseFilter{SurveyID: s2.ID}, []string{"r4"}},
			{"touchpoint", cxm.ResponseFilter{Touchpoint: "hotline"}, []string{"r6", "r5", "r2"}},
			{"customer", cxm.ResponseFilter{CustomerID: c1.ID}, []string{"r6", "r3", "r1"}},
			{"time", cxm.ResponseFilter{From: start.Add(time.Minute), To: start.Add(3 * time.Minute)}, []string{"r3", "r2"}},
			{"promoters", cxm.ResponseFilter{MinNPS: ptr(9)}, []string{"r1"}},
			{"detractors", cxm.ResponseFilter{MaxNPS: ptr(6)}, []string{"r6", "r2"}},
			{"passives", cxm.ResponseFilter{MinNPS: ptr(7), MaxNPS: ptr(8)}, []string{"r5", "r4"}},
			{"partial", cxm.ResponseFilter{Completed: ptr(false)}, []string{"r3"}},
			{"complete at delivery of s1", cxm.ResponseFilter{SurveyID: s1.ID, Touchpoint: "delivery", Completed: ptr(true)}, []string{"r1"}},
			{"survey of another workspace", cxm.ResponseFilter{SurveyID: so.ID}, []string{}},
		}
		for _, tt := range tests {
			got, next, err := db.ListResponses(ctx, w.ID, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !slices.Equal(responseIDs(got), tt.want) || next != "" {
				t.Errorf("%s: got %v (next %q), want %v", tt.name, responseIDs(got), next, tt.want)
			}
		}
		for _, limit := range []int{1, 2, 4} {
			var all []string
			cursor := ""
			for range 10 {
				page, next, err := db.ListResponses(ctx, w.ID, cxm.ResponseFilter{Page: cxm.Page{Cursor: cursor, Limit: limit}})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, responseIDs(page)...)
				if cursor = next; next == "" {
					break
				}
			}
			if want := []string{"r6", "r5", "r4", "r3", "r2", "r1"}; !slices.Equal(all, want) {
				t.Errorf("pages of %d = %v, want %v", limit, all, want)
			}
		}
		_, _, err = db.ListResponses(ctx, w.ID, cxm.ResponseFilter{Page: cxm.Page{Cursor: "bad"}})
		checkError(t, err, cxm.EInvalid, "cursor")
	})
}

func TestDeleteResponseAndIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		b := mustCreateWorkspace(t, db, "globex")
		sa := mustCreateSurvey(t, db, testSurvey(a.ID, "sa"))
		sb := mustCreateSurvey(t, db, testSurvey(b.ID, "sb"))
		mustSubmit(t, db, apiResponse(sa, "shared-id", false, cxm.Answers{"nps": 9.0}))
		mustSubmit(t, db, apiResponse(sa, "gone", true, cxm.Answers{"nps": 2.0}))
		before, err := db.FindResponse(ctx, a.ID, "shared-id")
		if err != nil {
			t.Fatal(err)
		}

		// B cannot see, change or delete A's responses; the same id in B is B's own.
		_, err = db.FindResponse(ctx, b.ID, "shared-id")
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.DeleteResponse(ctx, b.ID, "shared-id"), cxm.ENotFound)
		list, _, err := db.ListResponses(ctx, b.ID, cxm.ResponseFilter{SurveyID: sa.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Errorf("B lists %v", responseIDs(list))
		}
		res := mustSubmit(t, db, apiResponse(sb, "shared-id", true, cxm.Answers{"nps": 0.0}))
		if !res.Created || res.Response.WorkspaceID != b.ID {
			t.Errorf("B's submit = %s", jsonOf(t, res))
		}
		after, err := db.FindResponse(ctx, a.ID, "shared-id")
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(t, after) != jsonOf(t, before) {
			t.Errorf("A's response changed: %s, was %s", jsonOf(t, after), jsonOf(t, before))
		}

		if err := db.DeleteResponse(ctx, a.ID, "gone"); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindResponse(ctx, a.ID, "gone")
		checkError(t, err, cxm.ENotFound)
		checkError(t, db.DeleteResponse(ctx, a.ID, "gone"), cxm.ENotFound)
		list, _, err = db.ListResponses(ctx, a.ID, cxm.ResponseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := responseIDs(list); !slices.Equal(got, []string{"shared-id"}) {
			t.Errorf("A's responses after delete = %v", got)
		}
	})
}

func TestSubmitResponseConcurrentlyWithOneID(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		w := mustCreateWorkspace(t, db, "acme")
		s := testSurvey(w.ID, "survey")
		for _, key := range []string{"q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7"} {
			s.Questions = append(s.Questions, cxm.Question{Key: key, Kind: cxm.KindRating, Text: cxm.LocalizedText{"de": key}})
		}
		mustCreateSurvey(t, db, s)
		const n = 8
		results := make(chan *cxm.SubmitResult, n)
		errs := make(chan error, n)
		for i := range n {
			go func() {
				res, err := db.SubmitResponse(context.Background(),
					apiResponse(s, "same", false, cxm.Answers{"q" + string(rune('0'+i)): float64(1 + i%5)}))
				results <- res
				errs <- err
			}()
		}
		created := 0
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
			if (<-results).Created {
				created++
			}
		}
		if created != 1 {
			t.Errorf("%d submits created the response, want 1", created)
		}
		got, err := db.FindResponse(context.Background(), w.ID, "same")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Answers) != n {
			t.Errorf("merged answers = %s, want all %d", jsonOf(t, got.Answers), n)
		}
	})
}
