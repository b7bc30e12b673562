package metric

import (
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// Granularity is the size of a time bucket.
type Granularity string

// The granularities of time buckets. Days, weeks and months follow the
// workspace's time zone, and weeks start on Monday.
const (
	// Day is a calendar day, from midnight to midnight.
	Day Granularity = "day"
	// Week runs from Monday 00:00 to the next Monday 00:00.
	Week Granularity = "week"
	// Month is a calendar month.
	Month Granularity = "month"
)

// ParseGranularity returns the granularity named s: "day", "week" or
// "month".
func ParseGranularity(s string) (Granularity, error) {
	switch g := Granularity(s); g {
	case Day, Week, Month:
		return g, nil
	}
	return "", cxm.Invalid(cxm.FieldError{Field: "granularity", Reason: fmt.Sprintf("%q is not one of day, week, month", s)})
}

// BucketStart returns the start of the day, week (from Monday) or month that
// contains t in loc, as a time in loc. A nil loc means UTC. Buckets follow
// the calendar of loc, so a day across a change to or from daylight saving
// time lasts 23 or 25 hours.
func BucketStart(t time.Time, g Granularity, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	switch g {
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	default:
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
}

// NextBucket returns the start of the bucket after the one that starts at
// start, in start's location.
func NextBucket(start time.Time, g Granularity) time.Time {
	y, m, d := start.Date()
	switch g {
	case Week:
		return time.Date(y, m, d+7, 0, 0, 0, 0, start.Location())
	case Month:
		return time.Date(y, m+1, 1, 0, 0, 0, 0, start.Location())
	default:
		return time.Date(y, m, d+1, 0, 0, 0, 0, start.Location())
	}
}

// BucketLabel names the bucket that starts at start: "2026-03-30" for a day,
// "2026-W14" (ISO week, which starts on Monday) for a week and "2026-03" for
// a month.
func BucketLabel(start time.Time, g Granularity) string {
	switch g {
	case Week:
		y, w := start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Month:
		return start.Format("2006-01")
	default:
		return start.Format("2006-01-02")
	}
}

// Buckets returns the starts of all buckets that overlap [from, to) in loc,
// in order, so that a series can show empty buckets too. It returns at most
// limit starts (no limit when limit ≤ 0).
func Buckets(from, to time.Time, g Granularity, loc *time.Location, limit int) []time.Time {
	var out []time.Time
	for b := BucketStart(from, g, loc); b.Before(to); b = NextBucket(b, g) {
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, b)
	}
	return out
}

// Period is the half-open time range [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PreviousPeriod returns the period of the same length just before p. When
// both ends of p are month starts in loc it goes back by whole months (so
// March compares with February); when both are midnights it goes back by
// calendar days (so a week across a daylight-saving change compares with the
// week before); otherwise it goes back by p's duration. A nil loc means UTC.
func PreviousPeriod(p Period, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	from, to := p.From.In(loc), p.To.In(loc)
	fy, fm, fd := from.Date()
	ty, tm, td := to.Date()
	switch {
	case isMidnight(from) && isMidnight(to) && fd == 1 && td == 1:
		months := (ty-fy)*12 + int(tm-fm)
		return Period{From: time.Date(fy, fm-time.Month(months), 1, 0, 0, 0, 0, loc), To: from}
	case isMidnight(from) && isMidnight(to):
		days := int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		return Period{From: time.Date(fy, fm, fd-days, 0, 0, 0, 0, loc), To: from}
	default:
		return Period{From: from.Add(-to.Sub(from)), To: from}
	}
}

// SamePeriodLastYear returns p moved back one calendar year in loc; 29
// February becomes 28 February. A nil loc means UTC.
func SamePeriodLastYear(p Period, loc *time.Location) Period {
	if loc == nil {
		loc = time.UTC
	}
	back := func(t time.Time) time.Time {
		t = t.In(loc)
		y, m, d := t.Date()
		h, mi, s := t.Clock()
		if last := time.Date(y-1, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
			d = last
		}
		return time.Date(y-1, m, d, h, mi, s, t.Nanosecond(), loc)
	}
	return Period{From: back(p.From), To: back(p.To)}
}

// isMidnight reports whether t is 00:00:00 on its clock.
func isMidnight(t time.Time) bool {
	h, m, s := t.Clock()
	return h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0
}
