package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// surveyPages splits a survey's questions into the pages of the hosted
// survey: one question a page, except that a scale question shares its
// page with a text question right after it, its usual follow-up ("Why?").
// Each page lists indexes into the survey's questions.
func surveyPages(sv *cxm.Survey) [][]int {
	var pages [][]int
	for i := 0; i < len(sv.Questions); i++ {
		page := []int{i}
		if _, _, scale := sv.Questions[i].Kind.Scale(); scale && i+1 < len(sv.Questions) && sv.Questions[i+1].Kind == cxm.KindText {
			page = append(page, i+1)
			i++
		}
		pages = append(pages, page)
	}
	return pages
}

// answered reports whether v counts as an answer: not missing, not blank
// text, not an empty list.
func answered(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	case []string:
		return len(v) > 0
	case []any:
		return len(v) > 0
	}
	return true
}

// resumePage returns the page (from 0) a returning customer continues
// at: the one after the last page with an answer, or an earlier page that
// still lacks a required answer.
func resumePage(sv *cxm.Survey, pages [][]int, a cxm.Answers) int {
	next := 0
	for i, page := range pages {
		for _, qi := range page {
			if answered(a[sv.Questions[qi].Key]) {
				next = i + 1
			}
		}
	}
	for i, page := range pages[:min(next, len(pages))] {
		for _, qi := range page {
			if q := sv.Questions[qi]; q.Required && !answered(a[q.Key]) {
				return i
			}
		}
	}
	return min(next, len(pages)-1)
}

// missingRequired returns the first required question (by index) that a
// lacks, or -1.
func missingRequired(sv *cxm.Survey, a cxm.Answers) int {
	for i, q := range sv.Questions {
		if q.Required && !answered(a[q.Key]) {
			return i
		}
	}
	return -1
}

// pageOfQuestion returns the page that holds question qi.
func pageOfQuestion(pages [][]int, qi int) int {
	for i, page := range pages {
		if slices.Contains(page, qi) {
			return i
		}
	}
	return 0
}

// answerField is the form field of the answer to the question with key.
func answerField(key string) string { return "a." + key }

// hiddenField is the form field that carries hidden field name.
func hiddenField(name string) string { return "h." + name }

// questionProblem is what is wrong with one answer, as a text key and
// its arguments, ready to translate.
type questionProblem struct {
	key  string
	args []any
}

// pageAnswers are the answers read from one posted page.
type pageAnswers struct {
	// answers are the valid answers to store; a question answered before
	// and now left empty maps to an empty value that clears it.
	answers cxm.Answers
	// raw are the values as typed, to show again with the errors.
	raw map[string][]string
	// problems name what is wrong, by question key.
	problems map[string]questionProblem
}

// readPageAnswers reads the answers to the questions of one page from a
// posted form. Required questions must be answered when requireAll is
// set (Next or Submit; Back saves what there is without asking). Answers
// given before (old) and now emptied are cleared.
func readPageAnswers(sv *cxm.Survey, page []int, form url.Values, old cxm.Answers, requireAll bool) pageAnswers {
	out := pageAnswers{answers: cxm.Answers{}, raw: map[string][]string{}, problems: map[string]questionProblem{}}
	for _, qi := range page {
		q := &sv.Questions[qi]
		vals := form[answerField(q.Key)]
		out.raw[q.Key] = vals
		v, problem := readAnswer(q, vals)
		switch {
		case problem != nil:
			out.problems[q.Key] = *problem
		case v != nil:
			out.answers[q.Key] = v
		case requireAll && q.Required:
			out.problems[q.Key] = questionProblem{key: "err.required"}
		case answered(old[q.Key]) && (q.Kind == cxm.KindText || q.Kind == cxm.KindMulti):
			// Radio buttons cannot be unchecked; a text or a set of
			// checkboxes can be emptied.
			out.answers[q.Key] = emptyAnswer(q)
		}
	}
	return out
}

// emptyAnswer is the value that clears an earlier answer to q.
func emptyAnswer(q *cxm.Question) any {
	if q.Kind == cxm.KindMulti {
		return []string{}
	}
	return ""
}

// readAnswer reads the answer to q from its form values: nil when it is
// not answered, or the problem with it.
func readAnswer(q *cxm.Question, vals []string) (any, *questionProblem) {
	first := ""
	if len(vals) > 0 {
		first = vals[0]
	}
	if lo, hi, ok := q.Kind.Scale(); ok {
		if first == "" {
			return nil, nil
		}
		n, err := strconv.Atoi(first)
		if err != nil || n < lo || n > hi {
			return nil, &questionProblem{key: "err.range", args: []any{lo, hi}}
		}
		return float64(n), nil
	}
	switch q.Kind {
	case cxm.KindText:
		// Browsers send a textarea's line breaks as CRLF but count them
		// as one character against maxlength.
		text := strings.ReplaceAll(first, "\r\n", "\n")
		if strings.TrimSpace(text) == "" {
			return nil, nil
		}
		limit := q.MaxLength
		if limit == 0 {
			limit = cxm.MaxTextAnswer
		}
		if !cxm.ValidText(text, 4*limit) || utf8.RuneCountInString(text) > limit {
			return nil, &questionProblem{key: "err.too_long", args: []any{limit}}
		}
		return text, nil
	case cxm.KindSingle:
		if first == "" {
			return nil, nil
		}
		if !hasChoice(q, first) {
			return nil, &questionProblem{key: "err.choice"}
		}
		return first, nil
	case cxm.KindMulti:
		var picked []string
		for _, v := range vals {
			if !hasChoice(q, v) {
				return nil, &questionProblem{key: "err.choice"}
			}
			if !slices.Contains(picked, v) {
				picked = append(picked, v)
			}
		}
		if len(picked) == 0 {
			return nil, nil
		}
		return picked, nil
	}
	return nil, &questionProblem{key: "err.check"}
}

func hasChoice(q *cxm.Question, key string) bool {
	for _, c := range q.Choices {
		if c.Key == key {
			return true
		}
	}
	return false
}

// rawAnswers turns stored answers into form values, to fill in a page.
func rawAnswers(a cxm.Answers) map[string][]string {
	raw := make(map[string][]string, len(a))
	for k, v := range a {
		switch v := v.(type) {
		case float64:
			raw[k] = []string{strconv.FormatFloat(v, 'f', -1, 64)}
		case string:
			raw[k] = []string{v}
		case []string:
			raw[k] = v
		case []any:
			for _, item := range v {
				if s, ok := item.(string); ok {
					raw[k] = append(raw[k], s)
				}
			}
		}
	}
	return raw
}
