package demo

import "time"

// customer generates customer i and their whole journey.
func (g *gen) customer(i int) {
	p, c := g.newPerson(i)
	rh := onlineRhythm
	if p.first == p.prof.HomeStore {
		rh = storeRhythm
	}
	// The last week is left to acquisition sessions so that signups fit.
	day := g.seasonDay(addDays(g.startDate, 1), addDays(g.lastDate, -7), rh)
	t := g.hourOn(day, rh)
	p.prof.FirstSeenAt = t.Truncate(time.Second)
	p.activeUntil = g.end
	buyer := g.chance(0.8)

	t, bought := g.acquire(p, t, buyer)
	if buyer && !bought {
		var next time.Time
		if g.chance(0.3) {
			next = t.Add(time.Duration(2+g.intn(15)) * time.Minute)
		} else {
			next = g.next(t, 8, onlineRhythm)
		}
		if !next.IsZero() {
			bought = g.purchases(p, next)
		}
	} else if bought {
		g.purchases(p, g.again(p, p.prof.Orders[0], t))
	}
	if !bought {
		// Those who never buy drift away after a few weeks.
		p.activeUntil = p.prof.FirstSeenAt.Add(time.Duration(g.exp(50)*24) * time.Hour)
		if p.activeUntil.After(g.end) {
			p.activeUntil = g.end
		}
	}
	if p.activeUntil.Before(g.end) && len(p.prof.Orders) > 0 {
		p.prof.Churned, p.prof.ChurnedAt = true, p.activeUntil.Truncate(time.Second)
	}
	g.engage(p)
	g.finishCustomer(p, c)
}

// acquire generates how p first meets the company at t and signs up, and
// returns the time after that and whether p already bought in a store.
func (g *gen) acquire(p *person, t time.Time, buyer bool) (time.Time, bool) {
	if p.first == p.prof.HomeStore {
		g.emit(p.who, p.first, "visit", t, 0, nil)
		g.subscribe(p, t.Add(5*time.Minute))
		g.installLater(p, t)
		if buyer && g.chance(0.55) {
			idx, settled := g.storeOrder(p, t.Add(time.Duration(8+g.intn(30))*time.Minute), true)
			return settled, idx >= 0
		}
		return t.Add(time.Duration(10+g.intn(30)) * time.Minute), false
	}
	if p.first == tpNewsletter {
		src := pick(g, []string{"website-popup", "gewinnspiel", "checkout-hinweis"})
		g.emit(p.who, tpNewsletter, "newsletter.signup", t, 0, (&props{}).str("source", src))
		p.subscribedAt = t
		t = g.session(p.who, t.Add(time.Duration(1+g.intn(5))*time.Minute), false, tpWebsite)
		g.installLater(p, t)
		return t, false
	}
	a := p.who
	anonShare := 0.6
	if p.first == tpReferral {
		anonShare = 0.5
	}
	if g.chance(anonShare) {
		p.anon = actor{anon: g.anonID()}
		p.prof.AnonymousID = p.anon.anon
		a = p.anon
	}
	switch p.first {
	case tpSearchAds:
		g.emit(a, tpSearchAds, "ad.click", t, 0, (&props{}).str("campaign", campaign(localDate(t), g.intn)))
	case tpInstagram:
		g.emit(a, tpInstagram, "post.click", t, 0, (&props{}).str("format", pick(g, postFormats)))
	case tpInfluencer:
		cr := pick(g, creators)
		g.emit(a, tpInfluencer, "influencer.click", t, 0, (&props{}).str("creator", cr))
	case tpReferral:
		// The visit with its code follows once the referrer is known.
		g.pending = append(g.pending, referred{customer: p.idx, who: a, at: t})
	}
	t = t.Add(time.Duration(5+g.intn(60)) * time.Second)
	viaApp := p.app && (p.first == tpInstagram || p.first == tpInfluencer) && g.chance(0.5)
	if viaApp {
		g.emit(a, tpApp, "app.install", t, 0, (&props{}).str("os", p.os))
		p.appSince = t
	}
	t = g.session(a, t, viaApp, "")
	if p.anon.anon != "" {
		// Anonymous visitors come back a few times before they sign up.
		for n := g.intn(3); n > 0; n-- {
			next := g.next(t, 4, onlineRhythm)
			if next.IsZero() || next.After(g.end.AddDate(0, 0, -2)) {
				break
			}
			t = g.session(a, next, viaApp, "")
		}
		if next := g.next(t, 3, onlineRhythm); !next.IsZero() && g.chance(0.5) {
			t = next
		} else {
			t = t.Add(time.Duration(1+g.intn(10)) * time.Minute)
		}
	} else {
		t = t.Add(time.Duration(1+g.intn(10)) * time.Minute)
	}
	signup := tpWebsite
	if viaApp {
		signup = tpApp
	}
	if g.emit(p.who, signup, "signup", t, 0, nil) && p.anon.anon != "" {
		g.identities = append(g.identities, Identity{AnonymousID: p.anon.anon, Customer: p.who.customer, At: t.Truncate(time.Second)})
	}
	g.subscribe(p, t.Add(20*time.Second))
	if !viaApp {
		g.installLater(p, t)
	}
	return t, false
}

// referred is a referred customer waiting for their referrer.
type referred struct {
	customer int
	who      actor
	at       time.Time
}

// subscribe starts the newsletter of a subscriber at t.
func (g *gen) subscribe(p *person, t time.Time) {
	if !p.prof.Newsletter || !p.subscribedAt.IsZero() {
		return
	}
	if g.emit(p.who, tpNewsletter, "newsletter.signup", t, 0, (&props{}).str("source", "signup")) {
		p.subscribedAt = t
	}
}

// installLater lets an app user install the app some time after t.
func (g *gen) installLater(p *person, t time.Time) {
	if !p.app || !p.appSince.IsZero() {
		return
	}
	at := g.hourOn(addDays(localDate(t), int(g.exp(20))), onlineRhythm)
	if !at.After(t) {
		at = t.Add(time.Duration(2+g.intn(20)) * time.Minute)
	}
	if g.emit(p.who, tpApp, "app.install", at, 0, (&props{}).str("os", p.os)) {
		p.appSince = at
	} else {
		p.app, p.prof.AppUser = false, false
	}
}

// session generates a browsing session of a from t, on the website or in
// the app, and returns the time of its last event. A source, when given,
// is the page view's referrer.
func (g *gen) session(a actor, t time.Time, app bool, source string) time.Time {
	tp := tpWebsite
	if app {
		tp = tpApp
		g.emit(a, tpApp, "app.session", t, 0, (&props{}).int("duration_s", int(g.lognormal(240, 0.7))))
	} else {
		p := (&props{}).str("page", pick(g, pages))
		if source != "" {
			p.str("source", source)
		}
		g.emit(a, tpWebsite, "page.view", t, 0, p)
	}
	for n := 1 + g.intn(3); n > 0; n-- {
		t = t.Add(time.Duration(20+g.intn(180)) * time.Second)
		pr := pick(g, catalog)
		g.emit(a, tp, "product.view", t, 0, (&props{}).str("sku", pr.sku).str("category", pr.category))
	}
	return t
}

// referrals gives every referred customer a referrer: a customer who had
// a good experience before, and who records the referral.
func (g *gen) referrals() {
	sortMoments(g.happy)
	for _, r := range g.pending {
		code := g.guestCode()
		n := searchMoments(g.happy, r.at.Add(-24*time.Hour))
		for try := 0; n > 0 && try < 5; try++ {
			h := g.happy[g.intn(n)]
			if h.customer == r.customer {
				continue
			}
			ref := &g.profiles[h.customer]
			code = "FREUND-" + ref.Customer[2:]
			span := r.at.Sub(h.at) - time.Hour
			at := r.at.Add(-time.Hour - time.Duration(g.r.Int64N(int64(min(span, 7*24*time.Hour)))))
			g.emit(actor{customer: ref.Customer}, tpReferral, "referral", at, 0,
				(&props{}).str("code", code).str("via", pick(g, shareVia)).str("referred", g.profiles[r.customer].Customer))
			ref.Referrals++
			g.profiles[r.customer].ReferredBy = ref.Customer
			break
		}
		g.emit(r.who, tpReferral, "referral.visit", r.at, 0, (&props{}).str("code", code))
	}
}
