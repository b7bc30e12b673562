package demo

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/text"
)

func TestResponsesAreDeterministic(t *testing.T) {
	a := Generate(testNow, Options{Customers: 600})
	b := Generate(testNow.Add(3*time.Hour), Options{Customers: 600})
	if len(a.Responses) == 0 || !reflect.DeepEqual(a.Responses, b.Responses) || !reflect.DeepEqual(a.Surveys, b.Surveys) {
		t.Fatalf("two datasets of the same seed and day have different surveys or responses (%d, %d)", len(a.Responses), len(b.Responses))
	}
	c := Generate(testNow, Options{Customers: 600, Seed: 99})
	if reflect.DeepEqual(a.Responses, c.Responses) {
		t.Error("datasets of different seeds have the same responses")
	}
	for i, r := range a.Responses {
		if want := "demo-r-" + pad6(i+1); r.ID != want {
			t.Fatalf("response %d has id %q, want %q", i, r.ID, want)
		}
		if i > 0 && r.StartedAt.Before(a.Responses[i-1].StartedAt) {
			t.Fatalf("response %s is out of time order", r.ID)
		}
	}
}

// TestResponsesFitTheirSurveys checks every response of the default
// dataset against its survey and against what happened: valid answers, a
// real customer in their own language, a touchpoint of the survey, and a
// time shortly after the interaction it is about.
func TestResponsesFitTheirSurveys(t *testing.T) {
	d := Generate(testNow, Options{})
	if len(d.Surveys) != surveyCount {
		t.Fatalf("%d surveys, want %d", len(d.Surveys), surveyCount)
	}
	tps := map[string]bool{}
	for _, tp := range d.Touchpoints {
		tps[tp.Key] = true
	}
	slugs := map[string]bool{}
	for i := range d.Surveys {
		sv := copySurvey(&d.Surveys[i])
		if err := sv.Validate(); err != nil {
			t.Errorf("survey %s: %v", sv.Slug, err)
		}
		if slugs[sv.Slug] || !strings.HasPrefix(sv.Slug, DefaultSurveyPrefix) {
			t.Errorf("survey slug %s is repeated or lacks the prefix", sv.Slug)
		}
		slugs[sv.Slug] = true
		for _, k := range sv.Touchpoints {
			if !tps[k] {
				t.Errorf("survey %s names unknown touchpoint %s", sv.Slug, k)
			}
		}
		if tr := sv.Trigger; tr != nil && !tps[tr.Touchpoint] {
			t.Errorf("survey %s triggers on unknown touchpoint %s", sv.Slug, tr.Touchpoint)
		}
		for _, q := range sv.Questions {
			if q.Text["de"] == "" || q.Text["en"] == "" {
				t.Errorf("survey %s question %s is not in German and English", sv.Slug, q.Key)
			}
		}
		if sv.Title["en"] == "" || sv.Title["de"] == "" {
			t.Errorf("survey %s has no title in both languages", sv.Slug)
		}
	}
	sv := &d.Surveys[svPurchase]
	if tr := sv.Trigger; tr == nil || tr.InteractionType != "order" || tr.DelayMinutes != 2*24*60 || sv.SamplingPercent != 50 ||
		sv.RecontactDays != 90 || sv.ReminderDays != 3 {
		t.Errorf("purchase survey: trigger %+v, sampling %d, recontact %d, reminder %d", tr, sv.SamplingPercent, sv.RecontactDays, sv.ReminderDays)
	}
	if tr := d.Surveys[svDelivery].Trigger; tr == nil || tr.InteractionType != "delivered" || tr.Touchpoint != tpDelivery || tr.DelayMinutes != 24*60 {
		t.Errorf("delivery survey trigger %+v", tr)
	}

	customers := map[string]int{}
	for i, c := range d.Customers {
		customers[c.ExternalID] = i
	}
	ids := map[string]bool{}
	for _, r := range d.Responses {
		if ids[r.ID] {
			t.Fatalf("response id %s repeated", r.ID)
		}
		ids[r.ID] = true
		sv := &d.Surveys[r.Survey]
		answers := maps.Clone(r.Answers)
		if err := sv.ValidateAnswers(answers, r.Completed); err != nil {
			t.Fatalf("response %s to %s: %v", r.ID, sv.Slug, err)
		}
		if !r.Completed && len(r.Answers) != 1 {
			t.Errorf("partial response %s has %d answers, want only the first", r.ID, len(r.Answers))
		}
		if _, ok := r.Answers[sv.Questions[0].Key]; !ok {
			t.Errorf("response %s does not answer the first question", r.ID)
		}
		derived := r.Response
		derived.Derive(sv)
		if !reflect.DeepEqual(derived, r.Response) {
			t.Errorf("response %s: derived scores differ from a fresh Derive", r.ID)
		}
		ci, ok := customers[r.Customer]
		if !ok {
			t.Fatalf("response %s: unknown customer %q", r.ID, r.Customer)
		}
		if r.Locale != d.Customers[ci].Locale {
			t.Errorf("response %s in %s, customer speaks %s", r.ID, r.Locale, d.Customers[ci].Locale)
		}
		if !slices.Contains(sv.Touchpoints, r.Touchpoint) {
			t.Errorf("response %s at %s, not a touchpoint of %s", r.ID, r.Touchpoint, sv.Slug)
		}
		if r.StartedAt.Before(d.Start) || !r.StartedAt.Before(d.End) || r.CompletedAt != nil && !r.CompletedAt.After(r.StartedAt) {
			t.Errorf("response %s started %v, completed %v", r.ID, r.StartedAt, r.CompletedAt)
		}
		if r.Completed != (r.CompletedAt != nil) {
			t.Errorf("response %s: completed %v, completed at %v", r.ID, r.Completed, r.CompletedAt)
		}
		if r.Source == cxm.SourceEmail && !d.Customers[ci].Consent.Email {
			t.Errorf("response %s came from an email to a customer without email consent", r.ID)
		}
		if lag := r.StartedAt.Sub(r.About); lag < 0 || lag > 8*24*time.Hour || r.Survey == svReviews && lag != 0 {
			t.Errorf("response %s to %s came %v after its interaction", r.ID, sv.Slug, lag)
		}
		if r.Order < 0 {
			if r.Survey != svHotline && r.Survey != svReviews {
				t.Errorf("response %s to %s names no order", r.ID, sv.Slug)
			}
			continue
		}
		o := &d.Orders[r.Order]
		if o.Customer != r.Customer || r.Hidden["order_id"] != o.ID {
			t.Errorf("response %s is about order %s of %s, hidden %v", r.ID, o.ID, o.Customer, r.Hidden)
		}
		if r.Survey == svDelivery && !r.About.Equal(o.DeliveredAt) || (r.Survey == svPurchase || r.Survey == svCheckout) && !r.About.Equal(o.PlacedAt) {
			t.Errorf("response %s to %s is about %v, not the order's interaction", r.ID, sv.Slug, r.About)
		}
	}
}

// share returns part / whole.
func share(part, whole int) float64 { return float64(part) / float64(max(whole, 1)) }

// mean returns the mean of xs.
func mean(xs []int) float64 {
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(max(len(xs), 1))
}

// TestResponsesTellTheStory checks, on the default dataset, the figures
// the demo should show: thousands of responses at realistic rates in both
// languages, a realistic NPS and CSAT, and scores that follow the
// journey.
func TestResponsesTellTheStory(t *testing.T) {
	for _, c := range []struct {
		seed uint64
		now  time.Time
	}{
		{DefaultSeed, testNow},
		{5, time.Date(2025, time.August, 1, 10, 0, 0, 0, time.UTC)},
		{6, time.Date(2025, time.November, 20, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(fmt.Sprintf("seed %d at %s", c.seed, c.now.Format(time.DateOnly)), func(t *testing.T) {
			checkResponseStory(t, Generate(c.now, Options{Seed: c.seed}))
		})
	}
}

// checkResponseStory checks the figures and effects of d's responses.
func checkResponseStory(t *testing.T, d *Dataset) {
	t.Helper()
	per := make([]int, surveyCount)
	var fromEmail [surveyCount]int
	var partial, complete, withText, en, promoters, detractors, npsN, top2, csatN int
	var lateCSAT, onTimeCSAT, firstCall, repeatCall, easyReturn, hardReturn, afterLate, noLate, before, last []int
	cut := d.End.AddDate(0, 0, -7*depotWeeks)
	calls := map[string][]time.Time{}
	for _, in := range d.Interactions {
		if in.Type == "call" {
			calls[in.Customer] = append(calls[in.Customer], in.OccurredAt)
		}
	}
	for _, r := range d.Responses {
		per[r.Survey]++
		if r.Source == cxm.SourceEmail || r.Source == cxm.SourceWidget {
			fromEmail[r.Survey]++
		}
		if r.Locale == "en" {
			en++
		}
		if !r.Completed {
			partial++
		} else if r.Survey != svReviews {
			complete++
			for _, k := range []string{qWhy, qComment} {
				if _, ok := r.Answers[k]; ok {
					withText++
				}
			}
		}
		switch r.Survey {
		case svPurchase:
			npsN++
			switch cxm.ClassifyNPS(*r.NPS) {
			case cxm.Promoter:
				promoters++
			case cxm.Detractor:
				detractors++
			}
			late := false
			for _, k := range d.Profiles[d.Orders[r.Order].CustomerIndex].Orders {
				if o := &d.Orders[k]; o.Late && o.DeliveredAt.Before(r.StartedAt) && r.StartedAt.Sub(o.DeliveredAt) < 90*24*time.Hour {
					late = true
				}
			}
			if late {
				afterLate = append(afterLate, *r.NPS)
			} else {
				noLate = append(noLate, *r.NPS)
			}
		case svDelivery:
			csatN++
			if *r.CSAT >= 4 {
				top2++
			}
			if d.Orders[r.Order].Late {
				lateCSAT = append(lateCSAT, *r.CSAT)
			} else {
				onTimeCSAT = append(onTimeCSAT, *r.CSAT)
			}
			if r.StartedAt.Before(cut) {
				before = append(before, min(1, *r.CSAT/4))
			} else {
				last = append(last, min(1, *r.CSAT/4))
			}
		case svHotline:
			repeat := false
			for _, at := range calls[r.Customer] {
				if at.Before(r.About) && r.About.Sub(at) < 21*24*time.Hour {
					repeat = true
				}
			}
			if repeat {
				repeatCall = append(repeatCall, *r.CSAT)
			} else {
				firstCall = append(firstCall, *r.CSAT)
			}
		case svReturns:
			switch d.Orders[r.Order].ReturnReason {
			case "changed_mind", "too_many", "not_as_expected":
				easyReturn = append(easyReturn, *r.CES)
			case "damaged", "wrong_item", "missing_item", "quality":
				hardReturn = append(hardReturn, *r.CES)
			}
		}
	}
	nps := 100 * share(promoters-detractors, npsN)
	t.Logf("%d responses %v; invited %v; NPS %+.0f (n=%d); delivery CSAT top-2 %.2f (n=%d); late %.2f (n=%d), on time %.2f; "+
		"NPS within 90 days of a late delivery %.2f (n=%d), without %.2f; hotline repeat %.2f (n=%d), first %.2f; CES easy %.2f (n=%d), faulty %.2f (n=%d); "+
		"delivery top-2 before the depot trouble %.2f, since %.2f (n=%d)",
		len(d.Responses), per, d.Invited, nps, npsN, share(top2, csatN), csatN, mean(lateCSAT), len(lateCSAT), mean(onTimeCSAT),
		mean(afterLate), len(afterLate), mean(noLate), mean(repeatCall), len(repeatCall), mean(firstCall),
		mean(easyReturn), len(easyReturn), mean(hardReturn), len(hardReturn), mean(before), mean(last), len(last))

	if n := len(d.Responses); n < 1500 || n > 2500 {
		t.Errorf("%d responses from %d customers, want 1500 to 2500", n, len(d.Customers))
	}
	for i, n := range per {
		if n < 50 {
			t.Errorf("survey %s has %d responses, want at least 50", d.Surveys[i].Slug, n)
		}
	}
	for _, s := range []int{svPurchase, svDelivery, svHotline, svReturns, svCheckout} {
		checkShare(t, "responses to "+d.Surveys[s].Slug+" of those asked", share(fromEmail[s], d.Invited[s]), 0.15, 0.38)
	}
	checkShare(t, "partial responses", share(partial, len(d.Responses)), 0.015, 0.07)
	checkShare(t, "complete responses without a text", 1-share(withText, complete), 0.30, 0.50)
	checkShare(t, "English responses", share(en, len(d.Responses)), 0.12, 0.30)
	if nps < 15 || nps > 45 {
		t.Errorf("NPS %+.0f, want +15 to +45", nps)
	}
	checkShare(t, "delivery CSAT top-2", share(top2, csatN), 0.65, 0.85)
	if ml, mo := mean(lateCSAT), mean(onTimeCSAT); len(lateCSAT) < 50 || ml+1.2 > mo {
		t.Errorf("delivery CSAT after late deliveries %.2f (n=%d), want at least 1.2 below %.2f on time", ml, len(lateCSAT), mo)
	}
	if ma, mn := mean(afterLate), mean(noLate); len(afterLate) < 5 || ma+1 > mn {
		t.Errorf("NPS within 90 days of a late delivery %.2f (n=%d), want at least 1 below %.2f", ma, len(afterLate), mn)
	}
	if mr, mf := mean(repeatCall), mean(firstCall); len(repeatCall) < 10 || mr+0.4 > mf {
		t.Errorf("hotline CSAT of repeat calls %.2f (n=%d), want at least 0.4 below %.2f of first calls", mr, len(repeatCall), mf)
	}
	if me, mh := mean(easyReturn), mean(hardReturn); len(hardReturn) < 8 || mh+0.4 > me {
		t.Errorf("CES of returns of faulty goods %.2f (n=%d), want at least 0.4 below %.2f of easy ones", mh, len(hardReturn), me)
	}
	if mb, ml := mean(before), mean(last); len(last) < 50 || ml+0.08 > mb {
		t.Errorf("delivery CSAT top-2 in the last %d weeks %.2f (n=%d), want at least 8 points below %.2f before", depotWeeks, ml, len(last), mb)
	}
}

// TestVerbatimsReadLikeTheirScores reads every free text of the default
// dataset with the text analyser: low scores read negative, high ones
// positive, each in the customer's language; late parcels are named late.
func TestVerbatimsReadLikeTheirScores(t *testing.T) {
	d := Generate(testNow, Options{})
	an, err := text.NewAnalyzer(text.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ n, against int }
	var low, high, lang tally
	// about counts per survey the texts and those that mention one of the
	// survey's own topics.
	about := map[int]*tally{}
	own := map[int][]string{
		svDelivery: {"delivery", "waiting_time"},
		svHotline:  {"hotline", "staff_friendliness", "competence", "waiting_time"},
		svReturns:  {"returns_refunds"},
		svCheckout: {"checkout_payment", "website_app"},
	}
	topics := map[string]bool{}
	var umlauts, lateTexts, lateNamed int
	for _, r := range d.Responses {
		for _, k := range []string{qWhy, qComment, qReview} {
			s, ok := r.Answers[k].(string)
			if !ok {
				continue
			}
			if strings.ContainsAny(s, "{}") || s == "" || !cxm.ValidText(s, 2000) {
				t.Fatalf("response %s: bad text %q", r.ID, s)
			}
			if strings.ContainsAny(s, "äöüßÄÖÜ") {
				umlauts++
			}
			res := an.Analyze(s)
			if about[r.Survey] == nil {
				about[r.Survey] = &tally{}
			}
			about[r.Survey].n++
			mentioned := false
			for _, m := range res.Mentions {
				topics[m.Topic] = true
				mentioned = mentioned || slices.Contains(own[r.Survey], m.Topic)
			}
			if mentioned {
				about[r.Survey].against++
			}
			lang.n++
			if string(res.Language) != r.Locale {
				lang.against++
			}
			var lo, hi bool
			switch {
			case r.NPS != nil:
				lo, hi = *r.NPS <= 6, *r.NPS >= 9
			case r.CSAT != nil:
				lo, hi = *r.CSAT <= 2, *r.CSAT == 5
			case r.CES != nil:
				lo, hi = *r.CES <= 3, *r.CES >= 6
			case r.Rating != nil:
				lo, hi = *r.Rating <= 2, *r.Rating == 5
			}
			switch {
			case lo:
				low.n++
				if res.Sentiment.Label == text.Positive {
					low.against++
				}
			case hi:
				high.n++
				if res.Sentiment.Label == text.Negative {
					high.against++
				}
			}
			if r.Survey == svDelivery && d.Orders[r.Order].Late {
				lateTexts++
				for _, m := range []string{"spät", "länger als", "late", "longer than"} {
					if strings.Contains(strings.ToLower(s), m) {
						lateNamed++
						break
					}
				}
			}
		}
	}
	t.Logf("low scores: %d texts, %d read positive; high scores: %d texts, %d read negative; language wrong in %d of %d; "+
		"%d with umlauts; %d of %d texts about late deliveries name it",
		low.n, low.against, high.n, high.against, lang.against, lang.n, umlauts, lateNamed, lateTexts)
	if low.n < 100 || share(low.against, low.n) > 0.1 {
		t.Errorf("%d of %d texts with low scores read positive, want at most 10%%", low.against, low.n)
	}
	if high.n < 300 || share(high.against, high.n) > 0.1 {
		t.Errorf("%d of %d texts with high scores read negative, want at most 10%%", high.against, high.n)
	}
	if share(lang.against, lang.n) > 0.05 {
		t.Errorf("%d of %d texts are not detected in the customer's language, want at most 5%%", lang.against, lang.n)
	}
	for sv, want := range map[int]float64{svDelivery: 0.9, svHotline: 0.8, svReturns: 0.7, svCheckout: 0.7} {
		if a := about[sv]; a == nil || share(a.against, a.n) < want {
			t.Errorf("texts of %s mentioning %v: %v, want a share of at least %.1f", d.Surveys[sv].Slug, own[sv], a, want)
		}
	}
	if len(topics) < 10 {
		t.Errorf("the texts mention %d topics of the taxonomy, want at least 10: %v", len(topics), topics)
	}
	if umlauts < 100 {
		t.Errorf("%d texts with umlauts or ß, want at least 100", umlauts)
	}
	if lateTexts < 30 || lateNamed != lateTexts {
		t.Errorf("%d of %d delivery texts about late parcels name the lateness, want all", lateNamed, lateTexts)
	}
}

func TestScale(t *testing.T) {
	s := newScale(1, 10, 20, 30, 40)
	for _, c := range []struct {
		z    float64
		want int
	}{{-5, 1}, {-1.2, 2}, {0, 3}, {0.3, 4}, {5, 4}} {
		if got := s.answer(c.z); got != c.want {
			t.Errorf("answer(%g) = %d, want %d", c.z, got, c.want)
		}
	}
	if got, want := len(npsScale.cuts), 10; got != want {
		t.Errorf("the NPS scale has %d cuts, want %d", got, want)
	}
}
