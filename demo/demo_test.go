package demo

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// testNow is the fixed time the tests generate for; it lies in spring, so
// that the year before holds a whole Christmas season.
var testNow = time.Date(2025, time.March, 14, 15, 4, 5, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	opt := Options{Customers: 400}
	a := Generate(testNow, opt)
	b := Generate(testNow.Add(6*time.Hour), opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two datasets of the same seed and day differ")
	}
	c := Generate(testNow, Options{Customers: 400, Seed: 7})
	if reflect.DeepEqual(a.Customers, c.Customers) || reflect.DeepEqual(a.Interactions, c.Interactions) {
		t.Error("datasets of different seeds are equal")
	}
	if got, want := Generate(testNow, Options{Customers: 400, Seed: DefaultSeed}), a; !reflect.DeepEqual(got, want) {
		t.Error("the default seed is not DefaultSeed")
	}
}

func TestGenerateDefault(t *testing.T) {
	d := Generate(testNow, Options{})
	t.Logf("%d customers, %d interactions, %d orders, %d identities",
		len(d.Customers), len(d.Interactions), len(d.Orders), len(d.Identities))

	t.Run("sizes", func(t *testing.T) {
		for _, c := range []struct {
			name     string
			got      int
			min, max int
		}{
			{"touchpoints", len(d.Touchpoints), 12, 20},
			{"customers", len(d.Customers), DefaultCustomers, DefaultCustomers},
			{"profiles", len(d.Profiles), DefaultCustomers, DefaultCustomers},
			{"interactions", len(d.Interactions), 50000, 80000},
			{"orders", len(d.Orders), 2500, 6000},
			{"identities", len(d.Identities), 500, 2000},
		} {
			if c.got < c.min || c.got > c.max {
				t.Errorf("%s = %d, want %d to %d", c.name, c.got, c.min, c.max)
			}
		}
		if got, want := d.End, time.Date(2025, time.March, 14, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("End = %v, want %v", got, want)
		}
		if got, want := d.Start, d.End.AddDate(-1, 0, 0); !got.Equal(want) {
			t.Errorf("Start = %v, want %v", got, want)
		}
	})

	t.Run("touchpoints", func(t *testing.T) {
		stages := map[string]bool{}
		for _, s := range cxm.DefaultStages() {
			stages[s.Key] = true
		}
		keys, used := map[string]bool{}, map[string]bool{}
		for i := range d.Touchpoints {
			tp := d.Touchpoints[i]
			if err := tp.Validate(); err != nil {
				t.Errorf("touchpoint %s: %v", tp.Key, err)
			}
			if !stages[tp.StageKey] || tp.Description == "" || keys[tp.Key] {
				t.Errorf("touchpoint %s: stage %q, description %q, repeated %v", tp.Key, tp.StageKey, tp.Description, keys[tp.Key])
			}
			keys[tp.Key] = true
		}
		for _, in := range d.Interactions {
			used[in.Touchpoint] = true
			if !keys[in.Touchpoint] {
				t.Fatalf("interaction %s: unknown touchpoint %q", in.ID, in.Touchpoint)
			}
		}
		for k := range keys {
			if !used[k] {
				t.Errorf("touchpoint %s has no interaction", k)
			}
		}
	})

	t.Run("customers", func(t *testing.T) {
		exts, emails := map[string]bool{}, map[string]bool{}
		var de, consent, birthday int
		for i := range d.Customers {
			c := d.Customers[i]
			email := c.Email
			if err := c.Validate(); err != nil {
				t.Fatalf("customer %s: %v", c.ExternalID, err)
			}
			if c.Email != email || !strings.Contains(email, "example.") {
				t.Errorf("customer %s: email %q is not normalized or not at an example domain", c.ExternalID, email)
			}
			if exts[c.ExternalID] || emails[c.Email] || c.Name == "" {
				t.Errorf("customer %s: repeated id or email %q, or no name", c.ExternalID, c.Email)
			}
			exts[c.ExternalID], emails[c.Email] = true, true
			if d.Profiles[i].Customer != c.ExternalID {
				t.Fatalf("profile %d is of %s, want %s", i, d.Profiles[i].Customer, c.ExternalID)
			}
			for _, k := range []string{"city", "loyalty_tier", "newsletter", "customer_since_year"} {
				if _, ok := c.Attributes[k]; !ok {
					t.Errorf("customer %s has no attribute %s", c.ExternalID, k)
				}
			}
			if c.Locale == "de" {
				de++
			}
			if c.Consent.Email {
				consent++
			}
			if c.Birthday != "" {
				birthday++
			}
		}
		n := float64(len(d.Customers))
		checkShare(t, "German locale", float64(de)/n, 0.72, 0.88)
		checkShare(t, "email consent", float64(consent)/n, 0.68, 0.85)
		checkShare(t, "birthdays", float64(birthday)/n, 0.64, 0.76)
	})

	t.Run("interactions", func(t *testing.T) { checkInteractions(t, d, testNow) })
	t.Run("journeys", func(t *testing.T) { checkJourneys(t, d) })

	t.Run("orders", func(t *testing.T) {
		placed := map[string]int{}
		for _, in := range d.Interactions {
			if in.Type == "order" || in.Type == "purchase" {
				var p struct {
					OrderID string `json:"order_id"`
				}
				json.Unmarshal(in.Properties, &p)
				placed[p.OrderID]++
			}
		}
		if got, want := len(placed), len(d.Orders); got != want {
			t.Errorf("%d orders in the interactions, want %d", got, want)
		}
		for _, o := range d.Orders {
			if placed[o.ID] != 1 || d.Customers[o.CustomerIndex].ExternalID != o.Customer {
				t.Fatalf("order %s: placed %d times, customer %s", o.ID, placed[o.ID], o.Customer)
			}
			if o.Value < 8 || o.Value > 800 || o.Items < 1 {
				t.Errorf("order %s: value %.2f, %d items", o.ID, o.Value, o.Items)
			}
		}
		buyers, repeat := 0, 0
		for _, p := range d.Profiles {
			if len(p.Orders) > 0 {
				buyers++
			}
			if len(p.Orders) > 1 {
				repeat++
			}
		}
		checkShare(t, "repeat buyers", float64(repeat)/float64(buyers), 0.28, 0.45)
	})

	t.Run("story", func(t *testing.T) { checkStory(t, d) })
}

// checkInteractions checks that every interaction validates at now, lies
// within the data in time order, has a unique id and a known customer or
// an anonymous id, and JSON properties.
func checkInteractions(t *testing.T, d *Dataset, now time.Time) {
	t.Helper()
	exts := map[string]bool{}
	for _, c := range d.Customers {
		exts[c.ExternalID] = true
	}
	ids := make(map[string]bool, len(d.Interactions))
	var anon int
	for i := range d.Interactions {
		in := d.Interactions[i]
		var errs cxm.FieldErrors
		in.Validate(now, "", &errs)
		if len(errs) > 0 {
			t.Fatalf("interaction %s: %v", in.ID, errs.Err())
		}
		if !in.OccurredAt.Before(now) || !in.OccurredAt.Before(d.End) || in.OccurredAt.Before(d.Start) {
			t.Fatalf("interaction %s at %v lies outside [%v, %v)", in.ID, in.OccurredAt, d.Start, d.End)
		}
		if i > 0 && in.OccurredAt.Before(d.Interactions[i-1].OccurredAt) {
			t.Fatalf("interaction %s is out of time order", in.ID)
		}
		if in.ID == "" || ids[in.ID] {
			t.Fatalf("interaction %d: id %q is empty or repeated", i, in.ID)
		}
		ids[in.ID] = true
		if in.Customer != "" && !exts[in.Customer] {
			t.Fatalf("interaction %s: unknown customer %s", in.ID, in.Customer)
		}
		if in.Customer == "" {
			anon++
		}
		if len(in.Properties) > 0 && !json.Valid(in.Properties) {
			t.Fatalf("interaction %s: properties %s are not JSON", in.ID, in.Properties)
		}
	}
	if anon == 0 {
		t.Error("no anonymous interactions")
	}
}

// checkJourneys checks that the earliest interaction of each customer,
// anonymous ones included, is at their first touchpoint, and that the
// first touchpoints have their intended shares.
func checkJourneys(t *testing.T, d *Dataset) {
	t.Helper()
	owner := map[string]string{}
	for _, id := range d.Identities {
		owner[id.AnonymousID] = id.Customer
	}
	first := map[string]cxm.Interaction{}
	for _, in := range d.Interactions {
		who := in.Customer
		if who == "" {
			who = owner[in.AnonymousID]
		}
		if _, ok := first[who]; who != "" && !ok {
			first[who] = in
		}
	}
	shares := map[string]int{}
	for _, p := range d.Profiles {
		in := first[p.Customer]
		if in.Touchpoint != p.FirstTouchpoint || !in.OccurredAt.Equal(p.FirstSeenAt) {
			t.Errorf("customer %s first met %s at %v, profile says %s at %v",
				p.Customer, in.Touchpoint, in.OccurredAt, p.FirstTouchpoint, p.FirstSeenAt)
		}
		if strings.HasPrefix(p.FirstTouchpoint, "store-") {
			shares["store"]++
		} else {
			shares[p.FirstTouchpoint]++
		}
	}
	n := float64(len(d.Profiles))
	checkShare(t, "first touch search-ads", float64(shares[tpSearchAds])/n, 0.30, 0.40)
	checkShare(t, "first touch instagram", float64(shares[tpInstagram])/n, 0.16, 0.24)
	checkShare(t, "first touch store", float64(shares["store"])/n, 0.11, 0.19)
}

// checkStory checks, from the interactions alone, that the data tells the
// demo's story.
func checkStory(t *testing.T, d *Dataset) {
	t.Helper()
	type fact struct {
		OrderID   string `json:"order_id"`
		Late      bool   `json:"late"`
		Rating    int    `json:"rating"`
		Delivered string `json:"delivered_date"`
	}
	late := map[string]bool{}
	var delivered, lateN, peak, peakLate int
	complained, returned := map[string]bool{}, map[string]bool{}
	ratings := map[bool][2]int{}
	for _, in := range d.Interactions {
		var f fact
		if len(in.Properties) > 0 {
			if err := json.Unmarshal(in.Properties, &f); err != nil {
				t.Fatalf("interaction %s: %v", in.ID, err)
			}
		}
		switch in.Type {
		case "delivered":
			late[f.OrderID] = f.Late
			delivered++
			if f.Late {
				lateN++
			}
			if m := f.Delivered[5:7]; m == "11" || m == "12" {
				peak++
				if f.Late {
					peakLate++
				}
			}
		case "complaint":
			complained[f.OrderID] = true
		case "return":
			returned[f.OrderID] = true
		case "review":
			if l, ok := late[f.OrderID]; ok {
				r := ratings[l]
				r[0], r[1] = r[0]+f.Rating, r[1]+1
				ratings[l] = r
			}
		}
	}
	rate := func(m map[string]bool, wantLate bool) float64 {
		n, hit := 0, 0
		for id, l := range late {
			if l == wantLate {
				n++
				if m[id] {
					hit++
				}
			}
		}
		return float64(hit) / float64(n)
	}
	lateShare := float64(lateN) / float64(delivered)
	peakShare := float64(peakLate) / float64(peak)
	cl, co := rate(complained, true), rate(complained, false)
	rl, ro := rate(returned, true), rate(returned, false)
	t.Logf("late %.3f (Nov/Dec %.3f); complaints late %.3f on time %.3f; returns late %.3f on time %.3f",
		lateShare, peakShare, cl, co, rl, ro)
	checkShare(t, "late deliveries", lateShare, 0.10, 0.30)
	if peakShare <= lateShare {
		t.Errorf("late share in November and December %.3f, want above the year's %.3f", peakShare, lateShare)
	}
	if cl < 3*co || co == 0 {
		t.Errorf("complaint rate after late deliveries %.3f, want at least 3 × %.3f after on-time ones", cl, co)
	}
	if rl <= ro {
		t.Errorf("return rate after late deliveries %.3f, want above %.3f after on-time ones", rl, ro)
	}
	returns := float64(len(returned)) / float64(delivered)
	checkShare(t, "returns", returns, 0.06, 0.15)
	mean := func(r [2]int) float64 { return float64(r[0]) / float64(r[1]) }
	if ml, mo := mean(ratings[true]), mean(ratings[false]); ml+1 > mo {
		t.Errorf("mean rating after late deliveries %.2f, want at least one star below %.2f", ml, mo)
	}
	var appOrders, appN, otherOrders, otherN int
	for _, p := range d.Profiles {
		if p.AppUser {
			appOrders, appN = appOrders+len(p.Orders), appN+1
		} else {
			otherOrders, otherN = otherOrders+len(p.Orders), otherN+1
		}
	}
	if a, o := float64(appOrders)/float64(appN), float64(otherOrders)/float64(otherN); a < 1.2*o {
		t.Errorf("app users place %.2f orders each, want at least 1.2 × %.2f of the others", a, o)
	}
}

// checkShare fails the test when share lies outside [lo, hi].
func checkShare(t *testing.T, what string, share, lo, hi float64) {
	t.Helper()
	if share < lo || share > hi {
		t.Errorf("share of %s = %.3f, want %.2f to %.2f", what, share, lo, hi)
	}
}

func TestGenerateOtherWorlds(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		now  time.Time
	}{
		{1, time.Date(2025, time.August, 1, 10, 0, 0, 0, time.UTC)},
		{2, time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)},
		{3, time.Date(2024, time.October, 27, 23, 59, 59, 0, time.UTC)},
		{4, time.Date(2025, time.March, 30, 1, 30, 0, 0, time.UTC)},
	} {
		t.Run(fmt.Sprintf("seed %d at %s", c.seed, c.now.Format(time.DateOnly)), func(t *testing.T) {
			d := Generate(c.now, Options{Seed: c.seed, Customers: 800})
			checkInteractions(t, d, c.now)
			checkJourneys(t, d)
		})
	}
}

func TestGenerateRespectsSeasonAndClock(t *testing.T) {
	d := Generate(testNow, Options{Customers: 1500})
	var months [12]int
	var night, day int
	for _, o := range d.Orders {
		months[o.PlacedAt.Month()-1]++
		switch h := o.PlacedAt.Add(berlinOffset(o.PlacedAt)).Hour(); {
		case h >= 1 && h < 6:
			night++
		case h >= 18 && h < 23:
			day++
		}
	}
	if months[time.December-1] < months[time.July-1]*3/2 {
		t.Errorf("%d orders in December, want at least 1.5 × %d in July", months[time.December-1], months[time.July-1])
	}
	if day < 5*night {
		t.Errorf("%d orders in the evening, want at least 5 × %d at night", day, night)
	}
	for _, in := range d.Interactions {
		if strings.HasPrefix(in.Touchpoint, "store-") && localDate(in.OccurredAt).Weekday() == time.Sunday {
			t.Fatalf("interaction %s in a store on a Sunday", in.ID)
		}
	}
}

func TestBerlinTime(t *testing.T) {
	for _, c := range []struct {
		utc  time.Time
		want time.Duration
	}{
		{time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC), time.Hour},
		{time.Date(2025, 3, 30, 0, 59, 0, 0, time.UTC), time.Hour},
		{time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC), 2 * time.Hour},
		{time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC), 2 * time.Hour},
		{time.Date(2025, 10, 26, 0, 59, 0, 0, time.UTC), 2 * time.Hour},
		{time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC), time.Hour},
	} {
		if got := berlinOffset(c.utc); got != c.want {
			t.Errorf("berlinOffset(%v) = %v, want %v", c.utc, got, c.want)
		}
	}
	date := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	if got, want := atLocal(date, 10*3600), time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("atLocal(1 July, 10:00) = %v, want %v", got, want)
	}
	if got, want := blackFriday(2024), time.Date(2024, 11, 29, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("blackFriday(2024) = %v, want %v", got, want)
	}
}

func TestPropsAreJSON(t *testing.T) {
	p := (&props{}).str("a", "Grüße \"x\"\n\\").num("b", 12.5).int("c", -3).bool("d", true).str("e", "bad \xff")
	var got map[string]any
	if err := json.Unmarshal(p.raw(), &got); err != nil {
		t.Fatalf("%s: %v", p.raw(), err)
	}
	want := map[string]any{"a": "Grüße \"x\"\n\\", "b": 12.5, "c": -3.0, "d": true, "e": "bad \ufffd"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if (&props{}).raw() != nil {
		t.Error("empty props are not nil")
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		d := Generate(testNow, Options{})
		b.ReportMetric(float64(len(d.Interactions)), "interactions/op")
	}
}
