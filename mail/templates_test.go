package mail

import (
	"strings"
	"testing"
	"testing/fstest"
)

func mustTemplates(t *testing.T) *Templates {
	t.Helper()
	tpl, err := NewTemplates("de")
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestTemplatesAreComplete(t *testing.T) {
	tpl := mustTemplates(t)
	want := []string{TemplateCaseReply, TemplateNotification, TemplateSurveyInvitation, TemplateSurveyReminder}
	if got := tpl.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("names = %v, want %v", got, want)
	}
	data := map[string]any{
		TemplateSurveyInvitation: SurveyInvitation{Name: "Anna", Company: "Kaffeehaus", SurveyTitle: "Lieferung", SurveyURL: "https://cxm.example/s/abc", UnsubscribeURL: "https://cxm.example/u/abc"},
		TemplateSurveyReminder:   SurveyInvitation{Name: "Anna", Company: "Kaffeehaus", SurveyTitle: "Lieferung", SurveyURL: "https://cxm.example/s/abc", UnsubscribeURL: "https://cxm.example/u/abc"},
		TemplateCaseReply:        CaseReply{Name: "Anna", Company: "Kaffeehaus", Body: "Danke.", AgentName: "Ben", Reference: "Fall 7"},
		TemplateNotification:     Notification{Name: "Anna", Company: "Kaffeehaus", Kind: "alert", Title: "Detraktor", Body: "NPS 2", URL: "https://cxm.example/cases/7"},
	}
	for _, name := range want {
		if got := tpl.Locales(name); strings.Join(got, ",") != "de,en" {
			t.Errorf("%s locales = %v, want de and en", name, got)
		}
		for _, locale := range []string{"de", "en"} {
			r, err := tpl.Render(name, locale, data[name])
			if err != nil {
				t.Fatalf("render %s/%s: %v", locale, name, err)
			}
			if r.Locale != locale || r.Subject == "" || strings.Contains(r.Subject, "\n") || !strings.Contains(r.Text, "Anna") ||
				!strings.Contains(r.HTML, `<html lang="`+locale+`">`) || !strings.Contains(r.HTML, "Anna") {
				t.Errorf("%s/%s = %+v, want a one-line subject and both parts greeting Anna", locale, name, r)
			}
		}
	}
}

func TestRenderSurveyInvitation(t *testing.T) {
	tpl := mustTemplates(t)
	data := SurveyInvitation{Company: "Kaffeehaus Müller", SurveyTitle: "Ihre Lieferung", SurveyURL: "https://cxm.example/s/t0k3n", UnsubscribeURL: "https://cxm.example/u/t0k3n"}
	tests := []struct {
		locale, name                         string
		subject, greeting, button, unsubText string
	}{
		{"de", "Anna", "Ihre Meinung zählt: Ihre Lieferung", "Hallo Anna,", "Zur Umfrage", "Abmelden"},
		{"de", "", "Ihre Meinung zählt: Ihre Lieferung", "Guten Tag,", "Zur Umfrage", "Abmelden"},
		{"en", "Anna", "We'd love your feedback: Ihre Lieferung", "Hi Anna,", "Take the survey", "Unsubscribe"},
		{"en", "", "We'd love your feedback: Ihre Lieferung", "Hello,", "Take the survey", "Unsubscribe"},
	}
	for _, tt := range tests {
		data.Name = tt.name
		r, err := tpl.Render(TemplateSurveyInvitation, tt.locale, data)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != tt.subject {
			t.Errorf("%s subject = %q, want %q", tt.locale, r.Subject, tt.subject)
		}
		for part, body := range map[string]string{"text": r.Text, "html": r.HTML} {
			for _, want := range []string{tt.greeting, data.SurveyURL, data.UnsubscribeURL, "Kaffeehaus Müller"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s part lacks %q:\n%s", tt.locale, part, want, body)
				}
			}
		}
		if !strings.Contains(r.HTML, `<a href="https://cxm.example/s/t0k3n"`) || !strings.Contains(r.HTML, ">"+tt.button+"</a>") ||
			!strings.Contains(r.HTML, ">"+tt.unsubText+"</a>") {
			t.Errorf("%s HTML lacks the %q button or the %q link:\n%s", tt.locale, tt.button, tt.unsubText, r.HTML)
		}
	}
}

func TestRenderEscapesCustomerValues(t *testing.T) {
	tpl := mustTemplates(t)
	data := SurveyInvitation{
		Name:        `<script>alert("hi")</script>`,
		Company:     "Tom & Jerry",
		SurveyTitle: `"><img src=x onerror=alert(1)>`,
		SurveyURL:   "javascript:alert(1)",
	}
	r, err := tpl.Render(TemplateSurveyInvitation, "de", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", `href="javascript:`} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML holds %q unescaped:\n%s", bad, r.HTML)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "Tom &amp; Jerry", "&lt;img src=x"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks the escaped %q:\n%s", want, r.HTML)
		}
	}
	// Plain text shows the values as they are; nothing executes text.
	if !strings.Contains(r.Text, `Hallo <script>alert("hi")</script>,`) {
		t.Errorf("text = %q, want the name verbatim", r.Text)
	}
	if r.Subject != `Ihre Meinung zählt: "><img src=x onerror=alert(1)>` {
		t.Errorf("subject = %q", r.Subject)
	}
}

func TestRenderCaseReplyParagraphs(t *testing.T) {
	tpl := mustTemplates(t)
	r, err := tpl.Render(TemplateCaseReply, "de", CaseReply{
		Name: "Anna", Company: "Kaffeehaus", AgentName: "Ben", Reference: "Fall 1042",
		Body: "wir haben Ihnen 10 € erstattet.\nDie <b>Gutschrift</b> folgt.\n\nEntschuldigen Sie bitte die Verspätung.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ihre Anfrage bei Kaffeehaus [Fall 1042]"; r.Subject != want {
		t.Errorf("subject = %q, want %q", r.Subject, want)
	}
	want := `<p style="margin:0 0 16px;">wir haben Ihnen 10 € erstattet.<br>Die &lt;b&gt;Gutschrift&lt;/b&gt; folgt.</p>`
	if !strings.Contains(r.HTML, want) || strings.Count(r.HTML, "<p ") != 4 {
		t.Errorf("HTML = %s\nwant paragraphs with breaks such as %s", r.HTML, want)
	}
	if !strings.Contains(r.Text, "Die <b>Gutschrift</b> folgt.\n\nEntschuldigen") || !strings.Contains(r.Text, "Viele Grüße\nBen\nKaffeehaus") {
		t.Errorf("text = %q", r.Text)
	}
	r, _ = tpl.Render(TemplateCaseReply, "en", CaseReply{Subject: "Your refund", Body: "Done."})
	if r.Subject != "Your refund" || !strings.HasPrefix(r.Text, "Hello,\n\nDone.") {
		t.Errorf("en reply = %+v", r)
	}
}

func TestRenderFallsBack(t *testing.T) {
	tpl := mustTemplates(t)
	r, err := tpl.Render(TemplateSurveyReminder, "fr", SurveyInvitation{Name: "Anna"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Locale != "de" || !strings.HasPrefix(r.Subject, "Erinnerung") {
		t.Errorf("fr = %s %q, want the default locale de", r.Locale, r.Subject)
	}
	if _, err := tpl.Render("nope", "de", nil); err == nil {
		t.Error("an unknown template rendered")
	}

	fsys := fstest.MapFS{
		"layout.html":   {Data: []byte(`{{template "content" .}}`)},
		"en/hello.txt":  {Data: []byte(`{{define "subject"}}Hello{{end}}Hello {{.}}`)},
		"en/hello.html": {Data: []byte(`{{define "content"}}<b>{{.}}</b>{{end}}`)},
	}
	only, err := ParseTemplates(fsys, "de")
	if err != nil {
		t.Fatal(err)
	}
	r, err = only.Render("hello", "de", "<you>")
	if err != nil {
		t.Fatal(err)
	}
	if r.Locale != "en" || r.Text != "Hello <you>\n" || r.HTML != "<b>&lt;you&gt;</b>" {
		t.Errorf("fallback to the only locale = %+v", r)
	}
}

func TestParseTemplatesRejectsBadFiles(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"no layout":  {"de/x.txt": {Data: []byte(`{{define "subject"}}x{{end}}`)}},
		"no subject": {"layout.html": {Data: []byte(`x`)}, "de/x.txt": {Data: []byte(`body`)}},
		"bad syntax": {"layout.html": {Data: []byte(`x`)}, "de/x.txt": {Data: []byte(`{{define "subject"}}{{.x{{end}}`)}},
		"bad html":   {"layout.html": {Data: []byte(`x`)}, "de/x.txt": {Data: []byte(`{{define "subject"}}x{{end}}`)}, "de/x.html": {Data: []byte(`{{if}}`)}},
	}
	for name, fsys := range tests {
		if _, err := ParseTemplates(fsys, "de"); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}
