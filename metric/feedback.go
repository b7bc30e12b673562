package metric

import (
	"fmt"
	"math"

	"github.com/cxmhq/cxm"
)

// NPS returns the Net Promoter Score of c: (pP − pD)·100 with the interval
// ±z·√((pP + pD − (pP − pD)²)/n)·100, clamped to [−100, 100].
func NPS(c NPSCounts, o Options) Estimate {
	n := c.N()
	if c.Promoters < 0 || c.Passives < 0 || c.Detractors < 0 || n < o.minN() || n == 0 {
		return insufficient(max(n, 0))
	}
	pP, pD := c.shares()
	score := (pP - pD) * 100
	half := o.z() * math.Sqrt(c.variance()) * 100
	return Estimate{Value: score, Lower: clamp(score-half, -100, 100), Upper: clamp(score+half, -100, 100), N: n, Status: StatusOK}
}

// Score returns the NPS of c; it lets NPSCounts serve as a Sample.
func (c NPSCounts) Score(o Options) Estimate { return NPS(c, o) }

// Rate returns the share p.Hits/p.N as a percentage with a Wilson interval.
// Counts that cannot be a share (negative, or more hits than n) give
// insufficient_data.
func Rate(p Proportion, o Options) Estimate {
	if !p.valid() || p.N < o.minN() || p.N == 0 {
		return insufficient(max(p.N, 0))
	}
	lo, hi := Wilson(p.Hits, p.N, o.z())
	return Estimate{Value: p.share() * 100, Lower: lo * 100, Upper: hi * 100, N: p.N, Status: StatusOK}
}

// Score returns the share of p as a percentage; it lets Proportion serve as
// a Sample.
func (p Proportion) Score(o Options) Estimate { return Rate(p, o) }

// CSAT returns the customer satisfaction score: the percentage of top-two-box
// answers (4 or 5 on a 1–5 scale) among all answers, with a Wilson interval.
// Count the answers with TopTwoBox.
func CSAT(p Proportion, o Options) Estimate { return Rate(p, o) }

// ResponseRate returns responses ÷ delivered invitations as a percentage with
// a Wilson interval. Count only responses to delivered invitations, so that
// responses never exceed deliveries.
func ResponseRate(responses, delivered int64, o Options) Estimate {
	return Rate(Proportion{Hits: responses, N: delivered}, o)
}

// Mean returns the mean of m with a Student-t interval. It needs at least two
// values whatever the minimum n.
func Mean(m Moments, o Options) Estimate {
	if m.N < o.minN() || m.N < 2 || math.IsNaN(m.Sum) || math.IsNaN(m.SumSq) {
		return insufficient(max(m.N, 0))
	}
	mean, lo, hi := tInterval(m, o)
	return Estimate{Value: mean, Lower: lo, Upper: hi, N: m.N, Status: StatusOK}
}

// Score returns the mean of m; it lets Moments serve as a Sample.
func (m Moments) Score(o Options) Estimate { return Mean(m, o) }

// Rating returns the mean star rating on a 1–5 scale with a Student-t
// interval clamped to the scale.
func Rating(m Moments, o Options) Estimate {
	return clampEstimate(Mean(m, o), 1, 5)
}

// CESStats holds the sufficient statistics of a Customer Effort Score on a
// 1–7 scale (7 = very easy): the moments of the answers and the number of
// easy answers (5 or more).
type CESStats struct {
	Moments
	Easy int64 `json:"easy"`
}

// Add counts one answer on the 1–7 scale; it rejects answers outside it.
func (s *CESStats) Add(answer int) error {
	easy, err := EasyAnswer(answer)
	if err != nil {
		return err
	}
	s.Moments.Add(float64(answer))
	if easy {
		s.Easy++
	}
	return nil
}

// Merge returns the statistics of both s and t.
func (s CESStats) Merge(t CESStats) CESStats {
	return CESStats{Moments: s.Moments.Merge(t.Moments), Easy: s.Easy + t.Easy}
}

// CESResult is a Customer Effort Score: the mean answer and the percentage of
// easy answers.
type CESResult struct {
	Mean Estimate `json:"mean"`
	Easy Estimate `json:"easy_pct"`
}

// CES returns the mean of the 1–7 answers with a Student-t interval clamped
// to the scale, and the percentage of answers of 5 or more with a Wilson
// interval.
func CES(s CESStats, o Options) CESResult {
	return CESResult{
		Mean: clampEstimate(Mean(s.Moments, o), 1, 7),
		Easy: Rate(Proportion{Hits: s.Easy, N: s.N}, o),
	}
}

// TopTwoBox reports whether a CSAT answer on the 1–5 scale is 4 or 5; it
// rejects answers outside the scale.
func TopTwoBox(answer int) (bool, error) {
	if answer < 1 || answer > 5 {
		return false, cxm.Invalid(cxm.FieldError{Field: "answer", Reason: fmt.Sprintf("%d is outside the CSAT scale 1–5", answer)})
	}
	return answer >= 4, nil
}

// EasyAnswer reports whether a CES answer on the 1–7 scale is 5 or more; it
// rejects answers outside the scale.
func EasyAnswer(answer int) (bool, error) {
	if answer < 1 || answer > 7 {
		return false, cxm.Invalid(cxm.FieldError{Field: "answer", Reason: fmt.Sprintf("%d is outside the CES scale 1–7", answer)})
	}
	return answer >= 5, nil
}

// clampEstimate limits the interval of e to the scale [lo, hi].
func clampEstimate(e Estimate, lo, hi float64) Estimate {
	if e.Sufficient() {
		e.Lower, e.Upper = clamp(e.Lower, lo, hi), clamp(e.Upper, lo, hi)
	}
	return e
}
