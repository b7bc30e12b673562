// Package analysis turns the rollups' sums into the figures that the API
// and the command line show: feedback metrics per group and time bucket,
// with intervals, n, comparisons with an earlier period and gaps to target.
// It reads only rollups, never raw responses, and is shared by web and
// cmd/cxm so that both compute the same figures.
package analysis

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// Metric names a feedback metric.
type Metric string

// The feedback metrics.
const (
	NPS    Metric = "nps"
	CSAT   Metric = "csat"
	CES    Metric = "ces"
	Rating Metric = "rating"
)

// ParseMetric returns the metric named s.
func ParseMetric(s string) (Metric, error) {
	switch m := Metric(s); m {
	case NPS, CSAT, CES, Rating:
		return m, nil
	}
	return "", cxm.Invalid(cxm.FieldError{Field: "metric", Reason: fmt.Sprintf("%q is not one of nps, csat, ces, rating", s)})
}

// Dimension is what groups split by: a rollup dimension, or the stage of
// the touchpoint.
type Dimension string

// The dimensions of groups.
const (
	ByTouchpoint Dimension = "touchpoint"
	BySurvey     Dimension = "survey"
	ByChannel    Dimension = "channel"
	ByLocale     Dimension = "locale"
	ByStage      Dimension = "stage"
)

// attributePrefix starts the dimension of a customer attribute, as in
// "attribute:loyalty_tier".
const attributePrefix = "attribute:"

// ParseDimension returns the dimension named s; empty means no grouping.
// "attribute:KEY" slices by the customer attribute KEY, which the rollups
// do not hold, so those figures come from the raw responses.
func ParseDimension(s string) (Dimension, error) {
	switch d := Dimension(s); d {
	case "", ByTouchpoint, BySurvey, ByChannel, ByLocale, ByStage:
		return d, nil
	}
	if key, ok := strings.CutPrefix(s, attributePrefix); ok {
		if !cxm.ValidAttributeKey(key) {
			return "", cxm.Invalid(cxm.FieldError{Field: "by", Reason: fmt.Sprintf("%q is not an attribute key: a lower-case letter, then letters, digits or _", key)})
		}
		return Dimension(s), nil
	}
	return "", cxm.Invalid(cxm.FieldError{Field: "by", Reason: fmt.Sprintf("%q is not one of touchpoint, survey, channel, locale, stage or attribute:KEY", s)})
}

// AttributeKey returns the customer attribute that d slices by, if any.
func (d Dimension) AttributeKey() (string, bool) {
	return strings.CutPrefix(string(d), attributePrefix)
}

// Comparison periods.
const (
	ComparePrevious = "previous"
	CompareLastYear = "last_year"
)

// FeedbackRequest asks for one feedback metric over a period.
type FeedbackRequest struct {
	Metric Metric
	// From and To are midnights in Loc; To is excluded.
	From, To time.Time
	Loc      *time.Location
	// Granularity splits each group into a series; empty gives totals only.
	Granularity metric.Granularity
	// By splits the figures into groups; empty gives one group.
	By Dimension
	// Filter holds the filters (its GroupBy and days are ignored).
	Filter cxm.FeedbackQuery
	// MatchNothing says that the filters select nothing at all, for
	// example a stage without touchpoints.
	MatchNothing bool
	// Compare is ComparePrevious, CompareLastYear or empty.
	Compare string
	// Adjust applies the Benjamini–Hochberg correction across the
	// groups' tests of change, for many touchpoints tested at once.
	Adjust bool
	// Touchpoints are the workspace's touchpoints, for keys, stages and
	// targets.
	Touchpoints []*cxm.Touchpoint
	Options     metric.Options
}

// FeedbackReport is the answer to a FeedbackRequest.
type FeedbackReport struct {
	Metric      Metric          `json:"metric"`
	From        string          `json:"from"`
	To          string          `json:"to"`
	TimeZone    string          `json:"time_zone"`
	Granularity string          `json:"granularity"`
	MinN        int64           `json:"min_n"`
	Groups      []FeedbackGroup `json:"groups"`
}

// FeedbackGroup is the figures of one group.
type FeedbackGroup struct {
	// Key names the group by its dimension, for example
	// {"touchpoint":"delivery"}; empty for the one group without By.
	Key   map[string]string `json:"key"`
	Total metric.Estimate   `json:"total"`
	// EasyPct is, for CES, the share of easy answers (5 or more of 7).
	EasyPct    *metric.Estimate `json:"easy_pct,omitempty"`
	Series     []SeriesPoint    `json:"series,omitempty"`
	Comparison *Comparison      `json:"comparison,omitempty"`
	Target     *float64         `json:"target,omitempty"`
	Gap        *metric.Gap      `json:"gap,omitempty"`
}

// SeriesPoint is one time bucket of a group.
type SeriesPoint struct {
	Period   string          `json:"period"`
	Start    time.Time       `json:"start"`
	Estimate metric.Estimate `json:"estimate"`
}

// Comparison is a group's figure against the comparison period.
type Comparison struct {
	From   string        `json:"from"`
	To     string        `json:"to"`
	Change metric.Change `json:"change"`
}

// MaxBuckets bounds the buckets of a series.
const MaxBuckets = 1000

// Estimate returns the figure of m over s.
func Estimate(m Metric, s cxm.FeedbackSums, o metric.Options) metric.Estimate {
	switch m {
	case NPS:
		return metric.NPS(npsCounts(s), o)
	case CSAT:
		return metric.CSAT(metric.Proportion{Hits: s.CSATTop2, N: s.CSATN}, o)
	case CES:
		return metric.CES(cesStats(s), o).Mean
	default:
		return metric.Rating(moments(s.RatingN, s.RatingSum, s.RatingSumSq), o)
	}
}

// Compare tests m over cur against prev.
func Compare(m Metric, cur, prev cxm.FeedbackSums, o metric.Options) metric.Change {
	switch m {
	case NPS:
		return metric.CompareNPS(npsCounts(cur), npsCounts(prev), o)
	case CSAT:
		return metric.CompareProportions(metric.Proportion{Hits: cur.CSATTop2, N: cur.CSATN},
			metric.Proportion{Hits: prev.CSATTop2, N: prev.CSATN}, o)
	case CES:
		return metric.CompareMeans(cesStats(cur).Moments, cesStats(prev).Moments, o)
	default:
		return metric.CompareMeans(moments(cur.RatingN, cur.RatingSum, cur.RatingSumSq),
			moments(prev.RatingN, prev.RatingSum, prev.RatingSumSq), o)
	}
}

// npsCounts returns the NPS counts of s.
func npsCounts(s cxm.FeedbackSums) metric.NPSCounts {
	return metric.NPSCounts{Promoters: s.Promoters, Passives: s.Passives, Detractors: s.Detractors}
}

// cesStats returns the CES statistics of s.
func cesStats(s cxm.FeedbackSums) metric.CESStats {
	return metric.CESStats{Moments: moments(s.CESN, s.CESSum, s.CESSumSq), Easy: s.CESEasy}
}

// moments returns the moments of integer answers.
func moments(n, sum, sumSq int64) metric.Moments {
	return metric.Moments{N: n, Sum: float64(sum), SumSq: float64(sumSq)}
}

// groupKey identifies a group within one dimension: an id or a value.
type groupKey struct {
	id    int64
	value string
}

// grouper maps rollup slices to groups.
type grouper struct {
	by     Dimension
	tpKey  map[int64]string
	tpStg  map[int64]string
	tpByID map[int64]*cxm.Touchpoint
}

// rollupDims returns the rollup dimensions that the grouping needs.
func (g grouper) rollupDims() []cxm.FeedbackDimension {
	switch g.by {
	case ByTouchpoint, ByStage:
		return []cxm.FeedbackDimension{cxm.ByTouchpoint}
	case BySurvey:
		return []cxm.FeedbackDimension{cxm.BySurvey}
	case ByChannel:
		return []cxm.FeedbackDimension{cxm.ByChannel}
	case ByLocale:
		return []cxm.FeedbackDimension{cxm.ByLocale}
	}
	return nil
}

// key returns the group of slice f.
func (g grouper) key(f *cxm.FeedbackSlice) groupKey {
	switch g.by {
	case ByTouchpoint:
		return groupKey{id: f.TouchpointID}
	case ByStage:
		return groupKey{value: g.tpStg[f.TouchpointID]}
	case BySurvey:
		return groupKey{id: f.SurveyID}
	case ByChannel:
		return groupKey{value: string(f.Channel)}
	case ByLocale:
		return groupKey{value: f.Locale}
	}
	if _, ok := g.by.AttributeKey(); ok {
		return groupKey{value: f.Attribute}
	}
	return groupKey{}
}

// label returns the group's key as the answer shows it.
func (g grouper) label(k groupKey) map[string]string {
	switch g.by {
	case "":
		return map[string]string{}
	case ByTouchpoint:
		return map[string]string{string(ByTouchpoint): g.tpKey[k.id]}
	case BySurvey:
		return map[string]string{string(BySurvey): strconv.FormatInt(k.id, 10)}
	}
	return map[string]string{string(g.by): k.value}
}

// Feedback computes the report that req asks for from the workspace's
// rollups.
//
// Sliced by a customer attribute, the figures come from the raw responses
// (FeedbackByAttribute), since the rollups do not hold attributes.
func Feedback(ctx context.Context, rollups cxm.FeedbackService, workspaceID int64, req FeedbackRequest) (*FeedbackReport, error) {
	loc := req.Loc
	if loc == nil {
		loc = time.UTC
	}
	rep := &FeedbackReport{Metric: req.Metric, From: req.From.Format(time.DateOnly), To: req.To.Format(time.DateOnly),
		TimeZone: loc.String(), Granularity: string(req.Granularity), MinN: req.Options.MinN, Groups: []FeedbackGroup{}}
	if rep.Granularity == "" {
		rep.Granularity = "none"
	}
	if rep.MinN <= 0 {
		rep.MinN = metric.DefaultMinN
	}
	g := grouper{by: req.By, tpKey: map[int64]string{}, tpStg: map[int64]string{}, tpByID: map[int64]*cxm.Touchpoint{}}
	for _, t := range req.Touchpoints {
		g.tpKey[t.ID], g.tpStg[t.ID], g.tpByID[t.ID] = t.Key, t.StageKey, t
	}
	if req.MatchNothing {
		return rep, nil
	}
	var buckets []time.Time
	if req.Granularity != "" {
		buckets = metric.Buckets(req.From, req.To, req.Granularity, loc, MaxBuckets+1)
		if len(buckets) > MaxBuckets {
			return nil, cxm.Invalid(cxm.FieldError{Field: "granularity", Reason: fmt.Sprintf("the period would have more than %d buckets; choose a coarser granularity or a shorter period", MaxBuckets)})
		}
	}
	read := func(p metric.Period, byTime bool) (map[groupKey]map[int]*cxm.FeedbackSums, error) {
		q := req.Filter
		q.FromDay, q.ToDay = cxm.LocalDay(p.From, loc), cxm.LocalDay(p.To, loc)
		q.GroupBy, q.Only = g.rollupDims(), string(req.Metric)
		if byTime {
			q.GroupBy = append(q.GroupBy, timeDimension(req.Granularity))
		}
		var slices []*cxm.FeedbackSlice
		var err error
		if key, ok := req.By.AttributeKey(); ok {
			slices, err = rollups.FeedbackByAttribute(ctx, workspaceID, q, key)
		} else {
			slices, err = rollups.FeedbackSlices(ctx, workspaceID, q)
		}
		if err != nil {
			return nil, fmt.Errorf("analysis: feedback: %w", err)
		}
		out := map[groupKey]map[int]*cxm.FeedbackSums{}
		for _, f := range slices {
			k := g.key(f)
			if out[k] == nil {
				out[k] = map[int]*cxm.FeedbackSums{}
			}
			s := out[k][f.Day]
			if s == nil {
				s = &cxm.FeedbackSums{}
				out[k][f.Day] = s
			}
			s.Add(f.FeedbackSums)
		}
		return out, nil
	}
	cur, err := read(metric.Period{From: req.From, To: req.To}, req.Granularity != "")
	if err != nil {
		return nil, err
	}
	var prev map[groupKey]map[int]*cxm.FeedbackSums
	var prevPeriod metric.Period
	switch req.Compare {
	case ComparePrevious:
		prevPeriod = metric.PreviousPeriod(metric.Period{From: req.From, To: req.To}, loc)
	case CompareLastYear:
		prevPeriod = metric.SamePeriodLastYear(metric.Period{From: req.From, To: req.To}, loc)
	}
	if req.Compare != "" {
		if prev, err = read(prevPeriod, false); err != nil {
			return nil, err
		}
	}
	seen := map[groupKey]bool{}
	if req.By == "" {
		seen[groupKey{}] = true // one total, even without data
	}
	for k := range cur {
		seen[k] = true
	}
	for k := range prev {
		seen[k] = true
	}
	keys := make([]groupKey, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	// Groups in the order of their labels; surveys by id.
	sort.Slice(keys, func(i, j int) bool {
		li, lj := g.label(keys[i])[string(req.By)], g.label(keys[j])[string(req.By)]
		if li != lj && req.By != BySurvey {
			return li < lj
		}
		return keys[i].id < keys[j].id
	})
	total := func(days map[int]*cxm.FeedbackSums) cxm.FeedbackSums {
		var t cxm.FeedbackSums
		for _, s := range days {
			t.Add(*s)
		}
		return t
	}
	for _, k := range keys {
		grp := FeedbackGroup{Key: g.label(k)}
		sums := total(cur[k])
		grp.Total = Estimate(req.Metric, sums, req.Options)
		if req.Metric == CES {
			easy := metric.CES(cesStats(sums), req.Options).Easy
			grp.EasyPct = &easy
		}
		if req.Granularity != "" {
			grp.Series = series(req, loc, buckets, cur[k])
		}
		if req.Compare != "" {
			grp.Comparison = &Comparison{From: prevPeriod.From.In(loc).Format(time.DateOnly), To: prevPeriod.To.In(loc).Format(time.DateOnly),
				Change: Compare(req.Metric, sums, total(prev[k]), req.Options)}
		}
		if target, ok := g.target(req, k); ok {
			gap := metric.GapTo(grp.Total, target)
			grp.Target, grp.Gap = &target, &gap
		}
		rep.Groups = append(rep.Groups, grp)
	}
	if req.Adjust && req.Compare != "" {
		adjustGroups(rep.Groups, req.Options)
	}
	return rep, nil
}

// adjustGroups applies the Benjamini–Hochberg correction across the
// groups' changes, in place.
func adjustGroups(groups []FeedbackGroup, o metric.Options) {
	changes := make([]metric.Change, len(groups))
	for i, g := range groups {
		changes[i] = g.Comparison.Change
	}
	metric.AdjustChanges(changes, o)
	for i := range groups {
		groups[i].Comparison.Change = changes[i]
	}
}

// target returns the target of the group's touchpoint for the metric: the
// group's own touchpoint when grouping by touchpoint, else the one
// touchpoint the filter selects.
func (g grouper) target(req FeedbackRequest, k groupKey) (float64, bool) {
	id := int64(0)
	switch {
	case g.by == ByTouchpoint:
		id = k.id
	case len(req.Filter.TouchpointIDs) == 1:
		id = req.Filter.TouchpointIDs[0]
	}
	t := g.tpByID[id]
	if t == nil {
		return 0, false
	}
	v, ok := t.Targets[string(req.Metric)]
	return v, ok
}

// timeDimension returns the rollup dimension of a granularity, so that
// weeks and months are read from their own rollup rows.
func timeDimension(g metric.Granularity) cxm.FeedbackDimension {
	switch g {
	case metric.Week:
		return cxm.ByWeek
	case metric.Month:
		return cxm.ByMonth
	}
	return cxm.ByDay
}

// series returns one point per bucket, empty buckets included.
func series(req FeedbackRequest, loc *time.Location, buckets []time.Time, days map[int]*cxm.FeedbackSums) []SeriesPoint {
	sums := make([]cxm.FeedbackSums, len(buckets))
	for day, s := range days {
		start := metric.BucketStart(cxm.DayTime(day, loc), req.Granularity, loc)
		i := sort.Search(len(buckets), func(i int) bool { return !buckets[i].Before(start) })
		if i < len(buckets) && buckets[i].Equal(start) {
			sums[i].Add(*s)
		}
	}
	out := make([]SeriesPoint, len(buckets))
	for i, b := range buckets {
		out[i] = SeriesPoint{Period: metric.BucketLabel(b, req.Granularity), Start: b, Estimate: Estimate(req.Metric, sums[i], req.Options)}
	}
	return out
}
