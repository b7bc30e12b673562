package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/browsertest"
)

// browserSurvey creates the survey the browser fills, with texts in both
// languages: pages [nps, why] [csat] [what].
func (e *env) browserSurvey(slug string) *cxm.Survey {
	e.t.Helper()
	both := func(de, en string) map[string]string { return map[string]string{"de": de, "en": en} }
	return e.pageSurvey(slug, func(b map[string]any) {
		b["title"] = both("Wie war Ihr Einkauf?", "How was your purchase?")
		b["thank_you"] = both("Danke für Ihre Zeit.", "Thanks for your time.")
		b["questions"] = []map[string]any{
			{"key": "nps", "kind": "nps", "required": true, "text": both("Würden Sie uns empfehlen?", "Would you recommend us?")},
			{"key": "why", "kind": "text", "text": both("Warum?", "Why?")},
			{"key": "csat", "kind": "csat", "text": both("Wie zufrieden sind Sie?", "How satisfied are you?")},
			{"key": "what", "kind": "multi", "text": both("Was war gut?", "What was good?"), "choices": []map[string]any{
				{"key": "speed", "label": both("Tempo", "Speed")}, {"key": "staff", "label": both("Personal", "Staff")}}},
		}
	})
}

// tab opens a tab in a browser context of its own (its own cookies),
// asking for acceptLanguage and, when noScript is set, with JavaScript
// switched off.
func tab(t *testing.T, browser context.Context, acceptLanguage string, noScript bool) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage}}); err != nil {
		t.Fatal(err)
	}
	if noScript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

// text reads the text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// do runs steps or fails the test with what.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestSurveyPageInBrowser fills the hosted survey in a real headless
// Chromium, in German with JavaScript switched off and in English with it
// on, and reads the stored responses back.
func TestSurveyPageInBrowser(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.browserSurvey("im-browser")
		browser := browsertest.New(t, 90*time.Second)
		cases := []struct {
			accept, lang, title, question, next, submit, thanks, text string
			noScript                                                  bool
			nps                                                       string
		}{
			{"de-DE,de;q=0.9", "de", "Wie war Ihr Einkauf?", "Würden Sie uns empfehlen?", "Weiter", "Absenden", "Danke für Ihre Zeit.",
				"Schnell & freundlich <3", true, "9"},
			{"en-GB,en;q=0.9,de;q=0.1", "en", "How was your purchase?", "Would you recommend us?", "Next", "Submit", "Thanks for your time.",
				"Quick & kind <3", false, "4"},
		}
		for _, c := range cases {
			ctx := tab(t, browser, c.accept, c.noScript)
			do(t, ctx, "open", chromedp.Navigate(e.srv.URL+"/s/im-browser?order_id=B-1"), chromedp.WaitReady("#q-nps-0"))
			if got := text(t, ctx, "h1"); got != c.title {
				t.Errorf("%s: title %q, want %q", c.lang, got, c.title)
			}
			if got := text(t, ctx, "legend"); got != c.question {
				t.Errorf("%s: question %q, want %q", c.lang, got, c.question)
			}
			if got := text(t, ctx, "button.primary"); got != c.next {
				t.Errorf("%s: button %q, want %q", c.lang, got, c.next)
			}
			lang, err := chromedp.Run(ctx, chromedp.AttributeValue("html", "lang"))
			if err != nil || lang.Value != c.lang {
				t.Errorf("%s: <html lang=%q> %v", c.lang, lang.Value, err)
			}
			do(t, ctx, "page 1",
				chromedp.Click(`label[for="q-nps-`+c.nps+`"]`),
				chromedp.SendKeys("#q-why", c.text),
				chromedp.Click("button.primary"),
				chromedp.WaitReady("#q-csat-1"))
			do(t, ctx, "page 2", chromedp.Click(`label[for="q-csat-5"]`), chromedp.Click("button.primary"), chromedp.WaitReady("#q-what-speed"))
			if got := text(t, ctx, "button.primary"); got != c.submit {
				t.Errorf("%s: last button %q, want %q", c.lang, got, c.submit)
			}
			do(t, ctx, "page 3", chromedp.Click(`label[for="q-what-speed"]`), chromedp.Click("button.primary"), chromedp.WaitReady("p"))
			do(t, ctx, "thanks", chromedp.WaitVisible(`//p[contains(., "`+c.thanks+`")]`))
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil || !strings.Contains(loc, "/s/im-browser/thanks") {
				t.Errorf("%s: ended at %q %v", c.lang, loc, err)
			}
		}
		rs := e.responses(sv)
		if len(rs) != len(cases) {
			t.Fatalf("%d responses, want %d", len(rs), len(cases))
		}
		for _, c := range cases {
			var found *cxm.Response
			for _, r := range rs {
				if r.Locale == c.lang {
					found = r
				}
			}
			if found == nil || !found.Completed || found.NPS == nil || fmt.Sprint(*found.NPS) != c.nps || found.Answers["why"] != c.text ||
				found.Answers["csat"] != 5.0 || found.Hidden["order_id"] != "B-1" || found.Source != cxm.SourceLink || found.Touchpoint != "shop" {
				t.Errorf("%s: stored %+v", c.lang, found)
			}
		}
	})
}

// TestSurveyPageResumesInBrowser answers page 1 in one browser context,
// carries its cookie to another, lands on page 2 with page 1 answered
// there, and completes the one response.
func TestSurveyPageResumesInBrowser(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		sv := e.browserSurvey("weiter")
		browser := browsertest.New(t, 90*time.Second)
		first := tab(t, browser, "de", true)
		do(t, first, "page 1", chromedp.Navigate(e.srv.URL+"/s/weiter"), chromedp.Click(`label[for="q-nps-7"]`),
			chromedp.Click("button.primary"), chromedp.WaitReady("#q-csat-1"))
		got, err := chromedp.Call(first, network.GetCookies, network.GetCookiesParams{URLs: []string{e.srv.URL + "/s/weiter"}})
		if err != nil {
			t.Fatal(err)
		}
		var cookies []*network.CookieParam
		for _, c := range got.Cookies {
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/s/weiter" {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/s/weiter", c)
			}
			cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: e.srv.URL + "/s/weiter",
				Path: c.Path, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite})
		}
		if len(cookies) != 1 {
			t.Fatalf("cookies %+v, want the response cookie", got.Cookies)
		}

		second := tab(t, browser, "de", true)
		if _, err := chromedp.Call(second, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
			t.Fatal(err)
		}
		do(t, second, "resume", chromedp.Navigate(e.srv.URL+"/s/weiter"), chromedp.WaitReady("#q-csat-1"))
		if p := text(t, second, ".progress"); p != "Frage 3 von 4" {
			t.Errorf("resumed at %q, want question 3 of 4", p)
		}
		do(t, second, "back", chromedp.Click("button.secondary"), chromedp.WaitReady("#q-nps-7"))
		checked, err := chromedp.Run(second, chromedp.AttributeValue("#q-nps-7", "checked"))
		if err != nil || !checked.Exists {
			t.Errorf("page 1 in the second context does not show the answer 7: %+v %v", checked, err)
		}
		do(t, second, "complete",
			chromedp.Click("button.primary"), chromedp.WaitReady("#q-csat-1"),
			chromedp.Click(`label[for="q-csat-2"]`), chromedp.Click("button.primary"), chromedp.WaitReady("#q-what-staff"),
			chromedp.Click(`label[for="q-what-staff"]`), chromedp.Click("button.primary"),
			chromedp.WaitVisible(`//h1[contains(., "Vielen Dank!")]`))

		rs := e.responses(sv)
		if len(rs) != 1 {
			t.Fatalf("%d responses, want the one resumed", len(rs))
		}
		r := rs[0]
		if r.ID != cookies[0].Value || !r.Completed || r.NPS == nil || *r.NPS != 7 || r.Answers["csat"] != 2.0 ||
			len(r.Answers["what"].([]any)) != 1 {
			t.Errorf("response %+v (cookie %s)", r, cookies[0].Value)
		}
	})
}
