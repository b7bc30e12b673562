package cxm

import (
	"context"
	"time"
)

// TopicGrouping is what topic and sentiment figures are split by besides
// the topic or the sentiment label itself.
type TopicGrouping string

// The groupings of topic and sentiment figures.
const (
	// TopicsOverall gives one group for the whole period.
	TopicsOverall TopicGrouping = ""
	// TopicsByTouchpoint splits by the touchpoint of the response (0 for none).
	TopicsByTouchpoint TopicGrouping = "touchpoint"
	// TopicsByWeek splits by the week (from Monday) of completion in the
	// workspace's time zone.
	TopicsByWeek TopicGrouping = "week"
	// TopicsByMonth splits by the calendar month of completion in the
	// workspace's time zone.
	TopicsByMonth TopicGrouping = "month"
)

// Valid reports whether g is a known grouping.
func (g TopicGrouping) Valid() bool {
	switch g {
	case TopicsOverall, TopicsByTouchpoint, TopicsByWeek, TopicsByMonth:
		return true
	}
	return false
}

// MaxTopicBuckets bounds the weeks or months one topic query may split into.
const MaxTopicBuckets = 600

// TopicQuery selects the completed responses whose text analysis topic and
// sentiment figures are computed over, and how they are grouped.
type TopicQuery struct {
	// From and To bound the completion time: From ≤ completed_at < To.
	From, To time.Time
	// Loc is the workspace's time zone, for week and month buckets; nil
	// means UTC.
	Loc *time.Location
	// Each non-empty list keeps only the responses that match one of its values.
	SurveyIDs     []int64
	TouchpointIDs []int64
	Channels      []Channel
	Locales       []string
	// By splits the figures further; TopicsOverall gives one group.
	By TopicGrouping
}

// TopicGroup names the group a figure belongs to. Fields not grouped by are zero.
type TopicGroup struct {
	// TouchpointID is the response's touchpoint when grouped by
	// touchpoint, 0 for responses without one.
	TouchpointID int64 `json:"touchpoint_id,omitempty"`
	// Bucket is the start of the week or month in the workspace's time
	// zone when grouped by time.
	Bucket time.Time `json:"bucket,omitzero"`
}

// MentionCounts counts the mentions of a topic by the sentiment of the
// sentence each stands in.
type MentionCounts struct {
	Mentions int64 `json:"mentions"`
	Negative int64 `json:"negative"`
	Neutral  int64 `json:"neutral"`
	Positive int64 `json:"positive"`
}

// TopicSlice is what one group's responses said about one topic.
type TopicSlice struct {
	Topic string `json:"topic"`
	TopicGroup
	MentionCounts
	// Responses are the sums of the responses that mention the topic,
	// each counted once however often it mentions it.
	Responses FeedbackSums `json:"responses"`
	// NegativeResponses are the sums of the responses with at least one
	// negative mention of the topic.
	NegativeResponses FeedbackSums `json:"negative_responses"`
}

// SentimentSlice is the sums of one group's responses whose overall text
// sentiment has one label.
type SentimentSlice struct {
	// Label is negative, neutral or positive.
	Label string `json:"label"`
	TopicGroup
	FeedbackSums
}

// TopicTotal is the baseline of one group: every completed response that
// the query selects, and how many of them have a text analysis.
type TopicTotal struct {
	TopicGroup
	// Analysed is how many of the responses have analysed free text.
	Analysed int64 `json:"analysed"`
	FeedbackSums
}

// TopicCounts are the counts behind topic figures.
type TopicCounts struct {
	Topics []*TopicSlice `json:"topics"`
	Totals []*TopicTotal `json:"totals"`
}

// SentimentCounts are the counts behind figures by text sentiment.
type SentimentCounts struct {
	Labels []*SentimentSlice `json:"labels"`
	Totals []*TopicTotal     `json:"totals"`
}

// TextSample is a bounded set of responses' redacted free text.
type TextSample struct {
	// Texts holds one text per response, its answers joined by newlines.
	Texts []string
	// Capped says that the period holds more texts than the limit; Texts
	// then holds the most recent ones.
	Capped bool
}

// TopicMetricsService turns the stored text analyses into slice
// dimensions for the feedback metrics.
type TopicMetricsService interface {
	// TopicCounts counts the workspace's topic mentions and sums the
	// responses mentioning each topic, grouped as q asks.
	TopicCounts(ctx context.Context, workspaceID int64, q TopicQuery) (*TopicCounts, error)
	// SentimentCounts sums the workspace's responses by their overall
	// text sentiment label, grouped as q asks.
	SentimentCounts(ctx context.Context, workspaceID int64, q TopicQuery) (*SentimentCounts, error)
	// RedactedTexts returns the redacted free text of up to limit of the
	// workspace's responses completed in [from, to), most recent first,
	// one text per response.
	RedactedTexts(ctx context.Context, workspaceID int64, from, to time.Time, limit int) (*TextSample, error)
}
