package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/store"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestSurveyLinkAndQR prints a survey's plain link and writes its QR code,
// which a QR decoder reads back as the survey's QR link; bad flags are
// refused naming the flag, and without --public-url nothing is written.
func TestSurveyLinkAndQR(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "cxm.db")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	w := &cxm.Workspace{Slug: "acme", Name: "ACME"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"store-berlin", "hotline"} {
		if err := db.CreateTouchpoint(ctx, &cxm.Touchpoint{WorkspaceID: w.ID, Key: key, Name: key, StageKey: "receipt", Channel: cxm.ChannelStore}); err != nil {
			t.Fatal(err)
		}
	}
	sv := &cxm.Survey{WorkspaceID: w.ID, Slug: "after-visit", Name: "After visit", Status: cxm.SurveyActive, DefaultLocale: "de",
		Title:       cxm.LocalizedText{"de": "Wie war es?"},
		Touchpoints: []string{"store-berlin", "hotline"},
		Questions:   []cxm.Question{{Key: "nps", Kind: cxm.KindNPS, Required: true, Text: cxm.LocalizedText{"de": "Weiterempfehlen?"}}}}
	if err := db.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	other := &cxm.Workspace{Slug: "globex", Name: "Globex"}
	if err := db.CreateWorkspace(ctx, other); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := map[string]string{"CXM_DATABASE_URL": dbPath, "CXM_PUBLIC_URL": "https://feedback.example.com"}
	want := "https://feedback.example.com/s/after-visit?tp=store-berlin&src=qr"

	code, out, errs := run(t, env, "", "survey", "link", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "store-berlin")
	if code != 0 || strings.TrimSpace(out) != "https://feedback.example.com/s/after-visit?tp=store-berlin&src=link" {
		t.Fatalf("survey link: %d %q %q", code, out, errs)
	}
	pngPath := filepath.Join(dir, "qr.png")
	code, _, errs = run(t, env, "", "survey", "qr", "--workspace", "acme", "--survey", fmt.Sprint(sv.ID),
		"--touchpoint", "store-berlin", "--size", "300", "--out", pngPath)
	if code != 0 {
		t.Fatalf("survey qr png: %d %q", code, errs)
	}
	b, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Dx(); got != 300 {
		t.Errorf("PNG width %d, want 300", got)
	}
	if got := decodeQR(t, img); got != want {
		t.Errorf("QR code holds %q, want %q", got, want)
	}
	code, out, errs = run(t, env, "", "survey", "qr", "--workspace", "acme", "--survey", "after-visit",
		"--touchpoint", "hotline", "--format", "svg", "--out", "-")
	if code != 0 || !strings.HasPrefix(out, "<svg ") || !strings.HasSuffix(out, "</svg>") {
		t.Fatalf("survey qr svg: %d %.80q %q", code, out, errs)
	}

	bad := []struct {
		name string
		env  map[string]string
		args []string
		flag string
	}{
		{"no public url", map[string]string{"CXM_DATABASE_URL": dbPath}, []string{"link", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "hotline"}, "--public-url"},
		{"public url with query", map[string]string{"CXM_DATABASE_URL": dbPath, "CXM_PUBLIC_URL": "https://x.example/?a=1"}, []string{"link", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "hotline"}, "--public-url"},
		{"several touchpoints", env, []string{"link", "--workspace", "acme", "--survey", "after-visit"}, "--touchpoint"},
		{"foreign touchpoint", env, []string{"link", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "web"}, "--touchpoint"},
		{"format", env, []string{"qr", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "hotline", "--format", "gif", "--out", "-"}, "--format"},
		{"size", env, []string{"qr", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "hotline", "--size", "64", "--out", "-"}, "--size"},
		{"out", env, []string{"qr", "--workspace", "acme", "--survey", "after-visit", "--touchpoint", "hotline"}, "--out"},
		{"survey of another workspace", env, []string{"link", "--workspace", "globex", "--survey", "after-visit"}, "not found"},
		{"unknown survey id", env, []string{"link", "--workspace", "acme", "--survey", "999999"}, "not found"},
	}
	for _, tt := range bad {
		code, out, errs := run(t, tt.env, "", append([]string{"survey"}, tt.args...)...)
		if code != 1 || out != "" || !strings.Contains(errs, tt.flag) {
			t.Errorf("%s: exit %d, out %q, err %q; want exit 1 naming %s", tt.name, code, out, errs, tt.flag)
		}
	}
	if code, _, _ := run(t, env, "", "survey", "poster"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}

// decodeQR reads the text of the QR code in img, or fails the test.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}
