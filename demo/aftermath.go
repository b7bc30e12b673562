package demo

import (
	"strconv"
	"time"
)

// Rating distributions, one star first: after a good order, after a late
// one and after a complaint.
var (
	ratingsHappy     = []weighted[int]{{1, 2}, {2, 3}, {3, 8}, {4, 32}, {5, 55}}
	ratingsLate      = []weighted[int]{{1, 12}, {2, 20}, {3, 30}, {4, 24}, {5, 14}}
	ratingsComplaint = []weighted[int]{{1, 45}, {2, 30}, {3, 14}, {4, 8}, {5, 3}}
)

// Reasons for complaints and returns.
var (
	complaintReasons = []weighted[string]{{"damaged", 40}, {"wrong_item", 25}, {"missing_item", 20}, {"quality", 15}}
	returnReasons    = []weighted[string]{{"not_as_expected", 30}, {"changed_mind", 25}, {"quality", 20}, {"damaged", 10}, {"wrong_item", 5}, {"too_many", 10}}
)

// aftermath generates what follows the delivery of order idx at
// deliveredAt: complaints, returns, calls, a review, a referral, and the
// change in the customer's mood. Late deliveries make all the bad things
// more likely. It returns when the order's story ended.
func (g *gen) aftermath(p *person, idx int, deliveredAt time.Time) time.Time {
	o := &g.orders[idx]
	settled := deliveredAt
	later := func(t time.Time) {
		if t.After(settled) {
			settled = t
		}
	}
	if o.Late {
		p.mood -= 0.1 + 0.03*float64(min(o.DelayDays, 5))
	} else {
		p.mood += 0.04
	}

	var complainedAt time.Time
	pc := 0.025
	if o.Late {
		pc = 0.28 + 0.04*float64(min(o.DelayDays, 5))
	}
	if g.chance(pc) {
		reason := pickWeighted(g, complaintReasons)
		if o.Late && g.chance(0.8) {
			reason = "late_delivery"
		}
		pr := (&props{}).str("order_id", o.ID).str("reason", reason)
		if p.prof.HomeStore != "" && g.chance(0.3) {
			at := g.after(deliveredAt.Add(time.Duration(g.exp(30))*time.Hour), storeRhythm)
			if g.emit(p.who, tpServiceDesk, "complaint", at, 0, pr.str("channel", "store")) {
				complainedAt = at
			}
		} else {
			at := g.after(deliveredAt.Add(time.Duration(g.exp(18))*time.Hour), hotlineRhythm)
			if g.call(p, o, at, "complaint", 420) {
				at = at.Add(time.Duration(60+g.intn(300)) * time.Second)
				if g.emit(p.who, tpHotline, "complaint", at, 0, pr.str("channel", "phone")) {
					complainedAt = at
				}
				if g.chance(0.45) {
					// The complaint is not settled and the customer calls again.
					again := g.after(at.Add(time.Duration(3*24+g.intn(9*24))*time.Hour), hotlineRhythm)
					if g.call(p, o, again, "complaint_followup", 300) {
						later(again)
					}
				}
			}
		}
		if !complainedAt.IsZero() {
			o.Complained, o.ComplaintReason = true, reason
			p.prof.Complaints++
			p.mood -= 0.15
			later(complainedAt)
		}
	}

	pr := 0.07
	if o.Late {
		pr = 0.17
	}
	if o.Complained {
		pr += 0.2
	}
	if g.chance(pr) {
		reason := pickWeighted(g, returnReasons)
		switch {
		case o.Complained && o.ComplaintReason != "late_delivery":
			reason = o.ComplaintReason
		case o.Late && g.chance(0.5):
			reason = "too_late"
		}
		day := openDay(addDays(localDate(settled), 2+g.intn(12)), warehouseRhythm)
		at := g.hourOn(day, warehouseRhythm)
		items := 1 + g.intn(o.Items)
		amount := round2(o.Value * float64(items) / float64(o.Items))
		if g.emit(p.who, tpReturns, "return", at, 0, (&props{}).str("order_id", o.ID).str("reason", reason).
			int("items", items).num("amount", amount)) {
			o.Returned, o.ReturnReason = true, reason
			p.prof.Returns++
			p.mood -= 0.03
			later(at)
		}
	}

	if g.chance(0.03) {
		at := g.after(deliveredAt.Add(time.Duration(g.exp(72))*time.Hour), hotlineRhythm)
		if g.call(p, o, at, pick(g, callReasons), 180) {
			later(at)
		}
	}

	prv := 0.09
	if o.Late {
		prv += 0.1
	}
	if o.Complained {
		prv += 0.15
	}
	if g.chance(prv) {
		dist := ratingsHappy
		switch {
		case o.Complained:
			dist = ratingsComplaint
		case o.Late:
			dist = ratingsLate
		}
		rating := pickWeighted(g, dist)
		base := deliveredAt
		if complainedAt.After(base) {
			base = complainedAt
		}
		at := g.hourOn(addDays(localDate(base), 2+g.intn(10)), onlineRhythm)
		title := pick(g, reviewTitles[p.prof.Locale][rating-1])
		if o.Late && rating <= 3 && g.chance(0.7) {
			title = pick(g, lateTitles[p.prof.Locale])
		}
		if g.emit(p.who, tpReviews, "review", at, 0, (&props{}).str("order_id", o.ID).int("rating", rating).str("title", title)) {
			o.Rating = rating
			p.prof.Reviews++
			later(at)
		}
	}

	if !o.Late && !o.Complained && (o.Rating == 0 || o.Rating >= 4) {
		g.happy = append(g.happy, moment{customer: p.idx, at: deliveredAt})
		share := 0.05
		if p.app {
			share = 0.08
		}
		if g.chance(share) {
			at := g.hourOn(addDays(localDate(deliveredAt), 2+g.intn(20)), onlineRhythm)
			code := "FREUND-" + p.who.customer[2:]
			if g.emit(p.who, tpReferral, "referral", at, 0, (&props{}).str("code", code).str("via", pick(g, shareVia))) {
				p.prof.Referrals++
			}
		}
	}
	p.mood = clamp01(p.mood)
	return settled
}

// guestCode returns the referral code of someone who is not a customer
// of the dataset.
func (g *gen) guestCode() string { return "FREUND-G" + strconv.Itoa(10000+g.intn(90000)) }
