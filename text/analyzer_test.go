package text

import (
	"os"
	"strings"
	"sync"
	"testing"
)

// testAnalyzer returns one shared default Analyzer for the tests.
var testAnalyzer = sync.OnceValues(func() (*Analyzer, error) { return NewAnalyzer(Options{}) })

func analyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := testAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSentimentRules(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		name, text string
		want       Label
	}{
		{"de plain positive", "Alles super, vielen Dank!", Positive},
		{"de plain negative", "Die Lieferung war eine Katastrophe.", Negative},
		{"de negation", "Der Service war nicht gut.", Negative},
		{"de negation of a problem", "Kein Problem, alles gut gelaufen.", Positive},
		{"de trailing negation", "Das gefällt mir nicht.", Negative},
		{"de never again", "Nie wieder bestelle ich hier.", Negative},
		{"de not only", "Nicht nur schnell, sondern auch freundlich.", Positive},
		{"de contrast", "Die Ware ist gut, aber der Versand war eine Katastrophe.", Negative},
		{"de contrast reversed", "Der Versand dauerte lange, aber die Qualität ist hervorragend.", Positive},
		{"de emoji", "Paket angekommen 😡", Negative},
		{"de emoticon", "Paket angekommen :-)", Positive},
		{"de umlaut variant", "Sehr enttaeuschend", Negative},
		{"de neutral", "Ich habe am Dienstag bestellt.", Neutral},
		{"en plain positive", "Great service, thank you!", Positive},
		{"en negation", "The staff were not helpful at all.", Negative},
		{"en not bad", "not bad", Positive},
		{"en contrast", "The app is nice but checkout is terrible.", Negative},
		{"en however", "Delivery was slow. However, the product is excellent.", Positive},
		{"en emoji", "my order 👍", Positive},
		{"en neutral", "I ordered a blue jacket on Tuesday.", Neutral},
		{"en never again", "Never again.", Negative},
	}
	for _, tt := range tests {
		if got := a.Analyze(tt.text).Sentiment; got.Label != tt.want {
			t.Errorf("%s: Analyze(%q) = %+v, want %s", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestSentimentStrength(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		name           string
		weaker, strong string
	}{
		{"de intensifier", "Der Service war gut.", "Der Service war sehr gut."},
		{"de extrem", "Die Hotline war unfreundlich.", "Die Hotline war extrem unfreundlich."},
		{"de diminisher", "Die Verpackung war etwas schlecht.", "Die Verpackung war schlecht."},
		{"de kaum", "Der Kaffee war kaum gut.", "Der Kaffee war gut."},
		{"en intensifier", "The staff were friendly.", "The staff were very friendly."},
		{"en diminisher", "The app is slightly annoying.", "The app is annoying."},
		{"capitals", "The delivery was terrible.", "The delivery was TERRIBLE."},
		{"exclamation", "Tolle Beratung.", "Tolle Beratung!!!"},
		{"emoji adds", "Danke", "Danke 😍"},
	}
	for _, tt := range tests {
		w, s := a.Analyze(tt.weaker).Sentiment.Score, a.Analyze(tt.strong).Sentiment.Score
		if abs(s) <= abs(w) || s*w < 0 {
			t.Errorf("%s: |%q| = %.3f should be stronger than |%q| = %.3f with the same sign", tt.name, tt.strong, s, tt.weaker, w)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestSentencesHaveSentiment(t *testing.T) {
	a := analyzer(t)
	r := a.Analyze("Die Beratung war toll. Die Lieferung war eine Katastrophe.")
	if len(r.Sentences) != 2 {
		t.Fatalf("got %d sentences, want 2", len(r.Sentences))
	}
	if r.Sentences[0].Sentiment.Label != Positive || r.Sentences[1].Sentiment.Label != Negative {
		t.Errorf("sentences = %+v", r.Sentences)
	}
}

func TestDetectLanguage(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		text string
		want Lang
	}{
		{"Lieferung zu spät", LangDE},
		{"great service", LangEN},
		{"Die Ware kam beschädigt an", LangDE},
		{"the parcel never arrived", LangEN},
		{"Sehr freundliche Mitarbeiter", LangDE},
		{"Very friendly staff", LangEN},
		{"Größe passt nicht", LangDE},
		{"thanks for the quick help", LangEN},
		{"Super!", LangDE}, // undecided: the fallback
		{"👍", LangDE},
		{"Très bien, merci pour la livraison rapide", LangOther},
		{"Muy buen servicio y entrega rápida", LangOther},
		{"Очень хороший сервис", LangOther},
	}
	for _, tt := range tests {
		if got := a.DetectLanguage(tt.text); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
	en, err := NewAnalyzer(Options{Fallback: LangEN})
	if err != nil {
		t.Fatal(err)
	}
	if got := en.DetectLanguage("Super!"); got != LangEN {
		t.Errorf("fallback en: DetectLanguage(Super!) = %s", got)
	}
}

func TestAnalyzeRedacts(t *testing.T) {
	a := analyzer(t)
	r := a.Analyze("Bitte rufen Sie mich an: 0171 1234567. Danke!")
	if r.Redacted != "Bitte rufen Sie mich an: [PHONE]. Danke!" || len(r.PII) != 1 || r.PII[0].Kind != PIIPhone {
		t.Errorf("got %q %+v", r.Redacted, r.PII)
	}
	keep, err := NewAnalyzer(Options{KeepPII: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := keep.Analyze("max@example.de"); r.Redacted != "" || r.PII != nil {
		t.Errorf("KeepPII: got %q %+v", r.Redacted, r.PII)
	}
}

func TestAnalyzeConcurrent(t *testing.T) {
	a := analyzer(t)
	texts := []string{"Lieferung schnell, aber der Kundenservice war unfreundlich", "great service 👍", "Hauptstr. 5a, nie wieder!!!"}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = a.Analyze(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 200 {
				i := (g + k) % len(texts)
				got := a.Analyze(texts[i])
				if got.Sentiment != want[i].Sentiment || len(got.Mentions) != len(want[i].Mentions) || got.Redacted != want[i].Redacted {
					errs <- texts[i]
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for s := range errs {
		t.Errorf("concurrent Analyze(%q) differs", s)
	}
}

func TestNewAnalyzerRejectsBadOptions(t *testing.T) {
	bad := Taxonomy{Topics: []Topic{{Key: "Bad Key"}}}
	for _, opt := range []Options{{Language: "fr"}, {Fallback: "other"}, {LexiconWeight: 2}, {Taxonomy: &bad}} {
		if _, err := NewAnalyzer(opt); err == nil {
			t.Errorf("NewAnalyzer(%+v) succeeded", opt)
		}
	}
}

// feedback is a mix of short German and English feedback for benchmarks.
var feedback = []string{
	"Lieferung schnell, aber der Kundenservice war unfreundlich.",
	"Super Beratung in der Filiale, gerne wieder!",
	"Paket kam nach zwei Wochen, viel zu spät. Sehr enttäuscht.",
	"Great service, fast delivery 👍",
	"The app keeps crashing at checkout and nobody answers the hotline.",
	"Preis-Leistung passt, Qualität könnte besser sein.",
	"Rücksendung problemlos, Geld war nach drei Tagen zurück.",
	"Not bad, but the waiting time on the phone was terrible.",
	"Die Mitarbeiterin war sehr freundlich und kompetent :-)",
	"Artikel nicht verfügbar und keine Info per E-Mail. Nie wieder!!!",
}

func BenchmarkAnalyze(b *testing.B) {
	a := analyzer(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Analyze(feedback[i%len(feedback)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkAnalyzeNoPII(b *testing.B) {
	a, err := NewAnalyzer(Options{KeepPII: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Analyze(feedback[i%len(feedback)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func TestFeedbackExamples(t *testing.T) {
	a := analyzer(t)
	b, err := os.ReadFile("testdata/feedback.tsv")
	if err != nil {
		t.Fatal(err)
	}
	gold := map[Lang][]Label{}
	pred := map[Lang][]Label{}
	for _, line := range strings.Split(string(b), "\n") {
		l, text, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		r := a.Analyze(text)
		gold[r.Language] = append(gold[r.Language], Label(l))
		pred[r.Language] = append(pred[r.Language], r.Sentiment.Label)
	}
	if len(gold[LangDE]) != 42 || len(gold[LangEN]) != 42 {
		t.Errorf("languages detected: %d de, %d en, want 42 each", len(gold[LangDE]), len(gold[LangEN]))
	}
	for _, lang := range []Lang{LangDE, LangEN} {
		if m := Evaluate(gold[lang], pred[lang]); m.Accuracy < 0.85 || m.MacroF1 < 0.85 {
			t.Errorf("%s feedback: accuracy %.3f, macro-F1 %.3f, want at least 0.85 (confusion %v)", lang, m.Accuracy, m.MacroF1, m.Confusion)
		}
	}
}
