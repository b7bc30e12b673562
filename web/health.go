package web

import (
	_ "embed"
	"net/http"

	"github.com/cxmhq/cxm"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

//go:embed openapi.json
var openAPIDoc []byte

// healthz answers while the process runs.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": cxm.Version})
}

// readyz answers 200 when the database answers, and 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			s.log.Warn("not ready", "err", err)
			return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		}
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// promMetrics serves the Prometheus metrics.
func (s *Server) promMetrics(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

// openAPI serves the OpenAPI 3.1 description of the API.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDoc)
	return err
}
