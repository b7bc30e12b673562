package metric

import (
	"fmt"
	"sort"
	"strings"
)

// Sample is one period's sufficient statistics of a metric that can be
// scored, compared with another period and added up: NPSCounts (NPS),
// Proportion (CSAT and other shares) and Moments (means).
type Sample[S any] interface {
	Score(o Options) Estimate
	Compare(prev S, o Options) Change
	Merge(other S) S
}

// TouchpointFigures holds one touchpoint's figures for a weak-spot analysis.
type TouchpointFigures[S Sample[S]] struct {
	// Key identifies the touchpoint, for example its id.
	Key string
	// Volume is the touchpoint's volume in the current period, for example
	// its interactions; zero or less means the current n.
	Volume int64
	// Current and Previous are the metric's statistics in the two periods.
	Current  S
	Previous S
	// Target is the touchpoint's target for the metric, if it has one.
	Target *float64
}

// WeakSpotOptions tunes WeakSpots.
type WeakSpotOptions struct {
	Options
	// Adjust applies the Benjamini–Hochberg correction across the
	// touchpoints' tests of change, so that testing many touchpoints does
	// not produce deteriorations by chance.
	Adjust bool
}

// Reason says why a touchpoint is a weak spot.
type Reason string

// The reasons for a weak spot.
const (
	// ReasonBelowOverall means the touchpoint's whole confidence interval lies
	// below the overall score of all touchpoints together.
	ReasonBelowOverall Reason = "below_overall"
	// ReasonBelowTarget means the touchpoint's whole confidence interval lies
	// below its target.
	ReasonBelowTarget Reason = "below_target"
	// ReasonDeteriorated means the touchpoint's score fell
	// significantly since the previous period (two-sided test, after the
	// Benjamini–Hochberg correction when asked).
	ReasonDeteriorated Reason = "significant_deterioration"
)

// WeakSpot is one touchpoint in the ranked list of weak spots.
type WeakSpot struct {
	Rank   int      `json:"rank"`
	Key    string   `json:"key"`
	Score  Estimate `json:"score"`
	Change Change   `json:"change"`
	Gap    *Gap     `json:"gap,omitempty"`
	Volume int64    `json:"volume"`
	// VolumeShare is the touchpoint's percentage of the total volume.
	VolumeShare float64 `json:"volume_share"`
	// Shortfall is how far the score lies below the overall score, in the
	// metric's units; zero when it is not below.
	Shortfall float64 `json:"shortfall"`
	// Impact is VolumeShare/100 × Shortfall: roughly how many points the
	// overall score would gain if the touchpoint reached the overall score.
	Impact  float64  `json:"impact"`
	Reasons []Reason `json:"reasons"`
}

// Explain describes the weak spot in one English sentence for logs and the
// command line; user interfaces build their own text from the fields.
func (w WeakSpot) Explain() string {
	var parts []string
	for _, r := range w.Reasons {
		switch r {
		case ReasonBelowOverall:
			parts = append(parts, fmt.Sprintf("score %.1f [%.1f, %.1f] is %.1f below the overall score with %.0f%% of the volume (impact %.2f)",
				w.Score.Value, w.Score.Lower, w.Score.Upper, w.Shortfall, w.VolumeShare, w.Impact))
		case ReasonBelowTarget:
			parts = append(parts, fmt.Sprintf("score is %.1f below its target %.1f", -w.Gap.Difference, w.Gap.Target))
		case ReasonDeteriorated:
			parts = append(parts, fmt.Sprintf("fell by %.1f [%.1f, %.1f] since the previous period (p=%.3g)",
				-w.Change.Difference, -w.Change.Upper, -w.Change.Lower, w.Change.P))
		}
	}
	return w.Key + ": " + strings.Join(parts, "; ")
}

// WeakSpotReport is the result of WeakSpots.
type WeakSpotReport struct {
	// Overall is the score of all touchpoints' current figures together.
	Overall Estimate `json:"overall"`
	// Tested counts the touchpoints with enough current data to judge.
	Tested int `json:"tested"`
	// Insufficient lists the touchpoints with too little current data to
	// judge; they are never reported as weak spots.
	Insufficient []string `json:"insufficient"`
	// Spots lists the weak spots, worst first.
	Spots []WeakSpot `json:"spots"`
}

// WeakSpots ranks weak touchpoints. A touchpoint with enough current data is
// a weak spot when its interval lies wholly below the overall score (low
// score) or below its target, or when it deteriorated significantly since
// the previous period. Each gets an impact of volume share × shortfall
// against the overall score, so a low score weighs more at a busy
// touchpoint.
//
// Higher scores are better here (NPS, CSAT, means); LowerIsBetter is
// ignored.
//
// Ranking rule: touchpoints with a significant deterioration come first;
// within each group the larger impact ranks higher, then the larger drop,
// then the key. The rule uses only the reported fields, so every rank can be
// explained from them.
func WeakSpots[S Sample[S]](tps []TouchpointFigures[S], o WeakSpotOptions) WeakSpotReport {
	o.LowerIsBetter = false
	var total S
	var volume int64
	for i, tp := range tps {
		if i == 0 {
			total = tp.Current
		} else {
			total = total.Merge(tp.Current)
		}
		volume += tpVolume(tp, o.Options)
	}
	rep := WeakSpotReport{Overall: total.Score(o.Options), Insufficient: []string{}, Spots: []WeakSpot{}}
	if len(tps) == 0 {
		rep.Overall = insufficient(0)
	}
	changes := make([]Change, len(tps))
	for i, tp := range tps {
		changes[i] = tp.Current.Compare(tp.Previous, o.Options)
	}
	if o.Adjust {
		AdjustChanges(changes, o.Options)
	}
	for i, tp := range tps {
		score := tp.Current.Score(o.Options)
		if !score.Sufficient() {
			rep.Insufficient = append(rep.Insufficient, tp.Key)
			continue
		}
		rep.Tested++
		w := WeakSpot{Key: tp.Key, Score: score, Change: changes[i], Volume: tpVolume(tp, o.Options)}
		if volume > 0 {
			w.VolumeShare = float64(w.Volume) / float64(volume) * 100
		}
		if rep.Overall.Sufficient() && score.Value < rep.Overall.Value {
			w.Shortfall = rep.Overall.Value - score.Value
			w.Impact = w.VolumeShare / 100 * w.Shortfall
			if score.Upper < rep.Overall.Value {
				w.Reasons = append(w.Reasons, ReasonBelowOverall)
			}
		}
		if tp.Target != nil {
			g := GapTo(score, *tp.Target)
			w.Gap = &g
			if g.Position == BelowTarget {
				w.Reasons = append(w.Reasons, ReasonBelowTarget)
			}
		}
		if w.Change.Direction == Deteriorated {
			w.Reasons = append(w.Reasons, ReasonDeteriorated)
		}
		if len(w.Reasons) > 0 {
			rep.Spots = append(rep.Spots, w)
		}
	}
	sort.SliceStable(rep.Spots, func(a, b int) bool { return weaker(rep.Spots[a], rep.Spots[b]) })
	for i := range rep.Spots {
		rep.Spots[i].Rank = i + 1
	}
	return rep
}

// weaker reports whether a ranks before b under the rule of WeakSpots.
func weaker(a, b WeakSpot) bool {
	da, db := a.Change.Direction == Deteriorated, b.Change.Direction == Deteriorated
	switch {
	case da != db:
		return da
	case a.Impact != b.Impact:
		return a.Impact > b.Impact
	case a.Change.Difference != b.Change.Difference && a.Change.Status == StatusOK && b.Change.Status == StatusOK:
		return a.Change.Difference < b.Change.Difference
	default:
		return a.Key < b.Key
	}
}

// tpVolume returns the touchpoint's volume, or its current n when no volume
// is given.
func tpVolume[S Sample[S]](tp TouchpointFigures[S], o Options) int64 {
	if tp.Volume > 0 {
		return tp.Volume
	}
	return tp.Current.Score(o).N
}
