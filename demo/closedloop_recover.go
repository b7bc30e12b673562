package demo

import (
	"slices"
	"time"

	"github.com/cxmhq/cxm"
)

// recoverShare is the chance that a resolved detractor recovers, by what
// was done: money and a fix win customers back more often than words.
var recoverShare = map[cxm.ResolutionType]float64{
	cxm.ResolutionRefund: 0.5, cxm.ResolutionDiscount: 0.5, cxm.ResolutionFix: 0.45,
	cxm.ResolutionCallback: 0.4, cxm.ResolutionApology: 0.3, cxm.ResolutionNone: 0.1,
}

// recoveredAnswerRate is the share of customers with a resolved case who
// answer the survey about their next purchase, or the question in the
// team's last reply.
const recoveredAnswerRate = 0.8

// resurveyDays is how long after a purchase the team may ask again about
// it, once the case about it is resolved.
const resurveyDays = 7*24*time.Hour + 12*time.Hour

// recover lets detractors whose case was resolved answer the NPS survey
// about their next purchase, if they bought again and no survey asked
// them yet: some come back as passives or promoters, depending on what
// was done for them. It then renumbers the responses in time order.
func (lp *looper) recover() {
	d := lp.d
	byID := make(map[string]int, len(d.Responses))
	npsAt := map[string][]time.Time{}
	for i := range d.Responses {
		r := &d.Responses[i]
		byID[r.ID] = i
		if r.Completed && r.NPS != nil {
			npsAt[r.Customer] = append(npsAt[r.Customer], *r.CompletedAt)
		}
	}
	cust := make(map[string]int, len(d.Customers))
	for i := range d.Customers {
		cust[d.Customers[i].ExternalID] = i
	}
	var added []Response
	for k := range d.Cases {
		c := &d.Cases[k]
		opened := &d.Responses[byID[c.ResponseID]]
		if c.ResolvedAt == nil || opened.NPS == nil || *opened.NPS > 6 {
			continue
		}
		if slices.ContainsFunc(npsAt[opened.Customer], func(t time.Time) bool { return t.After(*c.ResolvedAt) }) {
			continue // they answered again anyway
		}
		ci, ok := cust[opened.Customer]
		if !ok {
			continue
		}
		r, ok := lp.nextAnswer(ci, c, opened)
		if ok {
			added = append(added, r)
			npsAt[opened.Customer] = append(npsAt[opened.Customer], *r.CompletedAt)
		}
	}
	if len(added) == 0 {
		return
	}
	d.Responses = append(d.Responses, added...)
	slices.SortStableFunc(d.Responses, func(a, b Response) int { return a.StartedAt.Compare(b.StartedAt) })
	renamed := make(map[string]string, len(d.Responses))
	for i := range d.Responses {
		id := "demo-r-" + pad6(i+1)
		renamed[d.Responses[i].ID] = id
		d.Responses[i].ID = id
	}
	for k := range d.Cases {
		d.Cases[k].ResponseID = renamed[d.Cases[k].ResponseID]
	}
}

// nextAnswer generates the answer of customer ci, whose case c about
// the response opened was resolved, to the NPS survey: about their first
// purchase after the resolution, or else, when the team asked again by
// email right after resolving it, about the order the case was about. It
// reports false when there is neither, or they do not answer.
func (lp *looper) nextAnswer(ci int, c *Case, opened *Response) (Response, bool) {
	d := lp.d
	prof := &d.Profiles[ci]
	var o *Order
	oi := -1
	for _, k := range prof.Orders {
		if p := &d.Orders[k]; p.PlacedAt.After(*c.ResolvedAt) && (p.Touchpoint == tpCheckoutWeb || p.Channel == cxm.ChannelStore) {
			o, oi = p, k
			break
		}
	}
	r := Response{Survey: svPurchase}
	r.Customer, r.Locale = prof.Customer, prof.Locale
	var at time.Time
	switch {
	case o != nil && o.Channel == cxm.ChannelStore:
		r.Source, r.Touchpoint = cxm.SourceQR, o.Touchpoint
		at = o.PlacedAt.Add(time.Duration(lp.lognormal(100, 1.0)) * time.Minute)
	case o != nil:
		if !d.Customers[ci].Consent.Email {
			return Response{}, false
		}
		r.Source, r.Touchpoint = cxm.SourceEmail, o.Touchpoint
		d.Invited[svPurchase]++
		at = o.PlacedAt.Add(48*time.Hour + min(time.Duration(lp.lognormal(150, 1.3))*time.Minute, 48*time.Hour))
	case opened.Survey == svPurchase && opened.Order >= 0:
		// Asked again by the link in the team's last reply: "Würden Sie
		// uns jetzt weiterempfehlen?"
		oi, o = opened.Order, &d.Orders[opened.Order]
		at = c.ResolvedAt.Add(min(time.Duration(lp.lognormal(240, 1.2))*time.Minute, 36*time.Hour))
		if at.Sub(o.PlacedAt) > resurveyDays {
			return Response{}, false
		}
		r.Source, r.Touchpoint = cxm.SourceLink, opened.Touchpoint
	default:
		return Response{}, false
	}
	r.Order, r.About = oi, o.PlacedAt
	if !lp.chance(recoveredAnswerRate) {
		return Response{}, false
	}
	at = at.Truncate(time.Second)
	done := at.Add(time.Duration(20+lp.intn(160)) * time.Second)
	if !done.Add(5 * time.Minute).Before(lp.end) {
		return Response{}, false
	}
	p := recoverShare[c.Resolution.Type]
	if len(c.Breached) > 0 {
		p -= 0.2
	}
	recovered := lp.chance(p)
	score := 3 + lp.intn(4)
	if recovered {
		score = pickWeighted(lp.gen, []weighted[int]{{7, 20}, {8, 30}, {9, 30}, {10, 20}})
	}
	r.ID = "demo-rc-" + pad6(len(d.Responses)+1)
	r.Hidden = map[string]string{"order_id": o.ID}
	r.Answers = cxm.Answers{qNPS: float64(score)}
	if lp.chance(0.6) {
		r.Answers[qWhy] = recoveredText(recovered, r.Locale, c.Resolution.Type)
	}
	r.StartedAt, r.Completed, r.CompletedAt = at, true, &done
	r.Derive(&d.Surveys[svPurchase])
	return r, true
}

// recoveredText is the comment of a customer with a resolved case about
// their next purchase.
func recoveredText(recovered bool, locale string, t cxm.ResolutionType) string {
	switch {
	case recovered && locale == "en":
		return "Last time went wrong, but customer service sorted it out quickly. This order was fine."
	case locale == "en":
		return "They apologised last time, but I am still not convinced."
	case recovered && (t == cxm.ResolutionRefund || t == cxm.ResolutionDiscount):
		return "Beim letzten Mal lief es schief, aber der Kundenservice war kulant und schnell. Diesmal hat alles geklappt."
	case recovered:
		return "Nach dem Ärger beim letzten Mal hat sich der Kundenservice gut gekümmert. Diesmal war alles in Ordnung."
	}
	return "Die Entschuldigung war nett, aber überzeugt bin ich noch nicht."
}
