package text

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
)

// Limits of a taxonomy.
const (
	MaxTopics        = 200 // topics in a taxonomy
	MaxTermsPerTopic = 300 // terms of one topic in one language
	MaxTermLength    = 60  // bytes of one term
	MaxTermWords     = 4   // words of one term
	MaxNameLength    = 80  // bytes of a topic name
)

// Taxonomy is a list of topics (aspects) with the terms that mention them.
// It is a plain value: copy it with Clone, edit the copy with the methods
// below, and store it as JSON.
type Taxonomy struct {
	Topics []Topic `json:"topics"`
}

// Topic is one aspect of the customer experience, such as delivery.
type Topic struct {
	// Key identifies the topic: lower-case letters, digits and
	// underscores, starting with a letter, at most 40 bytes. It stays
	// the same when the topic is renamed.
	Key   string `json:"key"`
	Name  Names  `json:"name"`
	Terms Terms  `json:"terms"`
}

// Names are a topic's display names in German and English.
type Names struct {
	DE string `json:"de"`
	EN string `json:"en"`
}

// Terms are the words and phrases that mention a topic, per language.
// Terms match on Snowball stems, so "Lieferung" also finds "Lieferungen".
// A German one-word term also matches as the last part of a compound
// ("service" finds "Kundenservice"), and a term ending in "*" matches as
// the first part ("liefer*" finds "Lieferzeit"). Words of a phrase are
// separated by spaces or hyphens.
type Terms struct {
	DE []string `json:"de"`
	EN []string `json:"en"`
}

// Clone returns a deep copy of t.
func (t Taxonomy) Clone() Taxonomy {
	c := Taxonomy{Topics: make([]Topic, len(t.Topics))}
	for i, tp := range t.Topics {
		tp.Terms.DE = slices.Clone(tp.Terms.DE)
		tp.Terms.EN = slices.Clone(tp.Terms.EN)
		c.Topics[i] = tp
	}
	return c
}

// Topic returns the topic with key, and false if there is none.
func (t Taxonomy) Topic(key string) (Topic, bool) {
	if i := t.index(key); i >= 0 {
		return t.Topics[i], true
	}
	return Topic{}, false
}

// index returns the position of the topic with key, or -1.
func (t Taxonomy) index(key string) int {
	for i := range t.Topics {
		if t.Topics[i].Key == key {
			return i
		}
	}
	return -1
}

// Validate checks every topic and returns an EInvalid *cxm.Error naming
// each wrong field, such as "topics[2].terms.de[5]".
func (t Taxonomy) Validate() error {
	var fe cxm.FieldErrors
	if len(t.Topics) > MaxTopics {
		fe.Add("topics", fmt.Sprintf("has %d topics, at most %d are allowed", len(t.Topics), MaxTopics))
	}
	seen := map[string]int{}
	for i, tp := range t.Topics {
		p := fmt.Sprintf("topics[%d]", i)
		validateTopic(&fe, p, tp)
		if j, ok := seen[tp.Key]; ok && tp.Key != "" {
			fe.Add(p+".key", fmt.Sprintf("%q is already the key of topics[%d]", tp.Key, j))
		}
		seen[tp.Key] = i
	}
	return fe.Err()
}

// validateTopic adds the faults of topic tp, whose fields are named with prefix p.
func validateTopic(fe *cxm.FieldErrors, p string, tp Topic) {
	switch {
	case tp.Key == "":
		fe.Add(p+".key", "is required")
	case !validKey(tp.Key):
		fe.Add(p+".key", "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter")
	}
	if strings.TrimSpace(tp.Name.DE) == "" && strings.TrimSpace(tp.Name.EN) == "" {
		fe.Add(p+".name", "needs a German or an English name")
	}
	for lang, n := range map[string]string{"de": tp.Name.DE, "en": tp.Name.EN} {
		if len(n) > MaxNameLength || !utf8.ValidString(n) || strings.ContainsFunc(n, unicode.IsControl) {
			fe.Add(p+".name."+lang, fmt.Sprintf("must be valid text of at most %d bytes", MaxNameLength))
		}
	}
	if len(tp.Terms.DE) == 0 && len(tp.Terms.EN) == 0 {
		fe.Add(p+".terms", "needs at least one German or English term")
	}
	validateTerms(fe, p+".terms.de", tp.Terms.DE)
	validateTerms(fe, p+".terms.en", tp.Terms.EN)
}

// validateTerms adds the faults of one language's terms.
func validateTerms(fe *cxm.FieldErrors, p string, terms []string) {
	if len(terms) > MaxTermsPerTopic {
		fe.Add(p, fmt.Sprintf("has %d terms, at most %d are allowed", len(terms), MaxTermsPerTopic))
		return
	}
	seen := map[string]int{}
	for i, term := range terms {
		f := fmt.Sprintf("%s[%d]", p, i)
		if reason := termFault(term); reason != "" {
			fe.Add(f, reason)
			continue
		}
		k := Fold(strings.Join(termWords(term), " "))
		if j, ok := seen[k]; ok {
			fe.Add(f, fmt.Sprintf("%q repeats %s[%d]", term, p, j))
		}
		seen[k] = i
	}
}

// termFault returns why term is not a valid term, or "".
func termFault(term string) string {
	switch {
	case strings.TrimSpace(term) == "":
		return "is empty"
	case len(term) > MaxTermLength:
		return fmt.Sprintf("is longer than %d bytes", MaxTermLength)
	case !utf8.ValidString(term):
		return "is not valid UTF-8"
	}
	letters := 0
	for _, r := range term {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		case unicode.IsDigit(r) || r == ' ' || r == '-' || r == '\'' || r == '’' || r == '&' || r == '.' || r == '*':
		default:
			return fmt.Sprintf("may hold only letters, digits, spaces, hyphens, apostrophes, & and . (not %q)", r)
		}
	}
	w := termWords(term)
	switch {
	case letters == 0:
		return "has no letters"
	case len(w) > MaxTermWords:
		return fmt.Sprintf("has more than %d words", MaxTermWords)
	case strings.Count(term, "*") > 1 || strings.Contains(term, "*") && !strings.HasSuffix(term, "*"):
		return `may hold "*" only at its end`
	case strings.HasSuffix(term, "*") && (len(w) != 1 || utf8.RuneCountInString(w[0]) < 4):
		return `a term ending in "*" must be one word of at least 3 letters before the "*"`
	}
	return ""
}

// termWords returns the lower-case words of a term, split at spaces and
// hyphens; a trailing "*" stays on the last word.
func termWords(term string) []string {
	return strings.FieldsFunc(strings.ToLower(strings.TrimSpace(term)), func(r rune) bool { return r == ' ' || r == '-' })
}

// validKey reports whether k is a valid topic key.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 40 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// edit applies fn to a copy of t and keeps the copy only if it is valid.
func (t *Taxonomy) edit(fn func(c *Taxonomy) error) error {
	c := t.Clone()
	if err := fn(&c); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	*t = c
	return nil
}

// topicRef returns the topic with key in c, or an ENotFound error.
func (c *Taxonomy) topicRef(key string) (*Topic, error) {
	i := c.index(key)
	if i < 0 {
		return nil, cxm.NotFound("topic " + fmt.Sprintf("%q", key))
	}
	return &c.Topics[i], nil
}

// Add appends topic tp. It fails with EInvalid if tp is wrong or its key is taken.
func (t *Taxonomy) Add(tp Topic) error {
	return t.edit(func(c *Taxonomy) error {
		if c.index(tp.Key) >= 0 {
			return cxm.Invalid(cxm.FieldError{Field: "key", Reason: fmt.Sprintf("%q is already the key of a topic", tp.Key)})
		}
		c.Topics = append(c.Topics, tp)
		return nil
	})
}

// Remove deletes the topic with key.
func (t *Taxonomy) Remove(key string) error {
	return t.edit(func(c *Taxonomy) error {
		i := c.index(key)
		if i < 0 {
			return cxm.NotFound(fmt.Sprintf("topic %q", key))
		}
		c.Topics = slices.Delete(c.Topics, i, i+1)
		return nil
	})
}

// Rename sets the display names of the topic with key; the key stays.
func (t *Taxonomy) Rename(key string, name Names) error {
	return t.edit(func(c *Taxonomy) error {
		tp, err := c.topicRef(key)
		if err != nil {
			return err
		}
		tp.Name = name
		return nil
	})
}

// SetTerms replaces the terms of the topic with key in lang.
func (t *Taxonomy) SetTerms(key string, lang Lang, terms []string) error {
	return t.editTerms(key, lang, func(list []string) []string { return slices.Clone(terms) })
}

// AddTerms appends terms to the topic with key in lang.
func (t *Taxonomy) AddTerms(key string, lang Lang, terms ...string) error {
	return t.editTerms(key, lang, func(list []string) []string { return append(list, terms...) })
}

// RemoveTerms deletes terms from the topic with key in lang; terms it
// does not have are ignored.
func (t *Taxonomy) RemoveTerms(key string, lang Lang, terms ...string) error {
	return t.editTerms(key, lang, func(list []string) []string {
		return slices.DeleteFunc(list, func(s string) bool { return slices.Contains(terms, s) })
	})
}

// editTerms replaces the term list of the topic with key in lang by what
// change makes of it, as one validated edit.
func (t *Taxonomy) editTerms(key string, lang Lang, change func([]string) []string) error {
	return t.edit(func(c *Taxonomy) error {
		tp, err := c.topicRef(key)
		if err != nil {
			return err
		}
		dst, err := tp.Terms.of(lang)
		if err != nil {
			return err
		}
		*dst = change(*dst)
		return nil
	})
}

// of returns the term list of lang.
func (ts *Terms) of(lang Lang) (*[]string, error) {
	switch lang {
	case LangDE:
		return &ts.DE, nil
	case LangEN:
		return &ts.EN, nil
	}
	return nil, cxm.Invalid(cxm.FieldError{Field: "lang", Reason: fmt.Sprintf("must be de or en, not %q", lang)})
}
