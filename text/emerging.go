package text

import (
	"math"
	"slices"
	"strings"
)

// TermCounts are the document frequencies of words and word pairs in the
// texts of one period. Build them with Analyzer.CountTerms or AddText;
// they may also be stored and loaded as JSON.
type TermCounts struct {
	// Docs is the number of texts counted.
	Docs int `json:"docs"`
	// Terms maps a term key (stems joined by a space) to the number of
	// texts that contain it.
	Terms map[string]int `json:"terms"`
	// Display maps a term key to the words as first seen, in lower case.
	Display map[string]string `json:"display"`
	// Lang maps a term key to the language it was seen in.
	Lang map[string]Lang `json:"lang"`
}

// EmergingOptions configure Analyzer.Emerging. The zero value uses the defaults.
type EmergingOptions struct {
	// MinCount is the fewest texts of the current period that must
	// contain a term; 0 means 5.
	MinCount int
	// Alpha is the false discovery rate of the Benjamini–Hochberg
	// procedure across all tested terms; 0 means 0.05.
	Alpha float64
	// MinRatio is the least ratio of current to previous share of texts; 0 means 1.5.
	MinRatio float64
	// Limit caps the number of suggestions; 0 means 20.
	Limit int
}

// Suggestion is a term whose share of texts rose significantly and that
// no topic of the taxonomy covers: a candidate for a new topic.
type Suggestion struct {
	Term      string  `json:"term"`       // the term as first seen
	Key       string  `json:"key"`        // its stem key
	Lang      Lang    `json:"lang"`       // the language it was seen in
	Count     int     `json:"count"`      // texts with the term in the current period
	PrevCount int     `json:"prev_count"` // and in the previous period
	Rate      float64 `json:"rate"`       // Count / current texts
	PrevRate  float64 `json:"prev_rate"`  // PrevCount / previous texts
	G2        float64 `json:"g2"`         // log-likelihood ratio statistic, 1 degree of freedom
	P         float64 `json:"p"`          // its p-value
	Q         float64 `json:"q"`          // the Benjamini–Hochberg adjusted p-value
}

// CountTerms counts the words and word pairs of texts.
func (a *Analyzer) CountTerms(texts []string) TermCounts {
	var tc TermCounts
	for _, t := range texts {
		a.AddText(&tc, t)
	}
	return tc
}

// AddText adds the words and word pairs of one text to tc, each at most
// once. Function words, numbers and pure sentiment words are left out.
func (a *Analyzer) AddText(tc *TermCounts, text string) {
	if tc.Terms == nil {
		tc.Terms, tc.Display, tc.Lang = map[string]int{}, map[string]string{}, map[string]Lang{}
	}
	tc.Docs++
	d := a.get()
	defer a.put(d)
	a.prepare(d, text)
	seen := map[string]bool{}
	add := func(key, display string) {
		if seen[key] {
			return
		}
		seen[key] = true
		tc.Terms[key]++
		if _, ok := tc.Display[key]; !ok {
			tc.Display[key] = display
			tc.Lang[key] = d.lex.lang
		}
	}
	prev, prevText := -1, ""
	for i, t := range d.toks {
		if t.Kind != KindWord || len(d.info[i].fold) < 3 || len(d.info[i].fold) > maxWordLen || a.isFunctionWord(d.info[i].fold) || d.info[i].val != 0 || d.info[i].neg || d.info[i].boost != 0 {
			prev = -1
			continue
		}
		stem := a.stemAt(d, i)
		add(stem, t.Norm)
		if prev >= 0 && prev == i-1 {
			add(d.info[prev].stem+" "+stem, prevText+" "+t.Norm)
		}
		prev, prevText = i, t.Norm
	}
}

// covered reports whether a topic of the taxonomy already covers a term key.
func (a *Analyzer) covered(key string, lang Lang) bool {
	li := langIndex(lang)
	for _, stem := range strings.Fields(key) {
		if a.topics.byStem[li][stem] != nil {
			return true
		}
		if li == 0 && a.matchCompound(stem, stem) >= 0 {
			return true
		}
	}
	return false
}

// Emerging compares the term counts of the current period with those of
// the previous one and returns the terms whose share of texts rose
// significantly (Dunning's log-likelihood G² test with a Benjamini–Hochberg
// correction) and that no topic covers, strongest first.
func (a *Analyzer) Emerging(cur, prev TermCounts, opt EmergingOptions) []Suggestion {
	if opt.MinCount <= 0 {
		opt.MinCount = 5
	}
	if opt.Alpha <= 0 {
		opt.Alpha = 0.05
	}
	if opt.MinRatio <= 0 {
		opt.MinRatio = 1.5
	}
	if opt.Limit <= 0 {
		opt.Limit = 20
	}
	if cur.Docs == 0 || prev.Docs == 0 {
		return nil
	}
	var cands []Suggestion
	for key, n := range cur.Terms {
		if n < opt.MinCount || n > cur.Docs {
			continue
		}
		m := min(prev.Terms[key], prev.Docs)
		rate, prevRate := float64(n)/float64(cur.Docs), float64(m)/float64(prev.Docs)
		if rate <= prevRate {
			continue
		}
		g2 := gSquared(n, cur.Docs, m, prev.Docs)
		cands = append(cands, Suggestion{Term: cur.Display[key], Key: key, Lang: cur.Lang[key], Count: n, PrevCount: m,
			Rate: round4(rate), PrevRate: round4(prevRate), G2: round4(g2), P: math.Erfc(math.Sqrt(g2 / 2))})
	}
	benjaminiHochberg(cands)
	out := cands[:0]
	for _, s := range cands {
		ratioOK := s.PrevRate == 0 || s.Rate/s.PrevRate >= opt.MinRatio
		if s.Q <= opt.Alpha && ratioOK && !a.covered(s.Key, s.Lang) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(x, y Suggestion) int {
		if x.G2 != y.G2 {
			if x.G2 > y.G2 {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Key, y.Key)
	})
	return out[:min(len(out), opt.Limit)]
}

// gSquared returns the log-likelihood ratio statistic of a 2×2 table: a
// of n texts against b of m texts.
func gSquared(a, n, b, m int) float64 {
	obs := [4]float64{float64(a), float64(n - a), float64(b), float64(m - b)}
	total := float64(n + m)
	with, without := float64(a+b), total-float64(a+b)
	exp := [4]float64{with * float64(n) / total, without * float64(n) / total, with * float64(m) / total, without * float64(m) / total}
	g := 0.0
	for i := range obs {
		if obs[i] > 0 && exp[i] > 0 {
			g += obs[i] * math.Log(obs[i]/exp[i])
		}
	}
	return max(0, 2*g)
}

// benjaminiHochberg sets the adjusted p-value Q of every suggestion.
func benjaminiHochberg(s []Suggestion) {
	slices.SortFunc(s, func(x, y Suggestion) int {
		switch {
		case x.P < y.P:
			return -1
		case x.P > y.P:
			return 1
		}
		return strings.Compare(x.Key, y.Key)
	})
	m := float64(len(s))
	q := 1.0
	for i := len(s) - 1; i >= 0; i-- {
		q = min(q, s[i].P*m/float64(i+1))
		s[i].Q = q
	}
}
