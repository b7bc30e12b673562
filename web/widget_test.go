package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/web"
)

// shopOrigin is the site allowed to embed workspace A's widget in these tests.
const shopOrigin = "https://shop.example"

// widgetFixture is workspace A set up for the widget: an allowed origin, a
// web touchpoint and an active survey shown on /checkout/done.
type widgetFixture struct {
	key    string
	survey *cxm.Survey
}

// widgetBody returns a survey body with widget settings.
func widgetBody(slug string, status cxm.SurveyStatus) map[string]any {
	body := surveyBody(slug, status, "web")
	body["widget"] = map[string]any{"once": true, "position": "bottom-left",
		"triggers": []map[string]any{{"kind": "page_view", "url": map[string]string{"match": "prefix", "value": "/checkout/done"}}}}
	return body
}

func (e *env) widgetSetup(origins ...string) widgetFixture {
	e.t.Helper()
	if len(origins) == 0 {
		origins = []string{shopOrigin}
	}
	ws, err := e.db.UpdateWorkspace(context.Background(), e.a.ws.ID, cxm.WorkspaceUpdate{AllowedOrigins: &origins})
	if err != nil {
		e.t.Fatal(err)
	}
	if ws.PublicKey == "" {
		e.t.Fatal("workspace has no public key")
	}
	e.newTouchpoint(e.a.writeKey, "web", "web")
	return widgetFixture{key: ws.PublicKey, survey: e.newSurvey(e.a.writeKey, widgetBody("widget-nps", cxm.SurveyActive))}
}

// widget calls the widget API from origin ("" sends no Origin header).
func (e *env) widget(method, path, origin string, body any) response {
	e.t.Helper()
	h := map[string]string{}
	if origin != "" {
		h["Origin"] = origin
	}
	return e.do(request{method: method, path: path, body: body, header: h})
}

// session is the part of a widget session the tests read.
type session struct {
	Surveys []struct {
		ID           int64               `json:"id"`
		InvitationID int64               `json:"invitation_id"`
		Touchpoint   string              `json:"touchpoint"`
		Locale       string              `json:"locale"`
		Title        string              `json:"title"`
		Hidden       map[string]string   `json:"hidden"`
		Triggers     []cxm.WidgetTrigger `json:"triggers"`
		Position     string              `json:"position"`
		Once         bool                `json:"once"`
		Questions    []struct {
			Key  string `json:"key"`
			Text string `json:"text"`
		} `json:"questions"`
	} `json:"surveys"`
	ContactFrequencyDays int  `json:"contact_frequency_days"`
	Known                bool `json:"known"`
}

func (e *env) widgetSession(key, customer, locale string) session {
	e.t.Helper()
	r := e.widget("POST", "/w/v1/"+key+"/session", shopOrigin,
		map[string]string{"anonymous_id": "anon-1", "customer": customer, "url": shopOrigin + "/checkout/done", "locale": locale})
	if r.status != http.StatusOK {
		e.t.Fatalf("session: %d %s", r.status, r.body)
	}
	var s session
	r.decode(e.t, &s)
	return s
}

func TestWidgetScript(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		r := e.do(request{method: "GET", path: "/widget.js", header: map[string]string{"Accept-Encoding": "gzip, deflate, br"}})
		if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("gzip script: %d %v", r.status, r.header)
		}
		if len(r.body) >= 10*1024 {
			t.Errorf("widget.js is %d bytes gzipped, want under 10 KB", len(r.body))
		}
		t.Logf("widget.js: %d bytes gzipped", len(r.body))
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		for h, want := range map[string]string{"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600"} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(r.header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Vary = %q, want Accept-Encoding", r.header.Get("Vary"))
		}
		plain := e.do(request{method: "GET", path: "/widget.js", header: map[string]string{"Accept-Encoding": "gzip;q=0, identity"}})
		if plain.status != 200 || plain.header.Get("Content-Encoding") != "" || !bytes.Equal(plain.body, unzipped) {
			t.Fatalf("plain script: %d %v, %d bytes, same as unzipped: %v", plain.status, plain.header, len(plain.body), bytes.Equal(plain.body, unzipped))
		}
		if !bytes.Contains(plain.body, []byte("data-key")) || bytes.Contains(plain.body, []byte("innerHTML")) {
			t.Error("the script must read data-key and never use innerHTML")
		}
		tag := r.header.Get("ETag")
		if tag == "" || tag == plain.header.Get("ETag") {
			t.Fatalf("ETags gzip %q, plain %q: want two different ones", tag, plain.header.Get("ETag"))
		}
		again := e.do(request{method: "GET", path: "/widget.js", header: map[string]string{"Accept-Encoding": "gzip", "If-None-Match": tag}})
		if again.status != http.StatusNotModified || len(again.body) != 0 {
			t.Errorf("revalidation: %d with %d bytes, want 304 and none", again.status, len(again.body))
		}
		stale := e.do(request{method: "GET", path: "/widget.js", header: map[string]string{"Accept-Encoding": "gzip", "If-None-Match": `"old"`}})
		if stale.status != 200 {
			t.Errorf("stale ETag: %d, want 200", stale.status)
		}
	})
}

func TestWidgetCORS(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		fx := e.widgetSetup()
		path := "/w/v1/" + fx.key + "/session"
		pre := e.widget("OPTIONS", path, "https://SHOP.example:443", nil)
		if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Origin") != "https://SHOP.example:443" ||
			!strings.Contains(pre.header.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(pre.header.Get("Access-Control-Allow-Headers"), "Content-Type") ||
			!slices.Contains(pre.header.Values("Vary"), "Origin") {
			t.Errorf("preflight from the allowed origin: %d %v", pre.status, pre.header)
		}
		for _, h := range []string{"Access-Control-Allow-Credentials", "Set-Cookie"} {
			if pre.header.Get(h) != "" {
				t.Errorf("preflight sends %s", h)
			}
		}
		for _, origin := range []string{"https://evil.example", "http://shop.example", "https://shop.example:8443", "null"} {
			for _, method := range []string{"OPTIONS", "POST"} {
				r := e.widget(method, path, origin, map[string]string{"anonymous_id": "a"})
				if r.status != http.StatusForbidden || r.errorCode() != cxm.EForbidden || r.header.Get("Access-Control-Allow-Origin") != "" ||
					!strings.Contains(string(r.body), "allowed_origins") {
					t.Errorf("%s from %s: %d %v %s, want 403 without CORS", method, origin, r.status, r.header, r.body)
				}
			}
		}
		if r := e.widget("POST", path, "", map[string]string{"anonymous_id": "a"}); r.status != http.StatusForbidden {
			t.Errorf("no Origin: %d, want 403", r.status)
		}
		for _, key := range []string{"pk_doesnotexist", "no%20such%20key"} {
			if r := e.widget("POST", "/w/v1/"+key+"/session", shopOrigin, map[string]string{"anonymous_id": "a"}); r.status != http.StatusNotFound {
				t.Errorf("key %s: %d %s, want 404", key, r.status, r.body)
			}
		}
		// Workspace B's key answers only B's origins, and shows only B's surveys.
		if r := e.widget("POST", "/w/v1/"+e.b.ws.PublicKey+"/session", shopOrigin, map[string]string{"anonymous_id": "a"}); r.status != http.StatusForbidden {
			t.Errorf("B's key from A's origin: %d, want 403", r.status)
		}

		r := e.widget("POST", path, shopOrigin, map[string]string{"anonymous_id": "anon-1", "url": shopOrigin + "/", "locale": "en-US"})
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != shopOrigin {
			t.Fatalf("session: %d %v %s", r.status, r.header, r.body)
		}
		var s session
		r.decode(t, &s)
		if len(s.Surveys) != 1 {
			t.Fatalf("session lists %d surveys, want 1: %s", len(s.Surveys), r.body)
		}
		got := s.Surveys[0]
		if got.ID != fx.survey.ID || got.Locale != "en" || got.Title != "How was it?" || got.Touchpoint != "web" ||
			got.Position != "bottom-left" || !got.Once || len(got.Triggers) != 1 || got.Triggers[0].URL.Value != "/checkout/done" {
			t.Errorf("survey in session: %+v", got)
		}
		// The questions have German texts only: English falls back to them.
		if len(got.Questions) != 4 || got.Questions[0].Text != "Weiterempfehlen?" {
			t.Errorf("questions: %+v", got.Questions)
		}
		if de := e.widgetSession(fx.key, "", "de-AT"); len(de.Surveys) != 1 || de.Surveys[0].Locale != "de" || de.Surveys[0].Title != "Wie war es?" {
			t.Errorf("German session: %+v", de)
		}
		if fr := e.widgetSession(fx.key, "", "fr-FR"); len(fr.Surveys) != 1 || fr.Surveys[0].Locale != "de" {
			t.Errorf("French visitor gets the default locale: %+v", fr)
		}
	})
}

func TestWidgetSessionListsOnlyOpenWidgetSurveys(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		fx := e.widgetSetup()
		e.newSurvey(e.a.writeKey, widgetBody("widget-draft", cxm.SurveyDraft))
		e.newSurvey(e.a.writeKey, widgetBody("widget-paused", cxm.SurveyPaused))
		e.newSurvey(e.a.writeKey, surveyBody("no-widget", cxm.SurveyActive, "web"))
		closed := widgetBody("widget-ended", cxm.SurveyActive)
		closed["closes_at"] = "2020-01-01T00:00:00Z"
		e.newSurvey(e.a.writeKey, closed)
		e.newTouchpoint(e.b.writeKey, "web", "web")
		e.newSurvey(e.b.writeKey, widgetBody("b-widget", cxm.SurveyActive))
		s := e.widgetSession(fx.key, "", "en")
		if len(s.Surveys) != 1 || s.Surveys[0].ID != fx.survey.ID {
			t.Errorf("session lists %+v, want only survey %d", s.Surveys, fx.survey.ID)
		}
		sampled := widgetBody("widget-sampled", cxm.SurveyActive)
		sampled["sampling_percent"] = 50
		sv := e.newSurvey(e.a.writeKey, sampled)
		// Half the visitors see it, and a visitor sees the same on every page.
		seen := 0
		const visitors = 25 // two page views each stay within a minute's budget of 60
		for i := range visitors {
			anon := fmt.Sprint("visitor-", i)
			first, second := 0, 0
			for _, n := range []*int{&first, &second} {
				r := e.widget("POST", "/w/v1/"+fx.key+"/session", shopOrigin, map[string]string{"anonymous_id": anon})
				if r.status != http.StatusOK {
					t.Fatalf("session: %d %s", r.status, r.body)
				}
				var s session
				r.decode(t, &s)
				for _, x := range s.Surveys {
					if x.ID == sv.ID {
						*n = 1
					}
				}
			}
			if first != second {
				t.Errorf("visitor %s drawn differently on two pages", anon)
			}
			seen += first
		}
		if seen == 0 || seen == visitors {
			t.Errorf("a 50%% sample showed the survey to %d of %d visitors", seen, visitors)
		}
	})
}

// widgetResponse posts a widget response from the shop.
func (e *env) widgetResponse(key string, body map[string]any) response {
	e.t.Helper()
	return e.widget("POST", "/w/v1/"+key+"/responses", shopOrigin, body)
}

func TestWidgetResponses(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.widgetSetup()
		post := func(id string, answers map[string]any, completed bool) response {
			return e.widgetResponse(fx.key, map[string]any{"id": id, "survey_id": fx.survey.ID, "anonymous_id": "anon-1",
				"locale": "en", "answers": answers, "completed": completed, "website": ""})
		}
		r := post("w-1", map[string]any{"csat": 4}, false)
		if r.status != http.StatusCreated || r.header.Get("Access-Control-Allow-Origin") != shopOrigin {
			t.Fatalf("partial: %d %s", r.status, r.body)
		}
		if r := post("w-1", map[string]any{}, true); r.status != http.StatusBadRequest || !slices.Contains(fieldNames(r), "answers.nps") {
			t.Errorf("completing without the required answer: %d %s", r.status, r.body)
		}
		r = post("w-1", map[string]any{"nps": 9}, true)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"completed":true`) {
			t.Fatalf("complete: %d %s", r.status, r.body)
		}
		if strings.Contains(string(r.body), "answers") {
			t.Errorf("the public answer echoes the answers: %s", r.body)
		}
		stored, err := e.db.FindResponse(ctx, e.a.ws.ID, "w-1")
		if err != nil {
			t.Fatal(err)
		}
		if stored.Source != cxm.SourceWidget || stored.AnonymousID != "anon-1" || stored.Touchpoint != "web" || !stored.Completed ||
			stored.Locale != "en" || stored.Answers["nps"] != 9.0 || stored.Answers["csat"] != 4.0 {
			t.Errorf("stored %+v", stored)
		}
		if r := post("w-1", map[string]any{"nps": 0}, true); r.status != http.StatusOK || !strings.Contains(string(r.body), `"duplicate":true`) {
			t.Errorf("again: %d %s", r.status, r.body)
		}
		if again, _ := e.db.FindResponse(ctx, e.a.ws.ID, "w-1"); again.Answers["nps"] != 9.0 {
			t.Errorf("a duplicate changed the answer: %v", again.Answers)
		}

		bad := []struct {
			name   string
			body   map[string]any
			status int
			fields []string
		}{
			{"nothing", map[string]any{}, 400, []string{"id", "anonymous_id", "survey_id"}},
			{"out of range", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "answers": map[string]any{"nps": 11}}, 400, []string{"answers.nps"}},
			{"unknown choice", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "answers": map[string]any{"what": []string{"price"}}}, 400, []string{"answers.what"}},
			{"long text", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "answers": map[string]any{"why": strings.Repeat("x", 5001)}}, 400, []string{"answers.why"}},
			{"foreign touchpoint", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "touchpoint": "hotline"}, 400, []string{"touchpoint"}},
			{"unknown hidden field", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "hidden": map[string]string{"coupon": "x"}}, 400, []string{"hidden.coupon"}},
			{"unknown field", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "score": 3}, 400, []string{"score"}},
			{"wrong type", map[string]any{"id": "w-2", "survey_id": "one", "anonymous_id": "a"}, 400, []string{"survey_id"}},
			{"invitation of nobody", map[string]any{"id": "w-2", "survey_id": fx.survey.ID, "anonymous_id": "a", "invitation_id": 12345}, 400, []string{"invitation_id"}},
			{"unknown survey", map[string]any{"id": "w-2", "survey_id": 999999999, "anonymous_id": "a"}, 404, nil},
		}
		for _, tt := range bad {
			r := e.widgetResponse(fx.key, tt.body)
			if r.status != tt.status || !slices.Equal(fieldNames(r), tt.fields) {
				t.Errorf("%s: %d %s, want %d naming %v", tt.name, r.status, r.body, tt.status, tt.fields)
			}
		}

		// Surveys the widget may not answer: another workspace's, one
		// without widget settings, one that is paused.
		e.newTouchpoint(e.b.writeKey, "web", "web")
		bSurvey := e.newSurvey(e.b.writeKey, widgetBody("b-widget", cxm.SurveyActive))
		plain := e.newSurvey(e.a.writeKey, surveyBody("plain", cxm.SurveyActive, "web"))
		paused := e.newSurvey(e.a.writeKey, widgetBody("paused", cxm.SurveyPaused))
		for _, tt := range []struct {
			name   string
			survey int64
			status int
		}{{"B's survey", bSurvey.ID, 404}, {"no widget", plain.ID, 400}, {"paused", paused.ID, 409}} {
			r := e.widgetResponse(fx.key, map[string]any{"id": "w-" + tt.name, "survey_id": tt.survey, "anonymous_id": "a",
				"answers": map[string]any{"nps": 1}, "completed": true})
			if r.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
			}
		}
		if rs, _, _ := e.db.ListResponses(ctx, e.b.ws.ID, cxm.ResponseFilter{}); len(rs) != 0 {
			t.Errorf("B has %d responses after A's key posted to B's survey", len(rs))
		}

		// The honeypot: accepted, never stored.
		r = e.widgetResponse(fx.key, map[string]any{"id": "w-bot", "survey_id": fx.survey.ID, "anonymous_id": "bot",
			"answers": map[string]any{"nps": 10}, "completed": true, "website": "http://spam.example"})
		if r.status != http.StatusAccepted {
			t.Errorf("honeypot: %d %s, want 202", r.status, r.body)
		}
		// A refused origin stores nothing either.
		r = e.widget("POST", "/w/v1/"+fx.key+"/responses", "https://evil.example", map[string]any{"id": "w-evil",
			"survey_id": fx.survey.ID, "anonymous_id": "a", "answers": map[string]any{"nps": 0}, "completed": true})
		if r.status != http.StatusForbidden {
			t.Errorf("evil origin: %d, want 403", r.status)
		}
		for _, id := range []string{"w-bot", "w-evil", "w-2"} {
			if _, err := e.db.FindResponse(ctx, e.a.ws.ID, id); cxm.ErrorCode(err) != cxm.ENotFound {
				t.Errorf("response %s: %v, want not found", id, err)
			}
		}
	})
}

// forEachWidgetEnv is forEachEnv with options for the server.
func forEachWidgetEnv(t *testing.T, opt func(*web.Config), fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, storetest.SQLite(t), opt)) })
	t.Run("postgres", func(t *testing.T) {
		db := storetest.Postgres(t)
		if db == nil {
			t.Skip("CXM_TEST_DATABASE_URL is not set")
		}
		fn(t, newEnv(t, db, opt))
	})
}

func TestWidgetRateLimit(t *testing.T) {
	forEachWidgetEnv(t, func(c *web.Config) { c.PublicPostsPerIP = 3 }, func(t *testing.T, e *env) {
		fx := e.widgetSetup()
		var last response
		for i := range 4 {
			last = e.widgetResponse(fx.key, map[string]any{"id": fmt.Sprint("rl-", i), "survey_id": fx.survey.ID,
				"anonymous_id": "a", "answers": map[string]any{"csat": 3}})
			if i < 3 && last.status != http.StatusCreated {
				t.Fatalf("post %d: %d %s", i, last.status, last.body)
			}
		}
		if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" ||
			last.header.Get("Access-Control-Allow-Origin") != shopOrigin {
			t.Errorf("fourth post: %d %v, want 429 with Retry-After, readable by the shop", last.status, last.header)
		}
		if _, err := e.db.FindResponse(context.Background(), e.a.ws.ID, "rl-3"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("the refused post was stored: %v", err)
		}
		// Page views have their own budget.
		e.widgetSession(fx.key, "", "de")
	})
}

func TestWidgetContactRules(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx := e.widgetSetup()
		days := 30
		if _, err := e.db.UpdateWorkspace(ctx, e.a.ws.ID, cxm.WorkspaceUpdate{ContactFrequencyDays: &days}); err != nil {
			t.Fatal(err)
		}
		other := e.newSurvey(e.a.writeKey, surveyBody("by-api", cxm.SurveyActive, "web"))
		e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", other.ID), e.a.writeKey,
			map[string]any{"id": "api-1", "customer": "c-asked", "answers": map[string]any{"nps": 5}, "completed": true}, 201)

		if s := e.widgetSession(fx.key, "c-asked", "en"); !s.Known || len(s.Surveys) != 0 || s.ContactFrequencyDays != 30 {
			t.Errorf("customer asked today, 30-day rule: %+v, want known and no survey", s)
		}
		if s := e.widgetSession(fx.key, "c-unknown", "en"); s.Known || len(s.Surveys) != 1 {
			t.Errorf("customer the server does not know: %+v, want one survey for the widget to judge", s)
		}
		r := e.widget("POST", "/w/v1/"+fx.key+"/shown", shopOrigin, map[string]any{"survey_id": fx.survey.ID, "anonymous_id": "a", "customer": "c-asked"})
		if r.status != 200 || !strings.Contains(string(r.body), `"show":false`) || !strings.Contains(string(r.body), cxm.SkipContactFrequency) {
			t.Errorf("shown for a customer asked today: %d %s", r.status, r.body)
		}
		r = e.widget("POST", "/w/v1/"+fx.key+"/shown", shopOrigin, map[string]any{"survey_id": fx.survey.ID, "anonymous_id": "a"})
		if r.status != 200 || !strings.Contains(string(r.body), `"show":true`) {
			t.Errorf("shown for an anonymous visitor: %d %s", r.status, r.body)
		}

		// A widget invitation waits for customer c-invited's next visit.
		var invited cxm.Customer
		e.call("POST", "/api/v1/customers", e.a.writeKey, map[string]any{"external_id": "c-invited"}, 201).decode(t, &invited)
		inv := &cxm.Invitation{WorkspaceID: e.a.ws.ID, SurveyID: other.ID, CustomerID: invited.ID, Touchpoint: "web",
			Channel: cxm.InviteWidget, Locale: "de", Status: cxm.InvitationWaiting, DueAt: time.Now().Add(-time.Minute),
			Hidden: map[string]string{"order_id": "o-7"}}
		if _, err := e.db.CreateInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}
		s := e.widgetSession(fx.key, "c-invited", "en")
		if len(s.Surveys) != 2 || s.Surveys[0].InvitationID != inv.ID || s.Surveys[0].ID != other.ID ||
			s.Surveys[0].Locale != "de" || s.Surveys[0].Hidden["order_id"] != "o-7" || s.Surveys[0].Triggers[0].Kind != cxm.WidgetPageView {
			t.Fatalf("session with an invitation: %+v", s)
		}
		shown := func(customer string) response {
			return e.widget("POST", "/w/v1/"+fx.key+"/shown", shopOrigin, map[string]any{"survey_id": other.ID,
				"invitation_id": inv.ID, "anonymous_id": "a", "customer": customer})
		}
		if r := shown("c-asked"); r.status != 400 || !slices.Equal(fieldNames(r), []string{"invitation_id"}) {
			t.Errorf("another customer's invitation: %d %s", r.status, r.body)
		}
		if r := shown("c-invited"); r.status != 200 || !strings.Contains(string(r.body), `"show":true`) {
			t.Fatalf("shown: %d %s", r.status, r.body)
		}
		got, err := e.db.FindInvitation(ctx, e.a.ws.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != cxm.InvitationShown || got.ContactedAt == nil {
			t.Errorf("invitation after shown: %s, contacted %v", got.Status, got.ContactedAt)
		}
		if r := shown("c-invited"); r.status != 200 || !strings.Contains(string(r.body), `"show":true`) {
			t.Errorf("shown again (another page): %d %s", r.status, r.body)
		}
		r = e.widgetResponse(fx.key, map[string]any{"id": "inv-r1", "survey_id": other.ID, "invitation_id": inv.ID,
			"anonymous_id": "a", "customer": "c-asked", "answers": map[string]any{"nps": 8}, "completed": true})
		if r.status != 400 || !slices.Equal(fieldNames(r), []string{"invitation_id"}) {
			t.Errorf("answering another customer's invitation: %d %s", r.status, r.body)
		}
		r = e.widgetResponse(fx.key, map[string]any{"id": "inv-r1", "survey_id": other.ID, "invitation_id": inv.ID,
			"anonymous_id": "a", "customer": "c-invited", "locale": "de", "answers": map[string]any{"nps": 8},
			"hidden": map[string]string{"order_id": "o-7"}, "completed": true})
		if r.status != http.StatusCreated {
			t.Fatalf("answer through the invitation: %d %s", r.status, r.body)
		}
		resp, err := e.db.FindResponse(ctx, e.a.ws.ID, "inv-r1")
		if err != nil {
			t.Fatal(err)
		}
		if resp.InvitationID != inv.ID || resp.CustomerID != invited.ID || resp.Hidden["order_id"] != "o-7" || resp.Source != cxm.SourceWidget {
			t.Errorf("response through the invitation: %+v", resp)
		}
		if got, _ := e.db.FindInvitation(ctx, e.a.ws.ID, inv.ID); got.Status != cxm.InvitationAnswered {
			t.Errorf("invitation after the answer: %s, want answered", got.Status)
		}
		// Answered now, the customer falls under the 30-day rule too.
		if s := e.widgetSession(fx.key, "c-invited", "en"); !s.Known || len(s.Surveys) != 0 {
			t.Errorf("after answering: %+v, want no survey", s)
		}
	})
}
