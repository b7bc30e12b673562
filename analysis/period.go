package analysis

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// isoWeek matches a week such as 2026-W14.
var isoWeek = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParsePeriod returns the local midnights [from, to) of a named period in
// loc: a year "2026", a month "2026-10", an ISO week "2026-W14" (Monday to
// Monday) or a day "2026-10-05".
func ParsePeriod(s string, loc *time.Location) (from, to time.Time, err error) {
	bad := cxm.Invalid(cxm.FieldError{Field: "period", Reason: fmt.Sprintf("%q is not a year (2026), month (2026-10), ISO week (2026-W14) or day (2026-10-05)", s)})
	if m := isoWeek.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		// 4 January is always in week 1; go back to its Monday.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
		if wy, ww := monday.ISOWeek(); w < 1 || wy != y || ww != w {
			return time.Time{}, time.Time{}, bad
		}
		return monday, monday.AddDate(0, 0, 7), nil
	}
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	} {
		if len(s) != len(f.layout) {
			continue
		}
		t, err := time.ParseInLocation(f.layout, s, loc)
		if err != nil {
			return time.Time{}, time.Time{}, bad
		}
		return t, f.next(t), nil
	}
	return time.Time{}, time.Time{}, bad
}
