package web

import (
	"testing"

	"github.com/cxmhq/cxm"
)

// TestAppTextsComplete proves that every locale cxm speaks has every key
// of the browser workspace's catalogue, non-empty, and no extra one.
func TestAppTextsComplete(t *testing.T) {
	ref := appTexts[cxm.Locales[0]]
	for _, l := range cxm.Locales {
		got, ok := appTexts[l]
		if !ok {
			t.Fatalf("no texts for locale %s", l)
		}
		if len(got) != len(ref) {
			t.Errorf("%s has %d texts, %s has %d", l, len(got), cxm.Locales[0], len(ref))
		}
		for k := range ref {
			if got[k] == "" {
				t.Errorf("%s lacks %q", l, k)
			}
		}
		for _, pg := range appPages {
			if got["nav_"+pg.key] == "" {
				t.Errorf("%s lacks the navigation label of %s", l, pg.key)
			}
		}
		if appKeyPlaceholder[l] == "" {
			t.Errorf("%s lacks the API key placeholder", l)
		}
	}
}
