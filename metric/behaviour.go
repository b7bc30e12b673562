package metric

import "time"

// RepeatPurchases counts, from the number of purchases of each customer in a
// window, the customers with at least two purchases (Hits) among those with
// at least one (N). Customers without a purchase are ignored.
func RepeatPurchases(purchasesPerCustomer []int) Proportion {
	var p Proportion
	for _, k := range purchasesPerCustomer {
		if k >= 1 {
			p.Add(k >= 2)
		}
	}
	return p
}

// RepeatPurchaseRate returns the percentage of buying customers who bought
// at least twice in the window, with a Wilson interval; see RepeatPurchases.
func RepeatPurchaseRate(purchasesPerCustomer []int, o Options) Estimate {
	return Rate(RepeatPurchases(purchasesPerCustomer), o)
}

// ReferralRate returns the percentage of active customers who have a
// referral interaction, with a Wilson interval.
func ReferralRate(referrers, activeCustomers int64, o Options) Estimate {
	return Rate(Proportion{Hits: referrers, N: activeCustomers}, o)
}

// ComplaintRate returns the percentage of a base with a complaint, with a
// Wilson interval. The caller chooses the base and says which in the label:
// customers with a complaint ÷ active customers, or orders with a complaint ÷
// orders. Counting complaints rather than complainants over customers is not
// a share and must not be passed here.
func ComplaintRate(withComplaint, base int64, o Options) Estimate {
	return Rate(Proportion{Hits: withComplaint, N: base}, o)
}

// RecoveryRate returns the percentage of detractors with a resolved case
// whose next answer was passive or promoter, with a Wilson interval: recovered
// of detractorsWithResolvedCase. Detractors who have not answered again since
// the case was resolved belong in neither count.
func RecoveryRate(recovered, detractorsWithResolvedCase int64, o Options) Estimate {
	return Rate(Proportion{Hits: recovered, N: detractorsWithResolvedCase}, o)
}

// Reviews summarises public reviews: how many there are and their mean star
// rating with a Student-t interval.
type Reviews struct {
	Count int64    `json:"count"`
	Mean  Estimate `json:"mean"`
}

// ReviewSummary returns the count and mean rating of reviews on a 1–5 scale.
// The count is always shown; the mean needs the minimum n.
func ReviewSummary(ratings Moments, o Options) Reviews {
	return Reviews{Count: ratings.N, Mean: Rating(ratings, o)}
}

// ChurnResult counts churned customers: those whose last purchase lies at
// least the churn period before now.
type ChurnResult struct {
	Customers int64    `json:"customers"`
	Churned   int64    `json:"churned"`
	Rate      Estimate `json:"rate"`
}

// Churn counts the customers who have made no purchase for at least days
// days before now (a day is 24 hours), given each customer's last purchase.
// Zero times (customers who never bought) are skipped, and purchases after
// now count as active. The rate is a percentage with a Wilson interval.
func Churn(lastPurchases []time.Time, now time.Time, days int, o Options) ChurnResult {
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	var p Proportion
	for _, t := range lastPurchases {
		if t.IsZero() {
			continue
		}
		p.Add(!t.After(cutoff))
	}
	return ChurnResult{Customers: p.N, Churned: p.Hits, Rate: Rate(p, o)}
}
