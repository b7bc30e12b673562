package metric

import (
	"reflect"
	"strings"
	"testing"
)

// weakSpotFixture is a month of NPS per touchpoint in which late deliveries
// pulled the delivery touchpoint down.
//
// Overall current: promoters 200+400+20+500+45+5 = 1170, detractors
// 400+200+40+100+60+2 = 802, n = 2640 → NPS 13.939. Volumes total 14,010
// (returns has none given, so its n of 10 counts).
//
//	delivery  NPS −25 (was 18.75): share 35.689%, shortfall 38.939, impact 13.897
//	billing   NPS −10 (was 10, p = 0.0371): share 10.707%, shortfall 23.939, impact 2.563
//	support   NPS −25, CI [−43.2, −6.8] < 13.9: share 3.569%, impact 1.390
//	checkout  NPS 25 [19.3, 30.7], above overall but below its target 40
//	website   NPS 50, fine; returns n = 10, insufficient
func weakSpotFixture() []TouchpointFigures[NPSCounts] {
	target := 40.0
	return []TouchpointFigures[NPSCounts]{
		{Key: "website", Volume: 3000, Current: NPSCounts{500, 200, 100}, Previous: NPSCounts{480, 220, 100}},
		{Key: "checkout", Volume: 4000, Current: NPSCounts{400, 200, 200}, Previous: NPSCounts{400, 200, 200}, Target: &target},
		{Key: "delivery", Volume: 5000, Current: NPSCounts{200, 200, 400}, Previous: NPSCounts{350, 250, 200}},
		{Key: "support", Volume: 500, Current: NPSCounts{20, 20, 40}, Previous: NPSCounts{20, 20, 40}},
		{Key: "billing", Volume: 1500, Current: NPSCounts{45, 45, 60}, Previous: NPSCounts{60, 45, 45}},
		{Key: "returns", Current: NPSCounts{5, 3, 2}, Previous: NPSCounts{5, 3, 2}},
	}
}

func TestWeakSpots(t *testing.T) {
	type spot struct {
		key     string
		reasons []Reason
		impact  float64
	}
	tests := []struct {
		name   string
		adjust bool
		want   []spot
	}{
		// Without the correction billing's drop (p = 0.037) counts, so it
		// ranks with delivery among the deteriorations.
		{"unadjusted", false, []spot{
			{"delivery", []Reason{ReasonBelowOverall, ReasonDeteriorated}, 13.897},
			{"billing", []Reason{ReasonBelowOverall, ReasonDeteriorated}, 2.563},
			{"support", []Reason{ReasonBelowOverall}, 1.390},
			{"checkout", []Reason{ReasonBelowTarget}, 0},
		}},
		// With Benjamini–Hochberg over the five testable touchpoints, billing's
		// q = 0.0371·5/2 = 0.093 > 0.05: only its low score remains.
		{"BH-adjusted", true, []spot{
			{"delivery", []Reason{ReasonBelowOverall, ReasonDeteriorated}, 13.897},
			{"billing", []Reason{ReasonBelowOverall}, 2.563},
			{"support", []Reason{ReasonBelowOverall}, 1.390},
			{"checkout", []Reason{ReasonBelowTarget}, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := WeakSpots(weakSpotFixture(), WeakSpotOptions{Adjust: tt.adjust})
			near(t, "overall", rep.Overall.Value, 13.939, 1e-3)
			if rep.Tested != 5 || !reflect.DeepEqual(rep.Insufficient, []string{"returns"}) {
				t.Errorf("tested %d insufficient %v, want 5 and [returns]", rep.Tested, rep.Insufficient)
			}
			if len(rep.Spots) != len(tt.want) {
				t.Fatalf("got %d spots, want %d: %+v", len(rep.Spots), len(tt.want), rep.Spots)
			}
			for i, w := range tt.want {
				got := rep.Spots[i]
				if got.Key != w.key || got.Rank != i+1 || !reflect.DeepEqual(got.Reasons, w.reasons) {
					t.Errorf("rank %d = %s %v, want %s %v", i+1, got.Key, got.Reasons, w.key, w.reasons)
				}
				near(t, w.key+" impact", got.Impact, w.impact, 1e-3)
			}
			if d := rep.Spots[0]; d.Change.Q != 0 != tt.adjust {
				t.Errorf("delivery q = %v with adjust %v", d.Change.Q, tt.adjust)
			}
			if s := rep.Spots[0].Explain(); !strings.Contains(s, "delivery") || !strings.Contains(s, "fell by 43.8") {
				t.Errorf("Explain() = %q", s)
			}
		})
	}
}

func TestWeakSpotsCSATAndEdges(t *testing.T) {
	// CSAT: app 300 of 400 (75%), branch 130 of 200 (65%, Wilson upper
	// 71.4%) against an overall 430/600 = 71.667% → branch is below overall
	// with shortfall 6.667 and share 1/3 (volume defaults to n) → impact 2.222.
	rep := WeakSpots([]TouchpointFigures[Proportion]{
		{Key: "app", Current: Proportion{300, 400}, Previous: Proportion{290, 400}},
		{Key: "branch", Current: Proportion{130, 200}, Previous: Proportion{128, 200}},
	}, WeakSpotOptions{})
	if len(rep.Spots) != 1 || rep.Spots[0].Key != "branch" {
		t.Fatalf("spots = %+v, want only branch", rep.Spots)
	}
	near(t, "branch impact", rep.Spots[0].Impact, 2.2222, 1e-3)
	near(t, "branch share", rep.Spots[0].VolumeShare, 100.0/3, 1e-9)

	if rep := WeakSpots[NPSCounts](nil, WeakSpotOptions{}); rep.Overall.Sufficient() || len(rep.Spots) != 0 {
		t.Errorf("no touchpoints gave %+v", rep)
	}
}
