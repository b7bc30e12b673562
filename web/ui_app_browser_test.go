package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cxmhq/cxm/browsertest"
)

// TestAppInBrowser signs in through the form in headless Chromium, lands
// on /app, switches to English, saves a screenshot of the landing page
// under artifacts/, and signs out.
func TestAppInBrowser(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		browser := browsertest.New(t, 90*time.Second)
		ctx := tab(t, browser, "de-DE,de;q=0.9", false)
		do(t, ctx, "sign in", chromedp.Navigate(e.srv.URL+"/app/"), chromedp.WaitReady("#email"),
			chromedp.SendKeys("#email", e.a.adminEmail), chromedp.SendKeys("#password", testPassword),
			chromedp.Click("#signin"), chromedp.WaitReady("#curl"))
		if got := text(t, ctx, "h1"); got != e.a.ws.Name {
			t.Errorf("landing heading %q, want %q", got, e.a.ws.Name)
		}
		if got := text(t, ctx, "#sign-out"); got != "Abmelden" {
			t.Errorf("German sign-out button %q", got)
		}
		do(t, ctx, "English", chromedp.Click(`a[hreflang="en"]`), chromedp.WaitVisible(`//h2[contains(., "No data yet")]`))
		if got := text(t, ctx, "#sign-out"); got != "Sign out" {
			t.Errorf("English sign-out button %q", got)
		}
		// Once the deferred scripts ran, htmx is configured not to evaluate code.
		cfg, err := chromedp.Run(ctx, chromedp.Poll[string](`document.readyState === "complete" && typeof htmx + ":" + htmx.config.allowEval + ":" + htmx.config.allowScripts`))
		if err != nil || cfg != "object:false:false" {
			t.Errorf("htmx config %q %v, want it loaded with allowEval and allowScripts off", cfg, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join("..", "artifacts")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "app-landing-"+filepath.Base(t.Name())+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "sign out", chromedp.Click("#sign-out"), chromedp.WaitReady("#email"))
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(loc, "/app/sign-in") {
			t.Errorf("after sign-out at %q %v", loc, err)
		}
		do(t, ctx, "closed", chromedp.Navigate(e.srv.URL+"/app/"), chromedp.WaitReady("#email"))
	})
}
