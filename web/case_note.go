package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cxmhq/cxm"
)

// JobCaseReply is the kind of the durable job that emails a case reply
// to the customer; its payload is CaseReplyJob.
const JobCaseReply = "case.reply"

// CaseReplyJob is the payload of a case reply job. The job reads the
// customer's address and consent again when it runs.
type CaseReplyJob struct {
	CaseID     int64  `json:"case_id"`
	CustomerID int64  `json:"customer_id"`
	Locale     string `json:"locale"`
	Body       string `json:"body"`
	// AgentUserID is the user who replied; zero for an API key.
	AgentUserID int64 `json:"agent_user_id,omitempty"`
}

// CaseReplier stores a reply on a case's timeline together with the job
// that sends it, in one transaction; *store.DB is one.
type CaseReplier interface {
	AddCaseReply(ctx context.Context, workspaceID, caseID int64, body string, actorUserID int64, job *cxm.Job) (*cxm.CaseEvent, error)
}

// registerCaseNoteRoutes registers internal notes and replies to the
// customer; both need the write-data permission and a case in the
// caller's scope (case.go).
func (s *Server) registerCaseNoteRoutes() {
	s.handle("POST", "/api/v1/cases/{id}/notes", permWriteData, s.addCaseNote)
	s.handle("POST", "/api/v1/cases/{id}/replies", permWriteData, s.addCaseReply)
}

// noteRequest is a note or a reply.
type noteRequest struct {
	Body string `json:"body"`
	// Locale picks the reply template's language; empty means the
	// customer's, then the workspace's.
	Locale string `json:"locale"`
}

// addCaseNote appends an internal note to the case's timeline.
func (s *Server) addCaseNote(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	c, err := s.findCase(r, p)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Locale != "" {
		return cxm.Invalid(cxm.FieldError{Field: "locale", Reason: "is only given for replies"})
	}
	e, err := s.svc.Cases.AddCaseNote(r.Context(), p.WorkspaceID, c.ID, "note", req.Body, p.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

// addCaseReply records a reply to the customer on the case's timeline and
// sends it by email through a durable job. A case without a customer, a
// customer without an email address or without consent to email is
// EConflict naming the field.
func (s *Server) addCaseReply(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.CaseReplies == nil {
		return cxm.Errorf(cxm.EUnsupported, "case replies are not configured on this server")
	}
	c, err := s.findCase(r, p)
	if err != nil {
		return err
	}
	var req noteRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Locale != "" && !cxm.ValidLocale(req.Locale) {
		return cxm.Invalid(cxm.FieldError{Field: "locale", Reason: "must be a language tag such as de or en"})
	}
	if c.CustomerID == 0 {
		return conflictField("customer_id", "the case has no customer to reply to")
	}
	cust, err := s.svc.Customers.FindCustomer(r.Context(), p.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	if cust.Email == "" {
		return conflictField("customer.email", "the customer has no email address")
	}
	if !cust.Consent.Email {
		return conflictField("customer.consent.email", "the customer has not agreed to email")
	}
	locale := req.Locale
	if locale == "" {
		locale = cust.Locale
	}
	if locale == "" {
		ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
		if err != nil {
			return err
		}
		locale = ws.DefaultLocale
	}
	payload, err := json.Marshal(CaseReplyJob{CaseID: c.ID, CustomerID: cust.ID, Locale: locale, Body: req.Body, AgentUserID: p.UserID})
	if err != nil {
		return fmt.Errorf("web: encode case reply: %w", err)
	}
	job := &cxm.Job{Kind: JobCaseReply, Payload: payload}
	e, err := s.svc.CaseReplies.AddCaseReply(r.Context(), p.WorkspaceID, c.ID, req.Body, p.UserID, job)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

// conflictField returns an EConflict error naming field and why.
func conflictField(field, reason string) error {
	return &cxm.Error{Code: cxm.EConflict, Message: field + ": " + reason, Fields: []cxm.FieldError{{Field: field, Reason: reason}}}
}
