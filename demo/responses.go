package demo

import (
	"cmp"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cxmhq/cxm"
)

// responseStream is the PCG stream of the survey generator. A stream of
// its own keeps customers, orders and interactions the same whatever the
// surveys draw.
const responseStream = pcgStream + 1

// Response is a generated survey response. Survey is the position of its
// survey in Dataset.Surveys, whose id Load fills in; Order is the position
// in Dataset.Orders of the order it is about, or -1; About is when the
// interaction it asks about happened: the order, delivery, call, return
// or review.
type Response struct {
	cxm.Response
	Survey int
	Order  int
	About  time.Time
}

// call is a hotline call of a customer, from the interactions.
type call struct {
	at      time.Time
	orderID string
	reason  string
}

// giveBack is a return of (part of) an order, from the interactions.
type giveBack struct {
	customer int
	at       time.Time
	orderID  string
	reason   string
}

// review is a product review written in the shop, from the interactions.
type review struct {
	customer int
	at       time.Time
	orderID  string
	rating   int
	title    string
}

// ask is a moment at which a survey may ask a customer: an email
// invitation due, a widget shown or a QR code on a receipt.
type ask struct {
	survey, customer int
	// due is when the invitation goes out, the widget shows or the receipt is printed.
	due time.Time
	// about is when the interaction the survey asks about happened.
	about      time.Time
	touchpoint string
	source     string
	order      int
	call       *call
	ret        *giveBack
	review     *review
	seq        int
}

// listener generates the surveys' responses from a finished dataset.
type listener struct {
	*gen
	d       *Dataset
	surveys []cxm.Survey
	// trait is each customer's disposition: how generously they answer.
	trait    []float64
	customer map[string]int
	orderIdx map[string]int
	// calls are each customer's hotline calls in time order; complaints
	// the first complaint per order id; payments the payment method and
	// coupon per order id.
	calls      [][]call
	complaints map[string]time.Time
	payments   map[string]orderPay
	returns    []giveBack
	reviews    []review
	// lastAny and lastSurvey are when each customer was last asked, by
	// any survey and by each.
	lastAny    map[int]time.Time
	lastSurvey [surveyCount]map[int]time.Time
	invited    [surveyCount]int
	out        []Response
}

// orderPay is how an order was paid.
type orderPay struct {
	payment string
	coupon  bool
}

// Scales of the demo's answers: the answer distribution of an average
// customer with an ordinary experience, lowest answer first. A customer's
// experience shifts them.
var (
	npsScale      = newScale(0, 1.5, 1.5, 2, 2.5, 3, 4.5, 7, 11, 19, 22, 24)
	deliveryScale = newScale(1, 2, 3, 7, 30, 58)
	hotlineScale  = newScale(1, 2, 3, 7, 30, 58)
	returnScale   = newScale(1, 3, 4, 7, 12, 20, 27, 27)
	checkoutScale = newScale(1, 2, 3, 8, 30, 57)
)

// scale maps a standard-normal experience to an answer: cuts are the
// quantiles at which the answer goes up by one.
type scale struct {
	lo   int
	cuts []float64
}

// newScale returns the scale from lo whose answers have the given relative
// weights for an experience drawn from the standard normal distribution.
func newScale(lo int, weights ...float64) scale {
	var sum, acc float64
	for _, w := range weights {
		sum += w
	}
	s := scale{lo: lo}
	for _, w := range weights[:len(weights)-1] {
		acc += w
		s.cuts = append(s.cuts, math.Sqrt2*math.Erfinv(2*acc/sum-1))
	}
	return s
}

// answer returns the answer for experience z.
func (s scale) answer(z float64) int {
	n := 0
	for n < len(s.cuts) && z >= s.cuts[n] {
		n++
	}
	return s.lo + n
}

// responses generates the responses of d's customers to the surveys:
// who was asked when (sampling, consent, contact frequency and recontact
// periods), who answered, and how, following what happened to them.
func responses(opt Options, d *Dataset, svs []cxm.Survey) ([]Response, []int) {
	l := &listener{
		gen: &gen{r: rand.New(rand.NewPCG(opt.Seed, responseStream)), start: d.Start, end: d.End,
			startDate: localDate(d.Start), lastDate: addDays(localDate(d.End), -1)},
		d: d, surveys: svs,
		trait:      make([]float64, len(d.Customers)),
		customer:   make(map[string]int, len(d.Customers)),
		orderIdx:   make(map[string]int, len(d.Orders)),
		calls:      make([][]call, len(d.Customers)),
		complaints: map[string]time.Time{},
		payments:   make(map[string]orderPay, len(d.Orders)),
		lastAny:    map[int]time.Time{},
	}
	for i := range l.lastSurvey {
		l.lastSurvey[i] = map[int]time.Time{}
	}
	for i := range d.Customers {
		l.customer[d.Customers[i].ExternalID] = i
		l.trait[i] = l.r.NormFloat64()
	}
	for i := range d.Orders {
		l.orderIdx[d.Orders[i].ID] = i
	}
	l.readInteractions()
	asks := l.asks()
	for i := range asks {
		l.handle(&asks[i])
	}
	slices.SortStableFunc(l.out, func(a, b Response) int { return a.StartedAt.Compare(b.StartedAt) })
	for i := range l.out {
		l.out[i].ID = "demo-r-" + pad6(i+1)
	}
	return l.out, l.invited[:]
}

// readInteractions collects the calls, returns, complaints and payments
// the surveys follow from the interactions.
func (l *listener) readInteractions() {
	var p struct {
		OrderID string `json:"order_id"`
		Reason  string `json:"reason"`
		Payment string `json:"payment"`
		Coupon  string `json:"coupon"`
		Rating  int    `json:"rating"`
		Title   string `json:"title"`
	}
	for i := range l.d.Interactions {
		in := &l.d.Interactions[i]
		switch {
		case in.Type == "call", in.Type == "return", in.Type == "complaint", in.Type == "review",
			in.Type == "order" && in.Touchpoint == tpCheckoutWeb:
		default:
			continue
		}
		c, ok := l.customer[in.Customer]
		if !ok {
			continue
		}
		p.OrderID, p.Reason, p.Payment, p.Coupon, p.Rating, p.Title = "", "", "", "", 0, ""
		if err := json.Unmarshal(in.Properties, &p); err != nil {
			continue
		}
		switch in.Type {
		case "call":
			l.calls[c] = append(l.calls[c], call{at: in.OccurredAt, orderID: p.OrderID, reason: p.Reason})
		case "return":
			l.returns = append(l.returns, giveBack{customer: c, at: in.OccurredAt, orderID: p.OrderID, reason: p.Reason})
		case "complaint":
			if _, seen := l.complaints[p.OrderID]; !seen {
				l.complaints[p.OrderID] = in.OccurredAt
			}
		case "order":
			l.payments[p.OrderID] = orderPay{payment: p.Payment, coupon: p.Coupon != ""}
		case "review":
			l.reviews = append(l.reviews, review{customer: c, at: in.OccurredAt, orderID: p.OrderID, rating: p.Rating, title: p.Title})
		}
	}
}

// asks lists every moment a survey may ask someone, in time order.
func (l *listener) asks() []ask {
	var out []ask
	add := func(a ask) {
		a.seq = len(out)
		out = append(out, a)
	}
	for i := range l.d.Orders {
		o := &l.d.Orders[i]
		c := o.CustomerIndex
		switch {
		case o.Touchpoint == tpCheckoutWeb:
			add(ask{survey: svCheckout, customer: c, due: o.PlacedAt.Add(time.Duration(20+l.intn(60)) * time.Second), about: o.PlacedAt,
				touchpoint: tpCheckoutWeb, source: cxm.SourceWidget, order: i})
			add(ask{survey: svPurchase, customer: c, due: o.PlacedAt.Add(48 * time.Hour), about: o.PlacedAt, touchpoint: tpCheckoutWeb,
				source: cxm.SourceEmail, order: i})
		case o.Channel == cxm.ChannelStore:
			add(ask{survey: svPurchase, customer: c, due: o.PlacedAt, about: o.PlacedAt, touchpoint: o.Touchpoint, source: cxm.SourceQR, order: i})
		}
		if o.Delivered {
			add(ask{survey: svDelivery, customer: c, due: o.DeliveredAt.Add(24 * time.Hour), about: o.DeliveredAt, touchpoint: tpDelivery,
				source: cxm.SourceEmail, order: i})
		}
	}
	for c := range l.calls {
		for k := range l.calls[c] {
			cl := &l.calls[c][k]
			add(ask{survey: svHotline, customer: c, due: cl.at.Add(time.Hour), about: cl.at, touchpoint: tpHotline,
				source: cxm.SourceEmail, order: l.orderOf(cl.orderID), call: cl})
		}
	}
	for k := range l.returns {
		rt := &l.returns[k]
		add(ask{survey: svReturns, customer: rt.customer, due: rt.at.Add(24 * time.Hour), about: rt.at, touchpoint: tpReturns,
			source: cxm.SourceEmail, order: l.orderOf(rt.orderID), ret: rt})
	}
	for k := range l.reviews {
		rv := &l.reviews[k]
		add(ask{survey: svReviews, customer: rv.customer, due: rv.at, about: rv.at, touchpoint: tpReviews,
			source: cxm.SourceImport, order: l.orderOf(rv.orderID), review: rv})
	}
	slices.SortFunc(out, func(a, b ask) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return out
}

// orderOf returns the position of the order with id, or -1.
func (l *listener) orderOf(id string) int {
	if i, ok := l.orderIdx[id]; ok {
		return i
	}
	return -1
}

// Base response rates: the share of invited (or shown) customers who
// answer, and of store customers who scan the receipt's QR code.
var responseRate = [surveyCount]float64{
	svPurchase: 0.31, svDelivery: 0.33, svHotline: 0.27, svReturns: 0.27, svCheckout: 0.2,
}

// qrRate is the share of store purchases whose receipt QR code is scanned
// and answered.
const qrRate = 0.1

// handle decides whether a is asked and answered, and generates the answer.
func (l *listener) handle(a *ask) {
	sv := &l.surveys[a.survey]
	if !a.due.Before(l.end) {
		return
	}
	if a.source == cxm.SourceImport {
		// Reviews were written unasked; each is imported.
		l.answer(a, sv, a.due)
		return
	}
	if last, ok := l.lastSurvey[a.survey][a.customer]; ok && a.due.Sub(last) < days(sv.RecontactDays) {
		return
	}
	if last, ok := l.lastAny[a.customer]; ok && a.due.Sub(last) < days(ContactFrequencyDays) {
		return
	}
	rate := qrRate
	if a.source != cxm.SourceQR {
		if !l.chance(float64(sv.SamplingPercent) / 100) {
			return
		}
		if a.source == cxm.SourceEmail && !l.d.Customers[a.customer].Consent.Email {
			return
		}
		// The customer was asked. An invitation counts as a contact; the
		// widget's card, shown to every visitor of the page, only once
		// answered.
		if a.source == cxm.SourceEmail {
			l.lastAny[a.customer], l.lastSurvey[a.survey][a.customer] = a.due, a.due
		}
		l.invited[a.survey]++
		rate = responseRate[a.survey]
		if l.upset(a) {
			// Unhappy customers speak up a little more often.
			rate += 0.06
		}
	}
	if !l.chance(rate) {
		return
	}
	at, ok := l.answerTime(a, sv)
	if !ok {
		return
	}
	if a.source != cxm.SourceEmail {
		l.lastAny[a.customer], l.lastSurvey[a.survey][a.customer] = at, at
	}
	l.answer(a, sv, at)
}

// days returns n days as a duration.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// upset reports whether what a asks about went wrong in a way the customer
// noticed by the time they were asked.
func (l *listener) upset(a *ask) bool {
	if a.order >= 0 {
		o := &l.d.Orders[a.order]
		if o.Late && !o.DeliveredAt.After(a.due) {
			return true
		}
		if t, ok := l.complaints[o.ID]; ok && t.Before(a.due) {
			return true
		}
	}
	return a.call != nil && l.repeatCall(a.customer, a.call) > 0
}

// answerTime returns when the customer answers a: soon after the email or
// after its reminder, at once in the widget, within hours of a store
// visit. It reports false when that lies after the data.
func (l *listener) answerTime(a *ask, sv *cxm.Survey) (time.Time, bool) {
	var at time.Time
	switch a.source {
	case cxm.SourceWidget:
		at = a.due.Add(time.Duration(3+l.intn(20)) * time.Second)
	case cxm.SourceQR:
		at = a.due.Add(time.Duration(l.lognormal(100, 1.0)) * time.Minute)
	default:
		if sv.ReminderDays > 0 && l.chance(0.3) {
			at = a.due.Add(days(sv.ReminderDays) + min(time.Duration(l.lognormal(180, 1.1))*time.Minute, 36*time.Hour))
		} else {
			lag := min(time.Duration(l.lognormal(150, 1.3))*time.Minute, days(max(sv.ReminderDays, 2)))
			at = a.due.Add(lag)
		}
		if h := localHour(at); h < 7 {
			at = l.after(at, onlineRhythm)
		}
	}
	at = at.Truncate(time.Second)
	// The whole response, partial or complete, lies within the data.
	return at, at.Add(5 * time.Minute).Before(l.end)
}

// localHour returns the German local hour of u.
func localHour(u time.Time) int { return u.Add(berlinOffset(u)).Hour() }

// repeatCall returns how many calls the customer made in the three weeks
// before c.
func (l *listener) repeatCall(customer int, c *call) int {
	n := 0
	for _, o := range l.calls[customer] {
		if o.at.Before(c.at) && c.at.Sub(o.at) < 21*24*time.Hour {
			n++
		}
	}
	return n
}

// experience returns a customer's experience for an answer: the effect of
// what happened, plus their disposition and the mood of the moment, on
// the standard-normal scale of the answer distributions.
func (l *listener) experience(customer int, effect float64) float64 {
	const w = 0.45
	return effect + w*l.trait[customer] + math.Sqrt(1-w*w)*l.r.NormFloat64()
}
