package metric

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests need Europe/Berlin on machines without a zoneinfo database
)

// berlin loads Europe/Berlin or stops the test.
func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestBucketStart(t *testing.T) {
	ber := berlin(t)
	utc := time.UTC
	// 2026-03-29 is a Sunday; Europe/Berlin moves from CET (+01) to CEST
	// (+02) at 02:00 that day.
	tests := []struct {
		name string
		t    time.Time
		g    Granularity
		loc  *time.Location
		want time.Time
	}{
		{"Sunday belongs to the week from Monday", time.Date(2026, 3, 29, 12, 0, 0, 0, ber), Week, ber, time.Date(2026, 3, 23, 0, 0, 0, 0, ber)},
		{"Monday starts its own week", time.Date(2026, 3, 30, 0, 0, 0, 0, ber), Week, ber, time.Date(2026, 3, 30, 0, 0, 0, 0, ber)},
		{"Sunday 23:30 UTC is Monday 01:30 in Berlin", time.Date(2026, 3, 29, 23, 30, 0, 0, utc), Week, ber, time.Date(2026, 3, 30, 0, 0, 0, 0, ber)},
		{"the same instant is still Sunday in UTC", time.Date(2026, 3, 29, 23, 30, 0, 0, utc), Week, utc, time.Date(2026, 3, 23, 0, 0, 0, 0, utc)},
		{"week across a month start", time.Date(2026, 3, 1, 9, 0, 0, 0, utc), Week, utc, time.Date(2026, 2, 23, 0, 0, 0, 0, utc)},
		{"day on the DST change", time.Date(2026, 3, 29, 15, 0, 0, 0, ber), Day, ber, time.Date(2026, 3, 29, 0, 0, 0, 0, ber)},
		{"31 March 22:30 UTC is April in Berlin", time.Date(2026, 3, 31, 22, 30, 0, 0, utc), Month, ber, time.Date(2026, 4, 1, 0, 0, 0, 0, ber)},
		{"and March in UTC", time.Date(2026, 3, 31, 22, 30, 0, 0, utc), Month, utc, time.Date(2026, 3, 1, 0, 0, 0, 0, utc)},
		{"nil location means UTC", time.Date(2026, 3, 31, 22, 30, 0, 0, ber), Day, nil, time.Date(2026, 3, 31, 0, 0, 0, 0, utc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BucketStart(tt.t, tt.g, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("BucketStart = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBucketLengthsAcrossDST(t *testing.T) {
	ber := berlin(t)
	tests := []struct {
		name  string
		start time.Time
		g     Granularity
		want  time.Duration
	}{
		{"spring-forward day", time.Date(2026, 3, 29, 0, 0, 0, 0, ber), Day, 23 * time.Hour},
		{"fall-back day", time.Date(2026, 10, 25, 0, 0, 0, 0, ber), Day, 25 * time.Hour},
		{"ordinary day", time.Date(2026, 3, 30, 0, 0, 0, 0, ber), Day, 24 * time.Hour},
		{"week with spring-forward", time.Date(2026, 3, 23, 0, 0, 0, 0, ber), Week, 167 * time.Hour},
		{"March in Berlin", time.Date(2026, 3, 1, 0, 0, 0, 0, ber), Month, 31*24*time.Hour - time.Hour},
		{"February in UTC", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Month, 28 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := NextBucket(tt.start, tt.g).Sub(tt.start); got != tt.want {
			t.Errorf("%s lasts %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBucketLabel(t *testing.T) {
	tests := []struct {
		start time.Time
		g     Granularity
		want  string
	}{
		{time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), Day, "2026-03-30"},
		{time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), Week, "2026-W14"},
		{time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), Week, "2026-W13"},
		{time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), Week, "2026-W53"}, // 2026 starts on a Thursday, so it has 53 ISO weeks
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Month, "2026-03"},
	}
	for _, tt := range tests {
		if got := BucketLabel(tt.start, tt.g); got != tt.want {
			t.Errorf("BucketLabel(%v, %s) = %q, want %q", tt.start, tt.g, got, tt.want)
		}
	}
}

func TestBuckets(t *testing.T) {
	ber := berlin(t)
	from := time.Date(2026, 3, 28, 12, 0, 0, 0, ber)
	to := time.Date(2026, 3, 31, 0, 0, 0, 0, ber)
	got := Buckets(from, to, Day, ber, 0)
	want := []string{"2026-03-28", "2026-03-29", "2026-03-30"}
	if len(got) != len(want) {
		t.Fatalf("Buckets = %v, want %v", got, want)
	}
	for i := range want {
		if l := BucketLabel(got[i], Day); l != want[i] {
			t.Errorf("bucket %d = %s, want %s", i, l, want[i])
		}
	}
	if got := Buckets(from, to, Day, ber, 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d buckets", len(got))
	}
	if got := Buckets(to, from, Day, ber, 0); len(got) != 0 {
		t.Errorf("empty range gave %d buckets", len(got))
	}
}

func TestParseGranularity(t *testing.T) {
	for _, s := range []string{"day", "week", "month"} {
		if g, err := ParseGranularity(s); err != nil || string(g) != s {
			t.Errorf("ParseGranularity(%q) = %q, %v", s, g, err)
		}
	}
	if _, err := ParseGranularity("fortnight"); err == nil {
		t.Error("ParseGranularity(fortnight) succeeded")
	}
}

func TestPreviousPeriod(t *testing.T) {
	ber := berlin(t)
	d := func(y int, m time.Month, day, h int) time.Time { return time.Date(y, m, day, h, 0, 0, 0, ber) }
	tests := []struct {
		name string
		in   Period
		want Period
	}{
		{"March follows February", Period{d(2026, 3, 1, 0), d(2026, 4, 1, 0)}, Period{d(2026, 2, 1, 0), d(2026, 3, 1, 0)}},
		{"a quarter", Period{d(2026, 1, 1, 0), d(2026, 4, 1, 0)}, Period{d(2025, 10, 1, 0), d(2026, 1, 1, 0)}},
		{"a week after the DST change", Period{d(2026, 3, 30, 0), d(2026, 4, 6, 0)}, Period{d(2026, 3, 23, 0), d(2026, 3, 30, 0)}},
		{"four hours", Period{d(2026, 5, 5, 10), d(2026, 5, 5, 14)}, Period{d(2026, 5, 5, 6), d(2026, 5, 5, 10)}},
	}
	for _, tt := range tests {
		got := PreviousPeriod(tt.in, ber)
		if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
			t.Errorf("%s: PreviousPeriod = %v – %v, want %v – %v", tt.name, got.From, got.To, tt.want.From, tt.want.To)
		}
	}
}

func TestSamePeriodLastYear(t *testing.T) {
	ber := berlin(t)
	tests := []struct {
		in, want Period
	}{
		{Period{time.Date(2026, 3, 1, 0, 0, 0, 0, ber), time.Date(2026, 4, 1, 0, 0, 0, 0, ber)},
			Period{time.Date(2025, 3, 1, 0, 0, 0, 0, ber), time.Date(2025, 4, 1, 0, 0, 0, 0, ber)}},
		{Period{time.Date(2028, 2, 29, 0, 0, 0, 0, ber), time.Date(2028, 3, 1, 0, 0, 0, 0, ber)},
			Period{time.Date(2027, 2, 28, 0, 0, 0, 0, ber), time.Date(2027, 3, 1, 0, 0, 0, 0, ber)}},
	}
	for _, tt := range tests {
		got := SamePeriodLastYear(tt.in, ber)
		if !got.From.Equal(tt.want.From) || !got.To.Equal(tt.want.To) {
			t.Errorf("SamePeriodLastYear(%v) = %v – %v, want %v – %v", tt.in, got.From, got.To, tt.want.From, tt.want.To)
		}
	}
}
