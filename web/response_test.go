package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/web"
)

// submitted is the answer to a submit.
type submitted struct {
	Response  cxm.Response `json:"response"`
	Created   bool         `json:"created"`
	Duplicate bool         `json:"duplicate"`
}

// responsesPath returns the path responses to survey s are posted to.
func responsesPath(s *cxm.Survey) string { return "/api/v1/surveys/" + itoa(s.ID) + "/responses" }

// submit posts body as a response to s and wants status.
func (e *env) submit(s *cxm.Survey, body any, want int) submitted {
	e.t.Helper()
	var res submitted
	e.call("POST", responsesPath(s), e.a.writeKey, body, want).decode(e.t, &res)
	return res
}

// listIDs returns the ids of the responses GET path lists.
func (e *env) listIDs(path string) []string {
	e.t.Helper()
	var page struct {
		Data []cxm.Response `json:"data"`
	}
	e.call("GET", path, e.a.readKey, nil, 200).decode(e.t, &page)
	ids := []string{}
	for _, r := range page.Data {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestSubmitResponseLifecycle(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		w := e.a.writeKey
		e.newTouchpoint(w, "delivery", "delivery")
		e.newTouchpoint(w, "hotline", "phone")
		draft := e.newSurvey(w, surveyBody("after-delivery", cxm.SurveyDraft, "delivery"))
		partial := map[string]any{"id": "r-1", "customer": "c-1", "answers": map[string]any{"nps": 9, "why": "schnell"},
			"hidden": map[string]string{"order_id": "A-1"}}

		// A draft survey takes no responses; an active one does.
		r := e.call("POST", responsesPath(draft), w, partial, 409)
		if !strings.Contains(string(r.body), "not open") {
			t.Errorf("draft answered %s", r.body)
		}
		e.call("PUT", "/api/v1/surveys/"+itoa(draft.ID), w, surveyBody("after-delivery", cxm.SurveyActive, "delivery"), 200)
		s := draft

		res := e.submit(s, partial, 201)
		if !res.Created || res.Duplicate || res.Response.Completed || res.Response.Touchpoint != "delivery" ||
			res.Response.Channel != cxm.ChannelDelivery || res.Response.Locale != "de" || res.Response.Source != cxm.SourceAPI ||
			res.Response.Customer != "c-1" || res.Response.NPSClass != cxm.Promoter {
			t.Errorf("partial answered %+v", res)
		}
		// Completing needs the required NPS, which the partial submit gave.
		res = e.submit(s, map[string]any{"id": "r-1", "locale": "en", "completed": true,
			"answers": map[string]any{"csat": 5, "what": []string{"speed", "packaging"}}}, 200)
		got, _ := json.Marshal(res.Response.Answers)
		if res.Created || res.Duplicate || !res.Response.Completed || res.Response.CompletedAt == nil ||
			string(got) != `{"csat":5,"nps":9,"what":["speed","packaging"],"why":"schnell"}` || res.Response.Locale != "en" {
			t.Errorf("completing answered %+v with answers %s", res, got)
		}
		stored, _ := json.Marshal(res.Response)

		// Sending it again changes nothing.
		res = e.submit(s, map[string]any{"id": "r-1", "completed": true, "answers": map[string]any{"nps": 0}}, 200)
		again, _ := json.Marshal(res.Response)
		if !res.Duplicate || res.Created || string(again) != string(stored) {
			t.Errorf("resubmit answered %+v, want the stored response %s", res, stored)
		}
		fetched := e.call("GET", "/api/v1/responses/r-1", e.a.readKey, nil, 200)
		if strings.TrimSpace(string(fetched.body)) != string(stored) {
			t.Errorf("GET = %s, want %s", fetched.body, stored)
		}
		if ids := e.listIDs("/api/v1/responses"); !slices.Equal(ids, []string{"r-1"}) {
			t.Errorf("responses = %v, want only r-1", ids)
		}

		tests := []struct {
			name   string
			body   any
			status int
			fields []string
		}{
			{"out of range", map[string]any{"answers": map[string]any{"nps": 11}}, 400, []string{"answers.nps"}},
			{"unknown choice", map[string]any{"answers": map[string]any{"what": []string{"price"}}}, 400, []string{"answers.what"}},
			{"unknown question", map[string]any{"answers": map[string]any{"mood": 3}}, 400, []string{"answers.mood"}},
			{"required missing", map[string]any{"completed": true, "answers": map[string]any{"csat": 3}}, 400, []string{"answers.nps"}},
			{"unknown hidden field", map[string]any{"answers": map[string]any{}, "hidden": map[string]string{"coupon": "X"}}, 400, []string{"hidden.coupon"}},
			{"locale", map[string]any{"locale": "fr", "answers": map[string]any{"nps": 1}}, 400, []string{"locale"}},
			{"touchpoint of another survey", map[string]any{"touchpoint": "hotline", "answers": map[string]any{"nps": 1}}, 400, []string{"touchpoint"}},
			{"unknown body field", map[string]any{"score": 1}, 400, []string{"score"}},
			{"several at once", map[string]any{"locale": "fr", "answers": map[string]any{"nps": -1, "csat": "gut"}}, 400,
				[]string{"locale", "answers.csat", "answers.nps"}},
		}
		for _, tt := range tests {
			r := e.do(request{method: "POST", path: responsesPath(s), token: w, body: tt.body})
			got := fieldNames(r)
			slices.Sort(got)
			want := slices.Clone(tt.fields)
			slices.Sort(want)
			if r.status != tt.status || !slices.Equal(got, want) {
				t.Errorf("%s: %d %v, want %d %v (%s)", tt.name, r.status, got, tt.status, want, r.body)
			}
		}
		e.call("POST", responsesPath(s), e.a.readKey, partial, 403)
		e.call("POST", "/api/v1/surveys/999999/responses", w, partial, 404)
		if ids := e.listIDs("/api/v1/responses"); len(ids) != 1 {
			t.Errorf("failed submits stored %v", ids)
		}

		e.call("DELETE", "/api/v1/responses/r-1", e.a.writeKey, nil, 204)
		e.call("GET", "/api/v1/responses/r-1", e.a.readKey, nil, 404)
		e.call("DELETE", "/api/v1/responses/r-1", e.a.writeKey, nil, 404)
	})
}

// seedResponses stores, through the API, responses to two surveys at two
// touchpoints, and returns the surveys and c1's customer id.
func seedResponses(e *env) (s1, s2 *cxm.Survey, c1 int64) {
	e.t.Helper()
	w := e.a.writeKey
	e.newTouchpoint(w, "delivery", "delivery")
	e.newTouchpoint(w, "hotline", "phone")
	s1 = e.newSurvey(w, surveyBody("s1", cxm.SurveyActive, "delivery", "hotline"))
	s2 = e.newSurvey(w, surveyBody("s2", cxm.SurveyActive, "hotline"))
	for _, r := range []struct {
		s        *cxm.Survey
		id, tp   string
		customer string
		nps      int
		complete bool
		why      string
	}{
		{s1, "r1", "delivery", "c1", 10, true, "Grüße an das Team, alles pünktlich"},
		{s1, "r2", "hotline", "c2", 3, true, "=HYPERLINK(\"http://evil.example\",\"klick\")"},
		{s1, "r3", "delivery", "c1", 7, false, "+49 lange Wartezeit"},
		{s2, "r4", "", "c3", 8, true, "-"},
	} {
		body := map[string]any{"id": r.id, "customer": r.customer, "touchpoint": r.tp, "completed": r.complete,
			"answers": map[string]any{"nps": r.nps, "why": r.why, "what": []string{"speed", "packaging"}},
			"hidden":  map[string]string{"order_id": "@" + r.id}}
		e.submit(r.s, body, 201)
	}
	var c cxm.Customer
	var page struct {
		Data []cxm.Customer `json:"data"`
	}
	e.call("GET", "/api/v1/customers?external_id=c1", e.a.readKey, nil, 200).decode(e.t, &page)
	if len(page.Data) != 1 {
		e.t.Fatalf("customer c1: %+v", page.Data)
	}
	c = page.Data[0]
	return s1, s2, c.ID
}

func TestListResponsesFilters(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		s1, s2, c1 := seedResponses(e)
		tests := []struct {
			query string
			want  []string
		}{
			{"", []string{"r4", "r3", "r2", "r1"}},
			{"?survey_id=" + itoa(s1.ID), []string{"r3", "r2", "r1"}},
			{"?survey_id=" + itoa(s2.ID), []string{"r4"}},
			{"?touchpoint=hotline", []string{"r4", "r2"}},
			{"?customer_id=" + itoa(c1), []string{"r3", "r1"}},
			{"?min_nps=9", []string{"r1"}},
			{"?max_nps=6", []string{"r2"}},
			{"?min_nps=7&max_nps=8", []string{"r4", "r3"}},
			{"?completed=false", []string{"r3"}},
			{"?completed=true&touchpoint=delivery", []string{"r1"}},
			{"?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z", []string{"r4", "r3", "r2", "r1"}},
			{"?to=2000-01-01T00:00:00Z", []string{}},
		}
		for _, tt := range tests {
			if got := e.listIDs("/api/v1/responses" + tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("GET /api/v1/responses%s = %v, want %v", tt.query, got, tt.want)
			}
		}
		// Pages follow the cursor, newest first.
		var all []string
		path := "/api/v1/responses?limit=3"
		for range 5 {
			var page struct {
				Data []cxm.Response `json:"data"`
				Next string         `json:"next_cursor"`
			}
			e.call("GET", path, e.a.readKey, nil, 200).decode(t, &page)
			for _, r := range page.Data {
				all = append(all, r.ID)
			}
			if page.Next == "" {
				break
			}
			path = "/api/v1/responses?limit=3&cursor=" + page.Next
		}
		if want := []string{"r4", "r3", "r2", "r1"}; !slices.Equal(all, want) {
			t.Errorf("paged = %v, want %v", all, want)
		}
		bad := []struct{ query, field string }{
			{"survey_id=x", "survey_id"},
			{"customer_id=-1", "customer_id"},
			{"touchpoint=Not%20A%20Key", "touchpoint"},
			{"from=yesterday", "from"},
			{"to=2026-13-01", "to"},
			{"min_nps=11", "min_nps"},
			{"max_nps=abc", "max_nps"},
			{"completed=yes", "completed"},
			{"limit=0", "limit"},
			{"cursor=garbage", "cursor"},
		}
		for _, b := range bad {
			for _, path := range []string{"/api/v1/responses?", "/api/v1/responses/export?format=csv&"} {
				r := e.do(request{method: "GET", path: path + b.query, token: e.a.readKey})
				if got := fieldNames(r); r.status != 400 || !slices.Equal(got, []string{b.field}) {
					t.Errorf("%s%s: %d %v, want 400 naming %s", path, b.query, r.status, got, b.field)
				}
			}
		}
	})
}

func TestExportResponses(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		s1, _, _ := seedResponses(e)
		r := e.call("GET", "/api/v1/responses/export?format=csv&survey_id="+itoa(s1.ID), e.a.readKey, nil, 200)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="responses-s1.csv"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatalf("read CSV %s: %v", r.body, err)
		}
		wantHeader := []string{"id", "survey_id", "customer", "anonymous_id", "touchpoint", "channel", "source", "locale",
			"completed", "started_at", "completed_at", "nps", "nps_class", "csat", "ces", "rating",
			"nps", "csat", "why", "what", "hidden.order_id"}
		if len(rows) != 4 || !slices.Equal(rows[0], wantHeader) {
			t.Fatalf("CSV = %q", rows)
		}
		byID := map[string][]string{}
		for _, row := range rows[1:] {
			byID[row[0]] = row
		}
		tests := []struct {
			id   string
			col  int
			want string
		}{
			{"r1", 18, "Grüße an das Team, alles pünktlich"},
			{"r2", 18, `'=HYPERLINK("http://evil.example","klick")`},
			{"r3", 18, "'+49 lange Wartezeit"},
			{"r1", 19, "speed|packaging"},
			{"r1", 20, "'@r1"},
			{"r1", 2, "c1"},
			{"r1", 4, "delivery"},
			{"r1", 5, "delivery"},
			{"r1", 8, "true"},
			{"r3", 8, "false"},
			{"r3", 10, ""},
			{"r1", 11, "10"},
			{"r1", 12, "promoter"},
			{"r2", 12, "detractor"},
			{"r1", 16, "10"},
		}
		for _, tt := range tests {
			if got := byID[tt.id][tt.col]; got != tt.want {
				t.Errorf("%s %s = %q, want %q", tt.id, wantHeader[tt.col], got, tt.want)
			}
		}

		// Without a survey the answers are one JSON column.
		r = e.call("GET", "/api/v1/responses/export", e.a.readKey, nil, 200)
		rows, err = csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][16] != "answers" || rows[0][17] != "hidden" {
			t.Fatalf("CSV without survey = %q", rows)
		}
		var answers map[string]any
		if err := json.Unmarshal([]byte(rows[4][16]), &answers); err != nil || answers["why"] != "Grüße an das Team, alles pünktlich" {
			t.Errorf("answers column %q: %v", rows[4][16], err)
		}

		r = e.call("GET", "/api/v1/responses/export?format=ndjson&completed=true", e.a.readKey, nil, 200)
		if ct := r.header.Get("Content-Type"); ct != "application/x-ndjson" {
			t.Errorf("Content-Type = %q", ct)
		}
		var ids []string
		sc := bufio.NewScanner(bytes.NewReader(r.body))
		for sc.Scan() {
			var resp cxm.Response
			if err := json.Unmarshal(sc.Bytes(), &resp); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			ids = append(ids, resp.ID)
		}
		if want := []string{"r4", "r2", "r1"}; !slices.Equal(ids, want) {
			t.Errorf("NDJSON ids = %v, want %v", ids, want)
		}

		r = e.do(request{method: "GET", path: "/api/v1/responses/export?format=xlsx", token: e.a.readKey})
		if got := fieldNames(r); r.status != 400 || !slices.Equal(got, []string{"format"}) {
			t.Errorf("format=xlsx: %d %s", r.status, r.body)
		}
		e.call("GET", "/api/v1/responses/export?survey_id=999999", e.a.readKey, nil, 404)
	})
}

func TestExportStreamsEveryPage(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
		s := e.newSurvey(e.a.writeKey, surveyBody("many", cxm.SurveyActive, "delivery"))
		const n = cxm.MaxPageLimit + 5
		for i := range n {
			r := &cxm.Response{ID: fmt.Sprintf("m-%04d", i), WorkspaceID: e.a.ws.ID, SurveyID: s.ID, Source: cxm.SourceImport,
				Locale: "de", Completed: true, Answers: cxm.Answers{"nps": float64(i % 11)}}
			r.Derive(s)
			if _, err := e.db.SubmitResponse(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		r := e.call("GET", "/api/v1/responses/export?format=ndjson", e.a.readKey, nil, 200)
		seen := map[string]bool{}
		for line := range strings.Lines(string(r.body)) {
			var resp cxm.Response
			if err := json.Unmarshal([]byte(line), &resp); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			seen[resp.ID] = true
		}
		if len(seen) != n {
			t.Errorf("exported %d distinct responses, want %d", len(seen), n)
		}
	})
}

// recordingBus is a cxm.Bus that records what is published and can fail.
type recordingBus struct {
	mu     sync.Mutex
	events []cxm.Event
	fail   bool
}

func (b *recordingBus) Publish(_ context.Context, e cxm.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		return errors.New("bus down")
	}
	b.events = append(b.events, e)
	return nil
}

func (b *recordingBus) Subscribe(context.Context, string, func(context.Context, cxm.Event) error) error {
	return errors.New("recordingBus does not deliver")
}

// published returns the recorded events.
func (b *recordingBus) published() []cxm.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.events)
}

func TestCompletedResponsesPublishOneEvent(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite, "postgres": storetest.Postgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			if db == nil {
				t.Skip("CXM_TEST_DATABASE_URL is not set")
			}
			bus := &recordingBus{}
			e := newEnv(t, db, func(c *web.Config) { c.Bus = bus })
			e.newTouchpoint(e.a.writeKey, "delivery", "delivery")
			s := e.newSurvey(e.a.writeKey, surveyBody("evented", cxm.SurveyActive, "delivery"))
			steps := []struct {
				body   map[string]any
				status int
			}{
				{map[string]any{"id": "p", "answers": map[string]any{"csat": 2}}, 201},                    // partial: none
				{map[string]any{"id": "p", "answers": map[string]any{"why": "langsam"}}, 200},             // still partial: none
				{map[string]any{"id": "p", "completed": true, "answers": map[string]any{"nps": 4}}, 200},  // completes p: one
				{map[string]any{"id": "p", "completed": true, "answers": map[string]any{"nps": 4}}, 200},  // duplicate: none
				{map[string]any{"id": "c", "completed": true, "answers": map[string]any{"nps": 10}}, 201}, // complete at once: one
				{map[string]any{"id": "c", "completed": true, "answers": map[string]any{"nps": 10}}, 200}, // duplicate: none
				{map[string]any{"id": "bad", "completed": true, "answers": map[string]any{"nps": 12}}, 400},
			}
			for _, st := range steps {
				e.call("POST", responsesPath(s), e.a.writeKey, st.body, st.status)
			}
			events := bus.published()
			var ids []string
			for _, ev := range events {
				ids = append(ids, ev.ID)
				var r cxm.Response
				if err := json.Unmarshal(ev.Data, &r); err != nil {
					t.Fatalf("event data %s: %v", ev.Data, err)
				}
				if ev.Topic != cxm.TopicResponseCompleted || ev.WorkspaceID != e.a.ws.ID || ev.At.IsZero() ||
					r.ID != ev.ID || !r.Completed || r.SurveyID != s.ID || r.NPS == nil {
					t.Errorf("event %+v with response %+v", ev, r)
				}
			}
			if !slices.Equal(ids, []string{"p", "c"}) {
				t.Errorf("events for %v, want one each for p and c", ids)
			}

			// A bus that fails does not fail the stored response.
			bus.fail = true
			res := e.submit(s, map[string]any{"id": "lost-event", "completed": true, "answers": map[string]any{"nps": 9}}, 201)
			if !res.Created {
				t.Errorf("submit with a failing bus = %+v", res)
			}
			e.call("GET", "/api/v1/responses/lost-event", e.a.readKey, nil, 200)
		})
	}
}
