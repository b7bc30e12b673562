// Package browsertest runs headless Chromium for tests, driven through
// chromedp. A machine without a browser skips browser tests, except under
// CI (the CI variable set), where a missing browser fails them.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// executable finds Chromium: $CXM_CHROMIUM, or the usual names on PATH.
func executable() string {
	if p := os.Getenv("CXM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a headless browser for t and returns a context for its first
// tab, ended with the test. Every action in it must finish within timeout.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	exe := executable()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("browser tests need Chromium, and CI is set: install Debian's chromium or set CXM_CHROMIUM")
		}
		t.Skip("no Chromium found (install Debian's chromium or set CXM_CHROMIUM); skipping browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(390, 844), // a phone: the survey pages are mobile-first
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	// The first run starts the browser; it must not carry a timeout,
	// which would end the browser with it.
	if err := chromedp.Do(browserCtx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	ctx, cancelTimeout := context.WithTimeout(browserCtx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return ctx
}
