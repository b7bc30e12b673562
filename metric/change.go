package metric

import (
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Direction says how a figure moved between two periods.
type Direction string

// The directions of a change. Only a significant change has a direction;
// anything else is noise.
const (
	// Improved marks a significant change for the better.
	Improved Direction = "improved"
	// Deteriorated marks a significant change for the worse.
	Deteriorated Direction = "deteriorated"
	// NoSignificantChange marks a difference that the data cannot tell from
	// noise, or a comparison without enough data.
	NoSignificantChange Direction = "no_significant_change"
)

// The tests of change, named in Change.Test.
const (
	// NPSZTest is the z-test on the difference of two NPS.
	NPSZTest = "nps_z"
	// TwoProportionZTest is the pooled two-proportion z-test.
	TwoProportionZTest = "two_proportion_z"
	// WelchTTest is Welch's unequal-variance t-test.
	WelchTTest = "welch_t"
)

// Change compares a figure in the current period with the previous period
// (or the same period last year). Difference is current − previous in the
// figure's units, with a confidence interval and a two-sided p-value. When
// either period has insufficient data, Status is insufficient_data and the
// statistics are zero and must not be shown.
type Change struct {
	Current    Estimate
	Previous   Estimate
	Test       string
	Difference float64
	Lower      float64
	Upper      float64
	Statistic  float64 // z or t
	DF         float64 // degrees of freedom of Welch's t; zero for z-tests
	P          float64 // two-sided p-value
	// Q is the Benjamini–Hochberg adjusted p-value; it is set only when
	// Adjusted is true (see AdjustChanges).
	Q           float64
	Adjusted    bool
	Significant bool
	Direction   Direction
	Status      Status
}

// CompareNPS tests the difference between two NPS with a z-test on the
// difference, using the variance (pP + pD − (pP − pD)²)/n of each period.
func CompareNPS(current, previous NPSCounts, o Options) Change {
	ch := Change{Current: NPS(current, o), Previous: NPS(previous, o), Test: NPSZTest}
	if !ch.bothSufficient() {
		return ch.insufficient()
	}
	se := 100 * math.Sqrt(current.variance()+previous.variance())
	return ch.finishZ(ch.Current.Value-ch.Previous.Value, se, se, o)
}

// Compare tests c, the current period, against prev; see CompareNPS.
func (c NPSCounts) Compare(prev NPSCounts, o Options) Change { return CompareNPS(c, prev, o) }

// CompareProportions tests the difference between two shares (CSAT, response
// rate, …) with a two-proportion z-test. The p-value uses the pooled share;
// the interval of the difference (in percentage points) uses the unpooled
// standard error.
func CompareProportions(current, previous Proportion, o Options) Change {
	ch := Change{Current: Rate(current, o), Previous: Rate(previous, o), Test: TwoProportionZTest}
	if !ch.bothSufficient() {
		return ch.insufficient()
	}
	p1, p2 := current.share(), previous.share()
	n1, n2 := float64(current.N), float64(previous.N)
	pooled := float64(current.Hits+previous.Hits) / (n1 + n2)
	seTest := 100 * math.Sqrt(pooled*(1-pooled)*(1/n1+1/n2))
	seCI := 100 * math.Sqrt(p1*(1-p1)/n1+p2*(1-p2)/n2)
	return ch.finishZ((p1-p2)*100, seTest, seCI, o)
}

// Compare tests p, the current period, against prev; see
// CompareProportions.
func (p Proportion) Compare(prev Proportion, o Options) Change {
	return CompareProportions(p, prev, o)
}

// CompareMeans tests the difference between two means (CES, rating) with
// Welch's t-test, whose degrees of freedom follow Welch–Satterthwaite:
// (v1/n1 + v2/n2)² / ((v1/n1)²/(n1−1) + (v2/n2)²/(n2−1)).
func CompareMeans(current, previous Moments, o Options) Change {
	ch := Change{Current: Mean(current, o), Previous: Mean(previous, o), Test: WelchTTest}
	if !ch.bothSufficient() {
		return ch.insufficient()
	}
	n1, n2 := float64(current.N), float64(previous.N)
	a, b := current.Variance()/n1, previous.Variance()/n2
	se := math.Sqrt(a + b)
	ch.Difference = current.Mean() - previous.Mean()
	ch.DF = n1 + n2 - 2
	if a+b > 0 {
		ch.DF = (a + b) * (a + b) / (a*a/(n1-1) + b*b/(n2-1))
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: ch.DF}
	half := o.tCrit(ch.DF) * se
	ch.Lower, ch.Upper = ch.Difference-half, ch.Difference+half
	ch.Statistic, ch.P = testStatistic(ch.Difference, se, func(x float64) float64 { return 2 * t.Survival(x) })
	return ch.decide(ch.P, o)
}

// Compare tests m, the current period, against prev; see CompareMeans.
func (m Moments) Compare(prev Moments, o Options) Change { return CompareMeans(m, prev, o) }

// bothSufficient reports whether both periods have enough data.
func (ch Change) bothSufficient() bool {
	return ch.Current.Sufficient() && ch.Previous.Sufficient()
}

// insufficient marks the change as not computable.
func (ch Change) insufficient() Change {
	ch.Status, ch.Direction = StatusInsufficient, NoSignificantChange
	return ch
}

// finishZ fills in a z-test with the standard error seTest for the p-value
// and seCI for the interval.
func (ch Change) finishZ(diff, seTest, seCI float64, o Options) Change {
	ch.Difference = diff
	half := o.z() * seCI
	ch.Lower, ch.Upper = diff-half, diff+half
	// erfc(x/√2) is 2·(1 − Φ(x)) without the cancellation that rounds
	// tiny p-values to zero.
	ch.Statistic, ch.P = testStatistic(diff, seTest, func(x float64) float64 { return math.Erfc(x / math.Sqrt2) })
	return ch.decide(ch.P, o)
}

// testStatistic returns diff/se and its two-sided p-value from tail, which
// maps |statistic| to the two-sided p-value. A zero standard error gives p = 1
// for no difference and p = 0 for any difference.
func testStatistic(diff, se float64, tail func(float64) float64) (stat, p float64) {
	if se == 0 || math.IsNaN(se) {
		if diff == 0 {
			return 0, 1
		}
		return math.Copysign(math.Inf(1), diff), 0
	}
	stat = diff / se
	return stat, math.Min(1, tail(math.Abs(stat)))
}

// decide sets Significant and Direction from the p-value (or q-value) p.
func (ch Change) decide(p float64, o Options) Change {
	ch.Status = StatusOK
	ch.Significant = p < o.alpha()
	ch.Direction = direction(ch.Significant, ch.Difference, o.LowerIsBetter)
	return ch
}

// direction names a change given whether it is significant and its sign.
func direction(significant bool, diff float64, lowerIsBetter bool) Direction {
	if !significant || diff == 0 {
		return NoSignificantChange
	}
	if (diff > 0) != lowerIsBetter {
		return Improved
	}
	return Deteriorated
}

// changeJSON is the wire form of Change.
type changeJSON struct {
	Status      Status    `json:"status"`
	Test        string    `json:"test"`
	Current     Estimate  `json:"current"`
	Previous    Estimate  `json:"previous"`
	Difference  *float64  `json:"difference,omitempty"`
	Lower       *float64  `json:"lower,omitempty"`
	Upper       *float64  `json:"upper,omitempty"`
	Statistic   *float64  `json:"statistic,omitempty"`
	DF          *float64  `json:"df,omitempty"`
	P           *float64  `json:"p,omitempty"`
	Q           *float64  `json:"q,omitempty"`
	Significant bool      `json:"significant"`
	Direction   Direction `json:"direction"`
}

// MarshalJSON encodes the change, leaving out the statistics when either
// period has insufficient data and the q-value when there is none.
func (ch Change) MarshalJSON() ([]byte, error) {
	w := changeJSON{Status: ch.Status, Test: ch.Test, Current: ch.Current, Previous: ch.Previous,
		Significant: ch.Significant, Direction: ch.Direction}
	if w.Status != StatusOK {
		w.Status, w.Significant, w.Direction = StatusInsufficient, false, NoSignificantChange
	} else {
		w.Difference, w.Lower, w.Upper = finite(ch.Difference), finite(ch.Lower), finite(ch.Upper)
		w.Statistic, w.P = finite(ch.Statistic), finite(ch.P)
		if ch.Test == WelchTTest {
			w.DF = finite(ch.DF)
		}
		if ch.Adjusted {
			w.Q = finite(ch.Q)
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the form written by MarshalJSON.
func (ch *Change) UnmarshalJSON(b []byte) error {
	var w changeJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("metric: decode change: %w", err)
	}
	*ch = Change{Status: w.Status, Test: w.Test, Current: w.Current, Previous: w.Previous,
		Difference: deref(w.Difference), Lower: deref(w.Lower), Upper: deref(w.Upper),
		Statistic: deref(w.Statistic), DF: deref(w.DF), P: deref(w.P), Q: deref(w.Q), Adjusted: w.Q != nil,
		Significant: w.Significant, Direction: w.Direction}
	return nil
}
