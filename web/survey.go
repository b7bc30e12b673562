package web

import (
	"net/http"
	"time"

	"github.com/cxmhq/cxm"
)

// surveyRequest is the writable part of a survey: its whole definition,
// without id, workspace and timestamps.
type surveyRequest struct {
	Slug            string            `json:"slug"`
	Name            string            `json:"name"`
	Status          cxm.SurveyStatus  `json:"status"`
	DefaultLocale   string            `json:"default_locale"`
	Title           cxm.LocalizedText `json:"title"`
	Intro           cxm.LocalizedText `json:"intro"`
	ThankYou        cxm.LocalizedText `json:"thank_you"`
	Questions       []cxm.Question    `json:"questions"`
	Touchpoints     []string          `json:"touchpoints"`
	HiddenFields    []string          `json:"hidden_fields"`
	OpensAt         *time.Time        `json:"opens_at"`
	ClosesAt        *time.Time        `json:"closes_at"`
	Trigger         *cxm.Trigger      `json:"trigger"`
	SamplingPercent int               `json:"sampling_percent"`
	RecontactDays   int               `json:"recontact_days"`
	ReminderDays    int               `json:"reminder_days"`

	// Widget says when the website widget shows the survey.
	Widget *cxm.WidgetSettings `json:"widget"`
}

// survey returns the survey the request describes, in workspace workspaceID.
func (req *surveyRequest) survey(workspaceID int64) *cxm.Survey {
	return &cxm.Survey{
		WorkspaceID: workspaceID, Slug: req.Slug, Name: req.Name, Status: req.Status, DefaultLocale: req.DefaultLocale,
		Title: req.Title, Intro: req.Intro, ThankYou: req.ThankYou, Questions: req.Questions,
		Touchpoints: req.Touchpoints, HiddenFields: req.HiddenFields, OpensAt: req.OpensAt, ClosesAt: req.ClosesAt,
		Trigger: req.Trigger, SamplingPercent: req.SamplingPercent, RecontactDays: req.RecontactDays,
		ReminderDays: req.ReminderDays, Widget: req.Widget,
	}
}

// listSurveys lists surveys in creation order, filtered by status and touchpoint.
func (s *Server) listSurveys(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := cxm.SurveyFilter{Status: cxm.SurveyStatus(q.Get("status")), Touchpoint: q.Get("touchpoint"), Page: page}
	var errs cxm.FieldErrors
	if f.Status != "" && !f.Status.Valid() {
		errs.Add("status", "must be draft, active, paused or closed")
	}
	if f.Touchpoint != "" && !cxm.ValidSlug(f.Touchpoint) {
		errs.Add("touchpoint", "must be a touchpoint key")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ss, next, err := s.svc.Surveys.ListSurveys(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	return writeList(w, ss, next)
}

// createSurvey adds a survey; it starts as a draft unless a status is given.
func (s *Server) createSurvey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req surveyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sv := req.survey(p.WorkspaceID)
	if err := s.svc.Surveys.CreateSurvey(r.Context(), sv); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sv)
}

// getSurvey returns one survey with its whole definition.
func (s *Server) getSurvey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	sv, err := s.surveyFromPath(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sv)
}

// replaceSurvey replaces a survey's definition. Questions that have
// answers keep their key and kind.
func (s *Server) replaceSurvey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req surveyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sv := req.survey(p.WorkspaceID)
	sv.ID = id
	if err := s.svc.Surveys.UpdateSurvey(r.Context(), sv); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sv)
}

// deleteSurvey removes a survey without responses; one with responses is
// closed instead.
func (s *Server) deleteSurvey(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Surveys.DeleteSurvey(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// surveyFromPath returns the caller's survey named by the path's {id}.
func (s *Server) surveyFromPath(r *http.Request, p *cxm.Principal) (*cxm.Survey, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.svc.Surveys.FindSurvey(r.Context(), p.WorkspaceID, id)
}
