package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
)

// Query parameters of a hosted survey's link.
const (
	paramToken      = "t"    // the signed token of an invitation
	paramTouchpoint = "tp"   // the key of the touchpoint the answers are about
	paramSource     = "src"  // link or qr
	paramLang       = "lang" // de or en: the customer's explicit choice
	paramPage       = "p"    // the page to show, from 1
)

// Fields of the survey page's form, besides the answers ("a.<key>") and
// the hidden fields ("h.<name>").
const (
	fieldPage     = "page"
	fieldNav      = "nav"     // "next" (or Submit on the last page) or "back"
	fieldHoneypot = "website" // hidden from people; a bot that fills it is told it succeeded
)

const (
	// responseCookie keeps the id of the browser's response to one survey
	// (its path is the survey's), so that a partial response can be resumed.
	responseCookie = "cxm_response"
	// responseCookieAge is how long the browser keeps it.
	responseCookieAge = 30 * 24 * time.Hour
	// maxPageForm bounds a posted page: a text answer of 5,000 characters
	// of four bytes each, percent-encoded, with room to spare.
	maxPageForm = 128 << 10
)

// webResponseID is the form of the random response ids the survey pages
// hand out. A cookie with any other value is ignored, so that a browser
// cannot point its cookie at a response made through another channel.
var webResponseID = regexp.MustCompile(`^web-[A-Za-z0-9_-]{22}$`)

// registerSurveyPageRoutes registers its routes; see routes.go.
func (s *Server) registerSurveyPageRoutes() {
	s.page("GET", "/s/{slug}", permPublic, s.surveyPage)
	s.page("POST", "/s/{slug}", permPublic, s.surveyPagePost)
	s.page("GET", "/s/{slug}/thanks", permPublic, s.surveyThanks)
}

func surveyPath(slug string) string { return "/s/" + url.PathEscape(slug) }
func thanksPath(slug string) string { return surveyPath(slug) + "/thanks" }

// liveSurvey returns the survey with slug for the public pages. An
// unknown slug and a draft are the same ENotFound, so that the answer
// reveals nothing.
func (s *Server) liveSurvey(ctx context.Context, slug string) (*cxm.Survey, error) {
	if !cxm.ValidSlug(slug) {
		return nil, cxm.NotFound("survey")
	}
	sv, err := s.svc.Surveys.FindSurveyBySlug(ctx, slug)
	if cxm.ErrorCode(err) == cxm.ENotFound || (err == nil && sv.Status == cxm.SurveyDraft) {
		return nil, cxm.NotFound("survey")
	}
	return sv, err
}

// pageParams is the context a survey link carries.
type pageParams struct {
	token, touchpoint, source, lang string
	// hidden are values of the survey's hidden fields given in the link.
	hidden map[string]string
}

// reservedParams cannot name hidden fields in a link.
var reservedParams = []string{paramToken, paramTouchpoint, paramSource, paramLang, paramPage}

// readPageParams reads the link's context, naming every bad parameter.
// An unknown lang is ignored: the page falls back to the customer's language.
func readPageParams(r *http.Request, sv *cxm.Survey) (pageParams, error) {
	q := r.URL.Query()
	p := pageParams{token: q.Get(paramToken), touchpoint: q.Get(paramTouchpoint), source: q.Get(paramSource),
		lang: explicitLocale(r), hidden: map[string]string{}}
	var errs cxm.FieldErrors
	if p.touchpoint != "" && !slices.Contains(sv.Touchpoints, p.touchpoint) {
		errs.Add(paramTouchpoint, "is not a touchpoint of this survey")
	}
	if p.source != "" && p.source != cxm.SourceLink && p.source != cxm.SourceQR {
		errs.Add(paramSource, "must be link or qr")
	}
	for _, name := range sv.HiddenFields {
		vals, ok := q[name]
		if !ok || slices.Contains(reservedParams, name) {
			continue
		}
		if !cxm.ValidText(vals[0], cxm.MaxTextLength) {
			errs.Add(name, "must be valid text of at most 200 bytes")
			continue
		}
		p.hidden[name] = vals[0]
	}
	return p, errs.Err()
}

// query returns the parameters that every page of the visit keeps.
func (p pageParams) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{paramToken: p.token, paramTouchpoint: p.touchpoint, paramSource: p.source, paramLang: p.lang} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// surveyVisit is one customer's visit to a hosted survey, as one request
// finds it.
type surveyVisit struct {
	sv     *cxm.Survey
	params pageParams
	pages  [][]int
	// inv is the invitation whose link opened the page, if any;
	// expiredToken tells that the link carried an expired token.
	inv          *cxm.Invitation
	expiredToken bool
	// respID is the response the visit fills: "inv-<id>" for an
	// invitation, else a random id kept in a cookie (fromCookie).
	respID     string
	fromCookie bool
	// old is the stored response with respID, or nil.
	old    *cxm.Response
	locale string
}

// pageURL returns the address of page n (from 1) of the visit, or of
// the survey with the visit's context when n is 0.
func (v *surveyVisit) pageURL(n int) string {
	q := v.params.query()
	if n > 0 {
		q.Set(paramPage, strconv.Itoa(n))
	}
	if len(q) == 0 {
		return surveyPath(v.sv.Slug)
	}
	return surveyPath(v.sv.Slug) + "?" + q.Encode()
}

// thanksURL returns the thank-you page in the visit's language.
func (v *surveyVisit) thanksURL() string {
	return thanksPath(v.sv.Slug) + "?" + url.Values{paramLang: {v.locale}}.Encode()
}

// oldAnswers returns the answers stored so far.
func (v *surveyVisit) oldAnswers() cxm.Answers {
	if v.old == nil {
		return cxm.Answers{}
	}
	return v.old.Answers
}

// openVisit finds what the request brings to survey sv: the link's
// context, the invitation of a signed link, the response to continue and
// the language. A token that is expired sets expiredToken; one that is
// not valid for this survey is EUnauthorized.
func (s *Server) openVisit(r *http.Request, sv *cxm.Survey) (*surveyVisit, error) {
	ctx := r.Context()
	params, err := readPageParams(r, sv)
	if err != nil {
		return nil, err
	}
	v := &surveyVisit{sv: sv, params: params, pages: surveyPages(sv)}
	if params.token != "" {
		if v.inv, err = s.invitationOf(ctx, sv, params.token); err != nil {
			if cxm.ErrorCode(err) != cxm.EForbidden {
				return nil, err
			}
			v.expiredToken = true
		} else {
			v.respID = "inv-" + strconv.FormatInt(v.inv.ID, 10)
		}
	} else if c, err := r.Cookie(responseCookie); err == nil && webResponseID.MatchString(c.Value) {
		v.respID, v.fromCookie = c.Value, true
	}
	if v.respID != "" {
		old, err := s.svc.Responses.FindResponse(ctx, sv.WorkspaceID, v.respID)
		switch {
		case err == nil && old.SurveyID == sv.ID:
			v.old = old
		case err == nil && v.fromCookie:
			// A response to another survey: this visit starts its own.
			v.respID = ""
		case err != nil && cxm.ErrorCode(err) != cxm.ENotFound:
			return nil, err
		}
	}
	if v.respID == "" && params.token == "" {
		v.respID, v.fromCookie = newWebResponseID(), true
	}
	var oldLocale, invLocale, customerLocale string
	if v.old != nil && !v.old.Completed {
		oldLocale = v.old.Locale
	}
	if v.inv != nil {
		invLocale = v.inv.Locale
		if invLocale == "" && v.inv.CustomerID != 0 && s.svc.Customers != nil {
			if c, err := s.svc.Customers.FindCustomer(ctx, sv.WorkspaceID, v.inv.CustomerID); err == nil {
				customerLocale = c.Locale
			}
		}
	}
	v.locale = firstLocale(params.lang, oldLocale, invLocale, customerLocale,
		acceptLanguage(r.Header.Get("Accept-Language")), sv.DefaultLocale)
	return v, nil
}

// invitationOf checks the signed token of an invitation to sv and returns
// the invitation. An expired token is EForbidden; a token that is forged,
// made for another survey or refused because the server takes no signed
// links is EUnauthorized.
func (s *Server) invitationOf(ctx context.Context, sv *cxm.Survey, token string) (*cxm.Invitation, error) {
	bad := cxm.Errorf(cxm.EUnauthorized, "this link is not valid for this survey")
	if s.cfg.Signer == nil || s.svc.Invitations == nil {
		return nil, bad
	}
	ref, err := s.cfg.Signer.Verify(token, cxm.PurposeSurvey, s.now())
	if err != nil {
		return nil, err
	}
	if ref.WorkspaceID != sv.WorkspaceID {
		return nil, bad
	}
	inv, err := s.svc.Invitations.FindInvitation(ctx, sv.WorkspaceID, ref.ID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if inv.SurveyID != sv.ID {
		return nil, bad
	}
	return inv, nil
}

// invitationRefusal returns the message page for an invitation that can
// no longer be answered ("answered" or "expired"), or "".
func (v *surveyVisit) invitationRefusal(now time.Time) string {
	switch {
	case v.expiredToken:
		return "expired"
	case v.inv == nil:
		return ""
	case v.inv.Status == cxm.InvitationAnswered || (v.old != nil && v.old.Completed):
		return "answered"
	case v.inv.Status == cxm.InvitationExpired || !now.Before(v.inv.ExpiresAt):
		return "expired"
	}
	return ""
}

// refusalStatus is the HTTP status of each refusal page.
var refusalStatus = map[string]int{"answered": http.StatusConflict, "expired": http.StatusForbidden}

// closedPage returns the message page of a survey that takes no answers
// at now ("closed", "paused" or "notyet"), or "".
func closedPage(sv *cxm.Survey, now time.Time) string {
	switch {
	case sv.Status == cxm.SurveyClosed || (sv.ClosesAt != nil && !now.Before(*sv.ClosesAt)):
		return "closed"
	case sv.Status == cxm.SurveyPaused:
		return "paused"
	case sv.OpensAt != nil && now.Before(*sv.OpensAt):
		return "notyet"
	}
	return ""
}

// renderMessage writes the message page key ("closed", "thanks" …) of
// visit v with status.
func (s *Server) renderMessage(w http.ResponseWriter, status int, v *surveyVisit, key, body string) {
	t := textsIn(v.locale)
	if body == "" {
		body = t.f(key + ".body")
	}
	view := messageView{pageView: newPageView(v.locale, t.f(key+".title")), Heading: t.f(key + ".title"), Body: body}
	s.renderPage(w, status, "message", view)
}

// surveyPage shows a page of a hosted survey: the page asked for with
// ?p=, or the first unanswered one of a response being resumed, with the
// answers given so far filled in.
func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	sv, err := s.liveSurvey(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	v, err := s.openVisit(r, sv)
	if err != nil {
		return err
	}
	now := s.now()
	if key := closedPage(sv, now); key != "" {
		s.renderMessage(w, http.StatusOK, v, key, "")
		return nil
	}
	if key := v.invitationRefusal(now); key != "" {
		s.renderMessage(w, refusalStatus[key], v, key, "")
		return nil
	}
	if v.inv != nil && v.inv.OpenedAt == nil {
		if err := s.svc.Invitations.OpenInvitation(r.Context(), sv.WorkspaceID, v.inv.ID, now); err != nil {
			s.log.Warn("record invitation opened", "workspace", sv.WorkspaceID, "invitation", v.inv.ID, "err", err)
		}
	}
	if v.fromCookie && v.old != nil && v.old.Completed {
		// This browser finished the survey before; it may answer again,
		// as a new response.
		http.SetCookie(w, s.responseIDCookie(r, sv, "", -1))
		v.old = nil
	}
	page := resumePage(sv, v.pages, v.oldAnswers())
	if n, err := strconv.Atoi(r.URL.Query().Get(paramPage)); err == nil {
		page = min(max(n-1, 0), len(v.pages)-1)
	}
	s.renderPage(w, http.StatusOK, "survey", s.buildSurveyView(v, page, rawAnswers(v.oldAnswers()), nil))
	return nil
}

// surveyPagePost saves the answers of one page as a partial response and
// moves to the next page (303), or to the previous one with Back; the
// last page completes the response and leads to the thank-you page.
// Answers with problems show the page again (422) with each problem next
// to its question and what the customer typed kept.
func (s *Server) surveyPagePost(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	sv, err := s.liveSurvey(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if err := s.allowPublicPost(w, r, sv.ID); err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return cxm.Errorf(cxm.EUnsupported, "the survey form must be posted as application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPageForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return cxm.Invalid(cxm.FieldError{Field: "body", Reason: "must be a URL-encoded form"})
	}
	if r.PostForm.Get(fieldHoneypot) != "" {
		// Only a bot fills the invisible field: it is told it succeeded.
		lang := firstLocale(explicitLocale(r), acceptLanguage(r.Header.Get("Accept-Language")), sv.DefaultLocale)
		s.redirect(w, r, thanksPath(sv.Slug)+"?"+url.Values{paramLang: {lang}}.Encode())
		return nil
	}
	v, err := s.openVisit(r, sv)
	if err != nil {
		return err
	}
	now := s.now()
	if key := closedPage(sv, now); key != "" {
		s.renderMessage(w, http.StatusConflict, v, key, "")
		return nil
	}
	if v.old != nil && v.old.Completed && !v.expiredToken {
		// Sent again (a double click, a retry): it was stored once.
		s.redirect(w, r, v.thanksURL())
		return nil
	}
	if key := v.invitationRefusal(now); key != "" {
		s.renderMessage(w, refusalStatus[key], v, key, "")
		return nil
	}
	page, err := strconv.Atoi(r.PostForm.Get(fieldPage))
	if err != nil || page < 1 || page > len(v.pages) {
		return cxm.Invalid(cxm.FieldError{Field: fieldPage, Reason: "must be a page of this survey, from 1 to " + strconv.Itoa(len(v.pages))})
	}
	page--
	back := r.PostForm.Get(fieldNav) == "back"
	old := v.oldAnswers()
	pa := readPageAnswers(sv, v.pages[page], r.PostForm, old, !back)
	req := v.responseRequest(r.PostForm)
	req.Answers = pa.answers
	if back {
		// Back keeps the valid answers of the page and asks for nothing.
		for k := range pa.problems {
			delete(req.Answers, k)
		}
		if len(req.Answers) > 0 {
			if _, err := s.storeResponse(r.Context(), sv.WorkspaceID, sv, req); err != nil && cxm.ErrorCode(err) != cxm.EInvalid {
				return err
			}
			s.setResponseCookie(w, r, v)
		}
		s.redirect(w, r, v.pageURL(max(page, 1)))
		return nil
	}
	if len(pa.problems) > 0 {
		s.renderPage(w, http.StatusUnprocessableEntity, "survey", s.buildSurveyView(v, page, pa.raw, pa.problems))
		return nil
	}
	showPage, problems := -1, map[string]questionProblem{}
	if page == len(v.pages)-1 {
		all := maps.Clone(old)
		maps.Copy(all, pa.answers)
		if qi := missingRequired(sv, all); qi >= 0 {
			// A required question on an earlier page is unanswered, as
			// when a link skipped ahead: keep this page and ask for it.
			showPage = pageOfQuestion(v.pages, qi)
			problems[sv.Questions[qi].Key] = questionProblem{key: "err.required"}
		} else {
			req.Completed = true
		}
	}
	res, err := s.storeResponse(r.Context(), sv.WorkspaceID, sv, req)
	if err != nil {
		return s.storeProblem(w, r, v, page, pa.raw, err)
	}
	s.setResponseCookie(w, r, v)
	switch {
	case showPage >= 0:
		all := maps.Clone(old)
		maps.Copy(all, pa.answers)
		s.renderPage(w, http.StatusUnprocessableEntity, "survey", s.buildSurveyView(v, showPage, rawAnswers(all), problems))
	case res.Response.Completed:
		s.redirect(w, r, v.thanksURL())
	default:
		s.redirect(w, r, v.pageURL(page+2))
	}
	return nil
}

// storeProblem answers a failed store of a page: answers the store refused
// show the page again with their questions marked; a used invitation
// shows that it was answered; anything else is an error page.
func (s *Server) storeProblem(w http.ResponseWriter, r *http.Request, v *surveyVisit, page int, raw map[string][]string, err error) error {
	problems := map[string]questionProblem{}
	for _, f := range cxm.ErrorFields(err) {
		switch key, isAnswer := strings.CutPrefix(f.Field, "answers."); {
		case isAnswer && v.sv.Question(key) != nil:
			problems[key] = questionProblem{key: "err.check"}
		case f.Field == "token" && cxm.ErrorCode(err) == cxm.EConflict:
			s.renderMessage(w, http.StatusConflict, v, "answered", "")
			return nil
		}
	}
	if len(problems) == 0 {
		return err
	}
	s.renderPage(w, http.StatusUnprocessableEntity, "survey", s.buildSurveyView(v, page, raw, problems))
	return nil
}

// responseRequest returns the response the visit stores, with the
// survey's hidden fields from the form and the invitation, but no
// answers yet.
func (v *surveyVisit) responseRequest(form url.Values) *responseRequest {
	req := &responseRequest{ID: v.respID, Locale: v.locale, Touchpoint: v.params.touchpoint, Source: cxm.SourceLink}
	if v.params.source == cxm.SourceQR {
		req.Source = cxm.SourceQR
	}
	hidden := map[string]string{}
	if v.inv != nil {
		req.InvitationID, req.Source = v.inv.ID, cxm.SourceEmail
		if v.inv.Channel == cxm.InviteWidget {
			req.Source = cxm.SourceWidget
		}
		if tp := v.inv.Touchpoint; tp != "" && (len(v.sv.Touchpoints) == 0 || slices.Contains(v.sv.Touchpoints, tp)) {
			req.Touchpoint = tp
		}
		for k, val := range v.inv.Hidden {
			if slices.Contains(v.sv.HiddenFields, k) {
				hidden[k] = val
			}
		}
	}
	for _, name := range v.sv.HiddenFields {
		if vals, ok := form[hiddenField(name)]; ok && len(vals) > 0 {
			hidden[name] = vals[0]
		}
	}
	if len(hidden) > 0 {
		req.Hidden = hidden
	}
	return req
}

// setResponseCookie keeps the visit's response id in the browser, unless
// an invitation names the response.
func (s *Server) setResponseCookie(w http.ResponseWriter, r *http.Request, v *surveyVisit) {
	if v.inv == nil {
		http.SetCookie(w, s.responseIDCookie(r, v.sv, v.respID, int(responseCookieAge.Seconds())))
	}
}

// responseIDCookie returns the cookie that keeps id for survey sv; a
// negative maxAge deletes it.
func (s *Server) responseIDCookie(r *http.Request, sv *cxm.Survey, id string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: responseCookie, Value: id, Path: surveyPath(sv.Slug), MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies}
}

// newWebResponseID returns a random, unguessable response id.
func newWebResponseID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "web-" + base64.RawURLEncoding.EncodeToString(b)
}

// redirect sends the browser on to target with 303 See Other, so that
// reloading the next page does not post the form again.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, target string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// surveyThanks shows the survey's thank-you text in the language of ?lang=,
// else of the browser.
func (s *Server) surveyThanks(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	sv, err := s.liveSurvey(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	v := &surveyVisit{sv: sv, locale: firstLocale(explicitLocale(r), acceptLanguage(r.Header.Get("Accept-Language")), sv.DefaultLocale)}
	t := textsIn(v.locale)
	body := sv.ThankYou.In(v.locale, sv.DefaultLocale)
	if body == "" {
		body = t.f("thanks.body")
	}
	view := messageView{pageView: newPageView(v.locale, t.f("thanks.title")), Heading: t.f("thanks.title"), Body: body}
	view.LangLinks = v.langLinks(-1)
	s.renderPage(w, http.StatusOK, "message", view)
	return nil
}
