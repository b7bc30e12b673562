package metric

import (
	"fmt"
	"math"

	"github.com/cxmhq/cxm"
)

// NPSCounts holds the sufficient statistics of an NPS: the numbers of
// promoters (answers 9–10), passives (7–8) and detractors (0–6). Rollups store
// the three counts and add them up.
type NPSCounts struct {
	Promoters  int64 `json:"promoters"`
	Passives   int64 `json:"passives"`
	Detractors int64 `json:"detractors"`
}

// Add counts one answer on the 0–10 scale; it rejects answers outside it.
func (c *NPSCounts) Add(answer int) error {
	switch {
	case answer < 0 || answer > 10:
		return cxm.Invalid(cxm.FieldError{Field: "answer", Reason: fmt.Sprintf("%d is outside the NPS scale 0–10", answer)})
	case answer >= 9:
		c.Promoters++
	case answer >= 7:
		c.Passives++
	default:
		c.Detractors++
	}
	return nil
}

// N returns the number of answers.
func (c NPSCounts) N() int64 { return c.Promoters + c.Passives + c.Detractors }

// Merge returns the counts of both c and d, as when adding two days of a
// rollup.
func (c NPSCounts) Merge(d NPSCounts) NPSCounts {
	return NPSCounts{c.Promoters + d.Promoters, c.Passives + d.Passives, c.Detractors + d.Detractors}
}

// shares returns the shares of promoters and detractors.
func (c NPSCounts) shares() (pP, pD float64) {
	n := float64(c.N())
	return float64(c.Promoters) / n, float64(c.Detractors) / n
}

// variance returns the variance of the NPS on the −1…1 scale,
// (pP + pD − (pP − pD)²) / n.
func (c NPSCounts) variance() float64 {
	pP, pD := c.shares()
	d := pP - pD
	return math.Max(0, pP+pD-d*d) / float64(c.N())
}

// Proportion holds the sufficient statistics of a share: Hits out of N, for
// example top-two-box answers out of all CSAT answers, or responses out of
// delivered invitations.
type Proportion struct {
	Hits int64 `json:"hits"`
	N    int64 `json:"n"`
}

// Add counts one observation, a hit or not.
func (p *Proportion) Add(hit bool) {
	p.N++
	if hit {
		p.Hits++
	}
}

// Merge returns the counts of both p and q.
func (p Proportion) Merge(q Proportion) Proportion {
	return Proportion{p.Hits + q.Hits, p.N + q.N}
}

// share returns Hits / N.
func (p Proportion) share() float64 { return float64(p.Hits) / float64(p.N) }

// valid reports whether the counts can be a share.
func (p Proportion) valid() bool { return p.N >= 0 && p.Hits >= 0 && p.Hits <= p.N }

// Moments holds the sufficient statistics of a mean: the number of answers,
// their sum and the sum of their squares. Rollups store the three and add
// them up.
type Moments struct {
	N     int64   `json:"n"`
	Sum   float64 `json:"sum"`
	SumSq float64 `json:"sum_sq"`
}

// Add counts one value.
func (m *Moments) Add(v float64) {
	m.N++
	m.Sum += v
	m.SumSq += v * v
}

// Merge returns the moments of both m and k.
func (m Moments) Merge(k Moments) Moments {
	return Moments{m.N + k.N, m.Sum + k.Sum, m.SumSq + k.SumSq}
}

// Mean returns Sum / N, or NaN when N is zero.
func (m Moments) Mean() float64 {
	if m.N == 0 {
		return math.NaN()
	}
	return m.Sum / float64(m.N)
}

// Variance returns the sample variance (with N − 1 in the denominator), or
// NaN when N is below 2. Rounding never makes it negative.
func (m Moments) Variance() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	n := float64(m.N)
	return math.Max(0, (m.SumSq-m.Sum*m.Sum/n)/(n-1))
}
