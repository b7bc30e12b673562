package text

import (
	"errors"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// mentionLabels returns topic → label of the mentions of text.
func mentionLabels(a *Analyzer, text string) map[string]Label {
	out := map[string]Label{}
	for _, m := range a.Analyze(text).Mentions {
		out[m.Topic] = m.Sentiment.Label
	}
	return out
}

func TestMentions(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		text string
		want map[string]Label
	}{
		{"Lieferung schnell, aber der Kundenservice war unfreundlich", map[string]Label{"delivery": Positive, "hotline": Negative, "staff_friendliness": Negative}},
		{"Die Lieferzeit war viel zu lang.", map[string]Label{"delivery": Negative, "waiting_time": Negative}},
		{"Die Lieferzeiten sind top", map[string]Label{"delivery": Positive}},
		{"Preis-Leistungs-Verhältnis stimmt", map[string]Label{"price": Positive}},
		{"Die Rückerstattung dauerte ewig", map[string]Label{"returns_refunds": Negative, "waiting_time": Negative}},
		{"Sehr kompetente Beratung in der Filiale", map[string]Label{"competence": Positive, "store_ambience": Positive}},
		{"Der Artikel war leider ausverkauft", map[string]Label{"product_quality": Negative, "availability": Negative}},
		{"Die Verpackung war kaputt", map[string]Label{"delivery": Negative, "product_quality": Negative}},
		{"The delivery was late but the staff were very friendly", map[string]Label{"delivery": Negative, "waiting_time": Negative, "staff_friendliness": Positive}},
		{"Checkout kept failing and the refund took weeks", map[string]Label{"checkout_payment": Negative, "returns_refunds": Negative}},
		{"Great prices, lovely store atmosphere", map[string]Label{"price": Positive, "store_ambience": Positive}},
		{"The item was out of stock", map[string]Label{"product_quality": Negative, "availability": Negative}},
		{"The parcel arrived on Monday.", map[string]Label{"delivery": Neutral}},
	}
	for _, tt := range tests {
		got := mentionLabels(a, tt.text)
		if len(got) != len(tt.want) {
			t.Errorf("%q: mentions %v, want %v", tt.text, got, tt.want)
			continue
		}
		for k, w := range tt.want {
			if got[k] != w {
				t.Errorf("%q: topic %s = %q, want %q (all %v)", tt.text, k, got[k], w, got)
			}
		}
	}
}

func TestCompounds(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		text, topic, term string
	}{
		{"Kundenservice", "hotline", "Kundenservice"},
		{"Der Paketzusteller kam nicht", "delivery", "Paketzusteller"},
		{"Lieferdienst", "delivery", "Lieferdienst"},
		{"Retourenlabel fehlte", "returns_refunds", "Retourenlabel"},
		{"Die Preiserhöhung ärgert mich", "price", "Preiserhöhung"},
		{"Das Servicepersonal", "staff_friendliness", "Servicepersonal"},
		{"Der Online-Shop", "website_app", "Online-Shop"},
		{"Kundenkonto gesperrt", "website_app", "Kundenkonto"},
		{"Die Wartezeiten", "waiting_time", "Wartezeiten"},
		{"Versandkosten zu hoch", "delivery", "Versandkosten"},
		{"Lieferung", "delivery", "Lieferung"},
		{"Lieferungen", "delivery", "Lieferungen"},
	}
	for _, tt := range tests {
		found := false
		for _, m := range a.Analyze(tt.text).Mentions {
			if m.Topic == tt.topic {
				found = true
				if m.Term != tt.term || tt.text[m.Start:m.End] != m.Term {
					t.Errorf("%q: term %q at %d:%d, want %q", tt.text, m.Term, m.Start, m.End, tt.term)
				}
			}
		}
		if !found {
			t.Errorf("%q: no %s mention in %+v", tt.text, tt.topic, a.Analyze(tt.text).Mentions)
		}
	}
	for _, text := range []string{"Das war gut", "Ich war da", "Der Fahrer war nett"} {
		for _, m := range a.Analyze(text).Mentions {
			if m.Topic == "product_quality" {
				t.Errorf("%q: function word matched %+v", text, m)
			}
		}
	}
}

func TestTaxonomyEdits(t *testing.T) {
	tax := DefaultTaxonomy()
	if err := tax.Validate(); err != nil {
		t.Fatalf("default taxonomy: %v", err)
	}
	if len(tax.Topics) < 13 {
		t.Errorf("default taxonomy has %d topics, want at least 13", len(tax.Topics))
	}
	orig := tax.Clone()
	if err := tax.Add(Topic{Key: "sustainability", Name: Names{DE: "Nachhaltigkeit", EN: "Sustainability"},
		Terms: Terms{DE: []string{"nachhaltig", "plastik", "umwelt*"}, EN: []string{"sustainable", "plastic"}}}); err != nil {
		t.Fatal(err)
	}
	if err := tax.Rename("delivery", Names{DE: "Zustellung", EN: "Delivery"}); err != nil {
		t.Fatal(err)
	}
	if err := tax.AddTerms("delivery", LangDE, "packstation"); err != nil {
		t.Fatal(err)
	}
	if err := tax.RemoveTerms("price", LangEN, "deal"); err != nil {
		t.Fatal(err)
	}
	if len(orig.Topics) != len(DefaultTaxonomy().Topics) || orig.Topics[0].Name.DE != "Lieferung & Versand" {
		t.Error("editing a copy changed the original")
	}
	a, err := NewAnalyzer(Options{Taxonomy: &tax})
	if err != nil {
		t.Fatal(err)
	}
	got := mentionLabels(a, "Zu viel Plastik in der Umweltverpackung, Abholung an der Packstation war super")
	if _, ok := got["sustainability"]; !ok {
		t.Errorf("new topic not matched: %v", got)
	}
	if got["delivery"] != Positive {
		t.Errorf("added term not matched: %v", got)
	}

	tests := []struct {
		name  string
		edit  func(t *Taxonomy) error
		field string
		code  string
	}{
		{"duplicate key", func(t *Taxonomy) error {
			return t.Add(Topic{Key: "price", Name: Names{EN: "x"}, Terms: Terms{EN: []string{"x"}}})
		}, "key", cxm.EInvalid},
		{"bad key", func(t *Taxonomy) error {
			return t.Add(Topic{Key: "Bad Key", Name: Names{EN: "x"}, Terms: Terms{EN: []string{"x"}}})
		}, "key", cxm.EInvalid},
		{"no name", func(t *Taxonomy) error { return t.Rename("price", Names{}) }, "name", cxm.EInvalid},
		{"empty term", func(t *Taxonomy) error { return t.AddTerms("price", LangDE, " ") }, "terms.de[", cxm.EInvalid},
		{"duplicate term", func(t *Taxonomy) error { return t.AddTerms("price", LangDE, "Preis") }, "terms.de[", cxm.EInvalid},
		{"bad wildcard", func(t *Taxonomy) error { return t.AddTerms("price", LangEN, "pri*ce") }, "terms.en[", cxm.EInvalid},
		{"too many words", func(t *Taxonomy) error { return t.AddTerms("price", LangEN, "a b c d e") }, "terms.en[", cxm.EInvalid},
		{"bad language", func(t *Taxonomy) error { return t.AddTerms("price", "fr", "prix") }, "lang", cxm.EInvalid},
		{"unknown topic", func(t *Taxonomy) error { return t.Rename("nope", Names{EN: "x"}) }, "", cxm.ENotFound},
		{"no terms", func(t *Taxonomy) error { return t.SetTerms("price", LangDE, nil) }, "", ""},
	}
	for _, tt := range tests {
		c := tax.Clone()
		err := tt.edit(&c)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if cxm.ErrorCode(err) != tt.code {
			t.Errorf("%s: error %v, want code %s", tt.name, err, tt.code)
			continue
		}
		if tt.field != "" {
			fields := cxm.ErrorFields(err)
			if len(fields) == 0 || !strings.Contains(fields[0].Field, tt.field) {
				t.Errorf("%s: fields %+v, want one naming %q", tt.name, fields, tt.field)
			}
		}
		if c.Topics[0].Name != tax.Topics[0].Name || len(c.Topics) != len(tax.Topics) {
			t.Errorf("%s: failed edit changed the taxonomy", tt.name)
		}
	}
	c := tax.Clone()
	if err := c.SetTerms("price", LangEN, nil); err != nil {
		t.Fatal(err)
	}
	err = c.SetTerms("price", LangDE, nil)
	var ce *cxm.Error
	if !errors.As(err, &ce) || ce.Code != cxm.EInvalid || !strings.Contains(ce.Error(), "terms") {
		t.Errorf("removing all terms: %v", err)
	}
	if err := c.Remove("price"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Topic("price"); ok {
		t.Error("Remove left the topic")
	}
}
