package metric

import (
	"testing"
	"time"
)

func TestRepeatPurchases(t *testing.T) {
	// Customers with 0, 1, 2, 5, 1, 3 purchases: 5 bought at least once and
	// 3 of them at least twice → 60%.
	got := RepeatPurchases([]int{0, 1, 2, 5, 1, 3})
	if want := (Proportion{Hits: 3, N: 5}); got != want {
		t.Errorf("RepeatPurchases = %+v, want %+v", got, want)
	}
	// Wilson for 3 of 5 (z = 1.959964): centre = (0.6 + 0.384146)/1.768292
	// = 0.556553, half = 1.959964/1.768292·√(0.048 + 0.038415) = 0.325826
	// → [23.072%, 88.238%].
	nearEstimate(t, "repeat rate", RepeatPurchaseRate([]int{0, 1, 2, 5, 1, 3}, Options{MinN: 1}), 60, 23.072, 88.238, 5, 2e-3)
	if got := RepeatPurchaseRate([]int{0, 1, 2, 5, 1, 3}, Options{}); got.Sufficient() {
		t.Errorf("5 customers gave %v with the default minimum n", got)
	}
}

func TestRates(t *testing.T) {
	tests := []struct {
		name  string
		got   Estimate
		value float64
		n     int64
	}{
		{"referral 12 of 200", ReferralRate(12, 200, Options{}), 6, 200},
		{"complaints 30 of 1200 orders", ComplaintRate(30, 1200, Options{}), 2.5, 1200},
		{"recovered 18 of 40 detractors", RecoveryRate(18, 40, Options{}), 45, 40},
	}
	for _, tt := range tests {
		if !tt.got.Sufficient() || tt.got.N != tt.n {
			t.Fatalf("%s: %+v, want ok with n %d", tt.name, tt.got, tt.n)
		}
		near(t, tt.name, tt.got.Value, tt.value, 1e-9)
		if tt.got.Lower >= tt.value || tt.got.Upper <= tt.value {
			t.Errorf("%s: interval [%v, %v] does not contain %v", tt.name, tt.got.Lower, tt.got.Upper, tt.value)
		}
	}
}

func TestReviewSummary(t *testing.T) {
	got := ReviewSummary(moments(5, 4, 4), Options{})
	if got.Count != 3 || got.Mean.Sufficient() {
		t.Errorf("3 reviews = %+v, want count 3 and insufficient mean", got)
	}
	got = ReviewSummary(moments(5, 4, 4), Options{MinN: 2})
	near(t, "review mean", got.Mean.Value, 13.0/3, 1e-12)
}

func TestChurn(t *testing.T) {
	now := time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	last := []time.Time{
		now.Add(-10 * day),              // active
		now.Add(-90 * day),              // exactly 90 days: churned
		now.Add(-89*day - 23*time.Hour), // 89 days 23 hours: still active
		now.Add(-400 * day),             // churned
		{},                              // never bought: skipped
		now.Add(2 * day),                // after now: active
	}
	got := Churn(last, now, 90, Options{MinN: 1})
	if got.Customers != 5 || got.Churned != 2 {
		t.Errorf("Churn = %d of %d, want 2 of 5", got.Churned, got.Customers)
	}
	near(t, "churn rate", got.Rate.Value, 40, 1e-9)
	if Churn(last, now, 90, Options{}).Rate.Sufficient() {
		t.Error("5 customers gave a churn rate with the default minimum n")
	}
}
