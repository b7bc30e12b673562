package demo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// pcgStream is the second PCG seed word; it is fixed so that Options.Seed
// alone selects the random world.
const pcgStream = 0x4e6f72646c696368 // "Nordlich"

// gen holds the state of one Generate call.
type gen struct {
	r          *rand.Rand
	start, end time.Time
	// startDate and lastDate are the first and last local days with data;
	// every instant of lastDate lies before end.
	startDate, lastDate time.Time

	events     []cxm.Interaction
	customers  []cxm.Customer
	profiles   []Profile
	orders     []Order
	identities []Identity
	issues     []issue

	// nextExt is the number of the next customer's external id.
	nextExt int
	// emails and orderIDs keep generated values unique.
	emails   map[string]bool
	orderIDs map[string]bool
	// happy are moments after which a customer would recommend the
	// company; pending are referred customers waiting for their referrer.
	happy   []moment
	pending []referred
}

// moment is a customer at a time.
type moment struct {
	customer int
	at       time.Time
}

// actor is who an interaction belongs to: a customer's external id or an
// anonymous id.
type actor struct{ customer, anon string }

// newGen returns a generator for the data in [start, end).
func newGen(opt Options, start, end time.Time) *gen {
	g := &gen{
		r:         rand.New(rand.NewPCG(opt.Seed, pcgStream)),
		start:     start,
		end:       end,
		startDate: localDate(start),
		lastDate:  addDays(localDate(end), -1),
		events:    make([]cxm.Interaction, 0, opt.Customers*24),
		customers: make([]cxm.Customer, 0, opt.Customers),
		profiles:  make([]Profile, 0, opt.Customers),
		nextExt:   100000,
		emails:    make(map[string]bool, opt.Customers),
		orderIDs:  make(map[string]bool, opt.Customers*2),
	}
	g.issues = g.newsletterIssues()
	return g
}

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// intn returns a number in [0, n).
func (g *gen) intn(n int) int { return g.r.IntN(n) }

// between returns a number in [a, b).
func (g *gen) between(a, b float64) float64 { return a + (b-a)*g.r.Float64() }

// exp returns an exponentially distributed number with the given mean.
func (g *gen) exp(mean float64) float64 { return g.r.ExpFloat64() * mean }

// lognormal returns a log-normally distributed number with the given
// median and spread of its logarithm.
func (g *gen) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.r.NormFloat64())
}

// pick returns a random element of xs.
func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// pickWeighted returns an element of xs chosen by weight.
func pickWeighted[T any](g *gen, xs []weighted[T]) T {
	var sum float64
	for _, x := range xs {
		sum += x.w
	}
	v := g.r.Float64() * sum
	for _, x := range xs {
		if v < x.w {
			return x.v
		}
		v -= x.w
	}
	return xs[len(xs)-1].v
}

// hourOn returns a random instant on date that follows the hours of rh.
func (g *gen) hourOn(date time.Time, rh *rhythm) time.Time {
	var sum float64
	for _, w := range rh.hours {
		sum += w
	}
	v := g.r.Float64() * sum
	h := 23
	for i, w := range rh.hours {
		if v < w {
			h = i
			break
		}
		v -= w
	}
	return atLocal(date, h*3600+g.intn(3600))
}

// openDay returns the first day on or after date on which rh is open.
func openDay(date time.Time, rh *rhythm) time.Time {
	for !rh.open(date) {
		date = addDays(date, 1)
	}
	return date
}

// after returns an instant in rh after t: on t's day when a later hour
// fits, otherwise on the next open day.
func (g *gen) after(t time.Time, rh *rhythm) time.Time {
	d := localDate(t)
	if rh.open(d) {
		for range 4 {
			if c := g.hourOn(d, rh); c.After(t) {
				return c
			}
		}
	}
	return g.hourOn(openDay(addDays(d, 1), rh), rh)
}

// seasonDay returns a day in [from, to] drawn by season and by the
// weekdays of rh.
func (g *gen) seasonDay(from, to time.Time, rh *rhythm) time.Time {
	n := int(to.Sub(from).Hours()/24) + 1
	for range 1000 {
		d := addDays(from, g.intn(n))
		if g.r.Float64()*maxSeason*1.6 < season(d)*rh.days[d.Weekday()] {
			return d
		}
	}
	return openDay(from, rh)
}

// next returns the instant of the next event of a process that happens
// every meanDays on average in a normal season, more often in a busy one,
// following rh; it returns the zero time when that lies after the data.
func (g *gen) next(t time.Time, meanDays float64, rh *rhythm) time.Time {
	bound := maxSeason * 1.6
	d := localDate(t)
	for {
		d = addDays(d, 1+int(g.exp(meanDays/bound)))
		if d.After(g.lastDate) {
			return time.Time{}
		}
		if g.r.Float64()*bound < season(d)*rh.days[d.Weekday()] {
			return g.hourOn(d, rh)
		}
	}
}

// emit records an interaction of a at t and reports whether it lies
// within the data; later events of the same story can stop there.
func (g *gen) emit(a actor, touchpoint, typ string, t time.Time, value float64, p *props) bool {
	if !t.Before(g.end) || t.Before(g.start) {
		return false
	}
	in := cxm.Interaction{Customer: a.customer, AnonymousID: a.anon, Touchpoint: touchpoint, Type: typ,
		OccurredAt: t.Truncate(time.Second), Properties: p.raw()}
	if value > 0 {
		v := value
		in.Value = &v
	}
	g.events = append(g.events, in)
	return true
}

// within reports whether t lies within the data.
func (g *gen) within(t time.Time) bool { return !t.Before(g.start) && t.Before(g.end) }

// anonID returns a new anonymous visitor id.
func (g *gen) anonID() string {
	return "anon-" + strconv.FormatUint(g.r.Uint64()|1<<63, 36)
}

// dataset sorts the interactions by time, numbers them and returns the
// dataset.
func (g *gen) dataset() *Dataset {
	// Sort positions by time and generation order, which is unique and
	// so deterministic, instead of moving the large records around.
	type key struct{ at, i int64 }
	keys := make([]key, len(g.events))
	for i := range g.events {
		keys[i] = key{g.events[i].OccurredAt.UnixNano(), int64(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	events := make([]cxm.Interaction, len(g.events))
	for n, k := range keys {
		events[n] = g.events[k.i]
		events[n].ID = "demo-" + pad6(n+1)
	}
	slices.SortStableFunc(g.identities, func(a, b Identity) int { return a.At.Compare(b.At) })
	return &Dataset{
		Start:        g.start,
		End:          g.end,
		Touchpoints:  touchpoints(),
		Customers:    g.customers,
		Interactions: events,
		Identities:   g.identities,
		Orders:       g.orders,
		Profiles:     g.profiles,
	}
}

// pad6 formats n with at least six digits.
func pad6(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}
