package web_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/browsertest"
)

// shopPage is a page of a customer's site that embeds the widget. It
// notes the outcome of the widget's session on the body, so that the test
// can tell a refused session from one still under way.
var shopPage = template.Must(template.New("shop").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Shop</title>
<body><h1>Thank you for your order</h1>
<button id="help" type="button" onclick="cxm('event', 'help_opened')">Help</button>
<script>
window.cxm = window.cxm || function () { (cxm.q = cxm.q || []).push(arguments); };
window.addEventListener('cxm:session', function (e) {
  document.body.setAttribute('data-cxm', e.detail.ok ? 'ok' : 'refused');
});
</script>
<script src="{{.Server}}/widget.js" data-key="{{.Key}}" async></script>
</body></html>`))

// newShop serves shopPage on a new origin, embedding the widget of key
// from the cxm server at server.
func newShop(t *testing.T, server, key string) *httptest.Server {
	t.Helper()
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		shopPage.Execute(w, map[string]string{"Server": server, "Key": key})
	}))
	t.Cleanup(shop.Close)
	return shop
}

// inWidget is a JS path to the element sel inside the widget's shadow
// root; it selects nothing while the widget is not shown.
func inWidget(sel string) chromedp.JSPath {
	return chromedp.JSPath(fmt.Sprintf(`document.querySelector('#cxm-widget')?.shadowRoot?.querySelector(%q)`, sel))
}

// TestWidgetInBrowser loads a shop page from another origin in headless
// Chromium. The widget fetches its session cross-origin, the page-view
// rule shows the survey, and the visitor picks a score, writes a comment
// and submits: the store holds the response, from the widget, with the
// browser's anonymous id. A custom event shows a second survey, which
// Escape closes. A page on an origin the workspace does not allow gets no
// survey: CORS refuses it.
func TestWidgetInBrowser(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		shop := newShop(t, e.srv.URL, e.a.ws.PublicKey)
		origins := []string{shop.URL}
		if _, err := e.db.UpdateWorkspace(ctx, e.a.ws.ID, cxm.WorkspaceUpdate{AllowedOrigins: &origins}); err != nil {
			t.Fatal(err)
		}
		e.newTouchpoint(e.a.writeKey, "web", "web")
		en := func(de, en string) map[string]string { return map[string]string{"de": de, "en": en} }
		sv := e.newSurvey(e.a.writeKey, map[string]any{
			"slug": "checkout", "name": "Checkout", "status": "active", "default_locale": "de",
			"title": en("Wie war Ihr Einkauf?", "How was your purchase?"), "thank_you": en("Danke!", "Thanks a lot!"),
			"touchpoints": []string{"web"},
			"questions": []map[string]any{
				{"key": "nps", "kind": "nps", "required": true, "text": en("Weiterempfehlen?", "Would you recommend us?")},
				{"key": "why", "kind": "text", "text": en("Warum?", "Why?")},
			},
			"widget": map[string]any{"triggers": []map[string]any{{"kind": "page_view", "url": map[string]string{"match": "prefix", "value": "/checkout/done"}}}},
		})
		help := e.newSurvey(e.a.writeKey, map[string]any{
			"slug": "help", "name": "Help", "status": "active", "default_locale": "en", "title": en("Hilfe", "Did you find help?"),
			"touchpoints": []string{"web"},
			"questions":   []map[string]any{{"key": "csat", "kind": "csat", "required": true, "text": en("Zufrieden?", "Satisfied?")}},
			"widget":      map[string]any{"triggers": []map[string]any{{"kind": "event", "event": "help_opened"}}},
		})

		pricing := e.newSurvey(e.a.writeKey, map[string]any{
			"slug": "pricing", "name": "Pricing", "status": "active", "default_locale": "en",
			"title":       en("Wie gefallen Ihnen unsere Preise?", "How do you like our prices?"),
			"touchpoints": []string{"web"},
			"questions":   []map[string]any{{"key": "csat", "kind": "csat", "required": true, "text": en("Zufrieden?", "Satisfied?")}},
			"widget": map[string]any{"triggers": []map[string]any{{"kind": "time_on_page", "seconds": 1,
				"url": map[string]string{"match": "contains", "value": "pricing"}}}},
		})

		b := browsertest.New(t, 60*time.Second)
		if err := chromedp.Do(b,
			chromedp.Navigate(shop.URL+"/checkout/done?order=42"),
			chromedp.WaitVisible(inWidget(`input[value="9"] + span`)),
		); err != nil {
			t.Fatal(err)
		}
		title, err := chromedp.Run(b, chromedp.Text(inWidget("h2")))
		if err != nil {
			t.Fatal(err)
		}
		next, err := chromedp.Run(b, chromedp.Text(inWidget("button.go")))
		if err != nil {
			t.Fatal(err)
		}
		if title != "How was your purchase?" || next != "Next" {
			t.Errorf("card shows %q with button %q, want the English title and Next", title, next)
		}
		if err := chromedp.Do(b,
			chromedp.Click(inWidget(`input[value="9"] + span`), chromedp.NodeVisible),
			chromedp.Click(inWidget("button.go"), chromedp.NodeVisible),
			chromedp.WaitVisible(inWidget("textarea")),
			chromedp.SendKeys(inWidget("textarea"), "Fast <b>delivery</b>"),
			chromedp.Click(inWidget("button.go"), chromedp.NodeVisible),
			chromedp.WaitVisible(inWidget(".thanks")),
		); err != nil {
			t.Fatal(err)
		}
		thanks, err := chromedp.Run(b, chromedp.Text(inWidget(".thanks")))
		if err != nil {
			t.Fatal(err)
		}
		if thanks != "Thanks a lot!" {
			t.Errorf("thank-you text %q", thanks)
		}
		anon, err := chromedp.Run(b, chromedp.Evaluate[string](`localStorage.getItem('cxm:`+e.a.ws.PublicKey+`:anon')`))
		if err != nil {
			t.Fatal(err)
		}
		rs, _, err := e.db.ListResponses(ctx, e.a.ws.ID, cxm.ResponseFilter{SurveyID: sv.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 {
			t.Fatalf("stored %d responses, want 1", len(rs))
		}
		r := rs[0]
		if r.Source != cxm.SourceWidget || r.AnonymousID == "" || r.AnonymousID != anon || !r.Completed || r.Touchpoint != "web" ||
			r.Locale != "en" || r.Answers["nps"] != 9.0 || r.Answers["why"] != "Fast <b>delivery</b>" {
			t.Errorf("stored response %+v (browser's anonymous id %q)", r, anon)
		}

		// A custom event from the site's code shows the help survey; Escape closes it.
		if err := chromedp.Do(b,
			chromedp.Click(inWidget(".x"), chromedp.NodeVisible),
			chromedp.WaitNotPresent(chromedp.ID("cxm-widget")),
			chromedp.Click(chromedp.ID("help"), chromedp.NodeVisible),
			chromedp.WaitVisible(inWidget(`input[value="4"] + span`)),
		); err != nil {
			t.Fatal(err)
		}
		if title, err := chromedp.Run(b, chromedp.Text(inWidget("h2"))); err != nil || title != "Did you find help?" {
			t.Errorf("event survey title %q, %v", title, err)
		}
		if err := chromedp.Do(b,
			chromedp.KeyEvent("\u001b"),
			chromedp.WaitNotPresent(chromedp.ID("cxm-widget")),
		); err != nil {
			t.Fatal(err)
		}
		if rs, _, _ := e.db.ListResponses(ctx, e.a.ws.ID, cxm.ResponseFilter{SurveyID: help.ID}); len(rs) != 0 {
			t.Errorf("closing stored %d responses", len(rs))
		}

		// A German browser stays a second on the pricing page: the survey
		// shows in German, with German buttons, and is answered by keyboard.
		ua, err := chromedp.Run(b, chromedp.Evaluate[string]("navigator.userAgent"))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(b,
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "de-DE"})
				return err
			}),
			chromedp.Navigate(shop.URL+"/pricing"),
			chromedp.WaitVisible(inWidget(`input[value="1"] + span`)),
		); err != nil {
			t.Fatal(err)
		}
		title, err = chromedp.Run(b, chromedp.Text(inWidget("h2")))
		if err != nil {
			t.Fatal(err)
		}
		submit, err := chromedp.Run(b, chromedp.Text(inWidget("button.go")))
		if err != nil {
			t.Fatal(err)
		}
		if title != "Wie gefallen Ihnen unsere Preise?" || submit != "Absenden" {
			t.Errorf("German card shows %q with button %q", title, submit)
		}
		if err := chromedp.Do(b,
			chromedp.Focus(inWidget(`input[value="1"]`)),
			chromedp.KeyEvent(kb.ArrowRight),
			chromedp.KeyEvent(kb.Tab),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(inWidget(".thanks")),
		); err != nil {
			t.Fatal(err)
		}
		if thanks, err := chromedp.Run(b, chromedp.Text(inWidget(".thanks"))); err != nil || thanks != "Vielen Dank für Ihr Feedback!" {
			t.Errorf("German thank-you %q, %v", thanks, err)
		}
		rs, _, err = e.db.ListResponses(ctx, e.a.ws.ID, cxm.ResponseFilter{SurveyID: pricing.ID})
		if err != nil || len(rs) != 1 || rs[0].Locale != "de" || rs[0].Answers["csat"] != 2.0 || !rs[0].Completed {
			t.Errorf("pricing responses %+v, %v; want one in German with csat 2", rs, err)
		}

		// Another origin embeds the same key: the session is refused and no survey shows.
		evil := newShop(t, e.srv.URL, e.a.ws.PublicKey)
		if err := chromedp.Do(b,
			chromedp.Navigate(evil.URL+"/checkout/done"),
			chromedp.WaitReady(chromedp.CSS("body[data-cxm]")),
		); err != nil {
			t.Fatal(err)
		}
		outcome, err := chromedp.Run(b, chromedp.Evaluate[string](`document.body.getAttribute('data-cxm') + ' ' + !!document.querySelector('#cxm-widget')`))
		if err != nil {
			t.Fatal(err)
		}
		if outcome != "refused false" {
			t.Errorf("page on a refused origin: session %q, want refused and no widget", outcome)
		}
	})
}
