package cxm

import (
	"context"
	"time"
)

// JobTextAnalyze is the kind of the durable job that analyses the free
// text of a workspace's newly completed responses.
const JobTextAnalyze = "text.analyze"

// TextAnalysis is what the offline text analytics found in one response's
// free-text answers: their language, sentiment, topic mentions with the
// sentiment of the sentence each stands in, and the answers with personal
// data masked.
type TextAnalysis struct {
	WorkspaceID int64  `json:"-"`
	ResponseID  string `json:"response_id"`
	// Language is "de", "en" or "other", of all the answers' text together.
	Language string `json:"language"`
	// Sentiment is the score in [-1, 1] of all the answers together, and
	// SentimentLabel its class: negative, neutral or positive.
	Sentiment      float64 `json:"sentiment"`
	SentimentLabel string  `json:"sentiment_label"`
	// CorrectedLabel is the label of the correction in force, if a person
	// corrected the sentiment (Correction tells who and when); Label is
	// the effective label: CorrectedLabel when set, else SentimentLabel.
	CorrectedLabel string               `json:"corrected_label,omitempty"`
	Correction     *SentimentCorrection `json:"correction,omitempty"`
	Label          string               `json:"label"`
	Mentions       []TopicMention       `json:"mentions"`
	// Redacted holds each text answer, by question key, with emails,
	// phone numbers, IBANs, card numbers and addresses masked.
	Redacted map[string]string `json:"redacted"`
	// Model names what scored the sentiment: "lexicon", or a trained model's version.
	Model      string    `json:"model"`
	AnalyzedAt time.Time `json:"analyzed_at"`
}

// TopicMention is one mention of a topic in a text answer.
type TopicMention struct {
	// Question is the key of the text question the answer belongs to.
	Question string `json:"question"`
	Topic    string `json:"topic"`
	// Term is the matched text, Start and End its byte offsets in the answer.
	Term           string  `json:"term"`
	Start          int     `json:"start"`
	End            int     `json:"end"`
	Sentiment      float64 `json:"sentiment"`
	SentimentLabel string  `json:"sentiment_label"`
}

// PendingText is a completed response whose free text waits for analysis.
type PendingText struct {
	WorkspaceID int64
	ResponseID  string
	// Texts are the non-empty text answers by question key.
	Texts map[string]string
}

// TextAnalysisService keeps the results of text analysis beside the
// responses. A completed response with free text is marked pending in the
// transaction that completes it, so that no text is ever missed.
type TextAnalysisService interface {
	// PendingTexts returns up to limit completed responses of the
	// workspace whose text waits for analysis, oldest first.
	PendingTexts(ctx context.Context, workspaceID int64, limit int) ([]*PendingText, error)
	// WorkspacesWithPendingTexts lists the workspaces that have text waiting.
	WorkspacesWithPendingTexts(ctx context.Context) ([]int64, error)
	// SaveTextAnalyses stores the analyses and marks their responses done,
	// in one transaction; a response deleted meanwhile is skipped.
	SaveTextAnalyses(ctx context.Context, as []*TextAnalysis) error
	// FindTextAnalysis returns the analysis of the response, or ENotFound
	// while there is none.
	FindTextAnalysis(ctx context.Context, workspaceID int64, responseID string) (*TextAnalysis, error)
}
