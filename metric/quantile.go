package metric

import "math"

// Quantile returns the q-quantile of sorted values, 0 ≤ q ≤ 1, with
// linear interpolation between the closest ranks (Hyndman and Fan's type
// 7, the default of R and NumPy); NaN for no values.
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
