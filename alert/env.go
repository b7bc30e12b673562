// Package alert compiles and evaluates the conditions of alert rules, and
// runs the engine that acts on completed responses: it opens cases and
// sends notifications, at once or as a digest.
//
// A condition is an expression of github.com/expr-lang/expr over Env, the
// facts of one completed response. It is compiled against Env's types, so
// that an unknown name or a type error is refused when the rule is saved,
// with its position. Evaluation is sandboxed (only the built-in functions
// in builtins), bounded in size (MaxConditionNodes, the VM's memory
// budget) and in time (every loop step checks a deadline).
package alert

import (
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/cxmhq/cxm"
)

// Env is what a condition sees about one completed response. A score
// the response does not have is NaN, so that every comparison with it is
// false: `nps <= 6` never fires for a response without an NPS answer.
// The facts of the text analysis (sentiment, sentiment_label, topics,
// negative_topics, mentions, language) are empty until it is stored.
type Env struct {
	NPS      float64 `expr:"nps"`
	NPSClass string  `expr:"nps_class"`
	CSAT     float64 `expr:"csat"`
	CES      float64 `expr:"ces"`
	Rating   float64 `expr:"rating"`
	// Answers holds the answers by question key: a number for a scale, a
	// string for a choice or a text, a list of strings for a multi choice.
	Answers map[string]any `expr:"answers"`
	// Text is the response's text and choice answers, as stored (personal
	// data masked), joined by new lines in the order of their keys; Words
	// its distinct lower-case words.
	Text  string   `expr:"text"`
	Words []string `expr:"words"`
	// Locale is the response's language, Language that of its text.
	Locale         string    `expr:"locale"`
	Language       string    `expr:"language"`
	Sentiment      float64   `expr:"sentiment"`
	SentimentLabel string    `expr:"sentiment_label"`
	Topics         []string  `expr:"topics"`
	NegativeTopics []string  `expr:"negative_topics"`
	Mentions       []Mention `expr:"mentions"`

	Survey       Survey       `expr:"survey"`
	Touchpoint   Touchpoint   `expr:"touchpoint"`
	Customer     Customer     `expr:"customer"`
	Interactions Interactions `expr:"interactions"`

	// Guard is the evaluation's deadline; conditions cannot use it.
	Guard *guard `expr:"__guard"`
}

// Mention is one topic mention in the response's text.
type Mention struct {
	Topic     string  `expr:"topic"`
	Term      string  `expr:"term"`
	Sentiment float64 `expr:"sentiment"`
	Label     string  `expr:"label"`
}

// Survey names the response's survey.
type Survey struct {
	ID   int64  `expr:"id"`
	Slug string `expr:"slug"`
}

// Touchpoint describes the touchpoint the response is about; its fields
// are empty when there is none.
type Touchpoint struct {
	Key     string `expr:"key"`
	Stage   string `expr:"stage"`
	Channel string `expr:"channel"`
}

// Customer describes who answered; Known is false for anonymous answers.
type Customer struct {
	ID         int64          `expr:"id"`
	ExternalID string         `expr:"external_id"`
	Known      bool           `expr:"known"`
	Attributes map[string]any `expr:"attributes"`
	// LifetimeValue sums the values of the customer's orders so far, and
	// Orders counts them.
	LifetimeValue float64 `expr:"lifetime_value"`
	Orders        int     `expr:"orders"`
	// Complaints counts the customer's complaint interactions before the
	// answer, Complaints30d those of the 30 days before it.
	Complaints    int `expr:"complaints"`
	Complaints30d int `expr:"complaints_30d"`
}

// Interactions counts the customer's interactions before the answer.
// Hotline calls are interactions at touchpoints of the phone channel.
type Interactions struct {
	Complaints7d    int `expr:"complaints_7d"`
	Complaints30d   int `expr:"complaints_30d"`
	Complaints90d   int `expr:"complaints_90d"`
	HotlineCalls7d  int `expr:"hotline_calls_7d"`
	HotlineCalls30d int `expr:"hotline_calls_30d"`
	Returns30d      int `expr:"returns_30d"`
	Orders90d       int `expr:"orders_90d"`
	// Types7d, Types30d and Types90d count by interaction type, Channels7d
	// and Channels30d by touchpoint channel; a missing key reads as nil,
	// so write (interactions.types_30d["call"] ?? 0) >= 2.
	Types7d     map[string]int `expr:"types_7d"`
	Types30d    map[string]int `expr:"types_30d"`
	Types90d    map[string]int `expr:"types_90d"`
	Channels7d  map[string]int `expr:"channels_7d"`
	Channels30d map[string]int `expr:"channels_30d"`
}

// NewEnv returns the environment of the response whose facts are f.
func NewEnv(f *cxm.AlertFacts) *Env {
	e := &Env{
		NPS: score(f.NPS), NPSClass: string(f.NPSClass), CSAT: score(f.CSAT), CES: score(f.CES), Rating: score(f.Rating),
		Answers: map[string]any(f.Answers), Locale: f.Locale, Sentiment: math.NaN(),
		Topics: []string{}, NegativeTopics: []string{}, Mentions: []Mention{},
		Survey:     Survey{ID: f.SurveyID, Slug: f.SurveySlug},
		Touchpoint: Touchpoint{Key: f.TouchpointKey, Stage: f.Stage, Channel: string(f.Channel)},
		Customer: Customer{ID: f.CustomerID, ExternalID: f.CustomerExternalID, Known: f.CustomerID != 0,
			Attributes: f.CustomerAttributes},
		Interactions: Interactions{Types7d: map[string]int{}, Types30d: map[string]int{}, Types90d: map[string]int{},
			Channels7d: map[string]int{}, Channels30d: map[string]int{}},
	}
	if e.Answers == nil {
		e.Answers = map[string]any{}
	}
	if e.Customer.Attributes == nil {
		e.Customer.Attributes = map[string]any{}
	}
	var texts []string
	for _, k := range slices.Sorted(maps.Keys(f.Answers)) {
		if s, ok := f.Answers[k].(string); ok && s != "" {
			texts = append(texts, s)
		}
	}
	e.Text = strings.Join(texts, "\n")
	e.Words = words(e.Text)
	if a := f.Analysis; a != nil {
		e.Language, e.Sentiment, e.SentimentLabel = a.Language, a.Sentiment, a.Label
		if e.SentimentLabel == "" {
			e.SentimentLabel = a.SentimentLabel
		}
		for _, m := range a.Mentions {
			e.Mentions = append(e.Mentions, Mention{Topic: m.Topic, Term: m.Term, Sentiment: m.Sentiment, Label: m.SentimentLabel})
			if !slices.Contains(e.Topics, m.Topic) {
				e.Topics = append(e.Topics, m.Topic)
			}
			if m.SentimentLabel == "negative" && !slices.Contains(e.NegativeTopics, m.Topic) {
				e.NegativeTopics = append(e.NegativeTopics, m.Topic)
			}
		}
	}
	in := &e.Interactions
	for _, c := range f.Interactions {
		in.Types7d[c.Type] += c.Last7
		in.Types30d[c.Type] += c.Last30
		in.Types90d[c.Type] += c.Last90
		in.Channels7d[string(c.Channel)] += c.Last7
		in.Channels30d[string(c.Channel)] += c.Last30
		switch c.Type {
		case "complaint":
			in.Complaints7d += c.Last7
			in.Complaints30d += c.Last30
			in.Complaints90d += c.Last90
			e.Customer.Complaints += c.All
		case "order":
			e.Customer.Orders += c.All
			e.Customer.LifetimeValue += c.Value
			in.Orders90d += c.Last90
		case "return":
			in.Returns30d += c.Last30
		}
		if c.Channel == cxm.ChannelPhone {
			in.HotlineCalls7d += c.Last7
			in.HotlineCalls30d += c.Last30
		}
	}
	e.Customer.Complaints30d = in.Complaints30d
	return e
}

// score turns an optional score into a number, NaN when it is missing.
func score(p *int) float64 {
	if p == nil {
		return math.NaN()
	}
	return float64(*p)
}

// words returns the distinct lower-case words of s, in order.
func words(s string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
