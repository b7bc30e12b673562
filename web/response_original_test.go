package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestAnswersAreRedactedBeforeStoring submits German and English answers
// full of personal data and checks that what is stored has it masked
// while the response stays valid, that a number failing the Luhn check is
// kept, that originals are kept encrypted only when the workspace asks and
// only admins read them, and that redaction can be turned off.
func TestAnswersAreRedactedBeforeStoring(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		a := e.a.writeKey
		e.newTouchpoint(a, "shop", "web")
		sv := e.newSurvey(a, surveyBody("privacy", cxm.SurveyActive, "shop"))
		submit := func(id, why string) {
			t.Helper()
			e.call("POST", fmt.Sprintf("/api/v1/surveys/%d/responses", sv.ID), a, map[string]any{"id": id, "completed": true,
				"answers": map[string]any{"nps": 3, "why": why}}, 201)
		}
		stored := func(id string) string {
			t.Helper()
			var r cxm.Response
			e.call("GET", "/api/v1/responses/"+id, a, nil, 200).decode(t, &r)
			if !r.Completed || r.NPS == nil || *r.NPS != 3 {
				t.Errorf("%s: stored response %+v is not the valid, complete one sent", id, r)
			}
			s, _ := r.Answers["why"].(string)
			return s
		}
		cases := []struct {
			id, why string
			gone    []string
			masks   []string
			kept    []string
		}{
			{"de", "Rufen Sie mich an: 0171 2345678 oder schreiben Sie an max.mustermann@example.de. Ich wohne in der Hauptstraße 12, 10115 Berlin. " +
				"IBAN DE89 3704 0044 0532 0130 00, Karte 4111 1111 1111 1111, Kundennummer 4111 1111 1111 1112.",
				[]string{"0171 2345678", "max.mustermann@example.de", "Hauptstraße 12", "DE89 3704", "4111 1111 1111 1111,"},
				[]string{"[PHONE]", "[EMAIL]", "[ADDRESS]", "[IBAN]", "[CARD]"},
				[]string{"Rufen Sie mich an", "4111 1111 1111 1112"}},
			{"en", "Call me on +44 20 7946 0958 or mail jane.doe@example.com. I live at 221 Baker Street, London. " +
				"Card 5555 5555 5555 4444, IBAN GB82 WEST 1234 5698 7654 32, order 5555 5555 5555 4445.",
				[]string{"7946 0958", "jane.doe@example.com", "221 Baker Street", "GB82 WEST", "5555 5555 5555 4444,"},
				[]string{"[PHONE]", "[EMAIL]", "[ADDRESS]", "[IBAN]", "[CARD]"},
				[]string{"Call me on", "5555 5555 5555 4445"}},
		}
		for _, c := range cases {
			submit(c.id, c.why)
			got := stored(c.id)
			for _, s := range c.gone {
				if strings.Contains(got, s) {
					t.Errorf("%s: stored answer keeps %q: %s", c.id, s, got)
				}
			}
			for _, s := range append(c.masks, c.kept...) {
				if !strings.Contains(got, s) {
					t.Errorf("%s: stored answer lacks %q: %s", c.id, s, got)
				}
			}
		}
		// No original is kept by default.
		admin := e.signIn(e.a.adminEmail, "acme")
		if r := e.do(request{method: "GET", path: "/api/v1/responses/de/original", client: admin}); r.status != 404 {
			t.Errorf("original without keep_original_encrypted: %d %s", r.status, r.body)
		}

		var ws map[string]any
		e.call("GET", "/api/v1/workspace", a, nil, 200).decode(t, &ws)
		if ws["pii_redaction"] != true || ws["keep_original_encrypted"] != false {
			t.Errorf("default privacy: %v", ws)
		}
		r := e.do(request{method: "PATCH", path: "/api/v1/workspace", client: admin, body: map[string]any{"keep_original_encrypted": true}})
		r.decode(t, &ws)
		if r.status != 200 || ws["keep_original_encrypted"] != true || ws["pii_redaction"] != true || ws["slug"] != "acme" {
			t.Fatalf("turn originals on: %d %s", r.status, r.body)
		}
		if r := e.do(request{method: "PATCH", path: "/api/v1/workspace", client: admin, body: map[string]any{"pii_redaction": "yes"}}); r.status != 400 {
			t.Errorf("pii_redaction as a string: %d %s", r.status, r.body)
		}
		const secretMail = "geheim@example.de"
		submit("kept", "Schreiben Sie an "+secretMail+", danke.")
		if got := stored("kept"); strings.Contains(got, secretMail) {
			t.Errorf("stored answer keeps the email: %s", got)
		}
		var orig cxm.OriginalText
		r = e.do(request{method: "GET", path: "/api/v1/responses/kept/original", client: admin})
		r.decode(t, &orig)
		if r.status != 200 || orig.Answers["why"] != "Schreiben Sie an "+secretMail+", danke." {
			t.Errorf("admin reads original: %d %s", r.status, r.body)
		}
		if r := e.do(request{method: "GET", path: "/api/v1/responses/kept/original", token: a}); r.status != 403 {
			t.Errorf("write key reads original: %d", r.status)
		}
		if r := e.do(request{method: "GET", path: "/api/v1/responses/kept/original", client: e.signIn(e.b.adminEmail, "globex")}); r.status != 404 {
			t.Errorf("B's admin reads A's original: %d %s", r.status, r.body)
		}

		// Without redaction the answer is stored as sent.
		e.do(request{method: "PATCH", path: "/api/v1/workspace", client: admin, body: map[string]any{"pii_redaction": false}})
		submit("raw", "Mail an "+secretMail)
		if got := stored("raw"); !strings.Contains(got, secretMail) {
			t.Errorf("with redaction off the answer is %q", got)
		}
		// B's settings are B's own.
		e.call("GET", "/api/v1/workspace", e.b.readKey, nil, 200).decode(t, &ws)
		if ws["pii_redaction"] != true || ws["keep_original_encrypted"] != false {
			t.Errorf("B's privacy changed with A's: %v", ws)
		}
	})
}
