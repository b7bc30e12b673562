package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/alert"
)

// Bounds of a dry run of a condition.
const (
	// defaultDryRunDays is the window of a dry run without ?days.
	defaultDryRunDays = 30
	// maxDryRunDays is the longest window of a dry run.
	maxDryRunDays = 365
	// maxDryRunResponses bounds the responses a dry run evaluates, the
	// newest first; the answer says how many it evaluated.
	maxDryRunResponses = 10_000
	// dryRunBudget bounds a dry run's time; what remains is left out.
	dryRunBudget = 20 * time.Second
)

// registerAlertRuleRoutes registers the alert rules API: everyone of the
// workspace reads the rules; admins and write keys configure and test
// them. See routes.go.
func (s *Server) registerAlertRuleRoutes() {
	s.handle("GET", "/api/v1/alert-rules", permRead, s.listAlertRules)
	s.handle("POST", "/api/v1/alert-rules", permConfigure, s.createAlertRule)
	// The literal segment takes precedence over {id} in ServeMux.
	s.handle("POST", "/api/v1/alert-rules/test", permConfigure, s.testAlertRule)
	s.handle("GET", "/api/v1/alert-rules/{id}", permRead, s.getAlertRule)
	s.handle("PUT", "/api/v1/alert-rules/{id}", permConfigure, s.replaceAlertRule)
	s.handle("DELETE", "/api/v1/alert-rules/{id}", permConfigure, s.deleteAlertRule)
}

// alertRules returns the alert rule service, or EUnsupported.
func (s *Server) alertRules() (cxm.AlertRuleService, error) {
	if s.svc.AlertRules == nil {
		return nil, cxm.Errorf(cxm.EUnsupported, "alert rules are not configured on this server")
	}
	return s.svc.AlertRules, nil
}

// alertRuleRequest is the writable part of an alert rule.
type alertRuleRequest struct {
	Name      string           `json:"name"`
	Condition string           `json:"condition"`
	Enabled   *bool            `json:"enabled"`
	Actions   cxm.AlertActions `json:"actions"`
	// DigestMinutes, when above zero, sends one digest per window.
	DigestMinutes int `json:"digest_minutes"`
}

// rule returns the request as a rule of the workspace; a rule is
// enabled unless the request says otherwise.
func (q *alertRuleRequest) rule(ws int64) *cxm.AlertRule {
	r := &cxm.AlertRule{WorkspaceID: ws, Name: q.Name, Condition: q.Condition, Enabled: q.Enabled == nil || *q.Enabled,
		Actions: q.Actions, DigestMinutes: q.DigestMinutes}
	if r.Actions.Notify == nil {
		r.Actions.Notify = []cxm.NotifyTarget{}
	}
	return r
}

// checkAlertRule validates every field of r, compiling its condition
// and checking that its team and webhooks belong to the workspace, and
// names every fault at once.
func (s *Server) checkAlertRule(ctx context.Context, r *cxm.AlertRule) error {
	var errs cxm.FieldErrors
	for _, f := range cxm.ErrorFields(r.Validate()) {
		if f.Field != "condition" {
			errs = append(errs, f)
		}
	}
	if _, err := alert.Compile(r.Condition); err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if oc := r.Actions.OpenCase; oc != nil && oc.TeamID > 0 && s.svc.Teams != nil {
		if _, err := s.svc.Teams.FindTeam(ctx, r.WorkspaceID, oc.TeamID); cxm.ErrorCode(err) == cxm.ENotFound {
			errs.Add("actions.open_case.team_id", "unknown team")
		} else if err != nil {
			return err
		}
	}
	if s.svc.Webhooks != nil {
		for i, t := range r.Actions.Notify {
			if (t.Kind != "webhook" && t.Kind != "chat") || t.WebhookID <= 0 {
				continue
			}
			if _, err := s.svc.Webhooks.FindWebhook(ctx, r.WorkspaceID, t.WebhookID); cxm.ErrorCode(err) == cxm.ENotFound {
				errs.Add(fmt.Sprintf("actions.notify[%d].webhook_id", i), "unknown webhook")
			} else if err != nil {
				return err
			}
		}
	}
	return errs.Err()
}

// listAlertRules lists the workspace's rules by name.
func (s *Server) listAlertRules(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	rules, err := s.alertRules()
	if err != nil {
		return err
	}
	list, err := rules.ListAlertRules(r.Context(), p.WorkspaceID, false)
	if err != nil {
		return err
	}
	return writeList(w, list, "")
}

// createAlertRule stores a new rule after compiling its condition.
func (s *Server) createAlertRule(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	rules, err := s.alertRules()
	if err != nil {
		return err
	}
	var q alertRuleRequest
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	rule := q.rule(p.WorkspaceID)
	if err := s.checkAlertRule(r.Context(), rule); err != nil {
		return err
	}
	if err := rules.CreateAlertRule(r.Context(), rule); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rule)
}

// findAlertRule reads the {id} rule of the caller's workspace.
func (s *Server) findAlertRule(r *http.Request, p *cxm.Principal) (*cxm.AlertRule, error) {
	rules, err := s.alertRules()
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return rules.FindAlertRule(r.Context(), p.WorkspaceID, id)
}

// getAlertRule returns one rule.
func (s *Server) getAlertRule(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	rule, err := s.findAlertRule(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

// replaceAlertRule replaces a rule by the request, such as to switch it
// on after a dry run.
func (s *Server) replaceAlertRule(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	old, err := s.findAlertRule(r, p)
	if err != nil {
		return err
	}
	var q alertRuleRequest
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	rule := q.rule(p.WorkspaceID)
	rule.ID = old.ID
	if err := s.checkAlertRule(r.Context(), rule); err != nil {
		return err
	}
	if err := s.svc.AlertRules.UpdateAlertRule(r.Context(), rule); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

// deleteAlertRule removes a rule; the cases it opened stay.
func (s *Server) deleteAlertRule(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	rule, err := s.findAlertRule(r, p)
	if err != nil {
		return err
	}
	if err := s.svc.AlertRules.DeleteAlertRule(r.Context(), p.WorkspaceID, rule.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// alertDryRunBody is the answer of a dry run.
type alertDryRunBody struct {
	Days int       `json:"days"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	alert.DryRunResult
	// Limited is true when the window held more responses than a dry run
	// evaluates; the newest were evaluated.
	Limited bool `json:"limited"`
}

// testAlertRule evaluates a condition on the workspace's responses
// completed in the last ?days (default 30, at most 365) and answers how
// often it would have fired, with up to ten examples. It changes nothing.
func (s *Server) testAlertRule(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.AlertFacts == nil {
		return cxm.Errorf(cxm.EUnsupported, "alert rules are not configured on this server")
	}
	var errs cxm.FieldErrors
	days := defaultDryRunDays
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDryRunDays {
			errs.Add("days", "must be a whole number of days from 1 to 365")
		}
		days = n
	}
	var q struct {
		Condition string `json:"condition"`
	}
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	prog, err := alert.Compile(q.Condition)
	if err != nil {
		errs = append(errs, cxm.ErrorFields(err)...)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), dryRunBudget)
	defer cancel()
	to := s.now().UTC()
	from := to.AddDate(0, 0, -days)
	facts, err := s.svc.AlertFacts.RecentAlertFacts(ctx, p.WorkspaceID, from, to.Add(time.Microsecond), maxDryRunResponses+1)
	if err != nil {
		return err
	}
	out := alertDryRunBody{Days: days, From: from, To: to, Limited: len(facts) > maxDryRunResponses}
	if out.Limited {
		facts = facts[:maxDryRunResponses]
	}
	out.DryRunResult = alert.DryRun(ctx, prog, facts)
	return writeJSON(w, http.StatusOK, out)
}
