package web

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// registerInvitationRoutes registers its routes; see routes.go.
func (s *Server) registerInvitationRoutes() {
	s.handle("POST", "/api/v1/surveys/{id}/invitations", permWriteData, s.createInvitations)
	s.handle("GET", "/api/v1/invitations", permRead, s.listInvitations)
	s.handle("GET", "/api/v1/invitations/{id}", permRead, s.getInvitation)
	s.page("GET", "/u/{token}", permPublic, s.unsubscribePage)
	s.page("POST", "/u/{token}", permPublic, s.unsubscribe)
}

// MaxInvitationBatch bounds the customers of one invitation request.
const MaxInvitationBatch = 1000

// invitationRequest invites customers to a survey by their external ids.
type invitationRequest struct {
	Customers []string `json:"customers"`
	// Channel is email (the default) or widget.
	Channel string `json:"channel"`
	// Touchpoint is the key of the touchpoint the survey asks about; by
	// default the survey's only touchpoint.
	Touchpoint string            `json:"touchpoint"`
	Hidden     map[string]string `json:"hidden"`
	// Locale overrides the language, which is otherwise the customer's
	// and then the workspace's.
	Locale string `json:"locale"`
	// SendAt schedules the invitations; empty or past means now.
	SendAt *time.Time `json:"send_at"`
}

// invitationOutcome tells what became of one customer of a request.
type invitationOutcome struct {
	Customer string `json:"customer"`
	// Result is created, skipped or unknown_customer.
	Result     string          `json:"result"`
	Invitation *cxm.Invitation `json:"invitation,omitempty"`
}

// The results of one customer of an invitation request.
const (
	resultCreated         = "created"
	resultSkipped         = "skipped"
	resultUnknownCustomer = "unknown_customer"
)

// invitationBatch is the answer to an invitation request.
type invitationBatch struct {
	Created int                 `json:"created"`
	Skipped int                 `json:"skipped"`
	Unknown int                 `json:"unknown"`
	Results []invitationOutcome `json:"results"`
}

// check validates req against survey sv, fills its defaults, and returns
// the due time at now.
func (req *invitationRequest) check(sv *cxm.Survey, now time.Time) (time.Time, error) {
	var errs cxm.FieldErrors
	switch n := len(req.Customers); {
	case n == 0:
		errs.Add("customers", "must list at least one external customer id")
	case n > MaxInvitationBatch:
		errs.Add("customers", "must list at most "+strconv.Itoa(MaxInvitationBatch)+" customers; send several requests")
	}
	seen := make(map[string]bool, len(req.Customers))
	for i, c := range req.Customers {
		field := "customers[" + strconv.Itoa(i) + "]"
		switch {
		case c == "" || !cxm.ValidText(c, cxm.MaxTextLength):
			errs.Add(field, "must be an external customer id of 1-200 bytes")
		case seen[c]:
			errs.Add(field, "is listed twice")
		}
		seen[c] = true
	}
	if req.Channel == "" {
		req.Channel = cxm.InviteEmail
	}
	if req.Channel != cxm.InviteEmail && req.Channel != cxm.InviteWidget {
		errs.Add("channel", "must be email or widget")
	}
	switch {
	case req.Touchpoint == "" && len(sv.Touchpoints) == 1:
		req.Touchpoint = sv.Touchpoints[0]
	case req.Touchpoint != "" && !slices.Contains(sv.Touchpoints, req.Touchpoint):
		errs.Add("touchpoint", "is not a touchpoint of this survey")
	}
	if len(req.Hidden) > cxm.MaxInvitationHidden {
		errs.Add("hidden", "must have at most 20 fields")
	}
	for _, k := range slices.Sorted(maps.Keys(req.Hidden)) {
		if !slices.Contains(sv.HiddenFields, k) {
			errs.Add("hidden."+k, "is not a hidden field of this survey")
		} else if !cxm.ValidText(req.Hidden[k], cxm.MaxTextLength) {
			errs.Add("hidden."+k, "must be valid text of at most 200 bytes")
		}
	}
	if req.Locale != "" && !cxm.ValidLocale(req.Locale) {
		errs.Add("locale", "must be de or en")
	}
	due := now
	if req.SendAt != nil {
		switch {
		case req.SendAt.After(now.Add(cxm.MaxInvitationDelay)):
			errs.Add("send_at", "must lie within a year")
		case req.SendAt.After(now):
			due = *req.SendAt
		}
	}
	return due, errs.Err()
}

// createInvitations invites customers, named by their external ids, to an
// active survey through a channel, now or at send_at. Each gets an
// invitation, scheduled with its job or skipped with the reason that is
// already clear (no consent, no address, contact rules, survey closed by
// then); unknown customers are reported, not created. The survey must be
// active. Any invalid field refuses the whole request, naming the field.
func (s *Server) createInvitations(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.Invitations == nil {
		return cxm.Errorf(cxm.EUnsupported, "invitations are not available on this server")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	sv, err := s.svc.Surveys.FindSurvey(ctx, p.WorkspaceID, id)
	if err != nil {
		return err
	}
	var req invitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	now := s.now()
	due, err := req.check(sv, now)
	if err != nil {
		return err
	}
	if sv.Status != cxm.SurveyActive {
		return cxm.Errorf(cxm.EConflict, "survey is %s: activate it before inviting customers", sv.Status)
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	out := invitationBatch{Results: make([]invitationOutcome, 0, len(req.Customers))}
	for _, ext := range req.Customers {
		o, err := s.inviteOne(ctx, ws, sv, &req, ext, due, now)
		if err != nil {
			return err
		}
		switch o.Result {
		case resultCreated:
			out.Created++
		case resultSkipped:
			out.Skipped++
		default:
			out.Unknown++
		}
		out.Results = append(out.Results, o)
	}
	return writeJSON(w, http.StatusOK, out)
}

// inviteOne invites the customer with external id ext.
func (s *Server) inviteOne(ctx context.Context, ws *cxm.Workspace, sv *cxm.Survey, req *invitationRequest, ext string, due, now time.Time) (invitationOutcome, error) {
	o := invitationOutcome{Customer: ext}
	c, err := s.svc.Customers.FindCustomerByExternalID(ctx, ws.ID, ext)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		o.Result = resultUnknownCustomer
		return o, nil
	}
	if err != nil {
		return o, err
	}
	inv := &cxm.Invitation{WorkspaceID: ws.ID, SurveyID: sv.ID, CustomerID: c.ID, Touchpoint: req.Touchpoint,
		Channel: req.Channel, Locale: firstLocale(req.Locale, c.Locale, ws.DefaultLocale, sv.DefaultLocale),
		Hidden: maps.Clone(req.Hidden), DueAt: due}
	reason := inv.SkipReasonAt(sv, c, due)
	if reason == "" {
		anyAt, thisAt, err := s.svc.Invitations.LastContact(ctx, ws.ID, c.ID, sv.ID)
		if err != nil {
			return o, err
		}
		reason = cxm.ContactSkipReason(ws.ContactFrequencyDays, sv.RecontactDays, anyAt, thisAt, due)
	}
	if reason != "" {
		inv.Skip(reason)
	}
	if _, err := s.svc.Invitations.ScheduleInvitation(ctx, inv, cxm.JobSurveyInvite); err != nil {
		return o, err
	}
	o.Result, o.Invitation = resultCreated, inv
	if inv.Status == cxm.InvitationSkipped {
		o.Result = resultSkipped
	}
	return o, nil
}

// listInvitations lists invitations, newest first, filtered by survey_id,
// customer (external id), customer_id and status.
func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.Invitations == nil {
		return writeList[*cxm.Invitation](w, nil, "")
	}
	var f cxm.InvitationFilter
	var errs cxm.FieldErrors
	page, err := pageOf(r)
	errs = append(errs, cxm.ErrorFields(err)...)
	f.Page = page
	q := r.URL.Query()
	for _, name := range []string{"customer_id", "survey_id"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs.Add(name, "must be a positive integer id")
		} else if name == "survey_id" {
			f.SurveyID = n
		} else {
			f.CustomerID = n
		}
	}
	if f.Status = cxm.InvitationStatus(q.Get("status")); f.Status != "" && !f.Status.Valid() {
		errs.Add("status", "must be scheduled, skipped, sent, waiting, shown, bounced, failed, answered or expired")
	}
	ext := q.Get("customer")
	if !cxm.ValidText(ext, cxm.MaxTextLength) {
		errs.Add("customer", "must be an external customer id of at most 200 bytes")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if ext != "" {
		c, err := s.svc.Customers.FindCustomerByExternalID(r.Context(), p.WorkspaceID, ext)
		if cxm.ErrorCode(err) == cxm.ENotFound || (err == nil && f.CustomerID != 0 && f.CustomerID != c.ID) {
			return writeList[*cxm.Invitation](w, nil, "")
		}
		if err != nil {
			return err
		}
		f.CustomerID = c.ID
	}
	list, next, err := s.svc.Invitations.ListInvitations(r.Context(), p.WorkspaceID, f)
	if err != nil {
		return err
	}
	return writeList(w, list, next)
}

// getInvitation returns one invitation.
func (s *Server) getInvitation(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if s.svc.Invitations == nil {
		return cxm.NotFound("invitation")
	}
	inv, err := s.svc.Invitations.FindInvitation(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, inv)
}
