package demo

import (
	"time"

	"github.com/cxmhq/cxm"
)

// purchases generates p's orders, the first one at t, each followed by its
// delivery and what came of it, until p stops buying or the data ends. It
// reports whether p placed any order.
func (g *gen) purchases(p *person, t time.Time) bool {
	n := len(p.prof.Orders)
	for !t.IsZero() {
		idx, settled := g.order(p, t)
		if idx < 0 {
			break
		}
		t = g.again(p, idx, settled)
	}
	return len(p.prof.Orders) > n
}

// again decides whether p buys again after order idx, whose story ended at
// settled, and returns when; the zero time means not within the data.
// Customers stay, fall dormant (and may come back after a long time) or
// leave for good. App users come back more often; late deliveries and
// complaints drive customers away.
func (g *gen) again(p *person, idx int, settled time.Time) time.Time {
	o := &g.orders[idx]
	stay, dormant, gap := 0.33, 0.55, 110.0
	if p.app {
		stay, gap = 0.58, 55
	}
	if o.Late {
		stay, dormant = stay*0.75, dormant*0.6
	}
	if o.Complained {
		stay, dormant = stay*0.45, dormant*0.4
	}
	if o.Returned {
		stay *= 0.85
	}
	switch {
	case g.chance(stay):
		return g.next(settled, gap, onlineRhythm)
	case g.chance(dormant):
		return g.next(settled, 5*gap, onlineRhythm)
	}
	p.activeUntil = settled.Add(time.Duration(g.exp(14)*24) * time.Hour)
	if p.activeUntil.After(g.end) {
		p.activeUntil = g.end
	}
	return time.Time{}
}

// order generates one order of p at about t: in the home store now and
// then, otherwise online in the app or on the website after a browsing
// session. It returns the order's position, or -1 when it falls after the
// data, and when its story ended.
func (g *gen) order(p *person, t time.Time) (int, time.Time) {
	storeShare := 0.2
	if p.first == p.prof.HomeStore {
		storeShare = 0.45
	}
	if p.prof.HomeStore != "" && g.chance(storeShare) {
		return g.storeOrder(p, g.after(t, storeRhythm), false)
	}
	app := p.app && !p.appSince.IsZero() && t.After(p.appSince) && g.chance(0.75)
	t = g.session(p.who, t, app, "")
	t = t.Add(time.Duration(60+g.intn(420)) * time.Second)
	date := localDate(t)
	v := g.lognormal(70, 0.8)
	for n := 0; (v < 20 || v > 800) && n < 10; n++ {
		v = g.lognormal(70, 0.8)
	}
	if date.Month() >= time.November {
		v *= 1.15
	}
	v = round2(clamp(v, 20, 800))
	items := min(15, 1+int(v/70*g.between(0.4, 1.2)))
	o := Order{ID: g.orderID(t), Customer: p.who.customer, CustomerIndex: p.idx, Touchpoint: tpCheckoutWeb,
		Channel: cxm.ChannelWeb, PlacedAt: t.Truncate(time.Second), Value: v, Items: items}
	if app {
		o.Touchpoint, o.Channel = tpCheckoutApp, cxm.ChannelApp
	}
	shipping := "standard"
	if g.chance(0.1) {
		shipping = "express"
	}
	pr := (&props{}).str("order_id", o.ID).int("items", items).str("payment", pickWeighted(g, payments)).str("shipping", shipping)
	if p.first == tpInfluencer && len(p.prof.Orders) == 0 {
		pr.str("coupon", "CREATOR10")
	}
	if !g.emit(p.who, o.Touchpoint, "order", t, v, pr) {
		return -1, t
	}
	g.orders = append(g.orders, o)
	idx := len(g.orders) - 1
	p.prof.Orders = append(p.prof.Orders, idx)
	p.spent += v
	return idx, g.deliver(p, idx, shipping == "express")
}

// storeOrder generates a purchase of p in their home store at t, after a
// visit unless visited says that was already recorded.
func (g *gen) storeOrder(p *person, t time.Time, visited bool) (int, time.Time) {
	shop := p.prof.HomeStore
	if !visited {
		if !g.emit(p.who, shop, "visit", t, 0, nil) {
			return -1, t
		}
		t = t.Add(time.Duration(8+g.intn(35)) * time.Minute)
	}
	v := round2(clamp(g.lognormal(55, 0.7), 8, 600))
	items := min(15, 1+int(v/50*g.between(0.4, 1.2)))
	o := Order{ID: g.orderID(t), Customer: p.who.customer, CustomerIndex: p.idx, Touchpoint: shop,
		Channel: cxm.ChannelStore, PlacedAt: t.Truncate(time.Second), Value: v, Items: items}
	pay := pick(g, []string{"card", "card", "cash", "apple_pay"})
	if !g.emit(p.who, shop, "purchase", t, v, (&props{}).str("order_id", o.ID).int("items", items).str("payment", pay)) {
		return -1, t
	}
	g.orders = append(g.orders, o)
	idx := len(g.orders) - 1
	p.prof.Orders = append(p.prof.Orders, idx)
	p.spent += v
	p.mood = clamp01(p.mood + 0.03)
	if g.chance(0.5) {
		g.happy = append(g.happy, moment{customer: p.idx, at: t})
	}
	return idx, t
}

// deliver ships order idx, promises a delivery day and delivers, on time
// or late; a late parcel often makes the customer call. It returns when
// the order's story ended.
func (g *gen) deliver(p *person, idx int, express bool) time.Time {
	o := &g.orders[idx]
	carrier := pickWeighted(g, carriers)
	shipAt := g.after(o.PlacedAt.Add(30*time.Minute), warehouseRhythm)
	days := 2
	if express {
		days = 1
	}
	promised := nextOpen(localDate(shipAt), days, deliveryRhythm)
	late := g.chance(lateRate(localDate(o.PlacedAt)) * carrierLateness(carrier, shipAt, g.end))
	day := promised
	if late {
		delay := 1
		for delay < 8 && g.chance(0.48) {
			delay++
		}
		day = nextOpen(promised, delay, deliveryRhythm)
	} else if early := prevOpen(promised, deliveryRhythm); g.chance(0.25) && early.After(localDate(shipAt)) {
		day = early
	}
	deliveredAt := g.hourOn(day, deliveryRhythm)
	promisedDate := promised.Format(time.DateOnly)
	if !g.emit(p.who, tpDelivery, "shipped", shipAt, 0,
		(&props{}).str("order_id", o.ID).str("carrier", carrier).str("promised_date", promisedDate)) {
		return o.PlacedAt
	}
	o.Carrier, o.Shipped, o.ShippedAt, o.PromisedDate = carrier, true, shipAt.Truncate(time.Second), promisedDate
	delayDays := 0
	if late {
		delayDays = int(day.Sub(promised).Hours() / 24)
		if g.chance(0.3 + 0.06*float64(min(delayDays, 5))) {
			// Where is my parcel? A call while the customer waits.
			callDay := openDay(addDays(promised, 1+g.intn(delayDays)), hotlineRhythm)
			if at := g.hourOn(callDay, hotlineRhythm); at.Before(deliveredAt) && at.After(shipAt) {
				g.call(p, o, at, "delivery_status", 200)
			}
		}
	}
	if !g.emit(p.who, tpDelivery, "delivered", deliveredAt, 0,
		(&props{}).str("order_id", o.ID).str("carrier", carrier).str("promised_date", promisedDate).
			str("delivered_date", day.Format(time.DateOnly)).bool("late", late).int("delay_days", delayDays)) {
		return shipAt
	}
	o.Delivered, o.DeliveredAt, o.Late, o.DelayDays = true, deliveredAt.Truncate(time.Second), late, delayDays
	if late {
		p.prof.LateDeliveries++
	}
	return g.aftermath(p, idx, deliveredAt)
}

// nextOpen returns the n-th day after date on which rh is open.
func nextOpen(date time.Time, n int, rh *rhythm) time.Time {
	for k := 0; k < n; {
		date = addDays(date, 1)
		if rh.open(date) {
			k++
		}
	}
	return date
}

// prevOpen returns the last day before date on which rh is open.
func prevOpen(date time.Time, rh *rhythm) time.Time {
	date = addDays(date, -1)
	for !rh.open(date) {
		date = addDays(date, -1)
	}
	return date
}

// call records a hotline call of p about order o at t, lasting about
// median seconds, and reports whether it lies within the data.
func (g *gen) call(p *person, o *Order, at time.Time, reason string, median float64) bool {
	d := int(g.lognormal(median, 0.5))
	if !g.emit(p.who, tpHotline, "call", at, 0, (&props{}).str("order_id", o.ID).str("reason", reason).int("duration_s", d)) {
		return false
	}
	o.Called = true
	p.prof.Calls++
	return true
}
