// Package metric holds the statistics of cxm as pure functions with no I/O:
// feedback metrics (NPS, CSAT, CES, mean rating, response rate) with
// confidence intervals, behavioural metrics (repeat purchases, referrals,
// complaints, reviews, churn and first-purchase cohorts), time buckets in a
// workspace's time zone, tests of change between periods with a
// Benjamini–Hochberg correction, a ranked list of weak touchpoints, and key
// driver analysis by Johnson's relative weights or the LMG (Shapley)
// decomposition of R².
//
// Every function works from sufficient statistics (counts, sums and sums of
// squares) that rollups can store and add up, so that dashboards never scan
// raw responses. Every figure carries its n, and below a minimum n (30 unless
// configured) it is marked insufficient_data and carries no value.
//
// Scales: NPS runs from −100 to 100; shares and rates (CSAT, % easy, response
// rate, repeat purchase rate, …) are percentages from 0 to 100; means stay on
// the scale of their answers. Differences between periods are in the same
// units (NPS points, percentage points, scale points).
package metric
