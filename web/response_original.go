package web

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/text"
)

// Redactor masks personal data (emails, phone numbers, IBANs, card
// numbers, street addresses) in a free-text answer.
type Redactor interface {
	Redact(text string) string
}

// RedactorFunc makes a function a Redactor.
type RedactorFunc func(text string) string

// Redact calls f.
func (f RedactorFunc) Redact(s string) string { return f(s) }

// defaultRedactor masks with the text package's detectors.
func defaultRedactor(s string) string {
	out, _ := text.Redact(s)
	return out
}

// registerResponseOriginalRoutes registers the admins' reading of the
// encrypted originals of masked answers; see routes.go.
func (s *Server) registerResponseOriginalRoutes() {
	s.handle("GET", "/api/v1/responses/{id}/original", permAdmin, s.getResponseOriginal)
}

// redactAnswers masks personal data in resp's text answers before they
// are stored, unless the workspace turned redaction off, so that raw
// personal data never reaches the database unencrypted. It returns the
// originals of the answers it changed when the workspace keeps them, for
// the store to keep encrypted in the same transaction.
// A masked answer still fits its question's length limit.
func (s *Server) redactAnswers(ctx context.Context, workspaceID int64, sv *cxm.Survey, resp *cxm.Response) (map[string]string, error) {
	var texts []cxm.Question
	for _, q := range sv.Questions {
		if v, ok := resp.Answers[q.Key].(string); ok && v != "" && q.Kind == cxm.KindText {
			texts = append(texts, q)
		}
	}
	if len(texts) == 0 {
		return nil, nil
	}
	priv := &cxm.TextPrivacy{PIIRedaction: true}
	if s.svc.TextPrivacy != nil {
		var err error
		if priv, err = s.svc.TextPrivacy.TextPrivacy(ctx, workspaceID); err != nil {
			return nil, err
		}
	}
	if !priv.PIIRedaction {
		return nil, nil
	}
	var originals map[string]string
	for _, q := range texts {
		v := resp.Answers[q.Key].(string)
		masked := s.cfg.Redactor.Redact(v)
		if masked == v {
			continue
		}
		max := q.MaxLength
		if max == 0 {
			max = cxm.MaxTextAnswer
		}
		resp.Answers[q.Key] = cutRunes(masked, max)
		if priv.KeepOriginalEncrypted {
			if originals == nil {
				originals = map[string]string{}
			}
			originals[q.Key] = v
		}
	}
	return originals, nil
}

// cutRunes returns s cut to at most max runes.
func cutRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// getResponseOriginal returns the original text answers that were masked
// before storing, for admins of a workspace that keeps them. Every read
// is recorded with the reader.
func (s *Server) getResponseOriginal(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	if s.svc.TextPrivacy == nil {
		return cxm.Errorf(cxm.EUnsupported, "original texts are not kept on this server")
	}
	resp, err := s.svc.Responses.FindResponse(r.Context(), p.WorkspaceID, r.PathValue("id"))
	if err != nil {
		return err
	}
	orig, err := s.svc.TextPrivacy.ReadOriginals(r.Context(), p.WorkspaceID, resp.ID, p.UserID)
	if err != nil {
		return err
	}
	s.log.Info("original text read", "workspace", p.WorkspaceID, "response", resp.ID, "user", p.UserID)
	return writeJSON(w, http.StatusOK, orig)
}

// workspaceWithPrivacy is a workspace as the API shows it, with its text
// privacy settings.
type workspaceWithPrivacy struct {
	*cxm.Workspace
	*cxm.TextPrivacy
}

// writeWorkspace writes ws with its text privacy settings, changed by u
// first when u changes anything.
func (s *Server) writeWorkspace(ctx context.Context, w http.ResponseWriter, ws *cxm.Workspace, u *cxm.TextPrivacyUpdate) error {
	out := workspaceWithPrivacy{Workspace: ws}
	if s.svc.TextPrivacy != nil {
		var err error
		if u != nil && !u.Empty() {
			out.TextPrivacy, err = s.svc.TextPrivacy.UpdateTextPrivacy(ctx, ws.ID, *u)
		} else {
			out.TextPrivacy, err = s.svc.TextPrivacy.TextPrivacy(ctx, ws.ID)
		}
		if err != nil {
			return err
		}
	} else if u != nil && !u.Empty() {
		return cxm.Errorf(cxm.EUnsupported, "text privacy settings are not configured on this server")
	}
	return writeJSON(w, http.StatusOK, out)
}
