package web

import (
	"fmt"
	"net/http"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

// registerCaseSettingsRoutes registers the reading and replacing of the
// workspace's case settings: business calendar, SLA targets, root causes
// and escalation policy; see routes.go.
func (s *Server) registerCaseSettingsRoutes() {
	s.handle("GET", "/api/v1/case-settings", permRead, s.getCaseSettings)
	s.handle("PUT", "/api/v1/case-settings", permConfigure, s.putCaseSettings)
}

// caseSettingsBody is the workspace's case settings as the API shows them.
type caseSettingsBody struct {
	// Default is true while the workspace uses the default settings.
	Default bool `json:"default"`
	// TimeZone is the workspace's zone, in which the hours and holidays
	// are read.
	TimeZone string `json:"time_zone,omitempty"`
	*cxm.CaseSettings
}

// caseSettingsInput is the body of a PUT: every part of the settings;
// holidays and escalation may be left out.
type caseSettingsInput struct {
	Hours      []cxm.BusinessHours                `json:"hours"`
	Holidays   []string                           `json:"holidays"`
	SLA        map[cxm.CasePriority]cxm.SLATarget `json:"sla"`
	RootCauses []cxm.RootCause                    `json:"root_causes"`
	Escalation cxm.EscalationPolicy               `json:"escalation"`
}

// getCaseSettings returns the workspace's case settings, or the defaults
// when it set none.
func (s *Server) getCaseSettings(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	cs := sla.DefaultSettings(p.WorkspaceID)
	if s.svc.CaseSettings != nil {
		var err error
		if cs, err = s.svc.CaseSettings.CaseSettings(r.Context(), p.WorkspaceID); err != nil {
			return err
		}
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return fmt.Errorf("web: case settings: %w", err)
	}
	return writeJSON(w, http.StatusOK, caseSettingsBody{Default: cs.UpdatedAt.IsZero(), TimeZone: ws.TimeZone, CaseSettings: cs})
}

// putCaseSettings replaces the workspace's case settings as a whole. Every
// fault is named, such as "hours[2].end", "sla.critical" or
// "root_causes[3].key"; faulty settings change nothing. Cases opened
// afterwards get deadlines from the new settings.
func (s *Server) putCaseSettings(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.CaseSettings == nil {
		return cxm.Errorf(cxm.EUnsupported, "case settings are not configured on this server")
	}
	var in caseSettingsInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var fe cxm.FieldErrors
	if in.Hours == nil {
		fe.Add("hours", "is required: the whole week's business hours")
	}
	if in.SLA == nil {
		fe.Add("sla", "is required: the targets per priority")
	}
	if in.RootCauses == nil {
		fe.Add("root_causes", "is required: the whole list of root causes")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	cs := &cxm.CaseSettings{WorkspaceID: p.WorkspaceID, Hours: in.Hours, Holidays: in.Holidays, SLA: in.SLA,
		RootCauses: in.RootCauses, Escalation: in.Escalation}
	if err := s.svc.CaseSettings.UpdateCaseSettings(r.Context(), cs); err != nil {
		return err
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return fmt.Errorf("web: case settings: %w", err)
	}
	return writeJSON(w, http.StatusOK, caseSettingsBody{TimeZone: ws.TimeZone, CaseSettings: cs})
}
