package cxm

import (
	"context"
	"time"
)

// The sentiment labels of free text.
const (
	SentimentNegative = "negative"
	SentimentNeutral  = "neutral"
	SentimentPositive = "positive"
)

// ValidSentimentLabel reports whether s is negative, neutral or positive.
func ValidSentimentLabel(s string) bool {
	return s == SentimentNegative || s == SentimentNeutral || s == SentimentPositive
}

// SentimentCorrection is a person's (or a machine's) correction of the
// sentiment label of a response's free text. The latest correction of a
// response is in force; the earlier ones stay as its history.
type SentimentCorrection struct {
	WorkspaceID int64  `json:"-"`
	ResponseID  string `json:"response_id"`
	// Label is the corrected label: negative, neutral or positive.
	Label string `json:"label"`
	// PreviousLabel is the label in force before: the analysis's, or an
	// earlier correction's.
	PreviousLabel string `json:"previous_label"`
	// UserID is set when a signed-in user corrected, APIKeyID when a key did.
	UserID      int64     `json:"user_id,omitempty"`
	APIKeyID    int64     `json:"api_key_id,omitempty"`
	CorrectedAt time.Time `json:"corrected_at"`
}

// LabelledText is a text with its sentiment label, an example to learn from.
type LabelledText struct {
	ResponseID string `json:"response_id"`
	Label      string `json:"label"`
	Text       string `json:"text"`
}

// TextCorrectionService stores sentiment corrections.
type TextCorrectionService interface {
	// CorrectSentiment stores c, filling PreviousLabel and CorrectedAt.
	// A response of no workspace is ENotFound; one without analysed free
	// text (none at all, or not analysed yet) is EConflict.
	CorrectSentiment(ctx context.Context, c *SentimentCorrection) error
	// CorrectedTexts returns, for every response of the workspace with a
	// correction in force, its label and its redacted free text, in
	// response id order.
	CorrectedTexts(ctx context.Context, workspaceID int64) ([]LabelledText, error)
}
