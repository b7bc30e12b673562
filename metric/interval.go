package metric

import "math"

// Wilson returns the Wilson score interval of the share hits/n for the
// normal critical value z (1.96 for 95%), as fractions in [0, 1]. Unlike the
// plain p ± z·√(p(1−p)/n) interval it stays inside [0, 1] and keeps a
// sensible width at shares near 0 or 1. It returns (0, 1) when n is zero.
func Wilson(hits, n int64, z float64) (lower, upper float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(hits) / nf
	z2 := z * z
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return clamp(centre-half, 0, 1), clamp(centre+half, 0, 1)
}

// tInterval returns the Student-t interval of the mean of m at level 1 − α:
// mean ± t(n−1)·s/√n. It needs n ≥ 2.
func tInterval(m Moments, o Options) (mean, lower, upper float64) {
	mean = m.Mean()
	half := o.tCrit(float64(m.N-1)) * math.Sqrt(m.Variance()/float64(m.N))
	return mean, mean - half, mean + half
}
