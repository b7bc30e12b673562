package web

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"
	"github.com/cxmhq/cxm"
)

// The sizes of a QR code image, in pixels.
const (
	QRMinSize     = 128
	QRMaxSize     = 2048
	QRDefaultSize = 512
)

// qrQuietZone is the blank margin around a QR code, in modules; the
// standard asks for four.
const qrQuietZone = 4

// registerQRRoutes registers the QR code and link routes of surveys; see routes.go.
func (s *Server) registerQRRoutes() {
	s.handle("GET", "/api/v1/surveys/{id}/qr", permRead, s.surveyQR)
	s.handle("GET", "/api/v1/surveys/{id}/links", permRead, s.surveyLinks)
}

// SurveyLink returns the public link of survey slug at base (such as
// https://feedback.example.com) for touchpoint (may be empty), marked
// with how it reaches people: cxm.SourceQR or cxm.SourceLink.
func SurveyLink(base, slug, touchpoint, source string) string {
	link := strings.TrimRight(base, "/") + "/s/" + url.PathEscape(slug) + "?"
	if touchpoint != "" {
		link += "tp=" + url.QueryEscape(touchpoint) + "&"
	}
	return link + "src=" + url.QueryEscape(source)
}

// SurveyTouchpoint returns the touchpoint a link of sv is about: tp, which
// must be one of the survey's touchpoints, or, when tp is empty, the
// survey's only touchpoint ("" for a survey without touchpoints). A
// survey with several touchpoints needs tp. Errors name "touchpoint".
func SurveyTouchpoint(sv *cxm.Survey, tp string) (string, error) {
	switch {
	case tp != "" && !slices.Contains(sv.Touchpoints, tp):
		return "", cxm.Invalid(cxm.FieldError{Field: "touchpoint",
			Reason: "must be one of the survey's touchpoints: " + listOrNone(sv.Touchpoints)})
	case tp != "":
		return tp, nil
	case len(sv.Touchpoints) == 1:
		return sv.Touchpoints[0], nil
	case len(sv.Touchpoints) > 1:
		return "", cxm.Invalid(cxm.FieldError{Field: "touchpoint",
			Reason: "is required, since the survey has several touchpoints: " + listOrNone(sv.Touchpoints)})
	}
	return "", nil
}

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "(none)"
	}
	return strings.Join(keys, ", ")
}

// QRCode is the module matrix of a QR code, without its quiet zone.
type QRCode struct {
	// Size is the number of modules on each side.
	Size int
	dark []bool
}

// NewQRCode encodes content at error-correction level Q, which still
// reads with a quarter of the code soiled, as printed receipts get.
func NewQRCode(content string) (*QRCode, error) {
	bc, err := qr.Encode(content, qr.Q, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	n := bc.Bounds().Dx()
	q := &QRCode{Size: n, dark: make([]bool, n*n)}
	for y := range n {
		for x := range n {
			r, g, b, _ := bc.At(bc.Bounds().Min.X+x, bc.Bounds().Min.Y+y).RGBA()
			q.dark[y*n+x] = r+g+b < 3*0x8000
		}
	}
	return q, nil
}

// Dark reports whether the module in column x and row y is dark.
func (q *QRCode) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= q.Size || y >= q.Size {
		return false
	}
	return q.dark[y*q.Size+x]
}

// Scale returns the pixels per module of an image size pixels wide, with
// the quiet zone, and false when that is less than one pixel.
func (q *QRCode) Scale(size int) (int, bool) {
	m := size / (q.Size + 2*qrQuietZone)
	return m, m >= 1
}

// PNG draws the code, black on white, centred in a square image of size
// pixels with at least the quiet zone around it.
func (q *QRCode) PNG(size int) ([]byte, error) {
	m, ok := q.Scale(size)
	if !ok {
		return nil, cxm.Invalid(cxm.FieldError{Field: "size", Reason: fmt.Sprintf("is too small for this link; use at least %d", q.Size+2*qrQuietZone)})
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	off := (size - q.Size*m) / 2
	for y := range q.Size {
		for x := range q.Size {
			if !q.Dark(x, y) {
				continue
			}
			for py := off + y*m; py < off+(y+1)*m; py++ {
				row := img.Pix[py*img.Stride:]
				for px := off + x*m; px < off+(x+1)*m; px++ {
					row[px] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG draws the code as one path with a rectangle per run of dark
// modules in a row, in a view box of modules with the quiet zone; size
// sets its width and height in pixels.
func (q *QRCode) SVG(size int) []byte {
	n := q.Size + 2*qrQuietZone
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range q.Size {
		for x := 0; x < q.Size; {
			if !q.Dark(x, y) {
				x++
				continue
			}
			start := x
			for x < q.Size && q.Dark(x, y) {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start+qrQuietZone, y+qrQuietZone, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

// baseURL is the address customers reach the server at: Config.PublicURL,
// or else the scheme and host of request r.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || (s.cfg.TrustForwardedFor && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qrParams reads the touchpoint, format and size of a QR code request,
// naming each bad parameter.
func qrParams(r *http.Request, sv *cxm.Survey) (tp, format string, size int, err error) {
	q := r.URL.Query()
	var errs cxm.FieldErrors
	tp, tpErr := SurveyTouchpoint(sv, q.Get("touchpoint"))
	errs = append(errs, cxm.ErrorFields(tpErr)...)
	format = q.Get("format")
	if format == "" {
		format = "png"
	}
	if format != "png" && format != "svg" {
		errs.Add("format", "must be png or svg")
	}
	size = QRDefaultSize
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < QRMinSize || n > QRMaxSize {
			errs.Add("size", fmt.Sprintf("must be a whole number of pixels from %d to %d", QRMinSize, QRMaxSize))
		} else {
			size = n
		}
	}
	return tp, format, size, errs.Err()
}

// surveyQR returns a QR code, PNG or SVG, of the survey's link for a
// touchpoint, to print on receipts and signs.
func (s *Server) surveyQR(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	sv, err := s.surveyFromPath(r, p)
	if err != nil {
		return err
	}
	tp, format, size, err := qrParams(r, sv)
	if err != nil {
		return err
	}
	code, err := NewQRCode(SurveyLink(s.baseURL(r), sv.Slug, tp, cxm.SourceQR))
	if err != nil {
		return err
	}
	var body []byte
	if format == "png" {
		if body, err = code.PNG(size); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "image/png")
	} else {
		body = code.SVG(size)
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+QRFileName(sv.Slug, tp, format)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// QRFileName names the file of a QR code of survey slug for touchpoint tp.
func QRFileName(slug, tp, format string) string {
	name := "qr-" + slug
	if tp != "" {
		name += "-" + tp
	}
	return name + "." + format
}

// surveyLinks are the ways to reach a survey for one touchpoint.
type surveyLinks struct {
	SurveyID   int64  `json:"survey_id"`
	Touchpoint string `json:"touchpoint,omitempty"`
	// Link is the plain link, QRLink the link a QR code holds.
	Link   string `json:"link"`
	QRLink string `json:"qr_link"`
	// QRPNG and QRSVG are the API paths of the QR code images.
	QRPNG string `json:"qr_png"`
	QRSVG string `json:"qr_svg"`
	// WidgetSnippet is the script tag that embeds the website widget.
	WidgetSnippet string `json:"widget_snippet"`
}

// surveyLinks returns the survey's plain link, QR link, QR image paths
// and the workspace's widget snippet.
func (s *Server) surveyLinks(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	sv, err := s.surveyFromPath(r, p)
	if err != nil {
		return err
	}
	tp, err := SurveyTouchpoint(sv, r.URL.Query().Get("touchpoint"))
	if err != nil {
		return err
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	qrPath := "/api/v1/surveys/" + strconv.FormatInt(sv.ID, 10) + "/qr?"
	if tp != "" {
		qrPath += "touchpoint=" + url.QueryEscape(tp) + "&"
	}
	return writeJSON(w, http.StatusOK, surveyLinks{
		SurveyID: sv.ID, Touchpoint: tp,
		Link:          SurveyLink(base, sv.Slug, tp, cxm.SourceLink),
		QRLink:        SurveyLink(base, sv.Slug, tp, cxm.SourceQR),
		QRPNG:         qrPath + "format=png",
		QRSVG:         qrPath + "format=svg",
		WidgetSnippet: WidgetSnippet(base, ws.PublicKey),
	})
}

// WidgetSnippet returns the script tag a site embeds to show the widget
// of the workspace with publicKey, served from base.
func WidgetSnippet(base, publicKey string) string {
	return `<script src="` + html.EscapeString(base+"/widget.js") + `" data-key="` + html.EscapeString(publicKey) + `" async></script>`
}
