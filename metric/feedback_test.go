package metric

import (
	"errors"
	"testing"

	"github.com/cxmhq/cxm"
)

func TestNPS(t *testing.T) {
	// 40 promoters, 30 passives, 30 detractors, n = 100:
	// pP = 0.40, pD = 0.30, score = (0.40 − 0.30)·100 = 10.
	// var = (0.40 + 0.30 − 0.10²)/100 = 0.69/100 = 0.0069, √var = 0.0830662.
	// half-width = 1.959964·0.0830662·100 = 16.2807 → [−6.2807, 26.2807].
	nearEstimate(t, "NPS 40/30/30", NPS(NPSCounts{40, 30, 30}, Options{}), 10, -6.2807, 26.2807, 100, 1e-3)

	// All 50 promoters: score 100, variance (1 + 0 − 1)/50 = 0, so the
	// interval collapses to [100, 100].
	nearEstimate(t, "NPS all promoters", NPS(NPSCounts{50, 0, 0}, Options{}), 100, 100, 100, 50, 1e-9)

	// 20 promoters, 0 passives, 20 detractors, n = 40: score 0,
	// var = (0.5 + 0.5 − 0)/40 = 0.025, half = 1.959964·0.158114·100 = 30.99
	// → [−30.99, 30.99].
	nearEstimate(t, "NPS 20/0/20", NPS(NPSCounts{20, 0, 20}, Options{}), 0, -30.990, 30.990, 40, 1e-2)

	// 30 promoters, 0 detractors, 1 passive... interval clamps at 100:
	// pP = 30/31 = 0.9677, score 96.77, var = (0.9677 − 0.9365)/31 = 0.001007,
	// half = 1.96·0.03173·100 = 6.22 → upper 102.99 is clamped to 100.
	got := NPS(NPSCounts{30, 1, 0}, Options{})
	near(t, "NPS clamp upper", got.Upper, 100, 1e-9)
	near(t, "NPS clamp lower", got.Lower, 96.774-6.219, 1e-2)
}

func TestInsufficientData(t *testing.T) {
	tests := []struct {
		name string
		got  Estimate
		n    int64
	}{
		{"NPS n=29 below default 30", NPS(NPSCounts{20, 5, 4}, Options{}), 29},
		{"NPS n=0", NPS(NPSCounts{}, Options{MinN: 1}), 0},
		{"NPS n=40 below MinN 50", NPS(NPSCounts{20, 10, 10}, Options{MinN: 50}), 40},
		{"CSAT 3 answers", CSAT(Proportion{Hits: 3, N: 3}, Options{}), 3},
		{"rate more hits than n", Rate(Proportion{Hits: 50, N: 40}, Options{}), 40},
		{"rate negative n", Rate(Proportion{Hits: 0, N: -4}, Options{}), 0},
		{"mean one value with MinN 1", Mean(moments(4), Options{MinN: 1}), 1},
		{"response rate 12 deliveries", ResponseRate(3, 12, Options{}), 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Status != StatusInsufficient || tt.got.Sufficient() {
				t.Errorf("status = %q, want insufficient_data", tt.got.Status)
			}
			if tt.got.N != tt.n {
				t.Errorf("n = %d, want %d", tt.got.N, tt.n)
			}
			if tt.got.Value != 0 || tt.got.Lower != 0 || tt.got.Upper != 0 {
				t.Errorf("insufficient estimate carries a value: %+v", tt.got)
			}
		})
	}
	// Exactly the minimum n is enough.
	if got := NPS(NPSCounts{10, 10, 10}, Options{}); !got.Sufficient() {
		t.Errorf("NPS with n = 30 is %q, want ok", got.Status)
	}
}

func TestCSAT(t *testing.T) {
	// 45 of 60 answers are 4 or 5: 75%. Wilson with z = 1.959964:
	// centre = (0.75 + z²/120)/(1 + z²/60) = 0.73496,
	// half = z/(1 + z²/60)·√(0.75·0.25/60 + z²/14400) = 0.10728
	// → [62.768%, 84.223%].
	nearEstimate(t, "CSAT 45/60", CSAT(Proportion{Hits: 45, N: 60}, Options{}), 75, 62.768, 84.223, 60, 1e-3)

	var p Proportion
	for _, a := range []int{5, 4, 3, 2, 1, 4} {
		hit, err := TopTwoBox(a)
		if err != nil {
			t.Fatal(err)
		}
		p.Add(hit)
	}
	if want := (Proportion{Hits: 3, N: 6}); p != want {
		t.Errorf("counted %+v, want %+v", p, want)
	}
	for _, bad := range []int{0, 6, -1} {
		if _, err := TopTwoBox(bad); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("TopTwoBox(%d) error = %v, want invalid", bad, err)
		}
	}
}

func TestMeanTInterval(t *testing.T) {
	// Values 2, 4, 4, 4, 5, 5, 7, 9: n = 8, mean 5, Σ(x−5)² = 32,
	// s² = 32/7 = 4.571429, se = √(4.571429/8) = 0.755929,
	// t(7, 0.975) = 2.364624, half = 1.787488 → [3.212512, 6.787488].
	m := moments(2, 4, 4, 4, 5, 5, 7, 9)
	nearEstimate(t, "mean", Mean(m, Options{MinN: 2}), 5, 3.212512, 6.787488, 8, 1e-5)
	near(t, "variance", m.Variance(), 32.0/7, 1e-12)

	// Rating clamps the interval to the 1–5 scale: 1, 5, 5, 5 has mean 4,
	// s = 2, se = 1, t(3, 0.975) = 3.182446 → [0.8176, 7.1824] → [1, 5].
	nearEstimate(t, "rating", Rating(moments(1, 5, 5, 5), Options{MinN: 2}), 4, 1, 5, 4, 1e-9)
}

func TestCES(t *testing.T) {
	// Answers 1, 3, 5, 5, 6, 7, 7, 6: n = 8, sum 40, mean 5, sum of squares
	// 230, s² = (230 − 40²/8)/7 = 30/7 = 4.285714, se = 0.731925,
	// half = 2.364624·0.731925 = 1.730728 → [3.269272, 6.730728].
	// Easy answers (≥ 5): 6 of 8 = 75%, Wilson → [40.928%, 92.852%].
	var s CESStats
	for _, a := range []int{1, 3, 5, 5, 6, 7, 7, 6} {
		if err := s.Add(a); err != nil {
			t.Fatal(err)
		}
	}
	if s.Sum != 40 || s.SumSq != 230 || s.Easy != 6 {
		t.Fatalf("stats = %+v, want sum 40, sum of squares 230, easy 6", s)
	}
	got := CES(s, Options{MinN: 2})
	nearEstimate(t, "CES mean", got.Mean, 5, 3.269272, 6.730728, 8, 1e-5)
	nearEstimate(t, "CES easy", got.Easy, 75, 40.928, 92.852, 8, 1e-3)

	var e *cxm.Error
	if err := s.Add(8); !errors.As(err, &e) || e.Fields[0].Field != "answer" {
		t.Errorf("Add(8) error = %v, want invalid answer", err)
	}
	if s.N != 8 {
		t.Errorf("rejected answer was counted: n = %d", s.N)
	}
	merged := s.Merge(s)
	if merged.N != 16 || merged.Easy != 12 || merged.Sum != 80 {
		t.Errorf("merged = %+v, want n 16, easy 12, sum 80", merged)
	}
}

func TestNPSCountsAdd(t *testing.T) {
	var c NPSCounts
	for a := 0; a <= 10; a++ {
		if err := c.Add(a); err != nil {
			t.Fatal(err)
		}
	}
	if want := (NPSCounts{Promoters: 2, Passives: 2, Detractors: 7}); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	for _, bad := range []int{-1, 11} {
		if err := c.Add(bad); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("Add(%d) error = %v, want invalid", bad, err)
		}
	}
	if got := c.Merge(c).N(); got != 22 {
		t.Errorf("merged n = %d, want 22", got)
	}
}

func TestResponseRate(t *testing.T) {
	// 80 responses of 400 delivered: 20%. Wilson with z = 1.959964:
	// centre = (0.2 + z²/800)/(1 + z²/400) = 0.202854,
	// half = z/(1 + z²/400)·√(0.2·0.8/400 + z²/640000) = 0.039117
	// → [16.374%, 24.197%].
	nearEstimate(t, "response rate", ResponseRate(80, 400, Options{}), 20, 16.374, 24.197, 400, 1e-3)
}
