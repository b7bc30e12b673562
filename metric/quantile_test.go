package metric

import (
	"math"
	"testing"
)

// TestQuantile checks the type-7 quantile against values computed by hand
// (and by R's quantile()).
func TestQuantile(t *testing.T) {
	v := []float64{1, 2, 3, 4, 10}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.9, 7.6}, {1, 10}, {0.25, 2}} {
		if got := Quantile(v, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", v, c.q, got, c.want)
		}
	}
	if got := Quantile([]float64{5}, 0.9); got != 5 {
		t.Errorf("one value: %v", got)
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("no values: want NaN")
	}
}
