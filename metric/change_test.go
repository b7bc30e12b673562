package metric

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompareNPS(t *testing.T) {
	tests := []struct {
		name         string
		cur, prev    NPSCounts
		diff, lo, hi float64
		z, p         float64
		significant  bool
		direction    Direction
	}{
		// 40/30/30 (NPS 10, var 0.0069) against 30/30/40 (NPS −10, var 0.0069):
		// difference 20, se = 100·√(0.0069 + 0.0069) = 11.747340,
		// z = 20/11.747340 = 1.702513, p = 2·(1 − Φ(1.702513)) = 0.088659,
		// CI 20 ± 1.959964·11.747340 = [−3.0244, 43.0244]: noise.
		{"n=100 each", NPSCounts{40, 30, 30}, NPSCounts{30, 30, 40}, 20, -3.0244, 43.0244, 1.702513, 0.088659, false, NoSignificantChange},
		// The same shares with ten times the answers: se = 11.747340/√10
		// = 3.714835, z = 5.383819, p = 7.29e-8, CI [12.7191, 27.2809].
		{"n=1000 each", NPSCounts{400, 300, 300}, NPSCounts{300, 300, 400}, 20, 12.7191, 27.2809, 5.383819, 7.29e-8, true, Improved},
		{"reverse", NPSCounts{300, 300, 400}, NPSCounts{400, 300, 300}, -20, -27.2809, -12.7191, -5.383819, 7.29e-8, true, Deteriorated},
		// Both all promoters: no variance and no difference, p = 1.
		{"no variance", NPSCounts{50, 0, 0}, NPSCounts{40, 0, 0}, 0, 0, 0, 0, 1, false, NoSignificantChange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareNPS(tt.cur, tt.prev, Options{})
			if got.Status != StatusOK || got.Test != NPSZTest {
				t.Fatalf("status %q test %q", got.Status, got.Test)
			}
			near(t, "difference", got.Difference, tt.diff, 1e-9)
			near(t, "lower", got.Lower, tt.lo, 1e-3)
			near(t, "upper", got.Upper, tt.hi, 1e-3)
			near(t, "z", got.Statistic, tt.z, 1e-5)
			near(t, "p", got.P, tt.p, 1e-5)
			if got.Significant != tt.significant || got.Direction != tt.direction {
				t.Errorf("significant %v direction %q, want %v %q", got.Significant, got.Direction, tt.significant, tt.direction)
			}
		})
	}
}

func TestCompareProportions(t *testing.T) {
	// CSAT 60 of 100 now against 45 of 100 before: difference 15 points.
	// Pooled share 105/200 = 0.525, se₀ = √(0.525·0.475·(1/100 + 1/100))
	// = 0.070622, z = 0.15/0.070622 = 2.123977, p = 2·(1 − Φ(2.123977))
	// = 0.033672. Unpooled se = √(0.6·0.4/100 + 0.45·0.55/100) = 0.069821,
	// CI 15 ± 1.959964·6.9821 = [1.3153, 28.6847].
	got := CompareProportions(Proportion{60, 100}, Proportion{45, 100}, Options{})
	near(t, "difference", got.Difference, 15, 1e-9)
	near(t, "z", got.Statistic, 2.123977, 1e-5)
	near(t, "p", got.P, 0.033672, 1e-6)
	near(t, "lower", got.Lower, 1.3153, 1e-3)
	near(t, "upper", got.Upper, 28.6847, 1e-3)
	if !got.Significant || got.Direction != Improved {
		t.Errorf("significant %v direction %q, want improvement", got.Significant, got.Direction)
	}
	// A complaint rate that rose significantly has deteriorated.
	if got := (Proportion{60, 100}).Compare(Proportion{45, 100}, Options{LowerIsBetter: true}); got.Direction != Deteriorated {
		t.Errorf("rising complaint rate: direction %q, want deteriorated", got.Direction)
	}
	// At α = 0.01 the same difference is noise.
	if got := CompareProportions(Proportion{60, 100}, Proportion{45, 100}, Options{Alpha: 0.01}); got.Significant || got.Direction != NoSignificantChange {
		t.Errorf("at α = 0.01: significant %v direction %q", got.Significant, got.Direction)
	}
}

func TestCompareMeansWelch(t *testing.T) {
	// Wikipedia, "Welch's t-test", example 1 (A1 against A2, 15 values each):
	// means 20.82 and 22.986667, variances 7.867429 and 3.812667,
	// t = −2.166667/√(7.867429/15 + 3.812667/15) = −2.455356,
	// ν = (0.524495 + 0.254178)²/(0.524495²/14 + 0.254178²/14) = 24.988529,
	// p = 0.021378 (by numerical integration of the t density).
	a1 := moments(27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4)
	a2 := moments(27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4)
	got := CompareMeans(a1, a2, Options{MinN: 10})
	near(t, "difference", got.Difference, -2.166667, 1e-6)
	near(t, "t", got.Statistic, -2.455356, 1e-6)
	near(t, "df", got.DF, 24.988529, 1e-6)
	near(t, "p", got.P, 0.021378, 1e-6)
	// The interval is the difference ± t(ν, 0.975)·se with se = 0.882425 and
	// t(24.99, 0.975) = 2.059539.
	near(t, "lower", got.Lower, -2.166667-2.059539*0.882425, 1e-4)
	near(t, "upper", got.Upper, -2.166667+2.059539*0.882425, 1e-4)
	if !got.Significant || got.Direction != Deteriorated || got.Test != WelchTTest {
		t.Errorf("significant %v direction %q test %q", got.Significant, got.Direction, got.Test)
	}
	// Identical constant samples: no variance, no difference.
	same := moments(4, 4, 4, 4)
	if got := CompareMeans(same, same, Options{MinN: 2}); got.P != 1 || got.Significant {
		t.Errorf("identical samples: p %v significant %v", got.P, got.Significant)
	}
}

func TestCompareInsufficient(t *testing.T) {
	tests := []struct {
		name string
		got  Change
	}{
		{"NPS previous too small", CompareNPS(NPSCounts{40, 30, 30}, NPSCounts{5, 5, 5}, Options{})},
		{"CSAT current too small", CompareProportions(Proportion{3, 4}, Proportion{60, 100}, Options{})},
		{"means one value", CompareMeans(moments(3), moments(4, 5), Options{MinN: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Status != StatusInsufficient || tt.got.Significant || tt.got.Direction != NoSignificantChange {
				t.Errorf("got status %q significant %v direction %q", tt.got.Status, tt.got.Significant, tt.got.Direction)
			}
			b, err := json.Marshal(tt.got)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]any
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{"difference", "p", "lower", "upper", "statistic"} {
				if _, ok := top[key]; ok {
					t.Errorf("insufficient change JSON has %q: %s", key, b)
				}
			}
		})
	}
}

func TestChangeJSON(t *testing.T) {
	ch := CompareProportions(Proportion{60, 100}, Proportion{45, 100}, Options{})
	b, err := json.Marshal(ch)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"status":"ok"`, `"test":"two_proportion_z"`, `"significant":true`, `"direction":"improved"`, `"difference":`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), `"q"`) || strings.Contains(string(b), `"df"`) {
		t.Errorf("JSON %s has q or df for an unadjusted z-test", b)
	}
	var back Change
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Difference != ch.Difference || back.P != ch.P || back.Current != ch.Current || back.Direction != ch.Direction {
		t.Errorf("round trip = %+v, want %+v", back, ch)
	}
}
