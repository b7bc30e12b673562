package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// journeyRequest is the writable part of a journey.
type journeyRequest struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Stages []struct {
		Key   string            `json:"key"`
		Names cxm.LocalizedText `json:"names"`
	} `json:"stages"`
}

func (req journeyRequest) journey(workspaceID int64) *cxm.Journey {
	j := &cxm.Journey{WorkspaceID: workspaceID, Key: req.Key, Name: req.Name}
	for _, st := range req.Stages {
		j.Stages = append(j.Stages, cxm.Stage{Key: st.Key, Names: st.Names})
	}
	return j
}

// listJourneys lists the workspace's journeys with their stages.
func (s *Server) listJourneys(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	js, err := s.svc.Journeys.ListJourneys(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	return writeList(w, js, "")
}

// createJourney adds a journey.
func (s *Server) createJourney(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req journeyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	j := req.journey(p.WorkspaceID)
	if err := s.svc.Journeys.CreateJourney(r.Context(), j); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, j)
}

// getJourney returns one journey.
func (s *Server) getJourney(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.svc.Journeys.FindJourney(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}

// replaceJourney replaces a journey's name and stages.
func (s *Server) replaceJourney(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req journeyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	old, err := s.svc.Journeys.FindJourney(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	j := req.journey(p.WorkspaceID)
	j.ID, j.IsDefault, j.CreatedAt = old.ID, old.IsDefault, old.CreatedAt
	if j.Key == "" {
		j.Key = old.Key
	}
	if err := s.svc.Journeys.UpdateJourney(r.Context(), j); err != nil {
		return err
	}
	j, err = s.svc.Journeys.FindJourney(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, j)
}

// deleteJourney removes a journey that no touchpoint uses.
func (s *Server) deleteJourney(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Journeys.DeleteJourney(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
