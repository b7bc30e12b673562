package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/demo"
)

// scriptTag matches every script element's opening tag.
var scriptTag = regexp.MustCompile(`<script[^>]*>`)

// overviewTile returns the HTML of the overview tile headed label.
func overviewTile(t *testing.T, body, label string) string {
	t.Helper()
	i := strings.Index(body, "<h2>"+label+"</h2>")
	if i < 0 {
		t.Fatalf("no tile %q in %s", label, body)
	}
	tile := body[i:]
	if j := strings.Index(tile, "</div>"); j >= 0 {
		tile = tile[:j]
	}
	return tile
}

// TestAppOverview proves the overview's figures on the hand-computed data
// set in both languages, that the URL's filters change them, that low n
// says so, that bad filters give a 400 page naming them, and that the
// page has no inline script or style.
func TestAppOverview(t *testing.T) {
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		berlinResponses(t, e, clock)
		c := e.appSignIn(e.a.adminEmail)
		get := func(query string) (int, string) {
			r := e.do(request{method: "GET", path: "/app/?" + query, client: c})
			return r.status, string(r.body)
		}
		// March 2026 (Berlin): promoters 10, 9, 10 and detractors 3, 0, so
		// NPS = (3 − 2) / 5 = 20 with n = 5; the 1 April answer is outside.
		status, body := get("period=2026-03&min_n=4&lang=de")
		if status != http.StatusOK {
			t.Fatalf("overview: %d %s", status, body)
		}
		nps := overviewTile(t, body, "NPS")
		if !strings.Contains(nps, `<p class="value">20,0</p>`) || !strings.Contains(nps, "n = 5") {
			t.Errorf("German NPS tile: %s", nps)
		}
		// No responses in February: the change cannot be told.
		if !strings.Contains(nps, "kein Vergleich (zu wenig Daten)") || strings.Contains(nps, "signifikant") {
			t.Errorf("German NPS change: %s", nps)
		}
		if vol := overviewTile(t, body, "Antworten"); !strings.Contains(vol, `<p class="value">5</p>`) {
			t.Errorf("volume tile: %s", vol)
		}
		if !strings.Contains(body, "<th scope=\"row\">Promotoren (9–10)</th><td>3</td><td>60,0 %</td>") ||
			!strings.Contains(body, "<th scope=\"row\">Kritiker (0–6)</th><td>2</td><td>40,0 %</td>") {
			t.Errorf("distribution missing: %s", body)
		}
		// Week 14 (from 30 March) holds 2 March answers: below min n 4.
		if !strings.Contains(body, "<td>2026-W14</td><td>zu wenig Daten</td><td>2</td>") {
			t.Errorf("low-n week not marked: %s", body)
		}
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if !strings.Contains(tag, ` src="/app/static/`) {
				t.Errorf("inline script %s", tag)
			}
		}
		if strings.Contains(body, "style=") || strings.Contains(body, " onclick=") {
			t.Errorf("inline style or handler in %s", body)
		}
		// English, same figures.
		_, body = get("period=2026-03&min_n=4&lang=en")
		if nps := overviewTile(t, body, "NPS"); !strings.Contains(nps, `<p class="value">20.0</p>`) || !strings.Contains(nps, "n = 5") {
			t.Errorf("English NPS tile: %s", nps)
		}
		// The delivery filter leaves 3 answers in March: below min n 4.
		_, body = get("period=2026-03&min_n=4&touchpoint=delivery&lang=en")
		nps = overviewTile(t, body, "NPS")
		if !strings.Contains(nps, "not enough data") || !strings.Contains(nps, "n = 3") || strings.Contains(nps, `<p class="value">`) {
			t.Errorf("filtered English NPS tile: %s", nps)
		}
		_, body = get("period=2026-03&min_n=4&touchpoint=delivery&lang=de")
		if nps := overviewTile(t, body, "NPS"); !strings.Contains(nps, "zu wenig Daten") || !strings.Contains(nps, "n = 3") {
			t.Errorf("filtered German NPS tile: %s", nps)
		}
		// With min n 3 the delivery figure shows: (2 − 1) / 3.
		_, body = get("period=2026-03&min_n=3&touchpoint=delivery&lang=en")
		if nps := overviewTile(t, body, "NPS"); !strings.Contains(nps, `<p class="value">33.3</p>`) {
			t.Errorf("delivery NPS: %s", nps)
		}
		// Hotline in March answered on the phone channel only.
		_, body = get("period=2026-03&min_n=1&channel=email&lang=en")
		if vol := overviewTile(t, body, "Responses"); !strings.Contains(vol, `<p class="value">0</p>`) {
			t.Errorf("email channel volume: %s", vol)
		}
		// Bad values give a 400 page naming the field, never a 500.
		for query, field := range map[string]string{
			"period=2026-13":      "period",
			"period=7":            "period",
			"channel=fax":         "channel",
			"touchpoint=nowhere":  "touchpoint",
			"locale=%3Cscript%3E": "locale",
			"min_n=0":             "min_n",
			"colour=red":          "colour",
			"period=30&period=90": "period",
		} {
			status, body := get(query + "&lang=en")
			if status != http.StatusBadRequest || !strings.Contains(body, "Invalid filter") || !strings.Contains(body, "<strong>"+field+"</strong>") {
				t.Errorf("%s: %d, want 400 naming %s: %s", query, status, field, body)
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("%s: unescaped input in %s", query, body)
			}
		}
	})
}

// TestAppOverviewDemoTiming renders the overview over a year of the demo
// company and logs the mean server-side time per page; it asserts the
// page, not the time.
func TestAppOverviewDemoTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data")
	}
	forEachClockEnv(t, func(t *testing.T, e *env, clock *testClock) {
		now := time.Now().UTC()
		clock.set(now)
		d := demo.Generate(now, demo.Options{Customers: 400})
		s := demo.Services{Touchpoints: e.db, Customers: e.db, Interactions: e.db, Surveys: e.db, Responses: e.db}
		if _, err := demo.Load(context.Background(), s, e.a.ws.ID, d); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.RebuildRollups(context.Background(), e.a.ws.ID); err != nil {
			t.Fatal(err)
		}
		c := e.appSignIn(e.a.adminEmail)
		const rounds = 20
		start := time.Now()
		var body string
		for range rounds {
			r := e.do(request{method: "GET", path: "/app/?period=365&lang=en", client: c})
			if r.status != http.StatusOK {
				t.Fatalf("overview: %d %s", r.status, r.body)
			}
			body = string(r.body)
		}
		t.Logf("overview over the demo data: %v per page (mean of %d, HTTP round trip included)", time.Since(start)/rounds, rounds)
		if nps := overviewTile(t, body, "NPS"); !strings.Contains(nps, `<p class="value">`) || strings.Contains(nps, "n = 0") {
			t.Errorf("demo NPS tile: %s", nps)
		}
	})
}
