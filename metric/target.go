package metric

import (
	"encoding/json"
	"fmt"
)

// Position says where a figure's confidence interval lies relative to a
// target.
type Position string

// The positions of an interval relative to a target.
const (
	// AboveTarget means the whole interval lies above the target.
	AboveTarget Position = "above"
	// BelowTarget means the whole interval lies below the target.
	BelowTarget Position = "below"
	// AroundTarget means the interval contains the target, so the data
	// cannot tell whether the target is met.
	AroundTarget Position = "around"
)

// Gap is a figure's distance to its target, for example NPS 32 against a
// target of 40 gives a Difference of −8.
type Gap struct {
	Target     float64
	Difference float64 // value − target, in the figure's units
	Position   Position
	Status     Status
}

// GapTo returns the gap between e and target. When e is insufficient, so is
// the gap: it carries the target but no difference or position.
func GapTo(e Estimate, target float64) Gap {
	if !e.Sufficient() {
		return Gap{Target: target, Status: StatusInsufficient}
	}
	g := Gap{Target: target, Difference: e.Value - target, Position: AroundTarget, Status: StatusOK}
	switch {
	case e.Lower > target:
		g.Position = AboveTarget
	case e.Upper < target:
		g.Position = BelowTarget
	}
	return g
}

// gapJSON is the wire form of Gap.
type gapJSON struct {
	Status     Status   `json:"status"`
	Target     float64  `json:"target"`
	Difference *float64 `json:"difference,omitempty"`
	Position   Position `json:"position,omitempty"`
}

// MarshalJSON encodes the gap, leaving out the difference and position when
// the figure is insufficient.
func (g Gap) MarshalJSON() ([]byte, error) {
	w := gapJSON{Status: g.Status, Target: g.Target}
	if w.Status != StatusOK {
		w.Status = StatusInsufficient
	} else {
		w.Difference, w.Position = finite(g.Difference), g.Position
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the form written by MarshalJSON.
func (g *Gap) UnmarshalJSON(b []byte) error {
	var w gapJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("metric: decode gap: %w", err)
	}
	*g = Gap{Target: w.Target, Difference: deref(w.Difference), Position: w.Position, Status: w.Status}
	return nil
}
