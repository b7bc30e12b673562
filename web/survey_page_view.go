package web

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/cxmhq/cxm"
)

// surveyView is one page of a hosted survey.
type surveyView struct {
	pageView
	Heading, Intro string
	// Action is where the form posts: the page's own address with the
	// link's context (token, touchpoint, source, language).
	Action string
	// Page counts from 1; Progress says which questions of how many it shows.
	Page        int
	Progress    string
	Done, Total int
	Questions   []questionView
	Errors      []errorView
	Hidden      []hiddenInput
	Back, Last  bool
}

// questionView is one question on a page.
type questionView struct {
	ID, Name, Label string
	Required        bool
	Optional        string
	// Text is a free-text question; Scale a scale; Group a question with
	// one answer (a scale or a single choice), shown as radio buttons.
	Text, Scale, Group bool
	Value              string
	MaxLength          int
	Options            []optionView
	// Low and High explain the ends of a scale, LowValue and HighValue
	// are those ends.
	Low, High           string
	LowValue, HighValue int
	Error, ErrorPrefix  string
	DescribedBy         string
}

// optionView is one radio button or checkbox.
type optionView struct {
	ID, Name, Value, Label string
	Checked                bool
}

// errorView is one line of the error summary, linking to its question.
type errorView struct {
	Target, Question, Message string
}

// hiddenInput carries a hidden field of the survey through a form.
type hiddenInput struct {
	Name, Value string
}

// buildSurveyView returns the view of page (from 0) of visit v, with the
// values raw filled in and problems shown next to their questions.
func (s *Server) buildSurveyView(v *surveyVisit, page int, raw map[string][]string, problems map[string]questionProblem) surveyView {
	sv, locale := v.sv, v.locale
	t := textsIn(locale)
	pages := v.pages
	in := func(lt cxm.LocalizedText) string { return lt.In(locale, sv.DefaultLocale) }
	title := in(sv.Title)
	view := surveyView{Heading: title, Action: v.pageURL(0), Page: page + 1, Total: len(sv.Questions),
		Back: page > 0, Last: page == len(pages)-1}
	if page == 0 {
		view.Intro = in(sv.Intro)
	}
	first, last := pages[page][0]+1, pages[page][len(pages[page])-1]+1
	view.Done = first
	if first == last {
		view.Progress = t.f("progress.one", first, view.Total)
	} else {
		view.Progress = t.f("progress.many", first, last, view.Total)
	}
	for _, name := range sv.HiddenFields {
		if val, ok := v.params.hidden[name]; ok {
			view.Hidden = append(view.Hidden, hiddenInput{Name: hiddenField(name), Value: val})
		}
	}
	for _, qi := range pages[page] {
		q := &sv.Questions[qi]
		qv := questionView{ID: "q-" + q.Key, Name: answerField(q.Key), Label: in(q.Text), Required: q.Required,
			Optional: t.f("optional"), ErrorPrefix: t.f("error.prefix")}
		vals := raw[q.Key]
		target := qv.ID
		switch lo, hi, scale := q.Kind.Scale(); {
		case scale:
			qv.Scale, qv.Group = true, true
			qv.LowValue, qv.HighValue = lo, hi
			qv.Low, qv.High = in(q.LowLabel), in(q.HighLabel)
			if qv.Low == "" {
				qv.Low = t.f("scale." + string(q.Kind) + ".low")
			}
			if qv.High == "" {
				qv.High = t.f("scale." + string(q.Kind) + ".high")
			}
			for n := lo; n <= hi; n++ {
				val := strconv.Itoa(n)
				qv.Options = append(qv.Options, optionView{ID: qv.ID + "-" + val, Name: qv.Name, Value: val,
					Label: val, Checked: slices.Contains(vals, val)})
			}
			qv.DescribedBy = qv.ID + "-ends"
		case q.Kind == cxm.KindText:
			qv.Text = true
			qv.MaxLength = q.MaxLength
			if qv.MaxLength == 0 {
				qv.MaxLength = cxm.MaxTextAnswer
			}
			if len(vals) > 0 {
				qv.Value = vals[0]
			}
		default:
			qv.Group = q.Kind == cxm.KindSingle
			for _, c := range q.Choices {
				qv.Options = append(qv.Options, optionView{ID: qv.ID + "-" + c.Key, Name: qv.Name, Value: c.Key,
					Label: in(c.Label), Checked: slices.Contains(vals, c.Key)})
			}
		}
		if len(qv.Options) > 0 {
			target = qv.Options[0].ID
		}
		if p, ok := problems[q.Key]; ok {
			qv.Error = t.f(p.key, p.args...)
			if !qv.Text {
				qv.DescribedBy = joinIDs(qv.ID+"-err", qv.DescribedBy)
			}
			view.Errors = append(view.Errors, errorView{Target: target, Question: qv.Label, Message: qv.Error})
		}
		view.Questions = append(view.Questions, qv)
	}
	docTitle := title
	if len(view.Errors) > 0 {
		docTitle = t.f("error.prefix") + title
	}
	view.pageView = newPageView(locale, docTitle)
	view.LangLinks = v.langLinks(page)
	return view
}

// joinIDs joins element ids for aria-describedby, leaving out empty ones.
func joinIDs(ids ...string) string {
	out := ""
	for _, id := range ids {
		if id == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += id
	}
	return out
}

// langLinks returns links to page (from 0) of the visit in the other
// languages; page -1 links to the thank-you page.
func (v *surveyVisit) langLinks(page int) []langLink {
	var out []langLink
	for _, l := range cxm.Locales {
		if l == v.locale {
			continue
		}
		q := v.params.query()
		q.Set(paramLang, l)
		var href string
		if page < 0 {
			href = thanksPath(v.sv.Slug) + "?" + url.Values{paramLang: {l}}.Encode()
		} else {
			for name, val := range v.params.hidden {
				q.Set(name, val)
			}
			q.Set(paramPage, strconv.Itoa(page+1))
			href = surveyPath(v.sv.Slug) + "?" + q.Encode()
		}
		out = append(out, langLink{Href: href, Lang: l, Label: textsIn(l).f("language." + l)})
	}
	return out
}
