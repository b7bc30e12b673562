package cxm

import (
	"context"
	"math"
	"slices"
	"time"
)

// JourneyQuery selects what a journey analysis looks at.
type JourneyQuery struct {
	WorkspaceID int64
	// JourneyID is the journey whose stages are analysed; zero means the
	// workspace's default journey.
	JourneyID int64
	// From and To bound the interactions looked at to [From, To); a zero
	// time leaves that end open. For attribution they bound when customers
	// were first seen instead.
	From, To time.Time
	// MaxGap ends a path: two consecutive interactions further apart are
	// no transition. Zero means no limit. Transitions only.
	MaxGap time.Duration
	// Limit is how many transitions to return, the most frequent first;
	// zero or less means DefaultTransitionLimit. Transitions only.
	Limit int
}

// DefaultTransitionLimit is how many transitions an analysis returns when
// the query names no limit.
const DefaultTransitionLimit = 50

// JourneyRef names the journey an analysis is about.
type JourneyRef struct {
	ID   int64  `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

// FunnelStage is one stage of a funnel: how many distinct customers had at
// least one interaction at one of its touchpoints, and how many of those
// had also reached the stage before.
type FunnelStage struct {
	Key      string        `json:"key"`
	Names    LocalizedText `json:"names"`
	Position int           `json:"position"`
	// Customers reached this stage.
	Customers int64 `json:"customers"`
	// FromPrevious is how many of the previous stage's customers also
	// reached this one; zero for the first stage.
	FromPrevious int64 `json:"from_previous"`
}

// JourneyFunnel is the funnel of a journey's stages in order.
type JourneyFunnel struct {
	Journey JourneyRef    `json:"journey"`
	Stages  []FunnelStage `json:"stages"`
	// Customers had at least one interaction in any stage.
	Customers int64 `json:"customers"`
}

// TransitionNode is a touchpoint that takes part in a transition.
type TransitionNode struct {
	Key      string  `json:"id"`
	Name     string  `json:"name"`
	Stage    string  `json:"stage"`
	Channel  Channel `json:"channel"`
	Position int     `json:"stage_position"`
}

// Transition counts how often customers went from one touchpoint straight
// to another.
type Transition struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Value  int64  `json:"value"`
}

// JourneyTransitions are the most frequent touchpoint-to-touchpoint steps.
//
// A Sankey chart needs a graph without cycles, but customers do go back
// (website → app → website). Links therefore holds the most frequent
// transitions that keep the graph acyclic: they are taken by count, largest
// first, and one that would close a cycle is moved to Cyclic instead of
// being dropped silently. So of A→B and B→A the larger stays in Links and
// the smaller is listed in Cyclic.
type JourneyTransitions struct {
	Journey JourneyRef       `json:"journey"`
	Nodes   []TransitionNode `json:"nodes"`
	Links   []Transition     `json:"links"`
	Cyclic  []Transition     `json:"cyclic"`
	// Total counts every transition, also those beyond the limit; Distinct
	// counts the different source–target pairs.
	Total    int64 `json:"total"`
	Distinct int   `json:"distinct"`
}

// StageTime is the distribution of the time customers took from their
// first interaction in one stage to their first later interaction in the
// next.
type StageTime struct {
	From string `json:"from"`
	To   string `json:"to"`
	DurationSummary
}

// JourneyStageTimes holds the time between each pair of consecutive
// stages.
type JourneyStageTimes struct {
	Journey JourneyRef  `json:"journey"`
	Pairs   []StageTime `json:"pairs"`
}

// DurationSummary describes durations by their quantiles, in hours, and a
// histogram. The quantiles are zero when N is zero.
type DurationSummary struct {
	N         int64          `json:"n"`
	P25       float64        `json:"p25_hours"`
	Median    float64        `json:"median_hours"`
	P75       float64        `json:"p75_hours"`
	P90       float64        `json:"p90_hours"`
	Histogram []HistogramBin `json:"histogram"`
}

// HistogramBin counts the durations in [Lower, Upper) hours; the last bin
// has no upper bound and Upper is zero there.
type HistogramBin struct {
	Label string  `json:"label"`
	Lower float64 `json:"lower_hours"`
	Upper float64 `json:"upper_hours,omitempty"`
	Count int64   `json:"count"`
}

// durationBins are the histogram's bounds in hours, chosen for journeys that
// take from minutes to months.
var durationBins = []struct {
	label        string
	lower, upper float64
}{
	{"< 1 h", 0, 1}, {"1–24 h", 1, 24}, {"1–3 d", 24, 72}, {"3–7 d", 72, 168},
	{"1–2 wk", 168, 336}, {"2–4 wk", 336, 672}, {"4–13 wk", 672, 2184}, {"≥ 13 wk", 2184, 0},
}

// SummarizeDurations returns the quantiles (linear interpolation between
// order statistics, as R's default type 7) and the histogram of ds. It
// sorts ds.
func SummarizeDurations(ds []time.Duration) DurationSummary {
	slices.Sort(ds)
	s := DurationSummary{N: int64(len(ds))}
	for _, b := range durationBins {
		s.Histogram = append(s.Histogram, HistogramBin{Label: b.label, Lower: b.lower, Upper: b.upper})
	}
	if len(ds) == 0 {
		return s
	}
	q := func(p float64) float64 {
		h := p * float64(len(ds)-1)
		lo := int(math.Floor(h))
		hi := min(lo+1, len(ds)-1)
		a, b := ds[lo].Hours(), ds[hi].Hours()
		return a + (h-float64(lo))*(b-a)
	}
	s.P25, s.Median, s.P75, s.P90 = q(0.25), q(0.5), q(0.75), q(0.9)
	for _, d := range ds {
		h := d.Hours()
		for i := len(durationBins) - 1; i >= 0; i-- {
			if h >= durationBins[i].lower {
				s.Histogram[i].Count++
				break
			}
		}
	}
	return s
}

// AttributionGroup is the customers who first met the company at one
// touchpoint, with sums of how they did afterwards.
type AttributionGroup struct {
	Touchpoint string  `json:"touchpoint"`
	Name       string  `json:"name"`
	Stage      string  `json:"stage"`
	Channel    Channel `json:"channel"`
	Customers  int64   `json:"customers"`
	// Buyers ordered or purchased at least once, Repeaters at least twice
	// (interactions of type "order" or "purchase").
	Buyers    int64 `json:"buyers"`
	Repeaters int64 `json:"repeaters"`
	// Promoters, Passives and Detractors count the NPS answers of the
	// group's completed responses.
	Promoters  int64 `json:"promoters"`
	Passives   int64 `json:"passives"`
	Detractors int64 `json:"detractors"`
	// ValueSum and ValueSumSq are the sum and sum of squares over the
	// group's customers of each customer's total interaction value.
	ValueSum   float64 `json:"value_sum"`
	ValueSumSq float64 `json:"value_sumsq"`
}

// JourneyAttribution groups customers by their first touchpoint.
type JourneyAttribution struct {
	Groups []AttributionGroup `json:"groups"`
	// Customers is the number of customers with a first touchpoint.
	Customers int64 `json:"customers"`
}

// PurchaseTypes are the interaction types that count as a purchase in
// journey analyses: orders online and purchases in a store.
var PurchaseTypes = []string{"order", "purchase"}

// JourneyAnalysisService computes journey analytics from raw interactions.
// A journey not in the workspace is ENotFound.
type JourneyAnalysisService interface {
	// JourneyFunnel counts the customers who reached each stage.
	JourneyFunnel(ctx context.Context, q JourneyQuery) (*JourneyFunnel, error)
	// JourneyTransitions counts the steps between consecutive interactions
	// of each customer at the journey's touchpoints, skipping repeats of
	// the same touchpoint.
	JourneyTransitions(ctx context.Context, q JourneyQuery) (*JourneyTransitions, error)
	// JourneyStageTimes measures the time between consecutive stages.
	JourneyStageTimes(ctx context.Context, q JourneyQuery) (*JourneyStageTimes, error)
	// JourneyAttribution groups customers first seen in the period by
	// their first touchpoint; responses and interactions count at any time.
	JourneyAttribution(ctx context.Context, q JourneyQuery) (*JourneyAttribution, error)
}
