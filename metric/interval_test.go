package metric

import (
	"math"
	"testing"
)

func TestWilson(t *testing.T) {
	// 8 of 10 with z = 1.96: p = 0.8, z²/n = 0.38416, denom = 1.38416,
	// centre = (0.8 + 0.19208)/1.38416 = 0.716738,
	// half = 1.96/1.38416·√(0.016 + 0.009604) = 0.226577 → [0.490, 0.943].
	tests := []struct {
		hits, n      int64
		z            float64
		lower, upper float64
	}{
		{8, 10, 1.96, 0.490157, 0.943319},
		{0, 10, 1.96, 0, 0.277540},        // upper = z²/n / (1 + z²/n) = 0.38416/1.38416
		{10, 10, 1.96, 0.722460, 1},       // mirror image of 0 of 10
		{5, 10, 1.96, 0.236590, 0.763410}, // 0.5 ± 1.96/1.38416·√(0.025 + 0.009604)
		{0, 0, 1.96, 0, 1},                // no data: the whole range
	}
	for _, tt := range tests {
		lo, hi := Wilson(tt.hits, tt.n, tt.z)
		near(t, "Wilson lower", lo, tt.lower, 1e-6)
		near(t, "Wilson upper", hi, tt.upper, 1e-6)
	}
}

func TestOptionsCriticalValues(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"z at α=0.05", Options{}.z(), 1.959964},
		{"z at α=0.10", Options{Alpha: 0.10}.z(), 1.644854},
		{"z with α out of range falls back", Options{Alpha: 0.7}.z(), 1.959964},
		{"t(7) at α=0.05", Options{}.tCrit(7), 2.364624},
		{"t(30) at α=0.05", Options{}.tCrit(30), 2.042272},
	}
	for _, tt := range tests {
		near(t, tt.name, tt.got, tt.want, 1e-6)
	}
	if got := (Options{}).minN(); got != DefaultMinN {
		t.Errorf("default minN = %d, want %d", got, DefaultMinN)
	}
	if m := moments(); !math.IsNaN(m.Mean()) || !math.IsNaN(m.Variance()) {
		t.Errorf("empty moments mean/variance = %v/%v, want NaN", m.Mean(), m.Variance())
	}
}
