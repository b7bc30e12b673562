package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// firstTouches are how customers find the company, with their shares.
var firstTouches = []weighted[string]{
	{tpSearchAds, 35}, {tpInstagram, 20}, {tpInfluencer, 10},
	{tpNewsletter, 10}, {"store", 15}, {tpReferral, 10},
}

// storeCities are the cities with a store, weighted by their customers.
var storeCities = []weighted[string]{{"Berlin", 14}, {"Hamburg", 11}, {"München", 10}, {"Köln", 8}}

// person is the state of one customer while their journey is generated.
type person struct {
	idx int
	// who is the customer's identity; anon is their anonymous one before signup.
	who, anon actor
	prof      *Profile
	first     string
	// app is true for app users, from appSince.
	app      bool
	appSince time.Time
	os       string
	// mood is the hidden satisfaction in [0, 1].
	mood float64
	// engagement is the chance of opening a newsletter.
	engagement float64
	// subscribedAt is when the newsletter subscription started; zero for none.
	subscribedAt time.Time
	// activeUntil is when the customer stopped engaging; End for active ones.
	activeUntil time.Time
	spent       float64
}

// newPerson draws the profile of customer i: identity, name, address,
// city, consent and how they will first meet the company.
func (g *gen) newPerson(i int) (*person, cxm.Customer) {
	g.nextExt += 1 + g.intn(40)
	ext := "K-" + strconv.Itoa(g.nextExt)
	locale := "de"
	if g.chance(0.2) {
		locale = "en"
	}
	first := pickWeighted(g, firstTouches)
	city := pickWeighted(g, cities)
	if first == "store" {
		city = pickWeighted(g, storeCities)
		first = storeOf(city)
	}
	name, emailLocal := g.name(locale)
	c := cxm.Customer{
		ExternalID: ext,
		Name:       name,
		Email:      g.email(emailLocal),
		Locale:     locale,
		Consent:    cxm.Consent{Email: g.chance(0.75), Analytics: g.chance(0.85)},
	}
	if g.chance(0.7) {
		c.Birthday = g.birthday()
	}
	newsletter := false
	switch {
	case first == tpNewsletter:
		c.Consent.Email, newsletter = true, true
	case c.Consent.Email:
		newsletter = g.chance(0.65)
	}
	appShare := 0.25
	switch first {
	case tpInstagram, tpInfluencer:
		appShare = 0.45
	case tpNewsletter:
		appShare = 0.2
	}
	if storeOf(city) == first {
		appShare = 0.15
	}
	prof := &Profile{
		Customer: ext, FirstTouchpoint: first, Locale: locale, City: city,
		HomeStore: storeOf(city), AppUser: g.chance(appShare), Newsletter: newsletter,
	}
	p := &person{
		idx:        i,
		who:        actor{customer: ext},
		prof:       prof,
		first:      first,
		mood:       clamp01(0.7 + 0.1*g.r.NormFloat64()),
		engagement: g.between(0.05, 0.45),
		os:         pick(g, []string{"ios", "android"}),
	}
	p.app = p.prof.AppUser
	return p, c
}

// name returns a full name fitting locale and the ASCII local part of an
// email address made from it.
func (g *gen) name(locale string) (string, string) {
	var first, last string
	english := locale == "en" && g.chance(0.7) || locale == "de" && g.chance(0.03)
	switch {
	case english && g.chance(0.5):
		first, last = pick(g, englishFemale), pick(g, englishLast)
	case english:
		first, last = pick(g, englishMale), pick(g, englishLast)
	case g.chance(0.52):
		first, last = pick(g, germanFemale), pick(g, germanLast)
	default:
		first, last = pick(g, germanMale), pick(g, germanLast)
	}
	f, l := emailPart(first), emailPart(last)
	var local string
	switch g.intn(5) {
	case 0, 1:
		local = f + "." + l
	case 2:
		local = f[:1] + "." + l
	case 3:
		local = f + l
	default:
		local = l + "." + f
	}
	if g.chance(0.3) {
		local += strconv.Itoa(10 + g.intn(90))
	}
	return first + " " + last, local
}

// email returns a unique address at an example domain for local.
func (g *gen) email(local string) string {
	domain := pickWeighted(g, emailDomains)
	e := local + "@" + domain
	for n := 2; g.emails[e]; n++ {
		e = local + strconv.Itoa(n) + "@" + domain
	}
	g.emails[e] = true
	return e
}

// birthday returns a birthday of an adult customer, most aged 25 to 60.
func (g *gen) birthday() string {
	age := int(clamp(g.lognormal(41, 0.28), 18, 88))
	year := g.end.Year() - age
	d := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.intn(365))
	return d.Format(time.DateOnly)
}

// finishCustomer completes c with what the journey of p showed and adds
// it and its profile to the dataset.
func (g *gen) finishCustomer(p *person, c cxm.Customer) {
	tier := "bronze"
	switch {
	case p.spent >= 500:
		tier = "gold"
	case p.spent >= 150:
		tier = "silver"
	}
	c.Attributes = cxm.Attributes{
		"city":                p.prof.City,
		"loyalty_tier":        tier,
		"newsletter":          p.prof.Newsletter,
		"customer_since_year": float64(p.prof.FirstSeenAt.Year()),
	}
	if p.app {
		c.Attributes["app_os"] = p.os
	}
	p.prof.Satisfaction = round2(p.mood)
	g.customers = append(g.customers, c)
	g.profiles = append(g.profiles, *p.prof)
}

// clamp returns v limited to [lo, hi].
func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// clamp01 returns v limited to [0, 1].
func clamp01(v float64) float64 { return clamp(v, 0, 1) }

// orderID returns a new unique order number for an order placed at t.
func (g *gen) orderID(t time.Time) string {
	day := localDate(t).Format("060102")
	for {
		id := fmt.Sprintf("NL-%s-%04d", day, g.intn(10000))
		if !g.orderIDs[id] {
			g.orderIDs[id] = true
			return id
		}
	}
}
