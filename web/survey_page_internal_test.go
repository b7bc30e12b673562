package web

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// TestPageTextsComplete wants every built-in text in every locale, the
// error pages of every error code and the scale labels of every scale.
func TestPageTextsComplete(t *testing.T) {
	var need []string
	for code := range statusOf {
		need = append(need, "err."+code+".title", "err."+code+".body")
	}
	for _, k := range []cxm.QuestionKind{cxm.KindNPS, cxm.KindCSAT, cxm.KindCES, cxm.KindRating} {
		need = append(need, "scale."+string(k)+".low", "scale."+string(k)+".high")
	}
	for _, key := range []string{"closed", "paused", "notyet", "answered", "expired", "thanks"} {
		need = append(need, key+".title", key+".body")
	}
	for _, l := range cxm.Locales {
		tx, ok := pageTexts[l]
		if !ok {
			t.Fatalf("no texts for %s", l)
		}
		for _, other := range cxm.Locales {
			for k := range pageTexts[other] {
				if tx[k] == "" {
					t.Errorf("%s lacks %q, which %s has", l, k, other)
				}
			}
		}
		for _, k := range need {
			if tx[k] == "" {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
	if de, en := pageTexts["de"], pageTexts["en"]; de["next"] == en["next"] || de["submit"] == en["submit"] {
		t.Errorf("German and English buttons are the same: %q %q", de["next"], de["submit"])
	}
}

func TestAcceptLanguage(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", ""},
		{"de", "de"},
		{"en-US,en;q=0.9", "en"},
		{"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "en"},
		{"de;q=0.3, en;q=0.7", "en"},
		{"en;q=0.5, de;q=0.5", "en"}, // a tie goes to the first
		{"EN-gb", "en"},
		{"de-AT;q=0", ""},
		{"de;q=abc, en;q=0.1", "en"},
		{"de;q=2", ""},
		{"*", ""},
		{"fr, es", ""},
		{"  de-CH ; q=0.8 ", "de"},
	} {
		if got := acceptLanguage(c.header); got != c.want {
			t.Errorf("acceptLanguage(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

func kinds(ks ...cxm.QuestionKind) *cxm.Survey {
	sv := &cxm.Survey{}
	for i, k := range ks {
		sv.Questions = append(sv.Questions, cxm.Question{Key: "q" + strconv.Itoa(i), Kind: k, Required: k == cxm.KindNPS})
	}
	return sv
}

func TestSurveyPagesGroupFollowUps(t *testing.T) {
	for _, c := range []struct {
		sv   *cxm.Survey
		want string
	}{
		{kinds(cxm.KindNPS, cxm.KindText, cxm.KindCSAT, cxm.KindMulti), "[[0 1] [2] [3]]"},
		{kinds(cxm.KindText, cxm.KindNPS), "[[0] [1]]"},
		{kinds(cxm.KindCES, cxm.KindText, cxm.KindText), "[[0 1] [2]]"},
		{kinds(cxm.KindSingle, cxm.KindText), "[[0] [1]]"},
		{kinds(cxm.KindRating), "[[0]]"},
	} {
		if got := fmtPages(surveyPages(c.sv)); got != c.want {
			t.Errorf("pages of %v = %s, want %s", c.sv.Questions, got, c.want)
		}
	}
}

func fmtPages(p [][]int) string {
	var parts []string
	for _, page := range p {
		var ns []string
		for _, n := range page {
			ns = append(ns, strconv.Itoa(n))
		}
		parts = append(parts, "["+strings.Join(ns, " ")+"]")
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestResumePage(t *testing.T) {
	// Pages: [q0 nps (required), q1 text] [q2 csat] [q3 multi].
	sv := kinds(cxm.KindNPS, cxm.KindText, cxm.KindCSAT, cxm.KindMulti)
	pages := surveyPages(sv)
	for _, c := range []struct {
		answers cxm.Answers
		want    int
	}{
		{cxm.Answers{}, 0},
		{cxm.Answers{"q0": 5.0}, 1},
		{cxm.Answers{"q1": "nur Text"}, 0}, // the required NPS on page 0 is missing
		{cxm.Answers{"q0": 5.0, "q2": 3.0}, 2},
		{cxm.Answers{"q0": 5.0, "q3": []any{"a"}}, 2}, // the last page, not past it
		{cxm.Answers{"q0": 5.0, "q1": "  ", "q3": []string{}}, 1},
	} {
		if got := resumePage(sv, pages, c.answers); got != c.want {
			t.Errorf("resumePage(%v) = %d, want %d", c.answers, got, c.want)
		}
	}
}

func TestReadAnswer(t *testing.T) {
	text := &cxm.Question{Key: "t", Kind: cxm.KindText, MaxLength: 3}
	multi := &cxm.Question{Key: "m", Kind: cxm.KindMulti, Choices: []cxm.Choice{{Key: "a"}, {Key: "b"}}}
	for _, c := range []struct {
		q       *cxm.Question
		vals    []string
		want    string
		problem string
	}{
		{&cxm.Question{Kind: cxm.KindNPS}, []string{"10"}, "10", ""},
		{&cxm.Question{Kind: cxm.KindNPS}, []string{"11"}, "<nil>", "err.range"},
		{&cxm.Question{Kind: cxm.KindCES}, []string{"0"}, "<nil>", "err.range"},
		{&cxm.Question{Kind: cxm.KindCSAT}, []string{"2.5"}, "<nil>", "err.range"},
		{&cxm.Question{Kind: cxm.KindRating}, nil, "<nil>", ""},
		{text, []string{"a\r\nb"}, "a\nb", ""},
		{text, []string{"abcd"}, "<nil>", "err.too_long"},
		{text, []string{"\xff"}, "<nil>", "err.too_long"},
		{text, []string{" \r\n "}, "<nil>", ""},
		{multi, []string{"b", "a", "b"}, "[b a]", ""},
		{multi, []string{"a", "z"}, "<nil>", "err.choice"},
		{&cxm.Question{Kind: cxm.KindSingle, Choices: []cxm.Choice{{Key: "x"}}}, []string{"y"}, "<nil>", "err.choice"},
	} {
		v, p := readAnswer(c.q, c.vals)
		got, problem := "<nil>", ""
		if v != nil {
			got = fmtAny(v)
		}
		if p != nil {
			problem = p.key
		}
		if got != c.want || problem != c.problem {
			t.Errorf("readAnswer(%s, %q) = %s, %q; want %s, %q", c.q.Kind, c.vals, got, problem, c.want, c.problem)
		}
	}
}

func fmtAny(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	case []string:
		return "[" + strings.Join(v, " ") + "]"
	}
	return "?"
}

// TestPageColourContrast computes the WCAG contrast of the style sheet's
// colours where text meets its background: at least 4.5:1, and 3:1 for
// the borders of inputs.
func TestPageColourContrast(t *testing.T) {
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):(#[0-9a-f]{6})`).FindAllStringSubmatch(pageCSS, -1) {
		vars[m[1]] = m[2]
	}
	for _, c := range []struct {
		fg, bg string
		min    float64
	}{
		{"fg", "bg", 4.5}, {"muted", "bg", 4.5}, {"accent", "bg", 4.5}, {"on-accent", "accent", 4.5},
		{"error", "bg", 4.5}, {"fg", "soft", 4.5}, {"line", "bg", 3},
	} {
		fg, bg := vars[c.fg], vars[c.bg]
		if fg == "" || bg == "" {
			t.Fatalf("the style sheet lacks --%s or --%s", c.fg, c.bg)
		}
		if got := contrast(fg, bg); got < c.min {
			t.Errorf("--%s %s on --%s %s: contrast %.2f, want at least %.1f", c.fg, fg, c.bg, bg, got, c.min)
		}
	}
	// Nothing in the sheet may bypass the variables with a colour of its own.
	for _, m := range regexp.MustCompile(`#[0-9a-fA-F]{3,6}\b`).FindAllString(pageCSS, -1) {
		if !slices.Contains(mapsValues(vars), strings.ToLower(m)) {
			t.Errorf("colour %s outside the checked variables", m)
		}
	}
}

func mapsValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var rgb [3]float64
	for i := range rgb {
		n, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(n) / 255
		if c <= 0.03928 {
			rgb[i] = c / 12.92
		} else {
			rgb[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*rgb[0] + 0.7152*rgb[1] + 0.0722*rgb[2]
}
