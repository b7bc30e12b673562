package sla

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func berlin(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data for Europe/Berlin: %v", err)
	}
	return loc
}

// weekdays returns hours from start to end on Monday to Friday.
func weekdays(start, end string) []cxm.BusinessHours {
	var h []cxm.BusinessHours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h = append(h, cxm.BusinessHours{Weekday: wd, Start: start, End: end})
	}
	return h
}

func mustCalendar(t testing.TB, loc *time.Location, hours []cxm.BusinessHours, holidays []string) *Calendar {
	t.Helper()
	c, err := NewCalendar(loc, hours, holidays)
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

func TestCalendarAdd(t *testing.T) {
	loc := berlin(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	office := weekdays("09:00", "17:00")
	easter := []string{"2024-03-29", "2024-04-01"} // Good Friday, Easter Monday
	split := []cxm.BusinessHours{{Weekday: time.Monday, Start: "09:00", End: "12:00"}, {Weekday: time.Monday, Start: "13:00", End: "17:00"}}
	sundays := []cxm.BusinessHours{{Weekday: time.Sunday, Start: "00:00", End: "24:00"}}
	night := []cxm.BusinessHours{{Weekday: time.Sunday, Start: "01:00", End: "05:00"}}

	tests := []struct {
		name     string
		hours    []cxm.BusinessHours
		holidays []string
		start    time.Time
		d        time.Duration
		want     time.Time
	}{
		{"inside hours", office, nil, at(2024, 3, 25, 10, 0), time.Hour, at(2024, 3, 25, 11, 0)},
		{"over the evening", office, nil, at(2024, 3, 25, 16, 30), time.Hour, at(2024, 3, 26, 9, 30)},
		{"over the weekend", office, nil, at(2024, 3, 22, 16, 0), 2 * time.Hour, at(2024, 3, 25, 10, 0)},
		{"start on Saturday", office, nil, at(2024, 3, 23, 12, 0), 30 * time.Minute, at(2024, 3, 25, 9, 30)},
		{"start before opening", office, nil, at(2024, 3, 25, 7, 0), 8 * time.Hour, at(2024, 3, 25, 17, 0)},
		{"whole week ends at Friday close", office, nil, at(2024, 3, 18, 9, 0), 40 * time.Hour, at(2024, 3, 22, 17, 0)},
		{"one minute past the week", office, nil, at(2024, 3, 18, 9, 0), 40*time.Hour + time.Minute, at(2024, 3, 25, 9, 1)},
		{"Easter holidays and spring DST", office, easter, at(2024, 3, 28, 16, 0), 2 * time.Hour, at(2024, 4, 2, 10, 0)},
		{"autumn DST weekend", office, nil, at(2024, 10, 25, 16, 0), 2 * time.Hour, at(2024, 10, 28, 10, 0)},
		{"lunch break", split, nil, at(2024, 3, 25, 11, 0), 2 * time.Hour, at(2024, 3, 25, 14, 0)},
		{"zero duration", office, nil, at(2024, 3, 23, 12, 0), 0, at(2024, 3, 23, 12, 0)},
		{"spring Sunday has 23 hours", sundays, nil, at(2024, 3, 31, 0, 0), 23 * time.Hour, at(2024, 4, 1, 0, 0)},
		{"spring Sunday then next Sunday", sundays, nil, at(2024, 3, 31, 0, 0), 23*time.Hour + 30*time.Minute, at(2024, 4, 7, 0, 30)},
		{"autumn Sunday has 25 hours", sundays, nil, at(2024, 10, 27, 0, 0), 25 * time.Hour, at(2024, 10, 28, 0, 0)},
		{"spring night shift loses an hour", night, nil, at(2024, 3, 31, 0, 0), 3 * time.Hour, at(2024, 3, 31, 5, 0)},
		{"spring night shift overflow", night, nil, at(2024, 3, 31, 0, 0), 4 * time.Hour, at(2024, 4, 7, 2, 0)},
		{"autumn night shift gains an hour", night, nil, at(2024, 10, 27, 0, 0), 5 * time.Hour, at(2024, 10, 27, 5, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCalendar(t, loc, tt.hours, tt.holidays)
			if got := c.Add(tt.start, tt.d); !got.Equal(tt.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", tt.start, tt.d, got.In(loc), tt.want)
			}
			if tt.d > 0 {
				if got := c.Between(tt.start, tt.want); got != tt.d {
					t.Errorf("Between(%v, %v) = %v, want %v", tt.start, tt.want, got, tt.d)
				}
			}
		})
	}
}

func TestCalendarBetween(t *testing.T) {
	loc := berlin(t)
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	c := mustCalendar(t, loc, weekdays("09:00", "17:00"), []string{"2024-12-25", "2024-12-26"})
	tests := []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"same opening", at(2024, 12, 2, 10, 0), at(2024, 12, 2, 12, 15), 2*time.Hour + 15*time.Minute},
		{"b before a", at(2024, 12, 2, 12, 0), at(2024, 12, 2, 10, 0), 0},
		{"weekend only", at(2024, 12, 7, 0, 0), at(2024, 12, 9, 0, 0), 0},
		{"night to night", at(2024, 12, 2, 20, 0), at(2024, 12, 4, 6, 0), 8 * time.Hour},
		{"Christmas week", at(2024, 12, 23, 0, 0), at(2024, 12, 30, 0, 0), 3 * 8 * time.Hour},
		{"whole December", at(2024, 12, 1, 0, 0), at(2025, 1, 1, 0, 0), (22 - 2) * 8 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Between(tt.a, tt.b); got != tt.want {
				t.Errorf("Between = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewCalendarRefuses(t *testing.T) {
	good := cxm.BusinessHours{Weekday: time.Monday, Start: "09:00", End: "17:00"}
	tests := []struct {
		name     string
		hours    []cxm.BusinessHours
		holidays []string
		want     []string
	}{
		{"end before start", []cxm.BusinessHours{good, {Weekday: time.Tuesday, Start: "17:00", End: "09:00"}}, nil, []string{"hours[1].end"}},
		{"end equals start", []cxm.BusinessHours{{Weekday: time.Tuesday, Start: "09:00", End: "09:00"}}, nil, []string{"hours[0].end"}},
		{"bad clock", []cxm.BusinessHours{good, {Weekday: time.Tuesday, Start: "9:00", End: "25:00"}}, nil, []string{"hours[1].start", "hours[1].end"}},
		{"midnight end must be 24:00", []cxm.BusinessHours{good, {Weekday: time.Friday, Start: "22:00", End: "00:00"}}, nil, []string{"hours[1].end"}},
		{"bad weekday", []cxm.BusinessHours{good, {Weekday: 7, Start: "09:00", End: "10:00"}}, nil, []string{"hours[1].weekday"}},
		{"overlap", []cxm.BusinessHours{good, {Weekday: time.Monday, Start: "16:00", End: "18:00"}}, nil, []string{"hours[1]"}},
		{"no hours", nil, nil, []string{"hours"}},
		{"bad holidays", []cxm.BusinessHours{good}, []string{"2024-02-30", "2024-12-24", "24.12.2024"}, []string{"holidays[0]", "holidays[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCalendar(time.UTC, tt.hours, tt.holidays)
			if cxm.ErrorCode(err) != cxm.EInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for _, f := range cxm.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

// checkRoundTrip asserts the property Between(a, Add(a, d)) == d and that
// Add never goes backwards.
func checkRoundTrip(t *testing.T, c *Calendar, a time.Time, d time.Duration) {
	t.Helper()
	b := c.Add(a, d)
	if b.Before(a) {
		t.Fatalf("Add(%v, %v) = %v is before the start", a, d, b)
	}
	if got := c.Between(a, b); got != d {
		t.Fatalf("Between(%v, Add(.., %v) = %v) = %v", a, d, b, got)
	}
}

// calendars returns calendars with weekends, holidays, split shifts,
// 24-hour days and night shifts across the DST changes of Berlin.
func calendars(t testing.TB) []*Calendar {
	loc := berlin(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data for America/New_York: %v", err)
	}
	return []*Calendar{
		mustCalendar(t, loc, weekdays("09:00", "17:00"), []string{"2024-03-29", "2024-04-01", "2024-12-25"}),
		mustCalendar(t, loc, []cxm.BusinessHours{
			{Weekday: time.Sunday, Start: "00:00", End: "24:00"},
			{Weekday: time.Saturday, Start: "01:30", End: "02:30"},
		}, nil),
		mustCalendar(t, loc, []cxm.BusinessHours{
			{Weekday: time.Sunday, Start: "01:00", End: "02:30"},
			{Weekday: time.Sunday, Start: "02:45", End: "04:00"},
			{Weekday: time.Wednesday, Start: "08:00", End: "12:00"},
			{Weekday: time.Wednesday, Start: "13:00", End: "24:00"},
			{Weekday: time.Thursday, Start: "00:00", End: "03:00"},
		}, []string{"2024-10-30"}),
		mustCalendar(t, ny, weekdays("08:30", "20:00"), nil),
	}
}

func TestCalendarRoundTripProperty(t *testing.T) {
	cals := calendars(t)
	r := rand.New(rand.NewPCG(6, 2024))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 4000; i++ {
		c := cals[i%len(cals)]
		a := base.Add(time.Duration(r.Int64N(int64(366 * 24 * time.Hour))))
		d := time.Duration(r.Int64N(int64(200 * time.Hour)))
		checkRoundTrip(t, c, a, d)
	}
}

func FuzzCalendarRoundTrip(f *testing.F) {
	f.Add(uint8(0), int64(1711846800), int64(3600))   // Berlin spring change
	f.Add(uint8(1), int64(1711846800), int64(82800))  // 23-hour Sunday
	f.Add(uint8(2), int64(1729990800), int64(18000))  // Berlin autumn change
	f.Add(uint8(3), int64(1710054000), int64(7200))   // New York spring change
	f.Add(uint8(0), int64(1735084800), int64(360000)) // Christmas
	cals := calendars(f)
	f.Fuzz(func(t *testing.T, which uint8, unix, seconds int64) {
		const year = 366 * 24 * 3600
		c := cals[int(which)%len(cals)]
		a := time.Unix(1704067200+mod(unix, 3*year), 0) // 2024 to 2026
		d := time.Duration(mod(seconds, 1000*3600)) * time.Second
		checkRoundTrip(t, c, a, d)
	})
}

func mod(a, n int64) int64 {
	a %= n
	if a < 0 {
		a += n
	}
	return a
}
