package metric

import (
	"math"
	"testing"
)

// near reports a test error when got and want differ by more than tol.
func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f (±%g)", name, got, want, tol)
	}
}

// nearEstimate checks an estimate's value and interval and that it is ok.
func nearEstimate(t *testing.T, name string, got Estimate, value, lower, upper float64, n int64, tol float64) {
	t.Helper()
	if got.Status != StatusOK {
		t.Fatalf("%s status = %q, want ok", name, got.Status)
	}
	if got.N != n {
		t.Errorf("%s n = %d, want %d", name, got.N, n)
	}
	near(t, name+" value", got.Value, value, tol)
	near(t, name+" lower", got.Lower, lower, tol)
	near(t, name+" upper", got.Upper, upper, tol)
}

// moments returns the moments of values.
func moments(values ...float64) Moments {
	var m Moments
	for _, v := range values {
		m.Add(v)
	}
	return m
}
