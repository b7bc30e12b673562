package metric

import (
	"encoding/json"
	"fmt"
	"math"
)

// Status says whether a figure may be shown.
type Status string

// The statuses of a figure.
const (
	// StatusOK marks a figure computed from enough data to be shown.
	StatusOK Status = "ok"
	// StatusInsufficient marks a figure whose n is below the minimum; it
	// carries n but no value.
	StatusInsufficient Status = "insufficient_data"
)

// Estimate is one figure with its confidence interval and its n. When Status
// is StatusInsufficient, Value, Lower and Upper are zero and must not be
// shown; JSON leaves them out.
type Estimate struct {
	Value  float64
	Lower  float64
	Upper  float64
	N      int64
	Status Status
}

// Sufficient reports whether the estimate rests on enough data to be shown.
func (e Estimate) Sufficient() bool { return e.Status == StatusOK }

// String formats the estimate for logs and command-line tables, for example
// "10.0 [-3.2, 23.2] n=100" or "insufficient data (n=12)".
func (e Estimate) String() string {
	if !e.Sufficient() {
		return fmt.Sprintf("insufficient data (n=%d)", e.N)
	}
	return fmt.Sprintf("%.1f [%.1f, %.1f] n=%d", e.Value, e.Lower, e.Upper, e.N)
}

// insufficient returns an estimate that carries only n.
func insufficient(n int64) Estimate {
	return Estimate{N: n, Status: StatusInsufficient}
}

// estimateJSON is the wire form of Estimate.
type estimateJSON struct {
	Status Status   `json:"status"`
	Value  *float64 `json:"value,omitempty"`
	Lower  *float64 `json:"lower,omitempty"`
	Upper  *float64 `json:"upper,omitempty"`
	N      int64    `json:"n"`
}

// MarshalJSON encodes the estimate as {"status":"ok","value":…,"lower":…,
// "upper":…,"n":…}, or as {"status":"insufficient_data","n":…} without any
// value when there is not enough data.
func (e Estimate) MarshalJSON() ([]byte, error) {
	w := estimateJSON{Status: e.Status, N: e.N}
	if w.Status == "" {
		w.Status = StatusInsufficient
	}
	if w.Status == StatusOK {
		w.Value, w.Lower, w.Upper = finite(e.Value), finite(e.Lower), finite(e.Upper)
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the form written by MarshalJSON.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	var w estimateJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("metric: decode estimate: %w", err)
	}
	*e = Estimate{N: w.N, Status: w.Status, Value: deref(w.Value), Lower: deref(w.Lower), Upper: deref(w.Upper)}
	return nil
}

// finite returns a pointer to v, or nil when v is NaN or infinite so that
// JSON never carries a number it cannot encode.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// deref returns *p, or zero for nil.
func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// clamp limits v to [lo, hi].
func clamp(v, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, v))
}
