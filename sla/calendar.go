// Package sla does the arithmetic of service-level targets: a business
// calendar of weekly opening hours and holidays in a time zone, adding
// business time to an instant, measuring business time between two
// instants, and the deadlines of a case. It does no I/O.
//
// Business time is real elapsed time inside opening hours. On the day
// clocks change, an opening from 01:00 to 05:00 holds three hours in spring
// and five in autumn, because that is how long the team is at work. An
// opening must end after it starts on the same day; a shift across
// midnight is written as two openings, one ending "24:00" and one starting
// "00:00" the next day.
package sla

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// opening is one span of a weekday in minutes after midnight, end excluded.
type opening struct {
	start, end int
}

// span is one opening of one date, as instants.
type span struct {
	start, end time.Time
}

// Calendar is a workspace's business calendar: opening hours per weekday
// and closed dates, in one time zone. It is safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	week     [7][]opening
	holidays map[string]bool
}

// NewCalendar builds a calendar in loc from weekly hours and holiday dates
// "2006-01-02". It refuses hours whose end is not after their start
// ("24:00" is allowed as an end), hours that overlap on a weekday, an
// unknown weekday, bad dates, and a week without any hours, naming each
// bad field such as hours[2].end or holidays[0].
func NewCalendar(loc *time.Location, hours []cxm.BusinessHours, holidays []string) (*Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	var fe cxm.FieldErrors
	c := &Calendar{loc: loc, holidays: make(map[string]bool, len(holidays))}
	total := 0
	for i, h := range hours {
		field := fmt.Sprintf("hours[%d]", i)
		if h.Weekday < time.Sunday || h.Weekday > time.Saturday {
			fe.Add(field+".weekday", "must be 0 (Sunday) to 6 (Saturday)")
			continue
		}
		start, okStart := parseClock(h.Start, false)
		if !okStart {
			fe.Add(field+".start", "must be a clock time 00:00 to 23:59")
		}
		end, okEnd := parseClock(h.End, true)
		if !okEnd {
			fe.Add(field+".end", "must be a clock time 00:01 to 24:00")
		}
		if !okStart || !okEnd {
			continue
		}
		if end <= start {
			fe.Add(field+".end", "must be after start on the same day; split a shift across midnight in two")
			continue
		}
		overlap := false
		for _, o := range c.week[h.Weekday] {
			if start < o.end && o.start < end {
				overlap = true
			}
		}
		if overlap {
			fe.Add(field, "overlaps other hours of the same weekday")
			continue
		}
		c.week[h.Weekday] = append(c.week[h.Weekday], opening{start, end})
		total += end - start
	}
	if len(fe) == 0 && total == 0 {
		fe.Add("hours", "at least one weekday must have business hours")
	}
	for i, d := range holidays {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil || t.Format(time.DateOnly) != d {
			fe.Add(fmt.Sprintf("holidays[%d]", i), "must be a date YYYY-MM-DD")
			continue
		}
		c.holidays[d] = true
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	for wd := range c.week {
		sort.Slice(c.week[wd], func(i, j int) bool { return c.week[wd][i].start < c.week[wd][j].start })
	}
	return c, nil
}

// parseClock reads "15:04" as minutes after midnight; with allowEnd,
// "24:00" is midnight at the end of the day and "00:00" is refused.
func parseClock(s string, allowEnd bool) (int, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 {
		return 0, false
	}
	v := h*60 + m
	if allowEnd {
		return v, v > 0 && v <= 24*60
	}
	return v, h <= 23
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// spans returns the openings of the date y-m-d as instants, in order and
// without overlap; a holiday has none. On a day when clocks change, an
// opening that starts or ends in the skipped hour moves as time.Date
// moves it, and is clipped so that it never overlaps the one before.
func (c *Calendar) spans(y int, m time.Month, d int) []span {
	day := time.Date(y, m, d, 0, 0, 0, 0, c.loc)
	if c.holidays[day.Format(time.DateOnly)] {
		return nil
	}
	var out []span
	var prevEnd time.Time
	for _, o := range c.week[day.Weekday()] {
		s := time.Date(y, m, d, 0, o.start, 0, 0, c.loc)
		e := time.Date(y, m, d, 0, o.end, 0, 0, c.loc)
		if s.Before(prevEnd) {
			s = prevEnd
		}
		if !e.After(s) {
			continue
		}
		out = append(out, span{s, e})
		prevEnd = e
	}
	return out
}

// maxDays bounds the days Add walks; with at least one opening a week and
// finitely many holidays it ends long before, unless d is absurd.
const maxDays = 366 * 100

// Add returns the instant when d of business time has passed after start.
// A start outside business hours counts from the next opening; the result
// of a positive d always lies inside or at the end of an opening. A d of
// zero or less returns start unchanged.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	local := start.In(c.loc)
	y, m, day := local.Date()
	for i := 0; i < maxDays; i++ {
		for _, s := range c.spans(y, m, day+i) {
			if !s.end.After(start) {
				continue
			}
			from := s.start
			if start.After(from) {
				from = start
			}
			avail := s.end.Sub(from)
			if d <= avail {
				return from.Add(d)
			}
			d -= avail
		}
	}
	return start.Add(d)
}

// Between returns the business time between a and b; it is zero when b is
// not after a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	la := a.In(c.loc)
	y, m, d := la.Date()
	var total time.Duration
	for i := 0; i < maxDays; i++ {
		if time.Date(y, m, d+i, 0, 0, 0, 0, c.loc).After(b) {
			break
		}
		for _, s := range c.spans(y, m, d+i) {
			from, to := s.start, s.end
			if a.After(from) {
				from = a
			}
			if b.Before(to) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total
}
