package demo

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// issue is one newsletter sent at a time.
type issue struct {
	at time.Time
	id string
}

// newsletterIssues returns the newsletters of the year: every Tuesday at
// ten, and a second one on Fridays before Christmas.
func (g *gen) newsletterIssues() []issue {
	var out []issue
	for d := g.startDate; !d.After(g.lastDate); d = addDays(d, 1) {
		y, w := d.ISOWeek()
		id := fmt.Sprintf("%d-kw%02d", y, w)
		switch {
		case d.Weekday() == time.Tuesday:
		case d.Weekday() == time.Friday && (d.Month() == time.November || d.Month() == time.December && d.Day() <= 20):
			id += "-spezial"
		default:
			continue
		}
		if at := atLocal(d, 10*3600); g.within(at) {
			out = append(out, issue{at: at, id: id})
		}
	}
	return out
}

// newsletterLinks are the targets of newsletter clicks.
var newsletterLinks = []string{"/neuheiten", "/sale", "/inspiration", "/wohnen", "/kueche", "/leuchten"}

// engage generates what p does between orders while they are active:
// newsletter opens and clicks, app sessions, browsing and store visits.
func (g *gen) engage(p *person) {
	g.newsletter(p)
	if p.app && !p.appSince.IsZero() {
		mean := g.between(7, 21)
		stop := p.activeUntil.Add(time.Duration(g.exp(20)*24) * time.Hour)
		for t := g.next(p.appSince, mean, onlineRhythm); !t.IsZero() && t.Before(stop); t = g.next(t, mean, onlineRhythm) {
			if g.chance(0.3) {
				g.session(p.who, t, true, "")
			} else {
				g.emit(p.who, tpApp, "app.session", t, 0, (&props{}).int("duration_s", int(g.lognormal(150, 0.8))))
			}
		}
	}
	browse := 120.0
	if p.app {
		browse = 200
	}
	for t := g.next(p.prof.FirstSeenAt, browse, onlineRhythm); !t.IsZero() && t.Before(p.activeUntil); t = g.next(t, browse, onlineRhythm) {
		g.session(p.who, t, false, "")
	}
	if p.prof.HomeStore != "" && (p.first == p.prof.HomeStore || g.chance(0.35)) {
		for t := g.next(p.prof.FirstSeenAt, 60, storeRhythm); !t.IsZero() && t.Before(p.activeUntil); t = g.next(t, 60, storeRhythm) {
			g.emit(p.who, p.prof.HomeStore, "visit", t, 0, nil)
		}
	}
}

// newsletter generates the opens and clicks of a subscriber. Engaged
// readers open more; customers who left open rarely and some unsubscribe.
func (g *gen) newsletter(p *person) {
	if p.subscribedAt.IsZero() {
		p.prof.Newsletter = false
		return
	}
	var unsub time.Time
	if p.activeUntil.Before(g.end) && g.chance(0.4) {
		unsub = p.activeUntil.Add(time.Duration(g.exp(10)*24) * time.Hour)
	}
	for _, is := range g.issues {
		if !is.at.After(p.subscribedAt) {
			continue
		}
		if !unsub.IsZero() && is.at.After(unsub) {
			break
		}
		open := p.engagement
		if is.at.After(p.activeUntil) {
			open *= 0.25
		}
		if !g.chance(open) {
			continue
		}
		at := is.at.Add(time.Duration(g.exp(5) * float64(time.Hour)))
		if !g.emit(p.who, tpNewsletter, "newsletter.open", at, 0, (&props{}).str("issue", is.id)) || !g.chance(0.3) {
			continue
		}
		at = at.Add(time.Duration(20+g.intn(280)) * time.Second)
		link := pick(g, newsletterLinks)
		if g.emit(p.who, tpNewsletter, "newsletter.click", at, 0, (&props{}).str("issue", is.id).str("link", link)) && g.chance(0.3) {
			g.session(p.who, at.Add(10*time.Second), false, "newsletter")
		}
	}
	if !unsub.IsZero() && g.emit(p.who, tpNewsletter, "newsletter.unsubscribe", unsub, 0, nil) {
		p.prof.Newsletter = false
	}
}

// visitorTouches are how anonymous visitors who never sign up arrive.
var visitorTouches = []weighted[string]{{tpSearchAds, 45}, {tpInstagram, 25}, {tpInfluencer, 10}, {tpWebsite, 20}}

// visitors generates n anonymous visitors who browse once or twice and
// never sign up.
func (g *gen) visitors(n int) {
	for range n {
		a := actor{anon: g.anonID()}
		t := g.hourOn(g.seasonDay(g.startDate, g.lastDate, onlineRhythm), onlineRhythm)
		source := ""
		switch first := pickWeighted(g, visitorTouches); first {
		case tpSearchAds:
			g.emit(a, first, "ad.click", t, 0, (&props{}).str("campaign", campaign(localDate(t), g.intn)))
			source = "search"
		case tpInstagram:
			g.emit(a, first, "post.click", t, 0, (&props{}).str("format", pick(g, postFormats)))
			source = "instagram"
		case tpInfluencer:
			g.emit(a, first, "influencer.click", t, 0, (&props{}).str("creator", pick(g, creators)))
			source = "influencer"
		}
		t = g.session(a, t.Add(time.Duration(5+g.intn(60))*time.Second), false, source)
		if g.chance(0.3) {
			if next := g.next(t, 6, onlineRhythm); !next.IsZero() {
				g.session(a, next, false, "")
			}
		}
	}
}

// sortMoments sorts ms by time.
func sortMoments(ms []moment) {
	slices.SortStableFunc(ms, func(a, b moment) int { return a.at.Compare(b.at) })
}

// searchMoments returns how many of the sorted ms lie before t.
func searchMoments(ms []moment, t time.Time) int {
	return sort.Search(len(ms), func(i int) bool { return !ms[i].at.Before(t) })
}
