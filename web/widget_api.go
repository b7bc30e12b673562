package web

import (
	"context"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// The widget's public API: the session a page opens, the check before a
// survey shows, and the answers. widget.go serves the script and CORS.

// widgetVisitor is who the widget speaks for: a browser's anonymous id
// and, once the site has identified them, the customer's external id.
type widgetVisitor struct {
	AnonymousID string `json:"anonymous_id"`
	Customer    string `json:"customer"`
}

// check names a missing or invalid visitor field.
func (v *widgetVisitor) check(errs *cxm.FieldErrors) {
	if v.AnonymousID == "" || !cxm.ValidText(v.AnonymousID, cxm.MaxTextLength) {
		errs.Add("anonymous_id", "is required: the visitor's id kept by the widget, at most 200 bytes")
	}
	if !cxm.ValidText(v.Customer, cxm.MaxTextLength) {
		errs.Add("customer", "must be valid text of at most 200 bytes")
	}
}

// sampleKey is what the survey's sampling draws on for this visitor.
func (v *widgetVisitor) sampleKey() string {
	if v.Customer != "" {
		return "c:" + v.Customer
	}
	return "a:" + v.AnonymousID
}

// widgetSessionRequest is what the widget sends when a page loads.
type widgetSessionRequest struct {
	widgetVisitor
	// URL is the page the visitor is on; the triggers are matched against
	// it in the browser, since it changes without a new session.
	URL string `json:"url"`
	// Locale is the browser's language, such as de-DE (navigator.language).
	Locale string `json:"locale"`
}

// widgetSession is the answer to a session: the surveys the visitor may be
// shown now, with their texts in the visitor's language and their triggers.
type widgetSession struct {
	Surveys []widgetSurvey `json:"surveys"`
	// ContactFrequencyDays is the workspace's contact rule, which the
	// widget applies itself to visitors the server does not know.
	ContactFrequencyDays int `json:"contact_frequency_days"`
	// Known is true when the server found the identified customer and
	// applied the contact rules to them already.
	Known bool `json:"known"`
}

// widgetSurvey is one survey as the widget renders it.
type widgetSurvey struct {
	ID int64 `json:"id"`
	// InvitationID is set when a widget invitation asks for the survey.
	InvitationID int64               `json:"invitation_id,omitempty"`
	Touchpoint   string              `json:"touchpoint,omitempty"`
	Locale       string              `json:"locale"`
	Title        string              `json:"title"`
	Intro        string              `json:"intro,omitempty"`
	ThankYou     string              `json:"thank_you,omitempty"`
	Questions    []widgetQuestion    `json:"questions"`
	Hidden       map[string]string   `json:"hidden,omitempty"`
	Triggers     []cxm.WidgetTrigger `json:"triggers"`
	Position     string              `json:"position"`
	Once         bool                `json:"once"`
	// RecontactDays is the survey's own contact rule.
	RecontactDays int `json:"recontact_days"`
}

// widgetQuestion is one question with its texts in one language.
type widgetQuestion struct {
	Key       string         `json:"key"`
	Kind      string         `json:"kind"`
	Required  bool           `json:"required"`
	Text      string         `json:"text"`
	LowLabel  string         `json:"low_label,omitempty"`
	HighLabel string         `json:"high_label,omitempty"`
	Choices   []widgetChoice `json:"choices,omitempty"`
	MaxLength int            `json:"max_length,omitempty"`
}

type widgetChoice struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// maxWidgetSurveyPages bounds the pages of active surveys a session reads.
const maxWidgetSurveyPages = 5

// widgetSession tells the widget which surveys this visitor may see now:
// the workspace's open surveys with widget settings, drawn by their
// sampling percentage, and, for an identified customer, a waiting widget
// invitation. For a customer the server knows, the workspace's contact
// frequency and each survey's recontact period are applied here; the
// widget applies them to everyone else from its own memory.
func (s *Server) widgetSession(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	ws, err := s.widgetWorkspace(w, r)
	if err != nil {
		return err
	}
	var req widgetSessionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var errs cxm.FieldErrors
	req.check(&errs)
	if !cxm.ValidText(req.URL, 4000) {
		errs.Add("url", "must be valid text of at most 4000 bytes")
	}
	if !cxm.ValidText(req.Locale, 35) {
		errs.Add("locale", "must be a language tag such as de-DE")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	if ok, wait := s.publicIP.allow("widget-session:"+s.clientIP(r), now); !ok {
		return s.tooMany(w, int(wait.Seconds())+1, "too many page views from your address; please try again in %d seconds")
	}
	browser := primaryLanguage(req.Locale)
	out := widgetSession{Surveys: []widgetSurvey{}, ContactFrequencyDays: ws.ContactFrequencyDays}
	var cust *cxm.Customer
	if req.Customer != "" {
		cust, err = s.findWidgetCustomer(ctx, ws.ID, req.Customer)
		if err != nil {
			return err
		}
	}
	out.Known = cust != nil
	invited := map[int64]bool{}
	if cust != nil && s.svc.Invitations != nil {
		inv, err := s.svc.Invitations.NextWidgetInvitation(ctx, ws.ID, cust.ID, now)
		switch {
		case err == nil:
			if sv, err := s.svc.Surveys.FindSurvey(ctx, ws.ID, inv.SurveyID); err == nil && sv.Open(now) {
				item := widgetSurveyOf(sv, inv.Touchpoint, inv.Locale, cust.Locale, browser)
				item.InvitationID, item.Hidden = inv.ID, inv.Hidden
				// An invitation is shown at the next page view, whatever the survey's own triggers.
				item.Triggers, item.Once = []cxm.WidgetTrigger{{Kind: cxm.WidgetPageView}}, false
				out.Surveys = append(out.Surveys, item)
				invited[sv.ID] = true
			} else if err != nil && cxm.ErrorCode(err) != cxm.ENotFound {
				return err
			}
		case cxm.ErrorCode(err) != cxm.ENotFound:
			return err
		}
	}
	surveys, err := s.widgetSurveys(ctx, ws.ID, now)
	if err != nil {
		return err
	}
	for _, sv := range surveys {
		if invited[sv.ID] || !sampled(req.sampleKey(), sv) {
			continue
		}
		if cust != nil {
			reason, err := s.contactRule(ctx, ws, cust.ID, sv, now)
			if err != nil {
				return err
			}
			if reason != "" {
				continue
			}
		}
		custLocale := ""
		if cust != nil {
			custLocale = cust.Locale
		}
		out.Surveys = append(out.Surveys, widgetSurveyOf(sv, sv.Widget.Touchpoint, "", custLocale, browser))
	}
	return writeJSON(w, http.StatusOK, out)
}

// findWidgetCustomer returns the customer with externalID, or nil when the
// server does not know them.
func (s *Server) findWidgetCustomer(ctx context.Context, workspaceID int64, externalID string) (*cxm.Customer, error) {
	c, err := s.svc.Customers.FindCustomerByExternalID(ctx, workspaceID, externalID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil, nil
	}
	return c, err
}

// widgetSurveys returns the workspace's open surveys that have widget settings.
func (s *Server) widgetSurveys(ctx context.Context, workspaceID int64, now time.Time) ([]*cxm.Survey, error) {
	var out []*cxm.Survey
	f := cxm.SurveyFilter{Status: cxm.SurveyActive, Page: cxm.Page{Limit: cxm.MaxPageLimit}}
	for range maxWidgetSurveyPages {
		page, next, err := s.svc.Surveys.ListSurveys(ctx, workspaceID, f)
		if err != nil {
			return nil, err
		}
		for _, sv := range page {
			if sv.Widget != nil && sv.Open(now) {
				out = append(out, sv)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return out, nil
}

// contactRule returns why customerID may not be asked by survey sv at
// now (cxm.SkipContactFrequency or cxm.SkipRecontact), or "".
func (s *Server) contactRule(ctx context.Context, ws *cxm.Workspace, customerID int64, sv *cxm.Survey, now time.Time) (string, error) {
	if s.svc.Invitations == nil {
		return "", nil
	}
	anySurvey, thisSurvey, err := s.svc.Invitations.LastContact(ctx, ws.ID, customerID, sv.ID)
	if err != nil {
		return "", err
	}
	if reason := cxm.ContactSkipReason(ws.ContactFrequencyDays, sv.RecontactDays, anySurvey, thisSurvey, now); reason != "" {
		return reason, nil
	}
	if sv.Widget != nil && sv.Widget.Once && thisSurvey != nil {
		// Shown once per visitor: this customer was asked by it already.
		return cxm.SkipRecontact, nil
	}
	return "", nil
}

// sampled reports whether the visitor with key is among the survey's
// sampling percentage; the draw is stable, so a page reload does not
// draw again.
func sampled(key string, sv *cxm.Survey) bool {
	if sv.SamplingPercent >= 100 || sv.SamplingPercent <= 0 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(strconv.FormatInt(sv.ID, 10) + "/" + key))
	return int(h.Sum32()%100) < sv.SamplingPercent
}

// primaryLanguage returns "de" for "de-AT" and the like, or "" for a
// language cxm does not speak.
func primaryLanguage(tag string) string {
	lang, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	lang = strings.ToLower(lang)
	if cxm.ValidLocale(lang) {
		return lang
	}
	return ""
}

// widgetSurveyOf returns survey sv as the widget renders it, in the first
// of the preferred locales the survey has a title in, or else its default.
func widgetSurveyOf(sv *cxm.Survey, touchpoint string, preferred ...string) widgetSurvey {
	locale := sv.DefaultLocale
	for _, l := range preferred {
		if cxm.ValidLocale(l) && sv.Title[l] != "" {
			locale = l
			break
		}
	}
	in := func(t cxm.LocalizedText) string { return t.In(locale, sv.DefaultLocale) }
	if touchpoint == "" && len(sv.Touchpoints) == 1 {
		touchpoint = sv.Touchpoints[0]
	}
	out := widgetSurvey{ID: sv.ID, Touchpoint: touchpoint, Locale: locale, Title: in(sv.Title), Intro: in(sv.Intro),
		ThankYou: in(sv.ThankYou), Questions: make([]widgetQuestion, len(sv.Questions)),
		Position: cxm.WidgetBottomRight, RecontactDays: sv.RecontactDays, Triggers: []cxm.WidgetTrigger{}}
	if wg := sv.Widget; wg != nil {
		out.Triggers, out.Position, out.Once = wg.Triggers, wg.Position, wg.Once
	}
	for i, q := range sv.Questions {
		wq := widgetQuestion{Key: q.Key, Kind: string(q.Kind), Required: q.Required, Text: in(q.Text),
			LowLabel: in(q.LowLabel), HighLabel: in(q.HighLabel), MaxLength: q.MaxLength}
		for _, c := range q.Choices {
			wq.Choices = append(wq.Choices, widgetChoice{Key: c.Key, Label: in(c.Label)})
		}
		out.Questions[i] = wq
	}
	return out
}

// widgetShownRequest is what the widget sends just before it shows a survey.
type widgetShownRequest struct {
	widgetVisitor
	SurveyID     int64 `json:"survey_id"`
	InvitationID int64 `json:"invitation_id"`
}

// widgetShownResult tells the widget whether it may show the survey.
type widgetShownResult struct {
	Show bool `json:"show"`
	// Reason says why not, such as contact_frequency.
	Reason string `json:"reason,omitempty"`
}

// widgetShown is asked by the widget right before it shows a survey, and
// decides. A waiting invitation is claimed: marked shown and contacted,
// unless the contact rules forbid it now, in which case it is skipped with
// its reason and the widget shows nothing. For an identified customer
// without invitation the contact rules are checked again.
func (s *Server) widgetShown(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	ws, err := s.widgetWorkspace(w, r)
	if err != nil {
		return err
	}
	var req widgetShownRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var errs cxm.FieldErrors
	req.check(&errs)
	if req.SurveyID <= 0 {
		errs.Add("survey_id", "is required: a positive survey id")
	}
	if req.InvitationID < 0 {
		errs.Add("invitation_id", "must be a positive invitation id")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.allowPublicPost(w, r, req.SurveyID); err != nil {
		return err
	}
	ctx, now := r.Context(), s.now()
	sv, inv, err := s.widgetTarget(ctx, ws, req.SurveyID, req.InvitationID, req.Customer)
	if err != nil {
		return err
	}
	if inv != nil {
		switch inv.Status {
		case cxm.InvitationShown:
			return writeJSON(w, http.StatusOK, widgetShownResult{Show: inv.Usable(now)})
		case cxm.InvitationWaiting:
			if inv.DueAt.After(now) {
				return writeJSON(w, http.StatusOK, widgetShownResult{Reason: "invitation_not_due"})
			}
			if !inv.Usable(now) {
				return writeJSON(w, http.StatusOK, widgetShownResult{Reason: "invitation_expired"})
			}
			claimed, err := s.svc.Invitations.ClaimContact(ctx, ws.ID, inv.ID, cxm.InvitationShown, now)
			if cxm.ErrorCode(err) == cxm.EConflict {
				// Claimed meanwhile, by another tab of the same visitor.
				if claimed, err = s.svc.Invitations.FindInvitation(ctx, ws.ID, inv.ID); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			if claimed.Status == cxm.InvitationShown {
				return writeJSON(w, http.StatusOK, widgetShownResult{Show: true})
			}
			return writeJSON(w, http.StatusOK, widgetShownResult{Reason: claimed.SkipReason})
		}
		return writeJSON(w, http.StatusOK, widgetShownResult{Reason: "invitation_" + string(inv.Status)})
	}
	if req.Customer != "" {
		cust, err := s.findWidgetCustomer(ctx, ws.ID, req.Customer)
		if err != nil {
			return err
		}
		if cust != nil {
			reason, err := s.contactRule(ctx, ws, cust.ID, sv, now)
			if err != nil || reason != "" {
				if err != nil {
					return err
				}
				return writeJSON(w, http.StatusOK, widgetShownResult{Reason: reason})
			}
		}
	}
	return writeJSON(w, http.StatusOK, widgetShownResult{Show: true})
}

// widgetTarget returns the survey the widget asks about, which must be the
// workspace's, open, and shown by the widget: by its widget settings, or
// by invitationID, which must then be a widget invitation of the customer
// with externalID for that survey.
func (s *Server) widgetTarget(ctx context.Context, ws *cxm.Workspace, surveyID, invitationID int64, externalID string) (*cxm.Survey, *cxm.Invitation, error) {
	sv, err := s.svc.Surveys.FindSurvey(ctx, ws.ID, surveyID)
	if err != nil {
		return nil, nil, err
	}
	if !sv.Open(s.now()) {
		return nil, nil, cxm.Errorf(cxm.EConflict, "survey is not open: it is %s or outside its open and close dates", sv.Status)
	}
	if invitationID == 0 {
		if sv.Widget == nil {
			return nil, nil, cxm.Invalid(cxm.FieldError{Field: "survey_id", Reason: "is not a survey the widget shows"})
		}
		return sv, nil, nil
	}
	badInvitation := cxm.Invalid(cxm.FieldError{Field: "invitation_id", Reason: "is not this customer's widget invitation to this survey"})
	if s.svc.Invitations == nil || externalID == "" {
		return nil, nil, badInvitation
	}
	inv, err := s.svc.Invitations.FindInvitation(ctx, ws.ID, invitationID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil, nil, badInvitation
	}
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.findWidgetCustomer(ctx, ws.ID, externalID)
	if err != nil {
		return nil, nil, err
	}
	if cust == nil || inv.CustomerID != cust.ID || inv.SurveyID != sv.ID || inv.Channel != cxm.InviteWidget {
		return nil, nil, badInvitation
	}
	return sv, inv, nil
}

// widgetResponseRequest is a response posted by the widget.
type widgetResponseRequest struct {
	widgetVisitor
	// ID is made by the widget; the same id again updates the response.
	ID           string            `json:"id"`
	SurveyID     int64             `json:"survey_id"`
	InvitationID int64             `json:"invitation_id"`
	Touchpoint   string            `json:"touchpoint"`
	Locale       string            `json:"locale"`
	Answers      cxm.Answers       `json:"answers"`
	Hidden       map[string]string `json:"hidden"`
	Completed    bool              `json:"completed"`
	// Website is a honeypot: people never see it, so only bots fill it.
	Website string `json:"website"`
}

// widgetResponseResult is the answer to a posted response; it leaves out
// the stored answers.
type widgetResponseResult struct {
	ID        string `json:"id"`
	Created   bool   `json:"created"`
	Duplicate bool   `json:"duplicate"`
	Completed bool   `json:"completed"`
}

// widgetResponse stores answers the widget posts, partial as the visitor
// goes and complete at the end, through the same checks as every channel.
// A filled honeypot is answered 202 and nothing is stored.
func (s *Server) widgetResponse(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	ws, err := s.widgetWorkspace(w, r)
	if err != nil {
		return err
	}
	var req widgetResponseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var errs cxm.FieldErrors
	if req.ID == "" {
		errs.Add("id", "is required: a random id made by the widget")
	}
	req.check(&errs)
	if req.SurveyID <= 0 {
		errs.Add("survey_id", "is required: a positive survey id")
	}
	if req.InvitationID < 0 {
		errs.Add("invitation_id", "must be a positive invitation id")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if err := s.allowPublicPost(w, r, req.SurveyID); err != nil {
		return err
	}
	if req.Website != "" {
		return writeJSON(w, http.StatusAccepted, widgetResponseResult{ID: req.ID})
	}
	ctx := r.Context()
	sv, inv, err := s.widgetTarget(ctx, ws, req.SurveyID, req.InvitationID, req.Customer)
	if err != nil {
		return err
	}
	if req.Touchpoint == "" {
		if inv != nil {
			req.Touchpoint = inv.Touchpoint
		} else {
			req.Touchpoint = sv.Widget.Touchpoint
		}
	}
	rr := responseRequest{ID: req.ID, Customer: req.Customer, AnonymousID: req.AnonymousID, Touchpoint: req.Touchpoint,
		Locale: req.Locale, Answers: req.Answers, Hidden: req.Hidden, Completed: req.Completed, Source: cxm.SourceWidget,
		InvitationID: req.InvitationID}
	res, err := s.storeResponse(ctx, ws.ID, sv, &rr)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, widgetResponseResult{ID: res.Response.ID, Created: res.Created,
		Duplicate: res.Duplicate, Completed: res.Response.Completed})
}
