package web

import (
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// findTouchpoint resolves the {id} path value, which may be a numeric id or a key.
func (s *Server) findTouchpoint(r *http.Request, p *cxm.Principal) (*cxm.Touchpoint, error) {
	v := r.PathValue("id")
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		return s.svc.Touchpoints.FindTouchpoint(r.Context(), p.WorkspaceID, id)
	}
	if !cxm.ValidSlug(v) {
		return nil, cxm.Invalid(cxm.FieldError{Field: "id", Reason: "must be a touchpoint id or key"})
	}
	return s.svc.Touchpoints.FindTouchpointByKey(r.Context(), p.WorkspaceID, v)
}

// listTouchpoints lists the workspace's touchpoints in journey order.
func (s *Server) listTouchpoints(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	ts, err := s.svc.Touchpoints.ListTouchpoints(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, ts, "")
}

// touchpointRequest is the writable part of a touchpoint.
type touchpointRequest struct {
	Key         string      `json:"key"`
	Name        string      `json:"name"`
	StageID     int64       `json:"stage_id"`
	Stage       string      `json:"stage"`
	Channel     cxm.Channel `json:"channel"`
	Online      *bool       `json:"online"`
	Description string      `json:"description"`
	// Targets holds a target per feedback metric, such as {"nps": 40}.
	Targets map[string]float64 `json:"targets"`
}

// createTouchpoint adds a touchpoint. Online defaults from the channel.
func (s *Server) createTouchpoint(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req touchpointRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t := &cxm.Touchpoint{WorkspaceID: p.WorkspaceID, Key: req.Key, Name: req.Name, StageID: req.StageID,
		StageKey: req.Stage, Channel: req.Channel, Online: req.Channel.Online(), Description: req.Description,
		Targets: req.Targets}
	if req.Online != nil {
		t.Online = *req.Online
	}
	if err := s.svc.Touchpoints.CreateTouchpoint(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

// getTouchpoint returns one touchpoint by id or key.
func (s *Server) getTouchpoint(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	t, err := s.findTouchpoint(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// updateTouchpoint changes the given fields of a touchpoint.
func (s *Server) updateTouchpoint(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	t, err := s.findTouchpoint(r, p)
	if err != nil {
		return err
	}
	var u cxm.TouchpointUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	t, err = s.svc.Touchpoints.UpdateTouchpoint(r.Context(), p.WorkspaceID, t.ID, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// deleteTouchpoint removes a touchpoint no interaction uses.
func (s *Server) deleteTouchpoint(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	t, err := s.findTouchpoint(r, p)
	if err != nil {
		return err
	}
	if err := s.svc.Touchpoints.DeleteTouchpoint(r.Context(), p.WorkspaceID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
