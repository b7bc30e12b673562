package cxm

import (
	"context"
	"time"
)

// FeedbackSums are the sufficient statistics of every feedback metric over
// a set of completed responses: counts, sums and sums of squares. Sums of
// two sets are the sums of their union, which is what rollups rely on.
type FeedbackSums struct {
	Responses  int64 `json:"responses"`
	Promoters  int64 `json:"promoters"`
	Passives   int64 `json:"passives"`
	Detractors int64 `json:"detractors"`
	// CSAT: answers, top-two-box answers (4 or 5), sum and sum of squares.
	CSATN     int64 `json:"csat_n"`
	CSATTop2  int64 `json:"csat_top2"`
	CSATSum   int64 `json:"csat_sum"`
	CSATSumSq int64 `json:"csat_sumsq"`
	// CES: answers, easy answers (5 or more of 7), sum and sum of squares.
	CESN     int64 `json:"ces_n"`
	CESEasy  int64 `json:"ces_easy"`
	CESSum   int64 `json:"ces_sum"`
	CESSumSq int64 `json:"ces_sumsq"`
	// Star ratings: answers, sum and sum of squares.
	RatingN     int64 `json:"rating_n"`
	RatingSum   int64 `json:"rating_sum"`
	RatingSumSq int64 `json:"rating_sumsq"`
}

// Add adds the sums of t to s.
func (s *FeedbackSums) Add(t FeedbackSums) {
	s.Responses += t.Responses
	s.Promoters += t.Promoters
	s.Passives += t.Passives
	s.Detractors += t.Detractors
	s.CSATN += t.CSATN
	s.CSATTop2 += t.CSATTop2
	s.CSATSum += t.CSATSum
	s.CSATSumSq += t.CSATSumSq
	s.CESN += t.CESN
	s.CESEasy += t.CESEasy
	s.CESSum += t.CESSum
	s.CESSumSq += t.CESSumSq
	s.RatingN += t.RatingN
	s.RatingSum += t.RatingSum
	s.RatingSumSq += t.RatingSumSq
}

// AddScores counts one completed response with its derived scores, or,
// with sign −1, takes it away again.
func (s *FeedbackSums) AddScores(nps, csat, ces, rating *int, sign int64) {
	s.Responses += sign
	if nps != nil {
		switch ClassifyNPS(*nps) {
		case Promoter:
			s.Promoters += sign
		case Passive:
			s.Passives += sign
		default:
			s.Detractors += sign
		}
	}
	if csat != nil {
		v := int64(*csat)
		s.CSATN += sign
		s.CSATSum += sign * v
		s.CSATSumSq += sign * v * v
		if v >= 4 {
			s.CSATTop2 += sign
		}
	}
	if ces != nil {
		v := int64(*ces)
		s.CESN += sign
		s.CESSum += sign * v
		s.CESSumSq += sign * v * v
		if v >= 5 {
			s.CESEasy += sign
		}
	}
	if rating != nil {
		v := int64(*rating)
		s.RatingN += sign
		s.RatingSum += sign * v
		s.RatingSumSq += sign * v * v
	}
}

// IsZero reports whether the sums count nothing.
func (s FeedbackSums) IsZero() bool { return s == FeedbackSums{} }

// FeedbackDimension is what feedback figures can be grouped by.
type FeedbackDimension string

// The dimensions of the response rollups.
const (
	ByDay        FeedbackDimension = "day"
	ByWeek       FeedbackDimension = "week"
	ByMonth      FeedbackDimension = "month"
	BySurvey     FeedbackDimension = "survey"
	ByTouchpoint FeedbackDimension = "touchpoint"
	ByChannel    FeedbackDimension = "channel"
	ByLocale     FeedbackDimension = "locale"
)

// Valid reports whether d is a known dimension.
func (d FeedbackDimension) Valid() bool {
	switch d {
	case ByDay, ByWeek, ByMonth, BySurvey, ByTouchpoint, ByChannel, ByLocale:
		return true
	}
	return false
}

// FeedbackQuery selects and groups completed responses' sums.
type FeedbackQuery struct {
	// FromDay and ToDay bound the local days, as yyyymmdd numbers in the
	// workspace's time zone: FromDay ≤ day < ToDay. Zero means no bound.
	FromDay, ToDay int
	// Each non-empty list keeps only the responses that match one of its values.
	SurveyIDs     []int64
	TouchpointIDs []int64
	Channels      []Channel
	Locales       []string
	// Only limits the sums read to those of one metric, "nps", "csat",
	// "ces" or "rating", besides the count of responses; the others are
	// zero in the result. Empty reads every sum.
	Only string
	// GroupBy lists the dimensions that split the result; none gives one
	// total. At most one of ByDay, ByWeek (ISO weeks from Monday) and
	// ByMonth may be given.
	GroupBy []FeedbackDimension
}

// FeedbackSlice is the sums of one group of a FeedbackQuery. Dimensions
// not grouped by are zero. Day is the yyyymmdd day, or, grouped by week or
// month, the period's first day.
type FeedbackSlice struct {
	Day          int     `json:"day,omitempty"`
	SurveyID     int64   `json:"survey_id,omitempty"`
	TouchpointID int64   `json:"touchpoint_id,omitempty"`
	Channel      Channel `json:"channel,omitempty"`
	Locale       string  `json:"locale,omitempty"`
	// Attribute is the value of the customer attribute sliced by, as
	// text; empty for anonymous responses and customers without it.
	Attribute string `json:"attribute,omitempty"`
	FeedbackSums
}

// LocalDay returns t's day in loc as a yyyymmdd number.
func LocalDay(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}

// DayTime returns the start of the yyyymmdd day in loc.
func DayTime(day int, loc *time.Location) time.Time {
	return time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, loc)
}

// RollupCheck is the result of recounting a workspace's rollups from its
// raw responses.
type RollupCheck struct {
	// Rows is how many rollup rows the recount gives.
	Rows int `json:"rows"`
	// Responses is how many completed responses were recounted.
	Responses int64 `json:"responses"`
	// Mismatches lists the rows that differ, at most 20.
	Mismatches []RollupMismatch `json:"mismatches,omitempty"`
	// MismatchCount is how many rows differ in all.
	MismatchCount int `json:"mismatch_count"`
}

// RollupMismatch is one rollup row whose stored sums differ from the recount.
type RollupMismatch struct {
	// Grain is the period the row counts: day, week or month. Key.Day is
	// the period's first day.
	Grain     string        `json:"grain"`
	Key       FeedbackSlice `json:"key"`
	Stored    FeedbackSums  `json:"stored"`
	Recounted FeedbackSums  `json:"recounted"`
}

// RollupService keeps and reads the incremental aggregates of responses.
type RollupService interface {
	// FeedbackSlices sums the rollups of the workspace that match q.
	FeedbackSlices(ctx context.Context, workspaceID int64, q FeedbackQuery) ([]*FeedbackSlice, error)
	// VerifyRollups recounts the workspace's rollups from its raw
	// responses and reports every difference; it changes nothing.
	VerifyRollups(ctx context.Context, workspaceID int64) (*RollupCheck, error)
	// RebuildRollups replaces the workspace's rollups by a recount, in
	// one transaction.
	RebuildRollups(ctx context.Context, workspaceID int64) (*RollupCheck, error)
}

// MaxAttributeValues bounds the distinct values of a customer attribute
// that feedback figures can be sliced by.
const MaxAttributeValues = 50

// FeedbackService answers feedback figures: from the rollups, and, sliced
// by a customer attribute, which the rollups do not hold, from the raw
// responses.
type FeedbackService interface {
	RollupService
	// FeedbackByAttribute answers q like FeedbackSlices, each slice also
	// split by the value of the customer attribute key, from the raw
	// responses. An attribute with more than MaxAttributeValues values is
	// refused, naming the field "by".
	FeedbackByAttribute(ctx context.Context, workspaceID int64, q FeedbackQuery, key string) ([]*FeedbackSlice, error)
}
