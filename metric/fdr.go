package metric

import (
	"math"
	"sort"
)

// BenjaminiHochberg adjusts p-values for testing many hypotheses at once,
// controlling the false discovery rate. It returns the adjusted p-values
// (q-values): for the i-th smallest of m p-values, q(i) = min over j ≥ i of
// min(1, p(j)·m/j). A test is a discovery at FDR α when its q ≤ α, which is
// the step-up rule p(i) ≤ i·α/m. NaN p-values (tests that could not be run)
// get a NaN q and do not count in m.
func BenjaminiHochberg(p []float64) []float64 {
	q := make([]float64, len(p))
	idx := make([]int, 0, len(p))
	for i, v := range p {
		q[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	m := float64(len(idx))
	running := 1.0
	for r := len(idx) - 1; r >= 0; r-- {
		i := idx[r]
		running = math.Min(running, p[i]*m/float64(r+1))
		q[i] = math.Min(1, math.Max(0, running))
	}
	return q
}

// Discoveries reports which q-values are at most alpha.
func Discoveries(q []float64, alpha float64) []bool {
	out := make([]bool, len(q))
	for i, v := range q {
		out[i] = v <= alpha
	}
	return out
}

// AdjustChanges applies the Benjamini–Hochberg correction to the computable
// changes in cs, in place: it sets Q and Adjusted, and a change is then
// significant only when its q ≤ α. Changes with insufficient data are left
// alone and do not count among the tests.
func AdjustChanges(cs []Change, o Options) {
	p := make([]float64, len(cs))
	for i, c := range cs {
		p[i] = math.NaN()
		if c.Status == StatusOK {
			p[i] = c.P
		}
	}
	q := BenjaminiHochberg(p)
	for i := range cs {
		if cs[i].Status != StatusOK {
			continue
		}
		cs[i].Q, cs[i].Adjusted = q[i], true
		cs[i].Significant = q[i] <= o.alpha()
		cs[i].Direction = direction(cs[i].Significant, cs[i].Difference, o.LowerIsBetter)
	}
}
