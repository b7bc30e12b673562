package web_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/web"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

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

var svgRun = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// rasterSVG draws the dark runs of a QR code SVG, scale pixels a module,
// after checking that it is well-formed XML with the expected frame.
func rasterSVG(t *testing.T, svg []byte, scale int) (*image.Gray, int) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Shape   string   `xml:"shape-rendering,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("SVG is not XML: %v", err)
	}
	var n int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n); err != nil || doc.Shape != "crispEdges" {
		t.Fatalf("viewBox %q, shape-rendering %q", doc.ViewBox, doc.Shape)
	}
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	d := doc.Path.D
	for d != "" {
		m := svgRun.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("unexpected path data at %.30q", d)
		}
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		if back, _ := strconv.Atoi(m[4]); back != w {
			t.Fatalf("run %q does not close", m[0])
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
		d = d[len(m[0]):]
	}
	return img, n
}

func TestSurveyQRAndLinks(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.newTouchpoint(e.a.writeKey, "store-berlin", "store")
		e.newTouchpoint(e.a.writeKey, "hotline", "phone")
		sv := e.newSurvey(e.a.writeKey, surveyBody("after-visit", cxm.SurveyActive, "store-berlin", "hotline"))
		base := e.srv.URL
		want := base + "/s/after-visit?tp=store-berlin&src=qr"
		qr := fmt.Sprintf("/api/v1/surveys/%d/qr", sv.ID)

		r := e.call("GET", qr+"?touchpoint=store-berlin&size=300", e.a.readKey, nil, 200)
		if r.header.Get("Content-Type") != "image/png" || !strings.Contains(r.header.Get("Content-Disposition"), `filename="qr-after-visit-store-berlin.png"`) {
			t.Errorf("PNG headers: %v", r.header)
		}
		img, err := png.Decode(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != 300 || img.Bounds().Dy() != 300 {
			t.Errorf("PNG is %v, want 300x300", img.Bounds())
		}
		if got := decodeQR(t, img); got != want {
			t.Errorf("PNG holds %q, want %q", got, want)
		}
		// The PNG's pixels are the library's modules, with a quiet zone.
		code, err := web.NewQRCode(want)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := code.Scale(300)
		off := (300 - code.Size*m) / 2
		if off < 4*m {
			t.Errorf("quiet zone %d px, want at least %d", off, 4*m)
		}
		for y := range code.Size {
			for x := range code.Size {
				r, _, _, _ := img.At(off+x*m+m/2, off+y*m+m/2).RGBA()
				if (r < 0x8000) != code.Dark(x, y) {
					t.Fatalf("module %d,%d: PNG dark %v, code dark %v", x, y, r < 0x8000, code.Dark(x, y))
				}
			}
		}

		r = e.call("GET", qr+"?touchpoint=hotline&format=svg", e.a.readKey, nil, 200)
		if r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasSuffix(r.header.Get("Content-Disposition"), `filename="qr-after-visit-hotline.svg"`) {
			t.Errorf("SVG headers: %v", r.header)
		}
		raster, n := rasterSVG(t, r.body, 6)
		if got := decodeQR(t, raster); got != base+"/s/after-visit?tp=hotline&src=qr" {
			t.Errorf("SVG holds %q", got)
		}
		hot, _ := web.NewQRCode(base + "/s/after-visit?tp=hotline&src=qr")
		if n != hot.Size+8 {
			t.Errorf("viewBox %d modules, want %d (code and quiet zone)", n, hot.Size+8)
		}
		for y := range hot.Size {
			for x := range hot.Size {
				if dark := raster.GrayAt((x+4)*6+3, (y+4)*6+3).Y < 128; dark != hot.Dark(x, y) {
					t.Fatalf("SVG module %d,%d dark %v, code %v", x, y, dark, hot.Dark(x, y))
				}
			}
		}
		if len(r.body) > 20000 {
			t.Errorf("SVG is %d bytes; one path of runs should be far smaller", len(r.body))
		}

		bad := []struct {
			query  string
			fields []string
		}{
			{"", []string{"touchpoint"}},
			{"?touchpoint=web", []string{"touchpoint"}},
			{"?touchpoint=hotline&format=gif", []string{"format"}},
			{"?touchpoint=hotline&size=64", []string{"size"}},
			{"?touchpoint=hotline&size=4096", []string{"size"}},
			{"?touchpoint=hotline&size=big", []string{"size"}},
			{"?format=jpeg&size=1", []string{"touchpoint", "format", "size"}},
		}
		for _, tt := range bad {
			r := e.do(request{method: "GET", path: qr + tt.query, token: e.a.readKey})
			if r.status != http.StatusBadRequest || !slices.Equal(fieldNames(r), tt.fields) {
				t.Errorf("qr%s: %d %s, want 400 naming %v", tt.query, r.status, r.body, tt.fields)
			}
		}
		if r := e.do(request{method: "GET", path: qr + "?touchpoint=hotline", token: e.b.readKey}); r.status != http.StatusNotFound {
			t.Errorf("B's key on A's survey: %d, want 404", r.status)
		}
		if r := e.do(request{method: "GET", path: qr + "?touchpoint=hotline"}); r.status != http.StatusUnauthorized {
			t.Errorf("no credentials: %d, want 401", r.status)
		}

		var links struct {
			SurveyID      int64  `json:"survey_id"`
			Touchpoint    string `json:"touchpoint"`
			Link          string `json:"link"`
			QRLink        string `json:"qr_link"`
			QRPNG         string `json:"qr_png"`
			QRSVG         string `json:"qr_svg"`
			WidgetSnippet string `json:"widget_snippet"`
		}
		e.call("GET", fmt.Sprintf("/api/v1/surveys/%d/links?touchpoint=hotline", sv.ID), e.a.readKey, nil, 200).decode(t, &links)
		wantSnippet := `<script src="` + base + `/widget.js" data-key="` + e.a.ws.PublicKey + `" async></script>`
		if links.SurveyID != sv.ID || links.Touchpoint != "hotline" || links.Link != base+"/s/after-visit?tp=hotline&src=link" ||
			links.QRLink != base+"/s/after-visit?tp=hotline&src=qr" || links.WidgetSnippet != wantSnippet {
			t.Errorf("links: %+v", links)
		}
		for _, p := range []string{links.QRPNG, links.QRSVG} {
			if r := e.do(request{method: "GET", path: p, token: e.a.readKey}); r.status != 200 {
				t.Errorf("link %s: %d %s", p, r.status, r.body)
			}
		}
		if r := e.do(request{method: "GET", path: fmt.Sprintf("/api/v1/surveys/%d/links?touchpoint=web", sv.ID), token: e.a.readKey}); r.status != 400 ||
			!slices.Equal(fieldNames(r), []string{"touchpoint"}) {
			t.Errorf("links for a foreign touchpoint: %d %s", r.status, r.body)
		}
	})
}

// TestSurveyQRUsesPublicURL makes links from Config.PublicURL rather than
// the request's host, and leaves tp out for a survey without touchpoints.
func TestSurveyQRUsesPublicURL(t *testing.T) {
	forEachWidgetEnv(t, func(c *web.Config) { c.PublicURL = "https://feedback.example.com/" }, func(t *testing.T, e *env) {
		sv := e.newSurvey(e.a.writeKey, surveyBody("anywhere", cxm.SurveyActive))
		r := e.call("GET", fmt.Sprintf("/api/v1/surveys/%d/qr?size=256", sv.ID), e.a.readKey, nil, 200)
		img, err := png.Decode(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, img); got != "https://feedback.example.com/s/anywhere?src=qr" {
			t.Errorf("QR code holds %q", got)
		}
		var links struct {
			Link          string `json:"link"`
			WidgetSnippet string `json:"widget_snippet"`
		}
		e.call("GET", fmt.Sprintf("/api/v1/surveys/%d/links", sv.ID), e.a.readKey, nil, 200).decode(t, &links)
		if links.Link != "https://feedback.example.com/s/anywhere?src=link" ||
			!strings.HasPrefix(links.WidgetSnippet, `<script src="https://feedback.example.com/widget.js"`) {
			t.Errorf("links %+v", links)
		}
	})
}

// BenchmarkQRCode measures encoding a survey link and drawing it as a
// 512-pixel PNG and as SVG.
func BenchmarkQRCode(b *testing.B) {
	link := "https://feedback.example.com/s/after-delivery-survey?tp=store-berlin-mitte&src=qr"
	for _, format := range []string{"png", "svg"} {
		b.Run(format, func(b *testing.B) {
			var n int
			for b.Loop() {
				code, err := web.NewQRCode(link)
				if err != nil {
					b.Fatal(err)
				}
				if format == "png" {
					img, err := code.PNG(web.QRDefaultSize)
					if err != nil {
						b.Fatal(err)
					}
					n = len(img)
				} else {
					n = len(code.SVG(web.QRDefaultSize))
				}
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}
