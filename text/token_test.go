package text

import (
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	type tk struct {
		kind TokenKind
		text string
		norm string
	}
	tests := []struct {
		in   string
		want []tk
	}{
		{"Super Service!!!", []tk{{KindWord, "Super", "super"}, {KindWord, "Service", "service"}, {KindPunct, "!!!", "!!!"}}},
		{"Größe passt :-) 👍🏽", []tk{{KindWord, "Größe", "größe"}, {KindWord, "passt", "passt"}, {KindEmoticon, ":-)", ":-)"}, {KindEmoji, "👍🏽", "👍"}}},
		{"so schlecht :((( 😡", []tk{{KindWord, "so", "so"}, {KindWord, "schlecht", "schlecht"}, {KindEmoticon, ":(((", ":("}, {KindEmoji, "😡", "😡"}}},
		{"@DB_Bahn see https://example.com/a?b=1.", []tk{{KindMention, "@DB_Bahn", "@DB_Bahn"}, {KindWord, "see", "see"}, {KindURL, "https://example.com/a?b=1", "https://example.com/a?b=1"}, {KindPunct, ".", "."}}},
		{"don't #fail", []tk{{KindWord, "don't", "don't"}, {KindHashtag, "#fail", "fail"}}},
		{"129,99 € am 01.02.2024", []tk{{KindNumber, "129,99", "129,99"}, {KindPunct, "€", "€"}, {KindWord, "am", "am"}, {KindNumber, "01.02.2024", "01.02.2024"}}},
		{"mail an a.b@example.de", []tk{{KindWord, "mail", "mail"}, {KindWord, "an", "an"}, {KindEmail, "a.b@example.de", "a.b@example.de"}}},
		{"Hausnr. 221B", []tk{{KindWord, "Hausnr", "hausnr"}, {KindPunct, ".", "."}, {KindNumber, "221B", "221B"}}},
		{"Zeit: 10:30", []tk{{KindWord, "Zeit", "zeit"}, {KindPunct, ":", ":"}, {KindNumber, "10:30", "10:30"}}},
	}
	for _, tt := range tests {
		got := Tokenize(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("Tokenize(%q) = %d tokens %+v, want %d", tt.in, len(got), got, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.Kind != w.kind || g.Text != w.text || g.Norm != w.norm {
				t.Errorf("Tokenize(%q)[%d] = %v %q %q, want %v %q %q", tt.in, i, g.Kind, g.Text, g.Norm, w.kind, w.text, w.norm)
			}
		}
	}
}

func TestTokenizeHyphen(t *testing.T) {
	got := Tokenize("Preis-Leistungs-Verhältnis top")
	if len(got) != 4 || !got[1].Hyphen || !got[2].Hyphen || got[3].Hyphen || got[2].Norm != "verhältnis" {
		t.Errorf("got %+v", got)
	}
}

func TestFoldAndStem(t *testing.T) {
	tests := []struct {
		lang      Lang
		a, b      string
		sameFold  bool
		sameStems bool
	}{
		{LangDE, "verspätung", "verspaetung", true, true},
		{LangDE, "straße", "strasse", true, true},
		{LangDE, "lieferzeit", "lieferzeiten", false, true},
		{LangDE, "gebühren", "gebuehren", true, true},
		{LangEN, "deliveries", "delivery", false, true},
		{LangEN, "waiting", "waited", false, true},
	}
	for _, tt := range tests {
		if got := Fold(tt.a) == Fold(tt.b); got != tt.sameFold {
			t.Errorf("Fold(%q) = %q, Fold(%q) = %q; same = %v, want %v", tt.a, Fold(tt.a), tt.b, Fold(tt.b), got, tt.sameFold)
		}
		if got := Stem(tt.lang, tt.a) == Stem(tt.lang, tt.b); got != tt.sameStems {
			t.Errorf("Stem(%q) = %q, Stem(%q) = %q; same = %v, want %v", tt.a, Stem(tt.lang, tt.a), tt.b, Stem(tt.lang, tt.b), got, tt.sameStems)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"Gut. Schlecht!", 2},
		{"Z.B. die Hauptstr. 5 ist gut. Wirklich?", 2},
		{"Erste Zeile\nZweite Zeile", 2},
		{"Super! 👍 Danke", 2},
		{"Hm... na ja", 1},
		{"", 0},
	}
	for _, tt := range tests {
		if got := len(splitSentences(nil, Tokenize(tt.in))); got != tt.want {
			t.Errorf("splitSentences(%q) = %d sentences, want %d", tt.in, got, tt.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Super!!! :-) 👍🏽", "a@b.de https://x.y/z?q=1", "Größe 221B, 01.02.2024", "\xff\xfe:(", "#tag @me 😡‍🔥", "don't-stop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prevEnd := 0
		for _, tok := range Tokenize(s) {
			if tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(s) {
				t.Fatalf("token %+v out of order or outside input of %d bytes", tok, len(s))
			}
			if tok.Text != s[tok.Start:tok.End] {
				t.Fatalf("token text %q is not input[%d:%d]", tok.Text, tok.Start, tok.End)
			}
			if !utf8.ValidString(tok.Text) || !utf8.ValidString(tok.Norm) {
				t.Fatalf("token %+v is not valid UTF-8", tok)
			}
			prevEnd = tok.End
		}
		_, _ = Redact(s)
	})
}
