package metric

import (
	"fmt"
	"math"
	"sort"

	"github.com/cxmhq/cxm"
)

// DriverMethod names a method of relative importance.
type DriverMethod string

// The methods of relative importance. Both split R² among correlated
// drivers without the sign flips and inflation of raw regression weights.
const (
	// RelativeWeights is Johnson's (2000) relative weights: the drivers are
	// replaced by their closest orthogonal counterparts, the outcome is
	// regressed on those, and each counterpart's share is mapped back to the
	// drivers. Fast for any number of drivers.
	RelativeWeights DriverMethod = "relative_weights"
	// LMG is the Lindeman–Merenda–Gold decomposition, the Shapley value of
	// R²: each driver's gain in R² averaged over all orders of entry. Exact,
	// computed over all 2^p subsets, so limited to MaxLMGDrivers drivers.
	LMG DriverMethod = "lmg"
)

// MaxLMGDrivers is the largest number of non-constant drivers for which LMG
// is computed exactly.
const MaxLMGDrivers = 12

// Driver is one candidate driver of an outcome: a touchpoint's score, an
// attribute as a number or 0/1 dummy, or later a text topic.
type Driver struct {
	// Name labels the driver in the result.
	Name string
	// Values holds one value per row, aligned with the outcome; NaN marks a
	// missing value.
	Values []float64
	// Low and High are the ends of the driver's scale, for example 0 and 10,
	// used to put performance on 0–100. When High ≤ Low the observed minimum
	// and maximum are used instead.
	Low, High float64
}

// DriverOptions tunes KeyDrivers.
type DriverOptions struct {
	// Method is RelativeWeights (the default when empty) or LMG.
	Method DriverMethod
	// MinN is the smallest number of complete rows accepted; zero or less
	// means DefaultMinN. At least drivers + 2 rows are always needed.
	MinN int
}

// Quadrant places a driver on the importance–performance grid, split at the
// median importance and the median performance of the drivers.
type Quadrant string

// The quadrants of the importance–performance grid.
const (
	// Fix marks an important driver that performs below the median: improve it first.
	Fix Quadrant = "fix"
	// Leverage marks an important driver that performs well: a strength to build on.
	Leverage Quadrant = "leverage"
	// Maintain marks a less important driver that performs well: keep it, do not over-invest.
	Maintain Quadrant = "maintain"
	// Monitor marks a less important driver that performs below the median: watch it.
	Monitor Quadrant = "monitor"
)

// DriverImportance is one driver's part in explaining the outcome.
type DriverImportance struct {
	Name string `json:"name"`
	Rank int    `json:"rank"`
	// Importance is the driver's share of R²; the importances sum to R².
	Importance float64 `json:"importance"`
	// Rescaled is Importance as a percentage of R²; they sum to 100.
	Rescaled float64 `json:"rescaled"`
	// Correlation is the Pearson correlation with the outcome; importance
	// has no sign, so a negative correlation says that more of the driver
	// goes with a lower outcome.
	Correlation float64 `json:"correlation"`
	// Performance is the driver's mean over the complete rows.
	Performance float64 `json:"performance"`
	// PerformancePct is Performance on 0–100 of the driver's scale.
	PerformancePct float64  `json:"performance_pct"`
	Quadrant       Quadrant `json:"quadrant,omitempty"`
	// Notes explain anything that limits what the figures say.
	Notes []string `json:"notes,omitempty"`
}

// DriverResult is the result of a key driver analysis.
type DriverResult struct {
	Method DriverMethod `json:"method"`
	// N is the number of complete rows used; Dropped counts the rows left
	// out because a value was missing (listwise deletion).
	N       int `json:"n"`
	Dropped int `json:"dropped"`
	// R2 is the share of the outcome's variance that all drivers together
	// explain in a linear regression.
	R2                float64            `json:"r2"`
	MedianImportance  float64            `json:"median_importance"`
	MedianPerformance float64            `json:"median_performance_pct"`
	Drivers           []DriverImportance `json:"drivers"`
}

// KeyDrivers computes how much each driver contributes to explaining the
// outcome (for example the 0–10 likelihood to recommend, or 1 for promoters
// and 0 otherwise), honestly under correlated drivers. Rows with any missing
// value are left out. A constant driver gets importance 0 and a note. It
// returns an EInvalid error naming the problem when the lengths differ, a
// value is infinite, the outcome is constant, or there are too few complete
// rows.
func KeyDrivers(outcome []float64, drivers []Driver, o DriverOptions) (DriverResult, error) {
	if o.Method == "" {
		o.Method = RelativeWeights
	}
	if o.Method != RelativeWeights && o.Method != LMG {
		return DriverResult{}, invalid("method", fmt.Sprintf("%q is not one of relative_weights, lmg", o.Method))
	}
	if err := checkDrivers(outcome, drivers); err != nil {
		return DriverResult{}, err
	}
	d := completeRows(outcome, drivers)
	res := DriverResult{Method: o.Method, N: d.n, Dropped: len(outcome) - d.n, Drivers: make([]DriverImportance, len(drivers))}
	for j, dr := range drivers {
		res.Drivers[j] = d.describe(j, dr)
	}
	active := d.nonConstant()
	minN := o.MinN
	if minN <= 0 {
		minN = DefaultMinN
	}
	if need := max(minN, len(active)+2); d.n < need {
		return DriverResult{}, invalid("outcome", fmt.Sprintf("only %d complete rows (of %d) for %d drivers; need at least %d", d.n, len(outcome), len(active), need))
	}
	if d.sd[0] == 0 {
		return DriverResult{}, invalid("outcome", "is constant over the complete rows, so there is nothing to explain")
	}
	if o.Method == LMG && len(active) > MaxLMGDrivers {
		return DriverResult{}, invalid("drivers", fmt.Sprintf("LMG is exact for at most %d non-constant drivers, got %d; use relative_weights", MaxLMGDrivers, len(active)))
	}
	if len(active) > 0 {
		rxx, rxy := d.correlations(active)
		var r2 float64
		var imp []float64
		if o.Method == LMG {
			r2, imp = lmg(rxx, rxy)
		} else {
			r2, imp = relativeWeights(rxx, rxy)
		}
		res.R2 = r2
		for k, j := range active {
			res.Drivers[j].Importance = imp[k]
			if r2 > 0 {
				res.Drivers[j].Rescaled = imp[k] / r2 * 100
			}
		}
		noteCollinear(res.Drivers, active, rxx)
	}
	res.rankAndPlace(active)
	return res, nil
}

// checkDrivers validates the shapes and values of the input.
func checkDrivers(outcome []float64, drivers []Driver) error {
	if len(drivers) == 0 {
		return invalid("drivers", "no drivers given")
	}
	if err := checkFinite("outcome", outcome); err != nil {
		return err
	}
	for j, dr := range drivers {
		field := fmt.Sprintf("drivers[%d]", j)
		if dr.Name == "" {
			return invalid(field+".name", "is empty")
		}
		if len(dr.Values) != len(outcome) {
			return invalid(field+".values", fmt.Sprintf("has %d values for %d outcomes", len(dr.Values), len(outcome)))
		}
		if err := checkFinite(field+".values", dr.Values); err != nil {
			return err
		}
	}
	return nil
}

// checkFinite rejects infinite values; NaN is allowed and means missing.
func checkFinite(field string, v []float64) error {
	for i, x := range v {
		if math.IsInf(x, 0) {
			return invalid(field, fmt.Sprintf("value %d is infinite", i))
		}
	}
	return nil
}

// invalid returns an EInvalid error for one field.
func invalid(field, reason string) error {
	return cxm.Invalid(cxm.FieldError{Field: field, Reason: reason})
}

// driverData holds the complete rows: column 0 is the outcome and column
// j+1 is driver j.
type driverData struct {
	n        int
	cols     [][]float64
	mean, sd []float64
	min, max []float64
}

// completeRows keeps the rows without a missing value and computes each
// column's mean, standard deviation and range.
func completeRows(outcome []float64, drivers []Driver) driverData {
	d := driverData{cols: make([][]float64, len(drivers)+1)}
	for c := range d.cols {
		d.cols[c] = make([]float64, 0, len(outcome))
	}
	for i := range outcome {
		if math.IsNaN(outcome[i]) || hasMissing(drivers, i) {
			continue
		}
		d.cols[0] = append(d.cols[0], outcome[i])
		for j, dr := range drivers {
			d.cols[j+1] = append(d.cols[j+1], dr.Values[i])
		}
		d.n++
	}
	k := len(d.cols)
	d.mean, d.sd, d.min, d.max = make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	for c, col := range d.cols {
		if len(col) == 0 {
			continue
		}
		lo, hi, sum := col[0], col[0], 0.0
		for _, x := range col {
			if x < lo {
				lo = x
			} else if x > hi {
				hi = x
			}
			sum += x
		}
		m := sum / float64(len(col))
		var ss float64
		for _, x := range col {
			ss += (x - m) * (x - m)
		}
		d.mean[c], d.min[c], d.max[c] = m, lo, hi
		if hi > lo && len(col) > 1 {
			d.sd[c] = math.Sqrt(ss / float64(len(col)-1))
		}
	}
	return d
}

// hasMissing reports whether any driver lacks a value in row i.
func hasMissing(drivers []Driver, i int) bool {
	for _, dr := range drivers {
		if math.IsNaN(dr.Values[i]) {
			return true
		}
	}
	return false
}

// nonConstant returns the indexes of the drivers that vary over the
// complete rows.
func (d driverData) nonConstant() []int {
	var out []int
	for j := 1; j < len(d.cols); j++ {
		if d.sd[j] > 0 {
			out = append(out, j-1)
		}
	}
	return out
}

// describe fills in what is known of driver j before the importance.
func (d driverData) describe(j int, dr Driver) DriverImportance {
	c := j + 1
	di := DriverImportance{Name: dr.Name, Performance: d.mean[c]}
	lo, hi := dr.Low, dr.High
	if hi <= lo {
		lo, hi = d.min[c], d.max[c]
	}
	if hi > lo {
		di.PerformancePct = (d.mean[c] - lo) / (hi - lo) * 100
	}
	switch {
	case d.sd[c] == 0:
		di.Notes = append(di.Notes, "constant over the complete rows, so it cannot explain anything")
	case d.sd[0] > 0:
		di.Correlation = d.corr(0, c)
		if di.Correlation < 0 {
			di.Notes = append(di.Notes, "negatively related: higher values go with a lower outcome")
		}
	}
	return di
}

// corr returns the Pearson correlation of columns a and b.
func (d driverData) corr(a, b int) float64 {
	var s float64
	ca, cb := d.cols[a], d.cols[b]
	ma, mb := d.mean[a], d.mean[b]
	for i := range ca {
		s += (ca[i] - ma) * (cb[i] - mb)
	}
	return s / float64(d.n-1) / (d.sd[a] * d.sd[b])
}

// correlations returns the correlation matrix of the active drivers
// (row-major, p×p) and their correlations with the outcome.
func (d driverData) correlations(active []int) (rxx [][]float64, rxy []float64) {
	p := len(active)
	rxx = make([][]float64, p)
	rxy = make([]float64, p)
	for a, ja := range active {
		rxx[a] = make([]float64, p)
		rxx[a][a] = 1
		rxy[a] = d.corr(0, ja+1)
		for b := 0; b < a; b++ {
			r := d.corr(ja+1, active[b]+1)
			rxx[a][b], rxx[b][a] = r, r
		}
	}
	return rxx, rxy
}

// noteCollinear notes drivers that correlate at |r| ≥ 0.9 with another, whose
// importance the methods share between them.
func noteCollinear(ds []DriverImportance, active []int, rxx [][]float64) {
	for a, ja := range active {
		for b, jb := range active {
			if a != b && math.Abs(rxx[a][b]) >= 0.9 {
				ds[ja].Notes = append(ds[ja].Notes, fmt.Sprintf("strongly correlated with %s (r = %.2f); their importance is shared", ds[jb].Name, rxx[a][b]))
			}
		}
	}
}

// rankAndPlace sorts the drivers by importance, ranks them and places the
// non-constant ones in quadrants relative to the medians.
func (res *DriverResult) rankAndPlace(active []int) {
	imps := make([]float64, 0, len(active))
	perfs := make([]float64, 0, len(active))
	for _, j := range active {
		imps = append(imps, res.Drivers[j].Importance)
		perfs = append(perfs, res.Drivers[j].PerformancePct)
	}
	res.MedianImportance, res.MedianPerformance = median(imps), median(perfs)
	for _, j := range active {
		d := &res.Drivers[j]
		highImp, highPerf := d.Importance >= res.MedianImportance, d.PerformancePct >= res.MedianPerformance
		switch {
		case highImp && !highPerf:
			d.Quadrant = Fix
		case highImp:
			d.Quadrant = Leverage
		case highPerf:
			d.Quadrant = Maintain
		default:
			d.Quadrant = Monitor
		}
	}
	sort.SliceStable(res.Drivers, func(a, b int) bool {
		if res.Drivers[a].Importance != res.Drivers[b].Importance {
			return res.Drivers[a].Importance > res.Drivers[b].Importance
		}
		return res.Drivers[a].Name < res.Drivers[b].Name
	})
	for i := range res.Drivers {
		res.Drivers[i].Rank = i + 1
	}
}

// median returns the median of v, or 0 for an empty slice.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
