package listen

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail"
)

// SurveyLink returns the signed link of an invitation's survey page,
// {PublicURL}/s/{slug}?t={token}, valid until the invitation expires.
func (l *Listener) SurveyLink(inv *cxm.Invitation, sv *cxm.Survey) string {
	token := l.cfg.Signer.Sign(cxm.SignedRef{Purpose: cxm.PurposeSurvey, WorkspaceID: inv.WorkspaceID, ID: inv.ID, Expires: inv.ExpiresAt})
	return l.baseURL + "/s/" + url.PathEscape(sv.Slug) + "?t=" + token
}

// UnsubscribeLink returns the signed link {PublicURL}/u/{token} that
// withdraws the consent to email of the invitation's customer, valid for
// UnsubscribeTTL from now.
func (l *Listener) UnsubscribeLink(inv *cxm.Invitation, now time.Time) string {
	token := l.cfg.Signer.Sign(cxm.SignedRef{Purpose: cxm.PurposeUnsubscribe, WorkspaceID: inv.WorkspaceID, ID: inv.ID, Expires: now.Add(UnsubscribeTTL)})
	return l.baseURL + "/u/" + token
}

// message renders template name (the invitation or the reminder) in the
// invitation's language for customer c at address to, with the survey
// link, the unsubscribe link and a List-Unsubscribe header. Its
// Message-ID is fixed per invitation and template, so that a message sent
// twice after a crash can be recognised as one.
func (l *Listener) message(ctx context.Context, name string, inv *cxm.Invitation, sv *cxm.Survey, c *cxm.Customer, to string, now time.Time) (*mail.Message, error) {
	ws, err := l.cfg.Workspaces.FindWorkspaceByID(ctx, inv.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("find workspace: %w", err)
	}
	unsubscribe := l.UnsubscribeLink(inv, now)
	data := mail.SurveyInvitation{
		Name:           c.Name,
		Company:        ws.Name,
		SurveyTitle:    sv.Title.In(inv.Locale, sv.DefaultLocale),
		SurveyURL:      l.SurveyLink(inv, sv),
		UnsubscribeURL: unsubscribe,
	}
	r, err := l.cfg.Templates.Render(name, inv.Locale, data)
	if err != nil {
		return nil, err
	}
	m := r.Message(mail.Address{Name: c.Name, Email: to})
	m.SetUnsubscribe(unsubscribe)
	m.MessageID = fmt.Sprintf("%s-%d@%s", name, inv.ID, l.msgDomain)
	return m, nil
}
