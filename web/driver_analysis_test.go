package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// driverAnswer is the part of the driver analysis the tests read.
type driverAnswer struct {
	Status     string
	Reason     string
	Method     string
	N          int
	Answers    int
	Identified int
	R2         float64
	Drivers    []struct {
		Name        string
		Family      string
		Kind        string
		Reference   string
		Rank        int
		Importance  float64
		Rescaled    float64
		Correlation float64
		Quadrant    string
		Covered     int
	}
	Excluded []cxm.ExcludedDriver
}

// seedDriverAPI stores, through the API, 40 customers of A with an NPS
// answer each: the 10 who complained at the hotline the day before answer
// 2 to 4, the others 7 to 10, a little higher when they are vip. The
// customers' plan (basic or plus) plays no part.
func seedDriverAPI(e *env) int64 {
	e.t.Helper()
	a := e.a.writeKey
	e.call("POST", "/api/v1/touchpoints", a, map[string]any{"key": "hotline", "name": "Hotline", "stage": "receipt", "channel": "phone"}, 201)
	var s cxm.Survey
	e.call("POST", "/api/v1/surveys", a, surveyBody("drivers", cxm.SurveyActive, "hotline"), 201).decode(e.t, &s)
	yesterday := time.Now().UTC().Add(-24 * time.Hour).Format(time.RFC3339)
	for i := range 40 {
		id := fmt.Sprintf("d%d", i)
		vip := i%3 == 0
		e.call("POST", "/api/v1/customers", a, map[string]any{"external_id": id, "email": id + "@example.com",
			"attributes": map[string]any{"vip": vip, "plan": []string{"basic", "plus"}[(i/4)%2]}}, 201)
		nps := 7 + i%3
		if vip {
			nps++
		}
		if i%4 == 0 {
			nps = 2 + i%3
			e.call("POST", "/api/v1/interactions", a, map[string]any{"id": "x" + id, "customer": id, "touchpoint": "hotline",
				"type": "complaint", "occurred_at": yesterday}, 200)
		}
		e.call("POST", "/api/v1/surveys/"+itoa(s.ID)+"/responses", a, map[string]any{"id": "r" + id, "customer": id, "completed": true,
			"answers": map[string]any{"nps": nps}}, 201)
	}
	return s.ID
}

func TestDriverAnalysisAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		survey := seedDriverAPI(e)
		read := e.a.readKey
		tomorrow := time.Now().In(e.a.ws.Location()).AddDate(0, 0, 1).Format(time.DateOnly)

		for _, method := range []string{"relative_weights", "lmg"} {
			var got driverAnswer
			e.call("GET", "/api/v1/analysis/drivers?method="+method+"&survey="+itoa(survey)+"&to="+tomorrow, read, nil, 200).decode(t, &got)
			if got.Status != "ok" || got.Method != method || got.N != 40 || got.Answers != 40 || got.Identified != 40 || got.R2 < 0.5 {
				t.Fatalf("%s: %+v; want ok over 40 answers with most variance explained", method, got)
			}
			names := []string{}
			var sum float64
			for _, d := range got.Drivers {
				names = append(names, d.Name)
				sum += d.Rescaled
				if d.Quadrant == "" || d.Covered != 40 {
					t.Errorf("%s: driver %+v lacks a quadrant or covers not all 40 answers", method, d)
				}
			}
			if len(got.Drivers) < 3 || got.Drivers[0].Name != "flag:hotline:complaint" || got.Drivers[0].Correlation >= 0 ||
				got.Drivers[0].Family != "touchpoints" || got.Drivers[0].Kind != "experience_flag" {
				t.Errorf("%s: drivers %v; want the hotline complaint first, negatively related", method, names)
			}
			if !slices.Contains(names, "attribute:vip") || sum < 99.9 || sum > 100.1 {
				t.Errorf("%s: drivers %v with rescaled sum %.2f; want attribute:vip and a sum of 100", method, names, sum)
			}
			if i := slices.Index(names, "attribute:plan=plus"); i < 0 || got.Drivers[i].Reference != "basic" && got.Drivers[i].Reference != "plus" {
				if j := slices.Index(names, "attribute:plan=basic"); j < 0 || got.Drivers[j].Reference != "plus" {
					t.Errorf("%s: drivers %v; want plan as one dummy against a reference level", method, names)
				}
			}
		}

		// Only the attributes: the complaint is gone, vip leads.
		var attrs driverAnswer
		e.call("GET", "/api/v1/analysis/drivers?families=attributes", read, nil, 200).decode(t, &attrs)
		for _, d := range attrs.Drivers {
			if d.Family != "attributes" {
				t.Errorf("families=attributes gave %+v", d)
			}
		}
		if attrs.Status != "ok" || len(attrs.Drivers) == 0 || attrs.Drivers[0].Name != "attribute:vip" {
			t.Errorf("attributes only: %+v; want vip first", attrs)
		}

		// Below min n the figures are withheld, n is kept.
		var low driverAnswer
		e.call("GET", "/api/v1/analysis/drivers?min_n=41", read, nil, 200).decode(t, &low)
		if low.Status != "insufficient_data" || low.N != 40 || low.R2 != 0 || len(low.Drivers) != 0 || low.Reason == "" {
			t.Errorf("min_n 41: %+v; want insufficient_data with n 40 and no figures", low)
		}
		// Before the answers there is nothing.
		e.call("GET", "/api/v1/analysis/drivers?to=2020-01-01", read, nil, 200).decode(t, &low)
		if low.Status != "insufficient_data" || low.Answers != 0 {
			t.Errorf("empty period: %+v", low)
		}
		// B sees none of A's answers.
		e.call("GET", "/api/v1/analysis/drivers?min_n=1", e.b.readKey, nil, 200).decode(t, &low)
		if low.Answers != 0 {
			t.Errorf("workspace B sees %d answers", low.Answers)
		}

		for _, c := range []struct{ query, field string }{
			{"method=ols", "method"},
			{"families=touchpoints,moods", "families"},
			{"from=2026-13-01", "from"},
			{"to=yesterday", "to"},
			{"from=2026-02-01&to=2026-01-01", "to"},
			{"min_n=0", "min_n"},
			{"survey=abc", "survey"},
			{"window_days=99999", "window_days"},
		} {
			r := e.call("GET", "/api/v1/analysis/drivers?"+c.query, read, nil, 400)
			if f := r.errorFields(); !slices.ContainsFunc(f, func(s string) bool { return strings.HasPrefix(s, c.field+":") }) {
				t.Errorf("%s: fields %v, want %s", c.query, f, c.field)
			}
		}
		e.call("GET", "/api/v1/analysis/drivers?survey=999999999", read, nil, 404)
	})
}
