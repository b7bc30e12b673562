package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/store/storetest"
	"github.com/cxmhq/cxm/web"
)

// forEachPageEnv is forEachEnv with a configuration of its own.
func forEachPageEnv(t *testing.T, opt func(*web.Config), fn func(t *testing.T, e *env)) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite, "postgres": storetest.Postgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			if db == nil {
				t.Skip("CXM_TEST_DATABASE_URL is not set")
			}
			fn(t, newEnv(t, db, opt))
		})
	}
}

// visitor is a browser without JavaScript: it keeps cookies, sends a
// language and does not follow redirects, so that each step is seen.
type visitor struct {
	e      *env
	client *http.Client
	lang   string
}

func (e *env) newVisitor(acceptLanguage string) *visitor {
	jar, _ := cookiejar.New(nil)
	return &visitor{e: e, lang: acceptLanguage, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (v *visitor) get(path string) response {
	v.e.t.Helper()
	return v.e.do(request{method: "GET", path: path, client: v.client, header: map[string]string{"Accept-Language": v.lang}})
}

func (v *visitor) post(path string, form url.Values) response {
	v.e.t.Helper()
	return v.e.do(request{method: "POST", path: path, client: v.client, body: form.Encode(),
		contentType: "application/x-www-form-urlencoded", header: map[string]string{"Accept-Language": v.lang}})
}

// follow posts form and follows the redirect it must answer with,
// returning the page it leads to.
func (v *visitor) follow(path string, form url.Values) (string, response) {
	v.e.t.Helper()
	r := v.post(path, form)
	if r.status != http.StatusSeeOther {
		v.e.t.Fatalf("POST %s %v = %d, want 303: %s", path, form, r.status, r.body)
	}
	loc := r.header.Get("Location")
	return loc, v.get(loc)
}

// pageSurvey creates an active survey with slug in workspace A at the
// touchpoint "shop": a required NPS, an optional CSAT with a text
// follow-up, and a multi choice; pages [nps] [csat, why] [what].
func (e *env) pageSurvey(slug string, edit func(map[string]any)) *cxm.Survey {
	e.t.Helper()
	if r := e.do(request{method: "GET", path: "/api/v1/touchpoints/shop", token: e.a.readKey}); r.status == http.StatusNotFound {
		e.newTouchpoint(e.a.writeKey, "shop", "store")
	}
	body := surveyBody(slug, cxm.SurveyActive, "shop")
	if edit != nil {
		edit(body)
	}
	return e.newSurvey(e.a.writeKey, body)
}

// form makes a posted page.
func form(page int, nav string, kv ...string) url.Values {
	f := url.Values{"page": {fmt.Sprint(page)}, "nav": {nav}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// responses lists the responses to survey sv.
func (e *env) responses(sv *cxm.Survey) []*cxm.Response {
	e.t.Helper()
	rs, _, err := e.db.ListResponses(context.Background(), sv.WorkspaceID, cxm.ResponseFilter{SurveyID: sv.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

func mustContain(t *testing.T, what string, body []byte, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(string(body), w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

func mustNotContain(t *testing.T, what string, body []byte, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(string(body), w) {
			t.Errorf("%s holds %q:\n%s", what, w, body)
		}
	}
}

func TestSurveyPageLanguage(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.pageSurvey("lang", func(b map[string]any) {
			qs := b["questions"].([]map[string]any)
			qs[0]["text"] = map[string]string{"de": "Weiterempfehlen?", "en": "Recommend us?"}
		})
		cases := []struct {
			name, accept, query, lang string
			want, unwanted            []string
		}{
			{"German browser", "de-DE,de;q=0.9,en;q=0.8", "", "de",
				[]string{"Wie war es?", "Weiterempfehlen?", ">Weiter<", "Frage 1 von 4", "Überhaupt nicht wahrscheinlich", `hreflang="en"`},
				[]string{">Next<", "Question 1", "Recommend us?"}},
			{"English browser by quality", "de;q=0.5, en-GB;q=0.9, fr", "", "en",
				[]string{"How was it?", "Recommend us?", ">Next<", "Question 1 of 4", "Not at all likely", `hreflang="de"`},
				[]string{">Weiter<", "Frage 1"}},
			{"lang overrides the browser", "de-DE", "?lang=en", "en",
				[]string{"How was it?", ">Next<"}, []string{">Weiter<"}},
			{"unknown languages fall back to the survey's", "fr-FR, es;q=0.5", "", "de",
				[]string{"Wie war es?", ">Weiter<"}, []string{">Next<"}},
			{"a refused language is not chosen", "en;q=0, de;q=0.1", "", "de",
				[]string{">Weiter<"}, []string{">Next<"}},
		}
		for _, c := range cases {
			v := e.newVisitor(c.accept)
			r := v.get("/s/lang" + c.query)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", c.name, r.status, r.body)
			}
			mustContain(t, c.name, r.body, append(c.want, `<html lang="`+c.lang+`">`)...)
			mustNotContain(t, c.name, r.body, c.unwanted...)
		}
		// An English page missing an English question text shows the German one.
		r := e.newVisitor("en").get("/s/lang?p=2")
		mustContain(t, "English page 2", r.body, "Zufrieden?", "Questions 2–3 of 4", "Very dissatisfied", ">Back<")

		// The page is HTML with the headers of a page for people.
		h := r.header
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", h)
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "style-src 'sha256-", "form-action 'self'", "frame-ancestors 'none'", "img-src 'self' data:"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
	})
}

func TestSurveyPageEscapesHostileText(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
		e.pageSurvey("hostile", func(b map[string]any) {
			b["title"] = map[string]string{"de": "Titel " + evil}
			b["intro"] = map[string]string{"de": "Intro " + evil}
			qs := b["questions"].([]map[string]any)
			qs[0]["text"] = map[string]string{"de": "Frage " + evil}
			qs[0]["low_label"] = map[string]string{"de": "Tief " + evil}
		})
		v := e.newVisitor("de")
		r := v.get("/s/hostile?order_id=" + url.QueryEscape(`"><script>alert(2)</script>`))
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		mustNotContain(t, "page", r.body, "<script", "<img", `"><script`)
		mustContain(t, "page", r.body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", `value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`)

		// A hostile answer is kept escaped when the page comes back with an error.
		r = v.post("/s/hostile", form(2, "next", "a.csat", "9", "a.why", "</textarea><script>alert(3)</script>"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad csat: %d %s", r.status, r.body)
		}
		mustNotContain(t, "page with error", r.body, "<script")
		mustContain(t, "page with error", r.body, "&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;</textarea>")
	})
}

func TestSurveyPageValidation(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.pageSurvey("checked", func(b map[string]any) {
			qs := b["questions"].([]map[string]any)
			qs[2]["max_length"] = 20
		})
		v := e.newVisitor("de")
		// The required NPS left empty.
		r := v.post("/s/checked", form(1, "next"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty NPS: %d %s", r.status, r.body)
		}
		mustContain(t, "empty NPS", r.body, `role="alert"`, `href="#q-nps-0"`, "Weiterempfehlen? – Bitte beantworten Sie diese Frage.",
			`id="q-nps-err"`, `aria-describedby="q-nps-err q-nps-ends"`, "<title>Fehler: Wie war es?</title>")

		// Out of range, too long, and an unknown choice: each named at its question.
		r = v.post("/s/checked", form(2, "next", "a.csat", "6", "a.why", strings.Repeat("ü", 21)))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad page 2: %d %s", r.status, r.body)
		}
		mustContain(t, "bad page 2", r.body, "Zufrieden? – Bitte wählen Sie einen Wert von 1 bis 5.",
			"Warum? – Bitte kürzen Sie Ihre Antwort auf höchstens 20 Zeichen.", `aria-invalid="true" aria-describedby="q-why-err"`,
			strings.Repeat("ü", 21)+"</textarea>", `maxlength="20"`)
		r = v.post("/s/checked", form(3, "next", "a.what", "speed", "a.what", "bribe"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad choice: %d %s", r.status, r.body)
		}
		mustContain(t, "bad choice", r.body, "Was? – Bitte wählen Sie eine der angebotenen Antworten.")
		// The same in English.
		r = e.newVisitor("en").post("/s/checked", form(1, "next", "a.nps", "11"))
		mustContain(t, "English", r.body, "Please choose a value from 0 to 10.")
		if n := len(e.responses(sv)); n != 0 {
			t.Errorf("%d responses stored from wrong answers, want 0", n)
		}

		// A text with CRLF line breaks counts each as one character, as the browser's maxlength does.
		if r := v.post("/s/checked", form(2, "next", "a.why", strings.Repeat("a\r\n", 10))); r.status != http.StatusSeeOther {
			t.Errorf("20 characters with line breaks: %d %s", r.status, r.body)
		}

		// Bad pages and bad links are friendly 4xx pages, not JSON.
		for _, c := range []struct {
			method, path string
			form         url.Values
			status       int
			want         string
		}{
			{"POST", "/s/checked", form(9, "next"), 400, "Betroffene Angaben: page"},
			{"POST", "/s/checked", url.Values{"nav": {"next"}}, 400, "Betroffene Angaben: page"},
			{"GET", "/s/checked?tp=elsewhere", nil, 400, "Betroffene Angaben: tp"},
			{"GET", "/s/checked?src=fax", nil, 400, "Betroffene Angaben: src"},
			{"GET", "/s/checked?order_id=" + strings.Repeat("x", 201), nil, 400, "Betroffene Angaben: order_id"},
			{"POST", "/s/checked?tp=elsewhere", form(1, "next", "a.nps", "5"), 400, "Betroffene Angaben: tp"},
		} {
			var r response
			if c.method == "GET" {
				r = v.get(c.path)
			} else {
				r = v.post(c.path, c.form)
			}
			if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s = %d %s, want %d as HTML", c.method, c.path, r.status, r.header.Get("Content-Type"), c.status)
			}
			mustContain(t, c.method+" "+c.path, r.body, c.want, `<html lang="de">`)
		}
		// A JSON body is refused as a page too.
		r = e.do(request{method: "POST", path: "/s/checked", body: map[string]any{"page": 1}})
		if r.status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.body), "<h1>") {
			t.Errorf("JSON post: %d %s", r.status, r.body)
		}
		// A body over the bound is 413.
		r = v.post("/s/checked", form(2, "next", "a.why", strings.Repeat("x", 200<<10)))
		if r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("huge post: %d", r.status)
		}
	})
}

func TestSurveyPageResumesFromCookie(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.pageSurvey("resume", nil)
		v := e.newVisitor("de")
		r := v.post("/s/resume?tp=shop&src=qr", form(1, "next", "a.nps", "9", "h.order_id", "A-17"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/s/resume?p=2&src=qr&tp=shop" {
			t.Fatalf("page 1: %d %v %s", r.status, r.header, r.body)
		}
		cookie := r.header.Get("Set-Cookie")
		for _, want := range []string{"cxm_response=web-", "Path=/s/resume", "HttpOnly", "SameSite=Lax", "Max-Age=2592000"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %q", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("cookie %q is Secure over plain HTTP", cookie)
		}
		rs := e.responses(sv)
		if len(rs) != 1 {
			t.Fatalf("%d responses, want 1", len(rs))
		}
		p := rs[0]
		if p.Completed || p.Answers["nps"] != 9.0 || p.Source != cxm.SourceQR || p.Touchpoint != "shop" ||
			p.Hidden["order_id"] != "A-17" || p.Locale != "de" || !strings.HasPrefix(p.ID, "web-") || len(p.ID) != 26 {
			t.Errorf("partial response %+v", p)
		}

		// Opening the plain link again continues on page 2.
		r = v.get("/s/resume")
		mustContain(t, "resumed", r.body, "Fragen 2–3 von 4", "Zufrieden?", `name="page" value="2"`)
		// Page 1 shows the answer given.
		r = v.get("/s/resume?p=1")
		mustContain(t, "page 1 again", r.body, `value="9" checked`)
		// Another browser starts afresh.
		r = e.newVisitor("de").get("/s/resume")
		mustContain(t, "other browser", r.body, "Frage 1 von 4")
		mustNotContain(t, "other browser", r.body, " checked>")

		// Back saves the page's answers and goes to the previous page.
		r = v.post("/s/resume", form(2, "back", "a.csat", "4", "a.why", "gut"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/s/resume?p=1" {
			t.Fatalf("back: %d %v", r.status, r.header)
		}
		r = v.get("/s/resume?p=2")
		mustContain(t, "page 2 after back", r.body, `value="4" checked`, ">gut</textarea>")
		// Emptying a text clears it; the next page comes next.
		loc, r := v.follow("/s/resume", form(2, "next", "a.csat", "4", "a.why", "  "))
		if loc != "/s/resume?p=3" {
			t.Errorf("next from 2 went to %q", loc)
		}
		mustContain(t, "page 3", r.body, "Frage 4 von 4", ">Absenden<", `type="checkbox"`)
		got, err := e.db.FindResponse(context.Background(), sv.WorkspaceID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Answers["why"] != "" || got.Answers["csat"] != 4.0 || got.Completed {
			t.Errorf("after clearing why: %+v", got.Answers)
		}
		// A cookie that is no web response id is ignored, not used as an id.
		jar := v.client.Jar
		u, _ := url.Parse(e.srv.URL + "/s/resume")
		jar.SetCookies(u, []*http.Cookie{{Name: "cxm_response", Value: p.ID + "x", Path: "/s/resume"}})
		mustContain(t, "bad cookie", v.get("/s/resume").body, "Frage 1 von 4")
	})
}

func TestSurveyPageCompletesOnce(t *testing.T) {
	var bus *recordingBus
	forEachPageEnv(t, func(c *web.Config) { bus = &recordingBus{}; c.Bus = bus }, func(t *testing.T, e *env) {
		sv := e.pageSurvey("complete", func(b map[string]any) {
			b["thank_you"] = map[string]string{"de": "Danke vielmals!", "en": "Many thanks!"}
		})
		v := e.newVisitor("en")
		v.follow("/s/complete?lang=de", form(1, "next", "a.nps", "3"))
		v.follow("/s/complete?lang=de", form(2, "next", "a.csat", "2", "a.why", "zu langsam"))
		last := form(3, "next", "a.what", "speed", "a.what", "packaging")
		loc, r := v.follow("/s/complete?lang=de", last)
		if loc != "/s/complete/thanks?lang=de" || r.status != 200 {
			t.Fatalf("submit went to %q: %d", loc, r.status)
		}
		mustContain(t, "thank-you page", r.body, "Vielen Dank!", "Danke vielmals!", `<html lang="de">`)
		// Sent again (a double click): the same thank-you, nothing new.
		if loc2, _ := v.follow("/s/complete?lang=de", last); loc2 != loc {
			t.Errorf("resubmit went to %q", loc2)
		}
		rs := e.responses(sv)
		if len(rs) != 1 || !rs[0].Completed || rs[0].NPS == nil || *rs[0].NPS != 3 || rs[0].NPSClass != cxm.Detractor ||
			rs[0].Answers["why"] != "zu langsam" || fmt.Sprint(rs[0].Answers["what"]) != "[speed packaging]" || rs[0].Source != cxm.SourceLink {
			t.Fatalf("responses %+v", rs)
		}
		if evs := bus.published(); len(evs) != 1 || evs[0].ID != rs[0].ID {
			t.Errorf("published %+v, want one event for %s", evs, rs[0].ID)
		}
		// The same browser opening the link later answers afresh.
		r = v.get("/s/complete")
		mustContain(t, "after completion", r.body, "Question 1 of 4")
		mustNotContain(t, "after completion", r.body, " checked>")
		if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "cxm_response=;") || !strings.Contains(c, "Max-Age=0") {
			t.Errorf("finished response's cookie not dropped: %q", c)
		}
		// The English thank-you page, and the built-in text without one.
		mustContain(t, "English thanks", v.get("/s/complete/thanks").body, "Thank you!", "Many thanks!")
		e.pageSurvey("plain", nil)
		mustContain(t, "built-in thanks", v.get("/s/plain/thanks").body, "We have received your answers.")
	})
}

func TestSurveyPageAsksForSkippedRequired(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.pageSurvey("skip", nil)
		v := e.newVisitor("de")
		// A link straight to the last page: the required NPS is missing.
		r := v.post("/s/skip", form(3, "next", "a.what", "speed"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("submit without NPS: %d %s", r.status, r.body)
		}
		mustContain(t, "asked for NPS", r.body, `name="page" value="1"`, "Weiterempfehlen? – Bitte beantworten Sie diese Frage.")
		rs := e.responses(sv)
		if len(rs) != 1 || rs[0].Completed || fmt.Sprint(rs[0].Answers["what"]) != "[speed]" {
			t.Fatalf("responses %+v, want one partial with what", rs)
		}
		// Page 1 answered leads on to page 2; the last page then completes.
		loc, _ := v.follow("/s/skip", form(1, "next", "a.nps", "10"))
		if loc != "/s/skip?p=2" {
			t.Errorf("went to %q", loc)
		}
		loc, _ = v.follow("/s/skip", form(3, "next", "a.what", "speed"))
		if !strings.HasPrefix(loc, "/s/skip/thanks") {
			t.Errorf("went to %q", loc)
		}
		if got := e.responses(sv); len(got) != 1 || !got[0].Completed {
			t.Errorf("responses %+v", got)
		}
	})
}

func TestSurveyPageClosedAndUnknown(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		e.pageSurvey("closed", func(b map[string]any) { b["status"] = cxm.SurveyClosed })
		e.pageSurvey("ended", func(b map[string]any) { b["closes_at"] = past; b["opens_at"] = "2020-01-01T00:00:00Z" })
		e.pageSurvey("paused", func(b map[string]any) { b["status"] = cxm.SurveyPaused })
		e.pageSurvey("later", func(b map[string]any) { b["opens_at"] = future })
		secret := e.pageSurvey("secret-draft", func(b map[string]any) {
			b["status"] = cxm.SurveyDraft
			b["title"] = map[string]string{"de": "Geheimer Entwurf"}
		})
		v := e.newVisitor("de")
		for _, c := range []struct {
			path   string
			status int
			want   string
		}{
			{"/s/closed", 200, "Diese Umfrage ist beendet"},
			{"/s/ended", 200, "Diese Umfrage ist beendet"},
			{"/s/paused", 200, "Diese Umfrage ist pausiert"},
			{"/s/later", 200, "Diese Umfrage hat noch nicht begonnen"},
		} {
			r := v.get(c.path)
			if r.status != c.status {
				t.Errorf("GET %s = %d", c.path, r.status)
			}
			mustContain(t, c.path, r.body, c.want)
			mustNotContain(t, c.path, r.body, "<form")
			// Posting to it stores nothing.
			if r := v.post(c.path, form(1, "next", "a.nps", "5")); r.status != http.StatusConflict || !strings.Contains(string(r.body), c.want) {
				t.Errorf("POST %s = %d %s", c.path, r.status, r.body)
			}
		}
		mustContain(t, "English closed", e.newVisitor("en").get("/s/closed").body, "This survey has ended")

		// A draft answers exactly like an unknown slug.
		draft, unknown := v.get("/s/secret-draft"), v.get("/s/no-such-survey")
		if draft.status != 404 || unknown.status != 404 || string(draft.body) != string(unknown.body) {
			t.Errorf("draft %d and unknown %d differ:\n%s\n%s", draft.status, unknown.status, draft.body, unknown.body)
		}
		mustContain(t, "unknown", unknown.body, "Seite nicht gefunden")
		mustNotContain(t, "draft", draft.body, "Geheimer Entwurf", "secret-draft")
		for _, path := range []string{"/s/secret-draft/thanks", "/s/NOT_A_SLUG", "/s/no-such-survey/thanks"} {
			if r := v.get(path); r.status != 404 || string(r.body) != string(unknown.body) {
				t.Errorf("GET %s = %d", path, r.status)
			}
		}
		if r := v.post("/s/secret-draft", form(1, "next", "a.nps", "5")); r.status != 404 {
			t.Errorf("POST to draft = %d", r.status)
		}
		if n := len(e.responses(secret)); n != 0 {
			t.Errorf("draft got %d responses", n)
		}
	})
}

func TestSurveyPageHoneypot(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.pageSurvey("honey", nil)
		v := e.newVisitor("en")
		r := v.get("/s/honey")
		mustContain(t, "page", r.body, `name="website" tabindex="-1" autocomplete="off"`, `class="hp" aria-hidden="true"`)
		r = v.post("/s/honey", form(1, "next", "a.nps", "10", "website", "http://spam.example"))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/s/honey/thanks?lang=en" {
			t.Errorf("bot: %d %v", r.status, r.header)
		}
		if n := len(e.responses(sv)); n != 0 {
			t.Errorf("a bot's answers were stored: %d responses", n)
		}
	})
}

func TestSurveyPageRateLimit(t *testing.T) {
	forEachPageEnv(t, func(c *web.Config) { c.PublicPostsPerIP = 2 }, func(t *testing.T, e *env) {
		sv := e.pageSurvey("busy", nil)
		v := e.newVisitor("de")
		for i := 0; i < 2; i++ {
			if r := v.post("/s/busy", form(1, "next", "a.nps", "7")); r.status != http.StatusSeeOther {
				t.Fatalf("post %d: %d", i, r.status)
			}
		}
		r := v.post("/s/busy", form(2, "next", "a.csat", "5"))
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Fatalf("third post: %d %v", r.status, r.header)
		}
		mustContain(t, "429 page", r.body, "Bitte einen Moment Geduld", "Sekunden noch einmal")
		if rs := e.responses(sv); len(rs) != 1 || rs[0].Answers["csat"] != nil {
			t.Errorf("responses %+v", rs)
		}
		// Reading pages is not limited.
		if r := v.get("/s/busy"); r.status != 200 {
			t.Errorf("GET after the limit: %d", r.status)
		}
	})
}

func TestSurveyPageSize(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.pageSurvey("size", func(b map[string]any) {
			b["intro"] = map[string]string{"de": strings.Repeat("Einleitung ", 100)}
		})
		v := e.newVisitor("de")
		for p := 1; p <= 3; p++ {
			r := v.get(fmt.Sprintf("/s/size?p=%d&order_id=A-1", p))
			// The style sheet is inlined and nothing else is loaded, so the
			// body is all the HTML and CSS of the page.
			mustContain(t, "page", r.body, "<style>")
			mustNotContain(t, "page", r.body, "<link", "<script", "src=")
			if len(r.body) >= 30<<10 {
				t.Errorf("page %d is %d bytes, want under 30 KB", p, len(r.body))
			}
			t.Logf("page %d: %d bytes of HTML and CSS", p, len(r.body))
		}
	})
}

// pageSigner signs the invitation links of the page tests.
var pageSigner = cxm.NewTokenSigner([]byte("survey page tests sign with this 32+ byte key"))

// newInvitation stores a sent invitation to sv for a new customer who
// speaks customerLocale; the invitation's own locale is invLocale.
func (e *env) newInvitation(sv *cxm.Survey, external, customerLocale, invLocale string) *cxm.Invitation {
	e.t.Helper()
	ctx := context.Background()
	c := &cxm.Customer{WorkspaceID: sv.WorkspaceID, ExternalID: external, Email: external + "@example.com", Locale: customerLocale,
		Consent: cxm.Consent{Email: true}}
	if err := e.db.CreateCustomer(ctx, c); err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	inv := &cxm.Invitation{WorkspaceID: sv.WorkspaceID, SurveyID: sv.ID, CustomerID: c.ID, Touchpoint: "shop",
		Channel: cxm.InviteEmail, Locale: invLocale, Hidden: map[string]string{"order_id": "INV-" + external},
		Status: cxm.InvitationSent, DueAt: now.Add(-time.Hour), SentAt: &now, ContactedAt: &now}
	if _, err := e.db.CreateInvitation(ctx, inv); err != nil {
		e.t.Fatal(err)
	}
	return inv
}

// link returns the survey link of inv, expiring at expires.
func link(sv *cxm.Survey, inv *cxm.Invitation, expires time.Time) string {
	return "/s/" + sv.Slug + "?t=" + pageSigner.Sign(cxm.SignedRef{Purpose: cxm.PurposeSurvey, WorkspaceID: inv.WorkspaceID,
		ID: inv.ID, Expires: expires})
}

func TestSurveyPageInvitationLink(t *testing.T) {
	forEachPageEnv(t, func(c *web.Config) { c.Signer = pageSigner }, func(t *testing.T, e *env) {
		ctx := context.Background()
		sv := e.pageSurvey("invited", func(b map[string]any) {
			b["title"] = map[string]string{"de": "Wie war es?", "en": "How was it?"}
		})
		inv := e.newInvitation(sv, "c-en", "de", "en")
		url := link(sv, inv, time.Now().Add(24*time.Hour))

		// The invitation's language wins over the browser's.
		v := e.newVisitor("de-DE")
		r := v.get(url)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", url, r.status, r.body)
		}
		mustContain(t, "invited page", r.body, `<html lang="en">`, "How was it?", ">Next<")
		if r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("the token could leak through the referrer: %v", r.header)
		}
		got, err := e.db.FindInvitation(ctx, sv.WorkspaceID, inv.ID)
		if err != nil || got.OpenedAt == nil {
			t.Fatalf("invitation not marked opened: %+v %v", got, err)
		}

		// Page 1 on this device, the rest on another: the link names the response.
		first, _ := v.follow(url, form(1, "next", "a.nps", "8"))
		if !strings.Contains(first, "t=") || !strings.Contains(first, "p=2") {
			t.Errorf("next page %q lost the token", first)
		}
		other := e.newVisitor("de")
		r = other.get(url)
		mustContain(t, "other device", r.body, "Questions 2–3 of 4", `name="page" value="2"`)
		other.follow(url, form(2, "next", "a.csat", "4"))
		loc, r := other.follow(url, form(3, "next"))
		if loc != "/s/invited/thanks?lang=en" {
			t.Errorf("submit went to %q", loc)
		}
		mustContain(t, "thanks", r.body, "Thank you!")
		rs := e.responses(sv)
		if len(rs) != 1 {
			t.Fatalf("%d responses, want 1", len(rs))
		}
		resp := rs[0]
		if resp.ID != fmt.Sprintf("inv-%d", inv.ID) || resp.InvitationID != inv.ID || resp.CustomerID != inv.CustomerID ||
			resp.Customer != "c-en" || !resp.Completed || resp.Source != cxm.SourceEmail || resp.Locale != "en" ||
			resp.Hidden["order_id"] != "INV-c-en" || resp.Touchpoint != "shop" || resp.Answers["nps"] != 8.0 {
			t.Errorf("response %+v", resp)
		}
		if got, _ := e.db.FindInvitation(ctx, sv.WorkspaceID, inv.ID); got.Status != cxm.InvitationAnswered || got.ResponseID != resp.ID {
			t.Errorf("invitation after answering: %+v", got)
		}
		if c := r.header.Get("Set-Cookie"); c != "" {
			t.Errorf("an invitation's response set a cookie: %q", c)
		}

		// The link again: answered, said so; posting again changes nothing.
		r = v.get(url)
		if r.status != http.StatusConflict {
			t.Errorf("reused link: %d", r.status)
		}
		mustContain(t, "reused link", r.body, "You have already answered")
		mustNotContain(t, "reused link", r.body, "<form")
		if loc, _ := v.follow(url, form(3, "next", "a.what", "speed")); !strings.HasPrefix(loc, "/s/invited/thanks") {
			t.Errorf("resubmit through the link went to %q", loc)
		}
		if rs := e.responses(sv); len(rs) != 1 || rs[0].Answers["what"] != nil {
			t.Errorf("after resubmit %+v", rs)
		}

		// A German invitation opened in an English browser is German.
		de := e.newInvitation(sv, "c-de", "en", "de")
		mustContain(t, "German invitation", e.newVisitor("en").get(link(sv, de, time.Now().Add(time.Hour))).body, `<html lang="de">`, ">Weiter<")
	})
}

func TestSurveyPageRefusedLinks(t *testing.T) {
	forEachPageEnv(t, func(c *web.Config) { c.Signer = pageSigner }, func(t *testing.T, e *env) {
		ctx := context.Background()
		sv := e.pageSurvey("refused", nil)
		other := e.pageSurvey("other", nil)
		inv := e.newInvitation(sv, "c1", "de", "de")
		good := link(sv, inv, time.Now().Add(time.Hour))
		v := e.newVisitor("de")

		// An expired token.
		r := v.get(link(sv, inv, time.Now().Add(-time.Minute)))
		if r.status != http.StatusForbidden {
			t.Errorf("expired token: %d", r.status)
		}
		mustContain(t, "expired token", r.body, "Dieser Link ist abgelaufen")
		mustNotContain(t, "expired token", r.body, "<form")

		// A forged token, a token of another purpose, and one for another survey.
		forged := good[:len(good)-2] + map[bool]string{true: "AA", false: "BB"}[strings.HasSuffix(good, "BB")]
		unsub := "/s/refused?t=" + pageSigner.Sign(cxm.SignedRef{Purpose: cxm.PurposeUnsubscribe, WorkspaceID: inv.WorkspaceID, ID: inv.ID, Expires: time.Now().Add(time.Hour)})
		elsewhere := strings.Replace(good, "/s/refused", "/s/other", 1)
		otherWS := "/s/refused?t=" + pageSigner.Sign(cxm.SignedRef{Purpose: cxm.PurposeSurvey, WorkspaceID: e.b.ws.ID, ID: inv.ID, Expires: time.Now().Add(time.Hour)})
		for name, path := range map[string]string{"forged": forged, "unsubscribe token": unsub, "other survey": elsewhere, "other workspace": otherWS} {
			r := v.get(path)
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s: %d", name, r.status)
			}
			mustContain(t, name, r.body, "Dieser Link ist ungültig")
			if r := v.post(path, form(1, "next", "a.nps", "1")); r.status != http.StatusUnauthorized {
				t.Errorf("POST %s: %d", name, r.status)
			}
		}
		if n := len(e.responses(sv)) + len(e.responses(other)); n != 0 {
			t.Errorf("%d responses through refused links", n)
		}

		// An invitation past its own expiry.
		got, err := e.db.FindInvitation(ctx, sv.WorkspaceID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.Status = cxm.InvitationExpired
		if err := e.db.UpdateInvitation(ctx, got); err != nil {
			t.Fatal(err)
		}
		if r := v.get(good); r.status != http.StatusForbidden || !strings.Contains(string(r.body), "abgelaufen") {
			t.Errorf("expired invitation: %d %s", r.status, r.body)
		}
	})
	// A server without a signer refuses every link.
	t.Run("without signer", func(t *testing.T) {
		forEachPageEnv(t, func(c *web.Config) { c.Signer = nil }, func(t *testing.T, e *env) {
			sv := e.pageSurvey("unsigned", nil)
			inv := e.newInvitation(sv, "c1", "de", "de")
			if r := e.newVisitor("en").get(link(sv, inv, time.Now().Add(time.Hour))); r.status != http.StatusUnauthorized ||
				!strings.Contains(string(r.body), "This link is not valid") {
				t.Errorf("no signer: %d %s", r.status, r.body)
			}
		})
	})
}

// TestSurveyPageAccessibility checks the markup that assistive technology
// relies on: labels for every input, groups with legends, and the
// visible focus style.
func TestSurveyPageAccessibility(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.pageSurvey("a11y", func(b map[string]any) {
			qs := b["questions"].([]map[string]any)
			b["questions"] = append(qs, map[string]any{"key": "pick", "kind": "single", "required": true,
				"text": map[string]string{"de": "Eins?"}, "choices": []map[string]any{
					{"key": "a", "label": map[string]string{"de": "A"}}, {"key": "b", "label": map[string]string{"de": "B"}}}})
		})
		v := e.newVisitor("de")
		inputID := regexp.MustCompile(`<(?:input|textarea) [^>]*id="([^"]+)"`)
		for p := 1; p <= 4; p++ {
			body := v.get(fmt.Sprintf("/s/a11y?p=%d", p)).body
			for _, m := range inputID.FindAllSubmatch(body, -1) {
				if !strings.Contains(string(body), `<label for="`+string(m[1])+`"`) {
					t.Errorf("page %d: input %s has no label", p, m[1])
				}
			}
			mustContain(t, fmt.Sprintf("page %d", p), body, `<html lang="de">`, `<meta name="viewport"`)
		}
		mustContain(t, "scale", v.get("/s/a11y?p=1").body, `<fieldset class="q" id="q-nps" role="radiogroup" aria-required="true"`,
			"<legend>Weiterempfehlen?</legend>", `type="radio"`)
		mustContain(t, "single", v.get("/s/a11y?p=4").body, `role="radiogroup" aria-required="true"`, "<legend>Eins?</legend>")
		mustContain(t, "multi", v.get("/s/a11y?p=3").body, "<legend>Was? <span class=\"opt\">(optional)</span></legend>", `type="checkbox"`)
		mustContain(t, "style", v.get("/s/a11y").body, ":focus-visible", "outline:3px solid")
	})
}
