package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cxmhq/cxm/browsertest"
)

// TestBrowserRendersAPage proves the harness drives a real browser: the
// title read back comes from the page the test served.
func TestBrowserRendersAPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<!doctype html><title>cxm</title><p id=p>hello</p><script>document.getElementById('p').textContent='from js'</script>`))
	}))
	defer srv.Close()
	ctx := browsertest.New(t, 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text("#p"))
	if err != nil {
		t.Fatal(err)
	}
	if text != "from js" {
		t.Errorf("text = %q, want %q (the page's script ran)", text, "from js")
	}
}
