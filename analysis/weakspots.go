package analysis

import (
	"context"
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// WeakSpotRequest asks which touchpoints are weak in one feedback metric
// over a period, against an earlier period.
type WeakSpotRequest struct {
	Metric Metric
	// From and To are midnights in Loc; To is excluded.
	From, To time.Time
	Loc      *time.Location
	// Compare is ComparePrevious (the default when empty) or CompareLastYear.
	Compare string
	// Filter holds the filters (its GroupBy and days are ignored).
	Filter cxm.FeedbackQuery
	// MatchNothing says that the filters select nothing at all.
	MatchNothing bool
	// Touchpoints are the workspace's touchpoints, for keys, names,
	// stages and targets.
	Touchpoints []*cxm.Touchpoint
	// Unadjusted turns off the Benjamini–Hochberg correction across the
	// touchpoints' tests of change.
	Unadjusted bool
	Options    metric.Options
}

// WeakSpotReport is the answer to a WeakSpotRequest: the metric's
// overall score, the touchpoints too small to judge and the ranked weak
// spots, each with the reasons that make it one.
type WeakSpotReport struct {
	Metric       Metric `json:"metric"`
	From         string `json:"from"`
	To           string `json:"to"`
	TimeZone     string `json:"time_zone"`
	Compare      string `json:"compare"`
	ComparedFrom string `json:"compared_from"`
	ComparedTo   string `json:"compared_to"`
	// Adjusted says whether the p-values of change are Benjamini–Hochberg adjusted.
	Adjusted bool  `json:"adjusted"`
	MinN     int64 `json:"min_n"`
	// Overall is the score of every touchpoint's responses together.
	Overall      metric.Estimate `json:"overall"`
	Tested       int             `json:"tested"`
	Insufficient []string        `json:"insufficient"`
	Spots        []RankedSpot    `json:"spots"`
}

// RankedSpot is one weak touchpoint with its name, stage and a sentence
// that explains its rank.
type RankedSpot struct {
	metric.WeakSpot
	Name        string `json:"name"`
	Stage       string `json:"stage"`
	Explanation string `json:"explanation"`
}

// WeakSpots ranks the workspace's weak touchpoints in req's metric from
// the rollups: those whose interval lies below the overall score or below
// their target, and those that deteriorated significantly against the
// comparison period. Volume is each touchpoint's number of answers.
func WeakSpots(ctx context.Context, rollups cxm.RollupService, workspaceID int64, req WeakSpotRequest) (*WeakSpotReport, error) {
	loc := req.Loc
	if loc == nil {
		loc = time.UTC
	}
	if req.Compare == "" {
		req.Compare = ComparePrevious
	}
	cur := metric.Period{From: req.From, To: req.To}
	prev := metric.PreviousPeriod(cur, loc)
	if req.Compare == CompareLastYear {
		prev = metric.SamePeriodLastYear(cur, loc)
	}
	o := req.Options
	if o.MinN <= 0 {
		o.MinN = metric.DefaultMinN
	}
	rep := &WeakSpotReport{Metric: req.Metric, From: req.From.Format(time.DateOnly), To: req.To.Format(time.DateOnly),
		TimeZone: loc.String(), Compare: req.Compare, ComparedFrom: prev.From.In(loc).Format(time.DateOnly),
		ComparedTo: prev.To.In(loc).Format(time.DateOnly), Adjusted: !req.Unadjusted, MinN: o.MinN,
		Overall: metric.Estimate{Status: metric.StatusInsufficient}, Insufficient: []string{}, Spots: []RankedSpot{}}
	if req.MatchNothing {
		return rep, nil
	}
	read := func(p metric.Period) (map[int64]cxm.FeedbackSums, error) {
		q := req.Filter
		q.FromDay, q.ToDay = cxm.LocalDay(p.From, loc), cxm.LocalDay(p.To, loc)
		q.GroupBy, q.Only = []cxm.FeedbackDimension{cxm.ByTouchpoint}, string(req.Metric)
		slices, err := rollups.FeedbackSlices(ctx, workspaceID, q)
		if err != nil {
			return nil, fmt.Errorf("analysis: weak spots: %w", err)
		}
		out := map[int64]cxm.FeedbackSums{}
		for _, s := range slices {
			out[s.TouchpointID] = s.FeedbackSums
		}
		return out, nil
	}
	now, err := read(cur)
	if err != nil {
		return nil, err
	}
	before, err := read(prev)
	if err != nil {
		return nil, err
	}
	var tps []*cxm.Touchpoint
	for _, t := range req.Touchpoints {
		if _, ok := now[t.ID]; ok {
			tps = append(tps, t)
		} else if _, ok := before[t.ID]; ok {
			tps = append(tps, t)
		}
	}
	wo := metric.WeakSpotOptions{Options: o, Adjust: !req.Unadjusted}
	var res metric.WeakSpotReport
	switch req.Metric {
	case NPS:
		res = weakSpotsOf(tps, now, before, req.Metric, npsCounts, wo)
	case CSAT:
		res = weakSpotsOf(tps, now, before, req.Metric, func(s cxm.FeedbackSums) metric.Proportion {
			return metric.Proportion{Hits: s.CSATTop2, N: s.CSATN}
		}, wo)
	case CES:
		res = weakSpotsOf(tps, now, before, req.Metric, func(s cxm.FeedbackSums) metric.Moments { return cesStats(s).Moments }, wo)
	default:
		res = weakSpotsOf(tps, now, before, req.Metric, func(s cxm.FeedbackSums) metric.Moments {
			return moments(s.RatingN, s.RatingSum, s.RatingSumSq)
		}, wo)
	}
	rep.Overall, rep.Tested, rep.Insufficient = res.Overall, res.Tested, res.Insufficient
	byKey := map[string]*cxm.Touchpoint{}
	for _, t := range tps {
		byKey[t.Key] = t
	}
	for _, s := range res.Spots {
		t := byKey[s.Key]
		rep.Spots = append(rep.Spots, RankedSpot{WeakSpot: s, Name: t.Name, Stage: t.StageKey, Explanation: s.Explain()})
	}
	return rep, nil
}

// weakSpotsOf runs metric.WeakSpots over the touchpoints' sums, turned
// into samples of the metric by sample.
func weakSpotsOf[S metric.Sample[S]](tps []*cxm.Touchpoint, now, before map[int64]cxm.FeedbackSums, m Metric,
	sample func(cxm.FeedbackSums) S, o metric.WeakSpotOptions) metric.WeakSpotReport {
	figs := make([]metric.TouchpointFigures[S], 0, len(tps))
	for _, t := range tps {
		f := metric.TouchpointFigures[S]{Key: t.Key, Current: sample(now[t.ID]), Previous: sample(before[t.ID])}
		if v, ok := t.Targets[string(m)]; ok {
			f.Target = &v
		}
		figs = append(figs, f)
	}
	return metric.WeakSpots(figs, o)
}
