package metric

import (
	"math"
	"testing"
)

func TestBenjaminiHochberg(t *testing.T) {
	// Benjamini & Hochberg (1995), section 4: 15 p-values. Adjusted
	// q(i) = min over j ≥ i of p(j)·15/j, e.g. q(4) = min(0.0095·15/4 = 0.035625,
	// later ones) = 0.035625, q(5) = 0.0201·15/5 = 0.0603, and
	// q(6) = q(7) = 0.0298·15/7 = 0.063857 because p(7)·15/7 < p(6)·15/6.
	// At FDR 0.05 the first four are discoveries.
	p := []float64{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000}
	want := []float64{0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.063857, 0.063857, 0.0645, 0.0765, 0.486, 0.581182, 0.714875, 0.753231, 0.813214, 1}
	got := BenjaminiHochberg(p)
	for i := range want {
		near(t, "q", got[i], want[i], 1e-6)
	}
	n := 0
	for _, d := range Discoveries(got, 0.05) {
		if d {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d discoveries at FDR 0.05, want 4", n)
	}

	// Order does not matter, and NaN (a test not run) is skipped: with
	// p = 0.04, 0.01 and 0.03 (m = 3), q = 0.04, 0.03, 0.04·… →
	// sorted 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04 → q of 0.03
	// is min(0.045, 0.04) = 0.04.
	got = BenjaminiHochberg([]float64{0.04, math.NaN(), 0.01, 0.03})
	wantQ := []float64{0.04, math.NaN(), 0.03, 0.04}
	for i := range wantQ {
		if math.IsNaN(wantQ[i]) {
			if !math.IsNaN(got[i]) {
				t.Errorf("q[%d] = %v, want NaN", i, got[i])
			}
			continue
		}
		near(t, "q", got[i], wantQ[i], 1e-12)
	}
	if len(BenjaminiHochberg(nil)) != 0 {
		t.Error("no p-values gave q-values")
	}
}

func TestAdjustChanges(t *testing.T) {
	// Two changes: p = 0.033672 (CSAT 60% vs 45%) and p = 0.088659 (NPS
	// n=100). BH with m = 2: q₁ = min(0.033672·2, 0.088659) = 0.067344 > 0.05,
	// so after the correction nothing is significant; the insufficient one
	// is not counted.
	cs := []Change{
		CompareProportions(Proportion{60, 100}, Proportion{45, 100}, Options{}),
		CompareNPS(NPSCounts{40, 30, 30}, NPSCounts{30, 30, 40}, Options{}),
		CompareNPS(NPSCounts{4, 3, 3}, NPSCounts{3, 3, 4}, Options{}),
	}
	if !cs[0].Significant {
		t.Fatal("the CSAT change should be significant before the correction")
	}
	AdjustChanges(cs, Options{})
	near(t, "q0", cs[0].Q, 0.067344, 1e-5)
	near(t, "q1", cs[1].Q, 0.088659, 1e-5)
	if cs[0].Significant || cs[0].Direction != NoSignificantChange || !cs[0].Adjusted {
		t.Errorf("after BH: significant %v direction %q adjusted %v", cs[0].Significant, cs[0].Direction, cs[0].Adjusted)
	}
	if cs[2].Adjusted {
		t.Error("an insufficient change was adjusted")
	}
}
