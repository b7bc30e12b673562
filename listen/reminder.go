package listen

import (
	"context"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail"
)

// Remind runs a survey.reminder job: it sends the one reminder of an
// email invitation that is still sent (not answered, bounced or
// reminded), not expired, to a customer who still agrees to email, while
// the survey is open. It records reminded_at; an expired invitation
// becomes expired instead. A temporary failure returns the error for a
// retry; a bounce or other permanent failure is kept as the last error,
// and the invitation stays usable, since its first email went through.
func (l *Listener) Remind(ctx context.Context, j *cxm.Job) error {
	inv, err := l.jobInvitation(ctx, j)
	if inv == nil || err != nil {
		return err
	}
	if inv.Status != cxm.InvitationSent || inv.RemindedAt != nil {
		return nil
	}
	now := l.now()
	if !now.Before(inv.ExpiresAt) {
		return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
			if inv.Status != cxm.InvitationSent {
				return false
			}
			inv.Status = cxm.InvitationExpired
			return true
		})
	}
	sv, c, err := l.load(ctx, inv)
	if err != nil {
		return err
	}
	if reason := inv.SkipReasonAt(sv, c, now); reason != "" {
		l.log.Info("listen: no reminder", "workspace", inv.WorkspaceID, "invitation", inv.ID, "reason", reason)
		return nil
	}
	if l.cfg.Mailer == nil {
		return errNoMailer
	}
	msg, err := l.message(ctx, mail.TemplateSurveyReminder, inv, sv, c, c.Email, now)
	if err != nil {
		l.log.Error("listen: render reminder", "invitation", inv.ID, "err", err)
		return nil
	}
	err = l.cfg.Mailer.Send(ctx, msg)
	switch {
	case err == nil:
		return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
			if inv.RemindedAt != nil {
				return false
			}
			inv.RemindedAt = &now
			return true
		})
	case mail.IsTemporary(err):
		return err
	}
	// A bounce or another permanent failure: the first email went through,
	// so its link stays usable; the failure is kept.
	l.log.Warn("listen: reminder failed", "invitation", inv.ID, "bounce", mail.IsBounce(err), "err", err)
	return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
		inv.LastError = "reminder: " + errorText(err)
		return true
	})
}
