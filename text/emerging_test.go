package text

import (
	"fmt"
	"testing"
)

func TestEmergingFindsRisingTerm(t *testing.T) {
	a := analyzer(t)
	base := []string{
		"Die Lieferung kam schnell.", "Freundliche Beratung im Laden.", "Der Preis ist okay.",
		"Die App stürzt manchmal ab.", "Gute Qualität der Jacke.", "Rücksendung hat geklappt.",
		"Hotline war gut erreichbar.", "Schöne Auswahl an Schuhen.", "Der Kaffee schmeckt.", "Bezahlung per PayPal ging.",
	}
	var prevTexts, curTexts []string
	for i := range 200 {
		prevTexts = append(prevTexts, base[i%len(base)])
		s := base[(i*7)%len(base)]
		switch {
		case i%5 == 0:
			s += " Die Gutscheincodes im Newsletter funktionieren nicht."
		case i%5 == 1:
			s += " Der Gutscheincode wurde nicht akzeptiert."
		case i%9 == 0:
			s += " Die Lieferung kam verspätet."
		}
		curTexts = append(curTexts, s)
	}
	// a covered term that rises just as much must not be suggested
	for i := range 60 {
		curTexts[i*3] += fmt.Sprintf(" Die Paketlieferung Nr. %d kam zu spät.", i)
	}
	prev, cur := a.CountTerms(prevTexts), a.CountTerms(curTexts)
	got := a.Emerging(cur, prev, EmergingOptions{})
	if len(got) == 0 {
		t.Fatal("no suggestions")
	}
	keys := map[string]Suggestion{}
	for _, s := range got {
		keys[s.Key] = s
		if s.Q > 0.05 || s.Count < 5 || s.Rate <= s.PrevRate || s.G2 <= 0 {
			t.Errorf("suggestion %+v does not meet the test", s)
		}
	}
	s, ok := keys[Stem(LangDE, "gutscheincodes")]
	if !ok {
		t.Fatalf("rising term gutscheincode not suggested; got %+v", got)
	}
	if s.Count != 80 || s.PrevCount != 0 || s.Lang != LangDE {
		t.Errorf("gutscheincode suggestion = %+v, want count 80, prev 0", s)
	}
	for k := range keys {
		if a.covered(k, LangDE) {
			t.Errorf("covered term %q suggested", k)
		}
	}
	if _, ok := keys[Stem(LangDE, "paketlieferung")]; ok {
		t.Error("paketlieferung is covered by delivery but was suggested")
	}
	if got := a.Emerging(prev, prev, EmergingOptions{}); len(got) != 0 {
		t.Errorf("no change gave suggestions %+v", got)
	}
	if got := a.Emerging(cur, TermCounts{}, EmergingOptions{}); got != nil {
		t.Errorf("empty previous period gave %+v", got)
	}
}

func TestGSquaredAndBH(t *testing.T) {
	if g := gSquared(10, 100, 10, 100); g > 1e-9 {
		t.Errorf("equal rates: G2 = %g, want 0", g)
	}
	if g := gSquared(30, 100, 10, 100); g < 12.96 || g > 12.98 {
		t.Errorf("30/100 vs 10/100: G2 = %g, want 12.97", g)
	}
	s := []Suggestion{{Key: "a", P: 0.01}, {Key: "b", P: 0.04}, {Key: "c", P: 0.03}, {Key: "d", P: 0.5}}
	benjaminiHochberg(s)
	want := map[string]float64{"a": 0.04, "c": 0.0533, "b": 0.0533, "d": 0.5}
	for _, x := range s {
		if d := x.Q - want[x.Key]; d > 1e-3 || d < -1e-3 {
			t.Errorf("Q(%s) = %g, want %g", x.Key, x.Q, want[x.Key])
		}
	}
}
