package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// WebhookNotifier checks webhook URLs against the SSRF rules and sends
// test deliveries; *notify.Notifier is one.
type WebhookNotifier interface {
	// CheckWebhookURL answers cxm.EInvalid on "url" for a URL that may
	// not be used.
	CheckWebhookURL(ctx context.Context, url string) error
	// TestWebhook sends a test notification at once and returns the logged attempt.
	TestWebhook(ctx context.Context, workspaceID, id int64) (*cxm.WebhookDelivery, error)
}

// registerWebhookRoutes declares the webhook API; webhooks carry
// secrets and addresses that may be credentials, so admins alone see
// and change them.
func (s *Server) registerWebhookRoutes() {
	s.handle("GET", "/api/v1/webhooks", permAdmin, s.listWebhooks)
	s.handle("POST", "/api/v1/webhooks", permAdmin, s.createWebhook)
	s.handle("GET", "/api/v1/webhooks/{id}", permAdmin, s.getWebhook)
	s.handle("PATCH", "/api/v1/webhooks/{id}", permAdmin, s.updateWebhook)
	s.handle("DELETE", "/api/v1/webhooks/{id}", permAdmin, s.deleteWebhook)
	s.handle("POST", "/api/v1/webhooks/{id}/rotate", permAdmin, s.rotateWebhook)
	s.handle("GET", "/api/v1/webhooks/{id}/deliveries", permAdmin, s.listWebhookDeliveries)
	s.handle("POST", "/api/v1/webhooks/{id}/test", permAdmin, s.testWebhook)
}

// webhooks returns the webhook service and notifier, or EUnsupported.
func (s *Server) webhooks() (cxm.WebhookService, WebhookNotifier, error) {
	if s.svc.Webhooks == nil || s.cfg.Notifier == nil {
		return nil, nil, cxm.Errorf(cxm.EUnsupported, "webhooks are not configured on this server")
	}
	return s.svc.Webhooks, s.cfg.Notifier, nil
}

// webhookWithSecret is the answer to creating a webhook or rotating its
// secret: the only times the secret is shown.
type webhookWithSecret struct {
	*cxm.Webhook
	Secret string `json:"secret"`
}

// listWebhooks lists the workspace's webhooks without secrets.
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, _, err := s.webhooks()
	if err != nil {
		return err
	}
	hooks, err := svc.ListWebhooks(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, hooks, "")
}

// createWebhook checks and stores a webhook and shows its secret once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, guard, err := s.webhooks()
	if err != nil {
		return err
	}
	var req struct {
		Name    string          `json:"name"`
		URL     string          `json:"url"`
		Kind    cxm.WebhookKind `json:"kind"`
		Enabled *bool           `json:"enabled"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	hook := &cxm.Webhook{WorkspaceID: p.WorkspaceID, Name: req.Name, URL: req.URL, Kind: req.Kind, Enabled: req.Enabled == nil || *req.Enabled}
	if err := hook.Validate(); err != nil {
		return err
	}
	if err := guard.CheckWebhookURL(r.Context(), hook.URL); err != nil {
		return err
	}
	secret, err := svc.CreateWebhook(r.Context(), hook)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, webhookWithSecret{Webhook: hook, Secret: secret})
}

// getWebhook shows one webhook without its secret.
func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, _, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hook, err := svc.FindWebhook(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hook)
}

// updateWebhook changes a webhook's name, URL, kind or enabled flag; a
// new URL is checked like on create.
func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, guard, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u cxm.WebhookUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	current, err := svc.FindWebhook(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	if err := u.Apply(current); err != nil {
		return err
	}
	if u.URL != nil {
		if err := guard.CheckWebhookURL(r.Context(), *u.URL); err != nil {
			return err
		}
	}
	hook, err := svc.UpdateWebhook(r.Context(), p.WorkspaceID, id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hook)
}

// deleteWebhook deletes a webhook and its delivery log.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, _, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := svc.DeleteWebhook(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateWebhook gives a webhook a new secret and shows it once; the
// next deliveries are signed with it alone.
func (s *Server) rotateWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, _, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hook, secret, err := svc.RotateWebhookSecret(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, webhookWithSecret{Webhook: hook, Secret: secret})
}

// listWebhookDeliveries lists a webhook's latest delivery attempts,
// newest first (limit 1-100, default 100).
func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	svc, _, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return cxm.Invalid(cxm.FieldError{Field: "limit", Reason: "must be an integer from 1 to 100"})
		}
		limit = n
	}
	ds, err := svc.ListWebhookDeliveries(r.Context(), p.WorkspaceID, id, limit)
	if err != nil {
		return err
	}
	return writeList(w, ds, "")
}

// testWebhook sends a test notification to a webhook at once and answers
// the logged attempt, delivered or failed.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	_, n, err := s.webhooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := n.TestWebhook(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
