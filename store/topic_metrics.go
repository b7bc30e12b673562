package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.TopicMetricsService.
var _ cxm.TopicMetricsService = (*DB)(nil)

// feedbackSumExprs are SQL expressions over a row's nps, csat, ces and
// rating that, summed, give the fields of cxm.FeedbackSums in the order of
// rollupSumColumns.
var feedbackSumExprs = []string{
	"1",
	"CASE WHEN nps >= 9 THEN 1 ELSE 0 END",
	"CASE WHEN nps >= 7 AND nps <= 8 THEN 1 ELSE 0 END",
	"CASE WHEN nps <= 6 THEN 1 ELSE 0 END",
	"CASE WHEN csat IS NOT NULL THEN 1 ELSE 0 END",
	"CASE WHEN csat >= 4 THEN 1 ELSE 0 END",
	"COALESCE(csat, 0)",
	"COALESCE(csat * csat, 0)",
	"CASE WHEN ces IS NOT NULL THEN 1 ELSE 0 END",
	"CASE WHEN ces >= 5 THEN 1 ELSE 0 END",
	"COALESCE(ces, 0)",
	"COALESCE(ces * ces, 0)",
	"CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END",
	"COALESCE(rating, 0)",
	"COALESCE(rating * rating, 0)",
}

// sumBigint sums expr as a BIGINT, which both dialects scan into int64.
func sumBigint(expr string) string { return "CAST(SUM(" + expr + ") AS BIGINT)" }

// feedbackSums returns the select list that sums every FeedbackSums field,
// over the rows where cond holds (every row when cond is empty).
func feedbackSums(cond string) string {
	out := make([]string, len(feedbackSumExprs))
	for i, e := range feedbackSumExprs {
		if cond != "" {
			e = "CASE WHEN " + cond + " THEN " + e + " ELSE 0 END"
		}
		out[i] = sumBigint(e)
	}
	return strings.Join(out, ", ")
}

// topicScope is the WHERE condition and grouping of a topic query on
// responses r, with its arguments.
type topicScope struct {
	where   string
	args    []any
	group   string // an expression over r.touchpoint_id and r.completed_at giving the group number
	gargs   []any  // the arguments of group, which come before where's
	buckets []time.Time
}

// newTopicScope checks q and builds its conditions on the workspace's
// completed responses r.
func newTopicScope(workspaceID int64, q cxm.TopicQuery) (*topicScope, error) {
	if !q.By.Valid() {
		return nil, cxm.Invalid(cxm.FieldError{Field: "by", Reason: fmt.Sprintf("%q is not one of touchpoint, week, month", q.By)})
	}
	if q.From.IsZero() || q.To.IsZero() || !q.To.After(q.From) {
		return nil, cxm.Invalid(cxm.FieldError{Field: "to", Reason: "the period needs a from before its to"})
	}
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	s := &topicScope{group: "0"}
	where := []string{"r.workspace_id = ?", "r.completed = 1", "r.completed_at >= ?", "r.completed_at < ?"}
	s.args = []any{workspaceID, micros(q.From), micros(q.To)}
	in := func(col string, vals []any) {
		if len(vals) > 0 {
			where = append(where, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
			s.args = append(s.args, vals...)
		}
	}
	in("r.survey_id", anySlice(q.SurveyIDs))
	in("r.touchpoint_id", anySlice(q.TouchpointIDs))
	in("r.channel", anySlice(q.Channels))
	in("r.locale", anySlice(q.Locales))
	s.where = strings.Join(where, " AND ")
	switch q.By {
	case cxm.TopicsByTouchpoint:
		s.group = "COALESCE(r.touchpoint_id, 0)"
	case cxm.TopicsByWeek, cxm.TopicsByMonth:
		s.buckets = bucketStarts(q.From, q.To, q.By, loc)
		if len(s.buckets) > cxm.MaxTopicBuckets {
			return nil, cxm.Invalid(cxm.FieldError{Field: "by", Reason: fmt.Sprintf("the period holds more than %d buckets", cxm.MaxTopicBuckets)})
		}
		// Bucket i holds the times from its start up to the next bucket's.
		var b strings.Builder
		b.WriteString("CASE")
		for i := len(s.buckets) - 1; i >= 1; i-- {
			fmt.Fprintf(&b, " WHEN r.completed_at >= ? THEN %d", i)
			s.gargs = append(s.gargs, micros(s.buckets[i]))
		}
		b.WriteString(" ELSE 0 END")
		s.group = b.String()
	}
	return s, nil
}

// bucketStarts returns the starts of the weeks (from Monday) or months in
// loc that overlap [from, to), stopping after MaxTopicBuckets+1.
func bucketStarts(from, to time.Time, by cxm.TopicGrouping, loc *time.Location) []time.Time {
	t := from.In(loc)
	y, m, d := t.Date()
	var b time.Time
	next := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc) }
	if by == cxm.TopicsByWeek {
		b = time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
		next = func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day()+7, 0, 0, 0, 0, loc) }
	} else {
		b = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	var out []time.Time
	for ; b.Before(to) && len(out) <= cxm.MaxTopicBuckets; b = next(b) {
		out = append(out, b)
	}
	return out
}

// groupOf returns the group that the group number g stands for.
func (s *topicScope) groupOf(by cxm.TopicGrouping, g int64) cxm.TopicGroup {
	switch by {
	case cxm.TopicsByTouchpoint:
		return cxm.TopicGroup{TouchpointID: g}
	case cxm.TopicsByWeek, cxm.TopicsByMonth:
		if g >= 0 && int(g) < len(s.buckets) {
			return cxm.TopicGroup{Bucket: s.buckets[g]}
		}
	}
	return cxm.TopicGroup{}
}

// TopicCounts counts the workspace's topic mentions and sums the responses
// mentioning each topic, grouped as q asks, in SQL.
func (db *DB) TopicCounts(ctx context.Context, workspaceID int64, q cxm.TopicQuery) (*cxm.TopicCounts, error) {
	s, err := newTopicScope(workspaceID, q)
	if err != nil {
		return nil, err
	}
	// The inner query holds one row per response and topic, with its
	// mentions by sentiment and the response's scores; the outer one
	// groups them, so a response counts once per topic.
	query := `SELECT topic, grp, ` + sumBigint("mentions") + `, ` + sumBigint("negative") + `, ` + sumBigint("neutral") + `, ` +
		sumBigint("positive") + `, ` + feedbackSums("") + `, ` + feedbackSums("negative > 0") + `
		FROM (SELECT r.topic AS topic, ` + s.group + ` AS grp, r.mentions AS mentions, r.negative AS negative,
			r.neutral AS neutral, r.positive AS positive, r.nps AS nps, r.csat AS csat, r.ces AS ces, r.rating AS rating
			FROM (SELECT m.topic AS topic, r.completed_at AS completed_at, r.touchpoint_id AS touchpoint_id,
				r.nps AS nps, r.csat AS csat, r.ces AS ces, r.rating AS rating, COUNT(*) AS mentions,
				SUM(CASE WHEN m.sentiment_label = 'negative' THEN 1 ELSE 0 END) AS negative,
				SUM(CASE WHEN m.sentiment_label = 'neutral' THEN 1 ELSE 0 END) AS neutral,
				SUM(CASE WHEN m.sentiment_label = 'positive' THEN 1 ELSE 0 END) AS positive
				FROM response_mentions m JOIN responses r ON r.workspace_id = m.workspace_id AND r.public_id = m.response_id
				WHERE ` + s.where + `
				GROUP BY r.id, m.topic, r.completed_at, r.touchpoint_id, r.nps, r.csat, r.ces, r.rating) r) t
		GROUP BY topic, grp ORDER BY topic, grp`
	args := append(append([]any{}, s.gargs...), s.args...)
	rows, err := db.reader().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: topic counts: %w", err)
	}
	defer rows.Close()
	out := &cxm.TopicCounts{Topics: []*cxm.TopicSlice{}}
	for rows.Next() {
		ts := &cxm.TopicSlice{}
		var g int64
		dest := []any{&ts.Topic, &g, &ts.Mentions, &ts.Negative, &ts.Neutral, &ts.Positive}
		dest = append(append(dest, sumFields(&ts.Responses)...), sumFields(&ts.NegativeResponses)...)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: topic counts: %w", err)
		}
		ts.TopicGroup = s.groupOf(q.By, g)
		out.Topics = append(out.Topics, ts)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: topic counts: %w", err)
	}
	if out.Totals, err = db.topicTotals(ctx, s, q.By); err != nil {
		return nil, fmt.Errorf("store: topic counts: %w", err)
	}
	return out, nil
}

// SentimentCounts sums the workspace's responses by their overall text
// sentiment label, grouped as q asks, in SQL.
func (db *DB) SentimentCounts(ctx context.Context, workspaceID int64, q cxm.TopicQuery) (*cxm.SentimentCounts, error) {
	s, err := newTopicScope(workspaceID, q)
	if err != nil {
		return nil, err
	}
	query := `SELECT label, grp, ` + feedbackSums("") + `
		FROM (SELECT x.sentiment_label AS label, ` + s.group + ` AS grp, r.nps AS nps, r.csat AS csat, r.ces AS ces, r.rating AS rating
			FROM response_texts x JOIN responses r ON r.workspace_id = x.workspace_id AND r.public_id = x.response_id
			WHERE ` + s.where + `) t
		GROUP BY label, grp ORDER BY label, grp`
	rows, err := db.reader().query(ctx, query, append(append([]any{}, s.gargs...), s.args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: sentiment counts: %w", err)
	}
	defer rows.Close()
	out := &cxm.SentimentCounts{Labels: []*cxm.SentimentSlice{}}
	for rows.Next() {
		sl := &cxm.SentimentSlice{}
		var g int64
		if err := rows.Scan(append([]any{&sl.Label, &g}, sumFields(&sl.FeedbackSums)...)...); err != nil {
			return nil, fmt.Errorf("store: sentiment counts: %w", err)
		}
		sl.TopicGroup = s.groupOf(q.By, g)
		out.Labels = append(out.Labels, sl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sentiment counts: %w", err)
	}
	if out.Totals, err = db.topicTotals(ctx, s, q.By); err != nil {
		return nil, fmt.Errorf("store: sentiment counts: %w", err)
	}
	return out, nil
}

// topicTotals sums every completed response of the scope per group, with
// how many of them have a text analysis.
func (db *DB) topicTotals(ctx context.Context, s *topicScope, by cxm.TopicGrouping) ([]*cxm.TopicTotal, error) {
	query := `SELECT grp, ` + sumBigint("analysed") + `, ` + feedbackSums("") + `
		FROM (SELECT ` + s.group + ` AS grp,
			CASE WHEN x.response_id IS NULL THEN 0 ELSE 1 END AS analysed,
			r.nps AS nps, r.csat AS csat, r.ces AS ces, r.rating AS rating
			FROM responses r LEFT JOIN response_texts x ON x.workspace_id = r.workspace_id AND x.response_id = r.public_id
			WHERE ` + s.where + `) t
		GROUP BY grp ORDER BY grp`
	rows, err := db.reader().query(ctx, query, append(append([]any{}, s.gargs...), s.args...)...)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	defer rows.Close()
	out := []*cxm.TopicTotal{}
	for rows.Next() {
		t := &cxm.TopicTotal{}
		var g int64
		if err := rows.Scan(append([]any{&g, &t.Analysed}, sumFields(&t.FeedbackSums)...)...); err != nil {
			return nil, fmt.Errorf("totals: %w", err)
		}
		t.TopicGroup = s.groupOf(by, g)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	return out, nil
}

// RedactedTexts returns the redacted free text of up to limit of the
// workspace's responses completed in [from, to), most recent first, one
// text per response: its answers joined by newlines in the order of their
// question keys.
func (db *DB) RedactedTexts(ctx context.Context, workspaceID int64, from, to time.Time, limit int) (*cxm.TextSample, error) {
	if limit <= 0 {
		return nil, cxm.Invalid(cxm.FieldError{Field: "limit", Reason: "must be positive"})
	}
	rows, err := db.reader().query(ctx, `SELECT x.redacted FROM response_texts x
		JOIN responses r ON r.workspace_id = x.workspace_id AND r.public_id = x.response_id
		WHERE x.workspace_id = ? AND r.completed = 1 AND r.completed_at >= ? AND r.completed_at < ?
		ORDER BY r.completed_at DESC, r.id DESC LIMIT ?`, workspaceID, micros(from), micros(to), limit+1)
	if err != nil {
		return nil, fmt.Errorf("store: redacted texts: %w", err)
	}
	defer rows.Close()
	out := &cxm.TextSample{Texts: []string{}}
	n := 0
	for rows.Next() {
		if n++; n > limit {
			out.Capped = true
			break
		}
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("store: redacted texts: %w", err)
		}
		var byQuestion map[string]string
		if err := json.Unmarshal([]byte(raw), &byQuestion); err != nil {
			return nil, fmt.Errorf("store: redacted texts: %w", err)
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(byQuestion)) {
			if byQuestion[k] != "" {
				parts = append(parts, byQuestion[k])
			}
		}
		if len(parts) > 0 {
			out.Texts = append(out.Texts, strings.Join(parts, "\n"))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: redacted texts: %w", err)
	}
	return out, nil
}
