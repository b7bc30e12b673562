package analysis

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, from, to string }{
		{"2026", "2026-01-01", "2027-01-01"},
		{"2026-10", "2026-10-01", "2026-11-01"},
		{"2026-12", "2026-12-01", "2027-01-01"},
		{"2026-W14", "2026-03-30", "2026-04-06"},
		{"2026-W01", "2025-12-29", "2026-01-05"},
		{"2026-W53", "2026-12-28", "2027-01-04"}, // 2026 starts on a Thursday: 53 weeks
		{"2027-W53", "", ""},                     // 2027 has 52
		{"2026-10-05", "2026-10-05", "2026-10-06"},
		{"2026-13", "", ""},
		{"26-10", "", ""},
	} {
		from, to, err := ParsePeriod(c.in, berlin)
		if c.from == "" {
			if err == nil {
				t.Errorf("%s: accepted as %v–%v", c.in, from, to)
			}
			continue
		}
		if err != nil || from.Format(time.DateOnly) != c.from || to.Format(time.DateOnly) != c.to || from.Location() != berlin {
			t.Errorf("%s = %v–%v, %v; want %s–%s", c.in, from, to, err, c.from, c.to)
		}
		if h, m, _ := from.Clock(); h != 0 || m != 0 {
			t.Errorf("%s starts at %v, not midnight", c.in, from)
		}
	}
}
