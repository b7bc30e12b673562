package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/cxmhq/cxm"
)

// The website widget: one dependency-free script, served at /widget.js,
// that a site embeds with its workspace's public key, and the small public
// API it calls cross-origin under /w/v1/{key}/. CORS answers only the
// workspace's allowed origins, and never with credentials.

//go:embed widget/cxm-widget.js
var widgetJS []byte

// widgetAsset is the script as served: plain and gzipped, with their ETags.
type widgetAsset struct {
	plain, gz         []byte
	plainTag, gzipTag string
}

// widgetAssets compresses the embedded script once.
var widgetAssets = sync.OnceValue(func() widgetAsset {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(widgetJS)
	zw.Close()
	sum := sha256.Sum256(widgetJS)
	tag := hex.EncodeToString(sum[:8])
	return widgetAsset{plain: widgetJS, gz: buf.Bytes(), plainTag: `"` + tag + `"`, gzipTag: `"` + tag + `-gz"`}
})

// widgetMaxBody bounds a request body of the widget API.
const widgetMaxBody = 1 << 20

// widgetPreflightMaxAge is how long, in seconds, a browser may reuse a preflight answer.
const widgetPreflightMaxAge = "7200"

var publicKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// registerWidgetRoutes registers the widget's script and public API; see routes.go.
func (s *Server) registerWidgetRoutes() {
	s.handle("GET", "/widget.js", permPublic, s.widgetScript)
	for _, ep := range []struct {
		path string
		h    func(http.ResponseWriter, *http.Request, *cxm.Principal) error
	}{
		{"/w/v1/{key}/session", s.widgetSession},
		{"/w/v1/{key}/shown", s.widgetShown},
		{"/w/v1/{key}/responses", s.widgetResponse},
	} {
		s.handle("POST", ep.path, permPublic, ep.h)
		s.handle("OPTIONS", ep.path, permPublic, s.widgetPreflight)
	}
}

// widgetScript serves the widget's script, gzipped when the client takes
// it, cacheable for an hour and revalidated by ETag.
func (s *Server) widgetScript(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	a := widgetAssets()
	body, tag := a.plain, a.plainTag
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	if gz {
		body, tag = a.gz, a.gzipTag
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Vary", "Accept-Encoding")
	h.Set("ETag", tag)
	// Sites that isolate themselves (Cross-Origin-Embedder-Policy) may load it too.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

// etagMatches reports whether an If-None-Match header names tag.
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

// widgetWorkspace finds the workspace whose public key the path names and
// checks the request's Origin against its allowed origins. An allowed
// origin is echoed in Access-Control-Allow-Origin; any other, or none, is
// EForbidden. It also bounds the body.
func (s *Server) widgetWorkspace(w http.ResponseWriter, r *http.Request) (*cxm.Workspace, error) {
	w.Header().Add("Vary", "Origin")
	r.Body = http.MaxBytesReader(w, r.Body, widgetMaxBody)
	key := r.PathValue("key")
	if !publicKeyPattern.MatchString(key) {
		return nil, cxm.Errorf(cxm.ENotFound, "no workspace has this widget key; check data-key in the snippet")
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByPublicKey(r.Context(), key)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil, cxm.Errorf(cxm.ENotFound, "no workspace has this widget key; check data-key in the snippet")
	}
	if err != nil {
		return nil, err
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil, cxm.Errorf(cxm.EForbidden, "the widget API answers browsers on the workspace's allowed origins; this request has no Origin header")
	}
	if !ws.AllowsOrigin(origin) {
		if len(origin) > 100 {
			origin = origin[:100] + "…"
		}
		return nil, cxm.Errorf(cxm.EForbidden, "the origin %q may not use this workspace's widget; add it to the workspace's allowed_origins", origin)
	}
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	return ws, nil
}

// widgetPreflight answers a CORS preflight of the widget API: allowed
// origins may POST JSON; others get 403 without CORS headers.
func (s *Server) widgetPreflight(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	if _, err := s.widgetWorkspace(w, r); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", widgetPreflightMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
