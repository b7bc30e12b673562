package metric

import (
	"reflect"
	"testing"
	"time"
)

func TestCohorts(t *testing.T) {
	utc := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, time.UTC) }
	purchases := [][]time.Time{
		// A: Jan 10, Feb 15, Mar 29 01:30 UTC (03:30 CEST on the day Berlin
		// changes to summer time). January cohort in both zones.
		{utc(1, 10, 9, 0), utc(2, 15, 9, 0), utc(3, 29, 1, 30)},
		// B: Jan 31 23:30 UTC is Feb 1 00:30 CET in Berlin, so B is a January
		// customer in UTC but a February one in Berlin. Mar 31 22:30 UTC is
		// Apr 1 00:30 CEST: April in Berlin only because of summer time (with
		// the winter offset it would still be March 31, 23:30).
		{utc(1, 31, 23, 30), utc(3, 31, 22, 30)},
		// C: Feb 5 and Feb 20 (one active month, counted once), Apr 2.
		{utc(2, 5, 12, 0), utc(2, 20, 12, 0), utc(4, 2, 12, 0)},
		// D: only after now, so not a customer yet.
		{utc(5, 1, 12, 0)},
		// E: out of order; the first purchase is Jan 20, the other Mar 10.
		{utc(3, 10, 12, 0), utc(1, 20, 12, 0)},
		// F: never bought.
		{},
	}
	now := utc(4, 15, 12, 0)
	type row struct {
		month  string
		size   int64
		active []int64
	}
	tests := []struct {
		name string
		loc  *time.Location
		want []row
	}{
		// UTC. January: A, B, E. Month 1 (Feb): A. Month 2 (Mar): A, B, E.
		// Month 3 (Apr): none. February: C, back in month 2 (Apr).
		{"UTC", time.UTC, []row{
			{"2026-01", 3, []int64{3, 1, 3, 0}},
			{"2026-02", 1, []int64{1, 0, 1}},
		}},
		// Berlin. January: A, E; Feb: A; Mar: A, E; Apr: none.
		// February: B, C; Mar: none; Apr: B (Apr 1 00:30 CEST) and C.
		{"Europe/Berlin", berlin(t), []row{
			{"2026-01", 2, []int64{2, 1, 2, 0}},
			{"2026-02", 2, []int64{2, 0, 2}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Cohorts(purchases, tt.loc, now, Options{MinN: 1})
			if got.Location != tt.name || got.Through != "2026-04" {
				t.Errorf("location %q through %q, want %q through 2026-04", got.Location, got.Through, tt.name)
			}
			if len(got.Cohorts) != len(tt.want) {
				t.Fatalf("got %d cohorts, want %d: %+v", len(got.Cohorts), len(tt.want), got.Cohorts)
			}
			for i, w := range tt.want {
				c := got.Cohorts[i]
				if c.Month != w.month || c.Size != w.size || !reflect.DeepEqual(c.Active, w.active) {
					t.Errorf("cohort %d = %s size %d active %v, want %s size %d active %v", i, c.Month, c.Size, c.Active, w.month, w.size, w.active)
				}
				if c.Start.Location() != tt.loc || c.Start.Day() != 1 || c.Start.Hour() != 0 {
					t.Errorf("cohort %d starts %v, want midnight on the 1st in %v", i, c.Start, tt.loc)
				}
				for k, e := range c.Retention {
					near(t, "retention", e.Value, float64(w.active[k])/float64(w.size)*100, 1e-9)
				}
			}
		})
	}
	// With the default minimum n the shares are withheld but the counts stay.
	got := Cohorts(purchases, time.UTC, now, Options{})
	if c := got.Cohorts[0]; c.Retention[1].Sufficient() || c.Active[1] != 1 {
		t.Errorf("tiny cohort retention = %v, active %v; want insufficient with counts", c.Retention[1], c.Active)
	}
	if empty := Cohorts(nil, nil, now, Options{}); len(empty.Cohorts) != 0 || empty.Location != "UTC" {
		t.Errorf("no purchases gave %+v", empty)
	}
}
