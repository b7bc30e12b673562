package metric

import (
	"sort"
	"time"
)

// Cohort is the customers whose first purchase fell in one calendar month,
// and how many of them bought again in each later month.
type Cohort struct {
	// Month names the cohort's month, for example "2026-01".
	Month string `json:"month"`
	// Start is the first instant of the month in the table's location.
	Start time.Time `json:"start"`
	// Size is the number of customers whose first purchase fell in Month.
	Size int64 `json:"size"`
	// Active[k] is the number of the cohort's customers with a purchase in
	// month k after Month; Active[0] equals Size. The last entry is the month
	// of now, which may still be running.
	Active []int64 `json:"active"`
	// Retention[k] is Active[k] ÷ Size as a percentage with a Wilson
	// interval; it is insufficient_data when Size is below the minimum n.
	Retention []Estimate `json:"retention"`
}

// CohortTable is a table of monthly first-purchase cohorts.
type CohortTable struct {
	// Location names the time zone whose calendar months were used.
	Location string `json:"location"`
	// Through names the last month counted, the month of now.
	Through string `json:"through"`
	// Cohorts lists the cohorts that have customers, oldest first.
	Cohorts []Cohort `json:"cohorts"`
}

// Cohorts groups customers by the calendar month of their first purchase in
// loc (nil means UTC) and counts, for each month k from the first, how many
// of each cohort bought in month k. purchases holds one slice of purchase
// times per customer, in any order; purchases after now are ignored, and so
// are customers with none before it.
func Cohorts(purchases [][]time.Time, loc *time.Location, now time.Time, o Options) CohortTable {
	if loc == nil {
		loc = time.UTC
	}
	last := monthIndex(now, loc)
	byMonth := map[int]*Cohort{}
	for _, times := range purchases {
		first, ok := firstBefore(times, now)
		if !ok {
			continue
		}
		start := monthIndex(first, loc)
		c := byMonth[start]
		if c == nil {
			c = &Cohort{Active: make([]int64, last-start+1)}
			byMonth[start] = c
		}
		c.Size++
		seen := make([]bool, last-start+1)
		for _, t := range times {
			if t.After(now) {
				continue
			}
			if k := monthIndex(t, loc) - start; !seen[k] {
				seen[k] = true
				c.Active[k]++
			}
		}
	}
	table := CohortTable{Location: loc.String(), Through: BucketStart(now, Month, loc).Format("2006-01")}
	keys := make([]int, 0, len(byMonth))
	for k := range byMonth {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		c := byMonth[k]
		c.Start = time.Date(k/12, time.Month(k%12+1), 1, 0, 0, 0, 0, loc)
		c.Month = c.Start.Format("2006-01")
		c.Retention = make([]Estimate, len(c.Active))
		for i, a := range c.Active {
			c.Retention[i] = Rate(Proportion{Hits: a, N: c.Size}, o)
		}
		table.Cohorts = append(table.Cohorts, *c)
	}
	return table
}

// monthIndex numbers the calendar month of t in loc as year·12 + month − 1.
func monthIndex(t time.Time, loc *time.Location) int {
	y, m, _ := t.In(loc).Date()
	return y*12 + int(m) - 1
}

// firstBefore returns the earliest time in times that is not after now.
func firstBefore(times []time.Time, now time.Time) (time.Time, bool) {
	var first time.Time
	found := false
	for _, t := range times {
		if !t.After(now) && (!found || t.Before(first)) {
			first, found = t, true
		}
	}
	return first, found
}
