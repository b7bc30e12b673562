package demo

import (
	"math"
	"time"
)

// The demo company lives in Germany. Its times follow German local time
// (CET, and CEST in summer), computed here by the EU rule instead of the
// system's time zone database so that the data is the same on every machine.
// Every time the generator returns is in UTC; a "date" is a local calendar
// day held as midnight UTC of that day.

// berlinOffset returns the offset of German local time from UTC at u:
// two hours from the last Sunday of March to the last Sunday of October,
// both at 01:00 UTC, and one hour otherwise.
func berlinOffset(u time.Time) time.Duration {
	y := u.Year()
	from := lastSunday(y, time.March).Add(time.Hour)
	to := lastSunday(y, time.October).Add(time.Hour)
	if !u.Before(from) && u.Before(to) {
		return 2 * time.Hour
	}
	return time.Hour
}

// lastSunday returns the date of the last Sunday of month m in year y.
func lastSunday(y int, m time.Month) time.Time {
	d := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -int(d.Weekday()))
}

// localDate returns the German calendar day of the instant u.
func localDate(u time.Time) time.Time {
	l := u.Add(berlinOffset(u))
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// atLocal returns the instant at which German clocks show the given
// seconds after midnight on date.
func atLocal(date time.Time, secs int) time.Time {
	wall := date.Add(time.Duration(secs) * time.Second)
	u := wall.Add(-time.Hour)
	if berlinOffset(u) == 2*time.Hour {
		u = wall.Add(-2 * time.Hour)
	}
	return u
}

// addDays returns date moved by n calendar days.
func addDays(date time.Time, n int) time.Time { return date.AddDate(0, 0, n) }

// rhythm says when something happens: a weight per local hour of the day
// and per weekday (Sunday first). A zero weight means never, such as a
// store on Sunday.
type rhythm struct {
	hours [24]float64
	days  [7]float64
}

// The rhythms of the demo company. They are read-only tables.
var (
	// onlineRhythm is browsing and ordering: low at night, a lunch bump, an
	// evening peak and busy Sundays.
	onlineRhythm = &rhythm{
		hours: [24]float64{0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 2.3, 2.5,
			2.8, 2.6, 2.4, 2.4, 2.6, 2.9, 3.3, 4.0, 4.4, 4.0, 2.8, 1.5},
		days: [7]float64{1.15, 1.1, 1.0, 1.0, 1.0, 0.9, 0.85},
	}
	// storeRhythm is the stores, open Monday to Saturday from 10 to 20, with
	// busy Saturdays.
	storeRhythm = &rhythm{
		hours: [24]float64{10: 1.5, 11: 2.2, 12: 3.0, 13: 3.0, 14: 2.5, 15: 2.6, 16: 3.0, 17: 3.4, 18: 3.2, 19: 2.2},
		days:  [7]float64{0, 0.8, 0.8, 0.9, 1.0, 1.2, 1.6},
	}
	// hotlineRhythm is the hotline, open Monday to Saturday from 8 to 20,
	// busiest on Monday mornings.
	hotlineRhythm = &rhythm{
		hours: [24]float64{8: 2.5, 9: 3.5, 10: 3.5, 11: 3.0, 12: 2.6, 13: 2.8, 14: 2.8, 15: 2.5, 16: 2.2, 17: 1.8, 18: 1.3, 19: 0.9},
		days:  [7]float64{0, 1.4, 1.1, 1.0, 1.0, 0.9, 0.6},
	}
	// deliveryRhythm is the parcel services, Monday to Saturday from 8 to 20.
	deliveryRhythm = &rhythm{
		hours: [24]float64{8: 1.5, 9: 2.5, 10: 3, 11: 3, 12: 3, 13: 3, 14: 2.8, 15: 2.5, 16: 2, 17: 1.6, 18: 1.2, 19: 0.8},
		days:  [7]float64{0, 1.1, 1.0, 1.0, 1.0, 1.0, 0.8},
	}
	// warehouseRhythm is the warehouse handing parcels to the carriers.
	warehouseRhythm = &rhythm{
		hours: [24]float64{6: 1, 7: 2, 8: 3, 9: 3, 10: 3, 11: 3, 12: 2, 13: 3, 14: 3, 15: 3, 16: 3, 17: 2, 18: 2, 19: 1, 20: 1, 21: 0.5},
		days:  [7]float64{0, 1, 1, 1, 1, 1, 0.6},
	}
)

// open reports whether anything happens on date in this rhythm.
func (r *rhythm) open(date time.Time) bool { return r.days[date.Weekday()] > 0 }

// seasonWeights is the relative shopping activity per month, January
// first: a quiet summer, a strong autumn and the peak before Christmas.
var seasonWeights = [12]float64{0.85, 0.8, 0.9, 0.9, 0.95, 0.85, 0.8, 0.8, 0.95, 1.05, 1.45, 1.6}

// maxSeason bounds season, for rejection sampling.
const maxSeason = 2.4

// season returns the relative shopping activity on date: the month's
// weight, raised in the Black Week around Black Friday and lowered over
// the Christmas holidays.
func season(date time.Time) float64 {
	w := seasonWeights[date.Month()-1]
	switch {
	case inBlackWeek(date):
		w *= 1.6
	case date.Month() == time.December && date.Day() >= 24 && date.Day() <= 26:
		w *= 0.35
	case date.Month() == time.December && date.Day() > 26:
		w *= 0.6
	}
	return w
}

// blackFriday returns the date of Black Friday, the day after the fourth
// Thursday of November, in year y.
func blackFriday(y int) time.Time {
	d := time.Date(y, time.November, 1, 0, 0, 0, 0, time.UTC)
	first := (int(time.Thursday) - int(d.Weekday()) + 7) % 7
	return addDays(d, first+21+1)
}

// inBlackWeek reports whether date lies within four days before to three
// days after Black Friday (Cyber Monday included).
func inBlackWeek(date time.Time) bool {
	bf := blackFriday(date.Year())
	return !date.Before(addDays(bf, -4)) && !date.After(addDays(bf, 3))
}

// lateRate returns the chance that a parcel sent on date arrives after its
// promised date: a base rate, rising with the carriers' load in Black Week
// and before Christmas.
func lateRate(date time.Time) float64 {
	switch {
	case inBlackWeek(date):
		return 0.34
	case date.Month() == time.December && date.Day() <= 23:
		return 0.30
	case date.Month() == time.November:
		return 0.22
	case date.Month() == time.December, date.Month() == time.January:
		return 0.16
	}
	return 0.12
}

// round2 rounds v to cents.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
