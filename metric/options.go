package metric

import "gonum.org/v1/gonum/stat/distuv"

// DefaultMinN is the smallest n at which a figure is shown; below it a figure
// is marked insufficient_data.
const DefaultMinN = 30

// DefaultAlpha is the significance level of intervals and tests: 0.05 gives
// 95% confidence intervals and two-sided tests at the 5% level.
const DefaultAlpha = 0.05

// Options tunes how figures are computed. The zero value asks for the
// defaults: a minimum n of 30 and α = 0.05.
type Options struct {
	// MinN is the smallest n at which a figure is shown; zero or less means
	// DefaultMinN. Set it to 1 to show every figure that can be computed.
	MinN int64
	// Alpha is the significance level in (0, 0.5); zero means DefaultAlpha.
	// Intervals have confidence 1 − Alpha and tests of change are
	// significant when p < Alpha.
	Alpha float64
	// LowerIsBetter says that a decrease is an improvement, as for complaint
	// and churn rates; it only changes the Direction of a Change.
	LowerIsBetter bool
}

// minN returns the effective minimum n.
func (o Options) minN() int64 {
	if o.MinN <= 0 {
		return DefaultMinN
	}
	return o.MinN
}

// alpha returns the effective significance level.
func (o Options) alpha() float64 {
	if o.Alpha <= 0 || o.Alpha >= 0.5 {
		return DefaultAlpha
	}
	return o.Alpha
}

// z returns the two-sided normal critical value, 1.95996 for α = 0.05.
func (o Options) z() float64 {
	if a := o.alpha(); a != DefaultAlpha {
		return distuv.UnitNormal.Quantile(1 - a/2)
	}
	return z95
}

// z95 is the normal quantile at 0.975, the critical value of 95% intervals.
const z95 = 1.959963984540054

// tCrit returns the two-sided Student-t critical value with df degrees of
// freedom.
func (o Options) tCrit(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(1 - o.alpha()/2)
}
