package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var builtinTemplates embed.FS

// Names of the built-in templates.
const (
	// TemplateSurveyInvitation asks a customer to answer a survey; its data is SurveyInvitation.
	TemplateSurveyInvitation = "survey_invitation"
	// TemplateSurveyReminder reminds a customer who has not answered; its data is SurveyInvitation.
	TemplateSurveyReminder = "survey_reminder"
	// TemplateCaseReply carries a service team's reply to a customer; its data is CaseReply.
	TemplateCaseReply = "case_reply"
)

// SurveyInvitation is the data of the survey invitation and reminder templates.
type SurveyInvitation struct {
	// Name is the customer's name for the greeting; empty greets without one.
	Name string
	// Company is the workspace's name, the sender as the customer knows it.
	Company        string
	SurveyTitle    string
	SurveyURL      string
	UnsubscribeURL string
}

// CaseReply is the data of the case reply template.
type CaseReply struct {
	// Name is the customer's name for the greeting; empty greets without one.
	Name    string
	Company string
	// Subject replaces the default subject when set.
	Subject string
	// Body is the team's reply as plain text; blank lines part paragraphs.
	Body      string
	AgentName string
	// Reference, such as "Fall 1042", goes into the subject so that
	// answers can be matched to the case.
	Reference string
}

// Rendered is a template rendered for one message.
type Rendered struct {
	// Locale is the locale whose texts were used, after any fallback.
	Locale  string
	Subject string
	Text    string
	HTML    string
}

// Templates renders localised messages. Each template has, per locale, a
// text part (text/template) that defines "subject", and an optional HTML
// part (html/template, which escapes every value by its context) inside
// a shared layout.
type Templates struct {
	defaultLocale string
	sets          map[string]map[string]*templateSet // name → locale → set
}

type templateSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewTemplates returns the built-in templates, falling back to
// defaultLocale when a template lacks the locale asked for.
func NewTemplates(defaultLocale string) (*Templates, error) {
	sub, err := fs.Sub(builtinTemplates, "templates")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	return ParseTemplates(sub, defaultLocale)
}

// ParseTemplates reads templates from fsys, laid out as layout.html and
// LOCALE/NAME.txt with an optional LOCALE/NAME.html, such as
// de/survey_invitation.txt. The text file must define "subject"; the
// HTML file defines "content" for the layout.
func ParseTemplates(fsys fs.FS, defaultLocale string) (*Templates, error) {
	layout, err := fs.ReadFile(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	texts, err := fs.Glob(fsys, "*/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: templates: %w", err)
	}
	t := &Templates{defaultLocale: defaultLocale, sets: map[string]map[string]*templateSet{}}
	for _, file := range texts {
		locale, name := path.Dir(file), strings.TrimSuffix(path.Base(file), ".txt")
		set, err := parseSet(fsys, file, locale, string(layout))
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", file, err)
		}
		if t.sets[name] == nil {
			t.sets[name] = map[string]*templateSet{}
		}
		t.sets[name][locale] = set
	}
	return t, nil
}

// templateFuncs are the functions templates of locale may call.
func templateFuncs(locale string) map[string]any {
	return map[string]any{
		"locale": func() string { return locale },
		// paragraphs splits plain text into paragraphs of lines, so that an
		// HTML template can print it escaped with breaks.
		"paragraphs": func(s string) [][]string {
			var out [][]string
			for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
				if p = strings.Trim(p, "\n"); strings.TrimSpace(p) != "" {
					out = append(out, strings.Split(p, "\n"))
				}
			}
			return out
		},
	}
}

// parseSet parses the text part in file and the HTML part beside it.
func parseSet(fsys fs.FS, file, locale, layout string) (*templateSet, error) {
	src, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	funcs := templateFuncs(locale)
	set := &templateSet{}
	set.text, err = texttemplate.New("text").Option("missingkey=error").Funcs(funcs).Parse(string(src))
	if err != nil {
		return nil, err
	}
	if set.text.Lookup("subject") == nil {
		return nil, fmt.Errorf("defines no subject")
	}
	htmlSrc, err := fs.ReadFile(fsys, strings.TrimSuffix(file, ".txt")+".html")
	if err != nil {
		return set, nil // a text-only template
	}
	set.html, err = htmltemplate.New("layout").Option("missingkey=error").Funcs(funcs).Parse(layout)
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	if _, err = set.html.Parse(string(htmlSrc)); err != nil {
		return nil, err
	}
	return set, nil
}

// Names returns the names of the templates, sorted.
func (t *Templates) Names() []string {
	out := make([]string, 0, len(t.sets))
	for name := range t.sets {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Locales returns the locales template name is written in, sorted.
func (t *Templates) Locales(name string) []string {
	var out []string
	for l := range t.sets[name] {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Render renders template name in locale with data. A locale the template
// lacks falls back to the default locale, then to any locale it has.
func (t *Templates) Render(name, locale string, data any) (*Rendered, error) {
	sets := t.sets[name]
	if len(sets) == 0 {
		return nil, fmt.Errorf("mail: no template %q", name)
	}
	used := locale
	if sets[used] == nil {
		used = t.defaultLocale
	}
	if sets[used] == nil {
		used = t.Locales(name)[0]
	}
	set := sets[used]
	r := &Rendered{Locale: used}
	var b bytes.Buffer
	if err := set.text.ExecuteTemplate(&b, "subject", data); err != nil {
		return nil, fmt.Errorf("mail: render %s/%s subject: %w", used, name, err)
	}
	r.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := set.text.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("mail: render %s/%s text: %w", used, name, err)
	}
	r.Text = strings.TrimSpace(b.String()) + "\n"
	if set.html != nil {
		b.Reset()
		if err := set.html.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("mail: render %s/%s html: %w", used, name, err)
		}
		r.HTML = b.String()
	}
	return r, nil
}

// Message returns a message to to with the rendered subject and body.
func (r *Rendered) Message(to Address) *Message {
	return &Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML}
}
