package text

import (
	"math"
	"strings"
)

// Label is a sentiment class.
type Label string

// The sentiment labels.
const (
	Negative Label = "negative"
	Neutral  Label = "neutral"
	Positive Label = "positive"
)

// Labels returns the labels in class order: negative, neutral, positive,
// the order of Prediction.P and Metrics.Confusion.
func Labels() [3]Label { return [3]Label{Negative, Neutral, Positive} }

// ParseLabel returns the Label named s, and false for anything else.
func ParseLabel(s string) (Label, bool) {
	switch Label(s) {
	case Negative, Neutral, Positive:
		return Label(s), true
	}
	return "", false
}

// Constants of the lexicon scorer. The VADER ones follow Hutto & Gilbert
// (2014). The label thresholds, questionWeight and linkWeight are cxm's;
// they were chosen on the MIT-licensed VADER tweets (Hutto & Gilbert 2014,
// github.com/cjhutto/vaderSentiment) and checked on cxm's own feedback
// examples in testdata, never on the German evaluation set.
const (
	// PositiveAbove is the score above which a text is positive.
	PositiveAbove = 0.30
	// NegativeBelow is the score below which a text is negative. The
	// band is asymmetric because people use positive words loosely
	// ("gerne", "lol", "thanks") where negative ones are meant.
	NegativeBelow = -0.05
	// questionWeight scales the sentiment of a question, which asserts less.
	questionWeight = 0.5
	// linkWeight scales the sentiment of a sentence with a link, whose
	// words mostly describe what is shared.
	linkWeight  = 0.25
	boostStep   = 0.293 // VADER B_INCR
	capsBoost   = 0.733 // VADER C_INCR
	negateScale = -0.74 // VADER N_SCALAR
	bangBoost   = 0.292 // per "!", at most four
	normAlpha   = 15.0  // VADER's normalisation constant
	beforeBut   = 0.5   // weight of a clause before a contrast word
	afterBut    = 1.5   // weight of a clause after it
)

// Sentiment is a score in [-1, 1] and its label.
type Sentiment struct {
	Score float64 `json:"score"`
	Label Label   `json:"label"`
}

// LabelFor returns the label of score: positive above PositiveAbove,
// negative below NegativeBelow, neutral in between.
func LabelFor(score float64) Label {
	switch {
	case score > PositiveAbove:
		return Positive
	case score < NegativeBelow:
		return Negative
	}
	return Neutral
}

// sentimentOf returns the Sentiment of an unnormalised valence sum.
func sentimentOf(sum float64) Sentiment {
	s := normalize(sum)
	return Sentiment{Score: round4(s), Label: LabelFor(s)}
}

// normalize maps a valence sum into [-1, 1] as VADER does.
func normalize(sum float64) float64 {
	if sum == 0 {
		return 0
	}
	return max(-1, min(1, sum/math.Sqrt(sum*sum+normAlpha)))
}

// round4 rounds x to four decimals, so results print compactly.
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// sign returns -1 for negative x and 1 otherwise.
func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// scoreSentence computes the valence of every token of sentence s into
// d.vals and returns the sentence's valence sum with contrast weights and
// emphasis.
func (d *doc) scoreSentence(s span) float64 {
	lex := d.lex
	contrastAt := -1
	for i := s.a; i < s.b; i++ {
		if d.info[i].contrast {
			contrastAt = i
		}
	}
	sum := 0.0
	for i := s.a; i < s.b; i++ {
		in := &d.info[i]
		v := in.val
		if v == 0 {
			d.vals[i] = 0
			continue
		}
		if in.caps && d.capDiff {
			v += sign(v) * capsBoost
		}
		negated := false
		for j := 1; j <= 3; j++ {
			k := i - j
			if k < s.a || d.info[k].brk || d.info[k].contrast {
				break
			}
			if b := d.info[k].boost; b != 0 {
				inc := b * sign(v)
				if d.info[k].caps && d.capDiff {
					inc += sign(v) * capsBoost
				}
				v += inc * (1 - 0.05*float64(j-1))
			}
			if d.info[k].neg {
				// VADER: "never so good" intensifies rather than negates.
				if k+1 < i && (d.info[k+1].fold == "so" || d.info[k+1].fold == "this") && (d.info[k].fold == "never" || d.info[k].fold == "nie") {
					v *= 1.25
				} else {
					negated = true
				}
			}
		}
		if !negated && lex.lang == LangDE {
			negated = d.negatedAfter(i, s)
		}
		if negated {
			v *= negateScale
		}
		d.vals[i] = v
		switch {
		case contrastAt < 0:
		case i < contrastAt:
			v *= beforeBut
		case i > contrastAt:
			v *= afterBut
		}
		sum += v
	}
	sum += d.emphasis(s, sum)
	if d.isQuestion(s) {
		sum *= questionWeight
	}
	for i := s.a; i < s.b; i++ {
		if d.toks[i].Kind == KindURL {
			sum *= linkWeight
			break
		}
	}
	return sum
}

// isQuestion reports whether sentence s ends with a question mark.
func (d *doc) isQuestion(s span) bool {
	for i := s.b - 1; i >= s.a; i-- {
		switch d.toks[i].Kind {
		case KindEmoji, KindEmoticon, KindURL, KindMention, KindHashtag:
			continue
		case KindPunct:
			return strings.Contains(d.toks[i].Text, "?")
		}
		return false
	}
	return false
}

// negatedAfter reports whether a German negation closes the clause of
// token i, as in "das gefällt mir nicht" or "funktioniert leider nicht".
func (d *doc) negatedAfter(i int, s span) bool {
	for k := i + 1; k < s.b && k <= i+4; k++ {
		in := &d.info[k]
		if in.brk || in.contrast || in.val != 0 {
			return false
		}
		if in.neg && d.info[k].fold == "nicht" {
			return k+1 >= s.b || d.info[k+1].brk || d.info[k+1].contrast || d.toks[k+1].Kind == KindPunct
		}
		if d.toks[k].Kind == KindPunct {
			return false
		}
	}
	return false
}

// emphasis returns the push of exclamation and question marks in sentence
// s, in the direction of sum.
func (d *doc) emphasis(s span, sum float64) float64 {
	if sum == 0 {
		return 0
	}
	bangs, qs := 0, 0
	for i := s.a; i < s.b; i++ {
		if d.toks[i].Kind == KindPunct {
			bangs += strings.Count(d.toks[i].Text, "!")
			qs += strings.Count(d.toks[i].Text, "?")
		}
	}
	amp := float64(min(bangs, 4)) * bangBoost
	if qs > 1 {
		amp += min(float64(qs)*0.18, 0.96)
	}
	return sign(sum) * amp
}

// clauseSum returns the valence sum of the clause around token i, or, when
// that clause carries no sentiment, of the stretch between contrast words;
// it is what a topic mention at i inherits.
func (d *doc) clauseSum(i int, s span) float64 {
	for _, contrastOnly := range []bool{false, true} {
		a, b := i, i+1
		for a > s.a && !d.info[a-1].contrast && (contrastOnly || !d.info[a-1].brk) {
			a--
		}
		for b < s.b && !d.info[b].contrast && (contrastOnly || !d.info[b].brk) {
			b++
		}
		sum := 0.0
		for k := a; k < b; k++ {
			sum += d.vals[k]
		}
		if sum != 0 {
			return sum + d.emphasis(span{a, b}, sum)
		}
	}
	return 0
}
