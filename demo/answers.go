package demo

import (
	"math"
	"time"

	"github.com/cxmhq/cxm"
)

// partialShare is the share of respondents who answer the first question
// and leave.
const partialShare = 0.04

// textShare is the share of complete responses with a free-text answer,
// by band: unhappy customers write more.
var textShare = [3]float64{negative: 0.8, mixed: 0.62, positive: 0.56}

// answer generates the answers of a's customer at at and adds the response.
func (l *listener) answer(a *ask, sv *cxm.Survey, at time.Time) {
	prof := &l.d.Profiles[a.customer]
	st := &story{lang: langDE}
	if prof.Locale == "en" {
		st.lang = langEN
	}
	r := Response{Survey: a.survey, Order: a.order, About: a.about}
	r.Customer, r.Touchpoint, r.Source, r.Locale = prof.Customer, a.touchpoint, a.source, prof.Locale
	r.Answers = cxm.Answers{}
	if a.order >= 0 {
		r.Hidden = map[string]string{"order_id": l.d.Orders[a.order].ID}
	}
	partial := a.source != cxm.SourceImport && l.chance(partialShare)
	switch a.survey {
	case svPurchase:
		l.answerPurchase(a, at, st, r.Answers, partial)
	case svDelivery:
		l.answerDelivery(a, st, r.Answers, partial)
	case svHotline:
		l.answerHotline(a, st, r.Answers, partial)
	case svReturns:
		l.answerReturn(a, st, r.Answers, partial)
	case svCheckout:
		l.answerCheckout(a, st, r.Answers, partial)
	case svReviews:
		l.answerReview(a, st, r.Answers)
	}
	r.StartedAt, r.Completed = at, !partial
	if !partial {
		done := at.Add(time.Duration(20+l.intn(160)) * time.Second)
		r.CompletedAt = &done
	}
	r.Derive(sv)
	l.out = append(l.out, r)
}

// writes reports whether a complete response in band bd has a text,
// with the share scaled by f.
func (l *listener) writes(bd band, f float64) bool { return l.chance(textShare[bd] * f) }

// answerPurchase answers the NPS survey after a purchase. Late deliveries
// and complaints before, and a late or overdue parcel of this order,
// lower the score; loyal customers and store visits raise it.
func (l *listener) answerPurchase(a *ask, at time.Time, st *story, ans cxm.Answers, partial bool) {
	o := &l.d.Orders[a.order]
	prof := &l.d.Profiles[a.customer]
	eff, prior := 0.0, 0
	for _, k := range prof.Orders {
		p := &l.d.Orders[k]
		if !p.PlacedAt.Before(o.PlacedAt) {
			break
		}
		prior++
		decay := math.Exp(-at.Sub(p.PlacedAt).Hours() / 24 / 120)
		if p.Late && p.DeliveredAt.Before(at) {
			eff -= 1.0 * decay
			st.prevLate = st.prevLate || decay > 0.3
		}
		if t, ok := l.complaints[p.ID]; ok && t.Before(at) {
			eff -= 0.6 * decay
			st.prevComplaint = st.prevComplaint || decay > 0.3
		}
	}
	eff += 0.1 * float64(min(prior, 3))
	if prof.AppUser {
		eff += 0.1
	}
	if o.Channel == cxm.ChannelStore {
		eff += 0.15
		st.store, st.city = o.Touchpoint, prof.City
	} else {
		switch {
		case o.Delivered && !o.DeliveredAt.After(at):
			if o.Late {
				eff -= 1.1 + 0.1*float64(min(o.DelayDays, 5))
				st.late, st.delayDays = true, o.DelayDays
			} else {
				eff += 0.15
			}
		case o.Shipped && overdue(o, at):
			eff -= 0.9
			st.waiting = true
		}
	}
	if t, ok := l.complaints[o.ID]; ok && t.Before(at) {
		eff -= 0.6
	}
	score := npsScale.answer(l.experience(a.customer, eff))
	ans[qNPS] = float64(score)
	if partial {
		return
	}
	st.band = l.npsBand(score)
	if l.chance(0.62) {
		st.mattered = l.mattered(st)
		ans[qMattered] = st.mattered
	}
	if l.writes(st.band, 1) {
		ans[qWhy] = l.purchaseText(st)
	}
}

// overdue reports whether o, shipped and not delivered by at, has passed
// its promised day.
func overdue(o *Order, at time.Time) bool {
	promised, err := time.Parse(time.DateOnly, o.PromisedDate)
	return err == nil && localDate(at).After(promised)
}

// mattered returns one to three things that mattered to the customer in
// a purchase: a late parcel makes delivery matter.
func (l *listener) mattered(st *story) []string {
	choices := []weighted[string]{{mQuality, 30}, {mRange, 22}, {mPrice, 18}}
	if st.store != "" {
		choices = append(choices, weighted[string]{mAdvice, 30})
	} else {
		w := 15.0
		if st.late || st.waiting {
			w = 45
		}
		choices = append(choices, weighted[string]{mDelivery, w}, weighted[string]{mEasy, 15})
	}
	n := 1
	if l.chance(0.45) {
		n++
		if l.chance(0.3) {
			n++
		}
	}
	var out []string
	for tries := 0; len(out) < n && tries < 20; tries++ {
		c := pickWeighted(l.gen, choices)
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// contains reports whether xs holds x.
func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// answerDelivery answers the CSAT survey after a delivery. Lateness and
// handling trouble, which grows with the depot trouble of the last weeks,
// lower the score.
func (l *listener) answerDelivery(a *ask, st *story, ans cxm.Answers, partial bool) {
	o := &l.d.Orders[a.order]
	st.carrier = o.Carrier
	eff := 0.0
	if o.Late {
		eff -= 1.3 + 0.15*float64(min(o.DelayDays, 5))
		st.late, st.delayDays = true, o.DelayDays
	} else if promised, err := time.Parse(time.DateOnly, o.PromisedDate); err == nil && localDate(o.DeliveredAt).Before(promised) {
		eff += 0.2
		st.early = true
	}
	switch {
	case o.Complained && o.ComplaintReason == "damaged":
		st.handling = handlingDamaged
	case l.chance(depotHandling(o.Carrier) * depotTrouble(o.DeliveredAt, l.end)), l.chance(0.05):
		st.handling = pick(l.gen, []int{handlingDamaged, handlingNeighbour, handlingNeighbour, handlingNoRing})
	}
	if st.handling != handlingNone {
		eff -= 1.3
	}
	score := deliveryScale.answer(l.experience(a.customer, eff))
	ans[qCSAT] = float64(score)
	if partial {
		return
	}
	st.band = l.fiveBand(score)
	if l.writes(st.band, 1) {
		ans[qComment] = l.deliveryText(st)
	}
}

// answerHotline answers the CSAT survey after a call. Repeat calls,
// complaints, long waits and unsolved issues lower the score.
func (l *listener) answerHotline(a *ask, st *story, ans cxm.Answers, partial bool) {
	cl := a.call
	st.reason, st.repeat = cl.reason, l.repeatCall(a.customer, cl)
	eff := 0.1
	switch cl.reason {
	case "delivery_status":
		eff = -0.35
	case "complaint", "complaint_followup":
		eff = -0.2
	}
	yes := 0.82
	if st.repeat > 0 {
		eff -= 0.8
		yes = 0.6
	}
	if cl.reason == "complaint" || cl.reason == "complaint_followup" {
		yes -= 0.08
	}
	switch x := l.r.Float64(); {
	case x < yes:
		st.solved = solvedYes
		eff += 0.35
	case x < yes+(1-yes)/2:
		st.solved = solvedPart
		eff -= 0.6
	default:
		st.solved = solvedNo
		eff -= 1.4
	}
	hold := l.lognormal(3.5, 0.7)
	if d := localDate(cl.at); d.Weekday() == time.Monday && localHour(cl.at) < 12 {
		hold *= 1.7
	}
	st.holdMins = max(1, int(hold))
	if st.holdMins >= 10 {
		eff -= 0.5
	}
	score := hotlineScale.answer(l.experience(a.customer, eff))
	ans[qCSAT] = float64(score)
	if partial {
		return
	}
	ans[qSolved] = st.solved
	st.band = l.fiveBand(score)
	if l.writes(st.band, 1) {
		ans[qComment] = l.hotlineText(st)
	}
}

// answerReturn answers the CES survey after a return. A return for a
// change of mind is easy; faulty goods, label trouble and slow refunds,
// such as in the backlog after Christmas, make it hard.
func (l *listener) answerReturn(a *ask, st *story, ans cxm.Answers, partial bool) {
	rt := a.ret
	st.reason = rt.reason
	eff := 0.0
	switch rt.reason {
	case "changed_mind", "too_many", "not_as_expected":
		// Nothing to explain: print the label and send it back.
		eff += 0.3
	case "damaged", "wrong_item", "missing_item", "quality":
		// Faulty goods: photos, a complaint first, a replacement to arrange.
		eff -= 0.9
	case "too_late":
		eff -= 0.3
	}
	switch x := l.r.Float64(); {
	case x < 0.07:
		st.method = returnLabelProblem
		eff -= 1.3
	case x < 0.4:
		st.method = returnQR
		eff += 0.2
	default:
		st.method = returnPortal
	}
	st.refundDays = 2 + l.intn(3)
	if d := localDate(rt.at); d.Month() == time.January || d.Month() == time.December && d.Day() >= 20 {
		st.refundDays += 3 + l.intn(7)
	}
	switch {
	case st.refundDays <= 4:
		eff += 0.4
	case st.refundDays >= 10:
		eff -= 0.8
	}
	score := returnScale.answer(l.experience(a.customer, eff))
	ans[qCES] = float64(score)
	if partial {
		return
	}
	st.band = l.cesBand(score)
	if l.writes(st.band, 1) {
		ans[qComment] = l.returnText(st)
	}
}

// answerCheckout answers the widget's checkout rating. The shop's
// overloaded pages in Black Week, failed payments and refused coupons
// lower it.
func (l *listener) answerCheckout(a *ask, st *story, ans cxm.Answers, partial bool) {
	o := &l.d.Orders[a.order]
	pay := l.payments[o.ID]
	st.payment = pay.payment
	eff := 0.0
	switch x := l.r.Float64(); {
	case inBlackWeek(localDate(o.PlacedAt)) && x < 0.3:
		st.issue, eff = issueSlowSite, -1.2
	case x < 0.03:
		st.issue, eff = issuePaymentFailed, -1.4
	case pay.coupon && x < 0.25:
		st.issue, eff = issueCoupon, -0.9
	case o.Value < 50 && x < 0.1:
		st.issue, eff = issueShippingCost, -0.6
	}
	score := checkoutScale.answer(l.experience(a.customer, eff))
	ans[qRating] = float64(score)
	if partial {
		return
	}
	st.band = l.fiveBand(score)
	if l.writes(st.band, 0.7) {
		ans[qComment] = l.checkoutText(st)
	}
}

// npsBand returns the tone of an NPS answer's text.
func (l *listener) npsBand(score int) band {
	switch {
	case score <= 5, score == 6 && l.chance(0.75):
		return negative
	case score <= 7, score == 8 && l.chance(0.7):
		return mixed
	}
	return positive
}

// fiveBand returns the tone of a text about a 1–5 answer.
func (l *listener) fiveBand(score int) band {
	switch {
	case score <= 2:
		return negative
	case score == 3, score == 4 && l.chance(0.25):
		return mixed
	}
	return positive
}

// cesBand returns the tone of a text about a 1–7 ease answer.
func (l *listener) cesBand(score int) band {
	switch {
	case score <= 3:
		return negative
	case score == 4, score == 5 && l.chance(0.4):
		return mixed
	}
	return positive
}

// answerReview imports a product review: its stars and title as written
// in the shop, and often a few sentences more.
func (l *listener) answerReview(a *ask, st *story, ans cxm.Answers) {
	rv := a.review
	ans[qRating], ans[qTitle] = float64(rv.rating), rv.title
	st.band = l.fiveBand(rv.rating)
	if a.order >= 0 {
		if o := &l.d.Orders[a.order]; o.Late {
			st.late, st.delayDays = true, o.DelayDays
		}
	}
	if l.chance(0.7) {
		ans[qReview] = l.reviewText(st)
	}
}

// depotHandling is the share of a carrier's parcels that are handled
// badly at the height of the depot trouble: damaged, left with a
// neighbour, or not even rung for.
func depotHandling(carrier string) float64 {
	if carrier == "Hermes" {
		return 0.7
	}
	return 0.3
}
