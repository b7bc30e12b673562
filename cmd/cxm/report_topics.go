package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// runReportTopics prints the figures by text topic as a table:
// `cxm report topics --workspace S [--period 2026-10] [--by touchpoint|week|month]
// [--touchpoint K,…] [--stage K,…] [--min-n 30]`. Per group it shows every
// completed response's NPS and CSAT, then per topic the mentions, the
// share of negative mentions, and the NPS and CSAT of the responses
// mentioning the topic and of those mentioning it negatively, as GET
// /api/v1/metrics/topics does.
func runReportTopics(ctx context.Context, m *Main, args []string) error {
	var sf reportScopeFlags
	var by string
	fs := newReportFlags("report topics", m, &sf)
	fs.StringVar(&by, "by", "", "split by touchpoint, week or month")
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	var errs cxm.FieldErrors
	q := cxm.TopicQuery{By: cxm.TopicGrouping(by)}
	if !q.By.Valid() {
		errs.Add("--by", fmt.Sprintf("%q is not one of touchpoint, week, month", by))
	}
	sf.checkMinN(&errs)
	if err := errs.Err(); err != nil {
		return err
	}
	sc, err := sf.open(ctx, m, defaultReportDays)
	if err != nil {
		return err
	}
	defer sc.db.Close()
	q.Loc, q.From, q.To, q.TouchpointIDs = sc.loc, sc.from, sc.to, sc.touchpointIDs
	counts := &cxm.TopicCounts{}
	if !sc.matchNothing {
		if counts, err = sc.db.TopicCounts(ctx, sc.ws.ID, q); err != nil {
			return err
		}
	}
	keys := map[int64]string{}
	for _, t := range sc.touchpoints {
		keys[t.ID] = t.Key
	}
	return printTopicReport(m.Stdout, counts, q, keys, metric.Options{MinN: sf.minN})
}

// topicGroupName names a group in the table.
func topicGroupName(g cxm.TopicGroup, q cxm.TopicQuery, keys map[int64]string) string {
	switch q.By {
	case cxm.TopicsByTouchpoint:
		if k, ok := keys[g.TouchpointID]; ok {
			return k
		}
		return "(none)"
	case cxm.TopicsByWeek:
		return metric.BucketLabel(g.Bucket.In(q.Loc), metric.Week)
	case cxm.TopicsByMonth:
		return metric.BucketLabel(g.Bucket.In(q.Loc), metric.Month)
	}
	return "all"
}

// printTopicReport writes the topic figures as a readable table, the
// groups in order and each group's topics by mentions.
func printTopicReport(w io.Writer, c *cxm.TopicCounts, q cxm.TopicQuery, keys map[int64]string, o metric.Options) error {
	fmt.Fprintf(w, "Topics, %s to %s (%s), minimum n %d\n\n", q.From.In(q.Loc).Format(time.DateOnly),
		q.To.In(q.Loc).AddDate(0, 0, -1).Format(time.DateOnly), q.Loc, o.MinN)
	nps := func(f cxm.FeedbackSums) metric.Estimate {
		return metric.NPS(metric.NPSCounts{Promoters: f.Promoters, Passives: f.Passives, Detractors: f.Detractors}, o)
	}
	csat := func(f cxm.FeedbackSums) metric.Estimate {
		return metric.CSAT(metric.Proportion{Hits: f.CSATTop2, N: f.CSATN}, o)
	}
	cell := func(e metric.Estimate) string {
		if !e.Sufficient() {
			return fmt.Sprintf("n/a (n=%d)", e.N)
		}
		return fmt.Sprintf("%.1f [%.1f, %.1f] n=%d", e.Value, e.Lower, e.Upper, e.N)
	}
	type group struct {
		name   string
		total  *cxm.TopicTotal
		topics []*cxm.TopicSlice
	}
	var groups []*group
	byName := map[string]*group{}
	get := func(g cxm.TopicGroup) *group {
		name := topicGroupName(g, q, keys)
		if byName[name] == nil {
			byName[name] = &group{name: name}
			groups = append(groups, byName[name])
		}
		return byName[name]
	}
	for _, t := range c.Totals {
		get(t.TopicGroup).total = t
	}
	for _, t := range c.Topics {
		g := get(t.TopicGroup)
		g.topics = append(g.topics, t)
	}
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Compare(a.name, b.name) })
	if len(groups) == 0 {
		fmt.Fprintln(w, "no completed responses in this period")
		return nil
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join([]string{"GROUP", "TOPIC", "MENTIONS", "NEG/NEU/POS", "NEGATIVE %", "NPS MENTIONING",
		"NPS MENTIONING NEGATIVELY", "CSAT MENTIONING"}, "\t"))
	for _, g := range groups {
		if t := g.total; t != nil {
			fmt.Fprintf(tw, "%s\t(all %d responses, %d with text)\t-\t-\t-\t%s\t-\t%s\n", g.name, t.Responses, t.Analysed,
				cell(nps(t.FeedbackSums)), cell(csat(t.FeedbackSums)))
		}
		slices.SortFunc(g.topics, func(a, b *cxm.TopicSlice) int {
			return cmp.Or(cmp.Compare(b.Mentions, a.Mentions), cmp.Compare(a.Topic, b.Topic))
		})
		for _, t := range g.topics {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d/%d/%d\t%s\t%s\t%s\t%s\n", g.name, t.Topic, t.Mentions, t.Negative, t.Neutral, t.Positive,
				cell(metric.Rate(metric.Proportion{Hits: t.Negative, N: t.Mentions}, o)),
				cell(nps(t.Responses)), cell(nps(t.NegativeResponses)), cell(csat(t.Responses)))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
