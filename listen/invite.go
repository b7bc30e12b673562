package listen

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail"
)

// jobInvitation returns the invitation a job is about, or nil when it no
// longer exists (its workspace was deleted): then there is nothing to do.
func (l *Listener) jobInvitation(ctx context.Context, j *cxm.Job) (*cxm.Invitation, error) {
	var p cxm.InvitationJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.InvitationID <= 0 {
		return nil, jobs.Permanent(fmt.Errorf("listen: job %d: payload names no invitation", j.ID))
	}
	inv, err := l.cfg.Invitations.FindInvitation(ctx, j.WorkspaceID, p.InvitationID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		l.log.Warn("listen: invitation of job is gone", "job", j.ID, "invitation", p.InvitationID)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return inv, nil
}

// load returns the invitation's survey and customer; nil for one that
// no longer exists.
func (l *Listener) load(ctx context.Context, inv *cxm.Invitation) (*cxm.Survey, *cxm.Customer, error) {
	sv, err := l.cfg.Surveys.FindSurvey(ctx, inv.WorkspaceID, inv.SurveyID)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		sv, err = nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("listen: find survey: %w", err)
	}
	var c *cxm.Customer
	if inv.CustomerID != 0 {
		c, err = l.cfg.Customers.FindCustomer(ctx, inv.WorkspaceID, inv.CustomerID)
		if cxm.ErrorCode(err) == cxm.ENotFound {
			c, err = nil, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("listen: find customer: %w", err)
		}
	}
	return sv, c, nil
}

// save stores a change of inv. When the invitation changed meanwhile, it
// reads it again and applies change once more, as long as change reports
// that it still applies; a change that no longer applies stores nothing.
func (l *Listener) save(ctx context.Context, inv *cxm.Invitation, change func(*cxm.Invitation) bool) error {
	for attempt := 0; ; attempt++ {
		if !change(inv) {
			return nil
		}
		err := l.cfg.Invitations.UpdateInvitation(ctx, inv)
		if cxm.ErrorCode(err) != cxm.EConflict || attempt == 3 {
			if err != nil {
				return fmt.Errorf("listen: save invitation %d: %w", inv.ID, err)
			}
			return nil
		}
		fresh, err := l.cfg.Invitations.FindInvitation(ctx, inv.WorkspaceID, inv.ID)
		if err != nil {
			return fmt.Errorf("listen: save invitation %d: %w", inv.ID, err)
		}
		*inv = *fresh
	}
}

// skip marks the scheduled invitation skipped for reason.
func (l *Listener) skip(ctx context.Context, inv *cxm.Invitation, reason string) error {
	l.log.Info("listen: invitation skipped", "workspace", inv.WorkspaceID, "invitation", inv.ID, "reason", reason)
	return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
		if inv.Status != cxm.InvitationScheduled {
			return false
		}
		inv.Skip(reason)
		inv.ContactedAt = nil
		return true
	})
}

// Invite runs a survey.invite job at the invitation's due time. It skips
// the invitation, recording why, when the survey is not open, the
// customer is gone, or (for email) has not agreed to email or has no
// address, or when the contact rules forbid asking. An email invitation
// then claims the contact and is sent: on success it becomes sent and its
// reminder is scheduled; a bounce makes it bounced and a permanent
// failure failed, with the error kept; a temporary failure returns the
// error, so that the job is retried with backoff, and marks the
// invitation failed on the last attempt. A widget invitation becomes
// waiting, for the widget to show at the next visit.
func (l *Listener) Invite(ctx context.Context, j *cxm.Job) error {
	inv, err := l.jobInvitation(ctx, j)
	if inv == nil || err != nil {
		return err
	}
	if inv.Status == cxm.InvitationSent {
		// An earlier run sent it and stopped before its job was recorded.
		sv, _, err := l.load(ctx, inv)
		if err != nil || sv == nil {
			return err
		}
		return l.scheduleReminder(ctx, inv, sv)
	}
	if inv.Status != cxm.InvitationScheduled {
		return nil
	}
	now := l.now()
	sv, c, err := l.load(ctx, inv)
	if err != nil {
		return err
	}
	if reason := inv.SkipReasonAt(sv, c, now); reason != "" {
		return l.skip(ctx, inv, reason)
	}
	if !now.Before(inv.ExpiresAt) {
		return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
			inv.Status = cxm.InvitationExpired
			return true
		})
	}
	if inv.Channel == cxm.InviteWidget {
		return l.inviteWidget(ctx, inv, sv, now)
	}
	return l.inviteEmail(ctx, j, inv, sv, now)
}

// inviteWidget makes a widget invitation wait for the customer's next
// visit, unless the contact rules forbid asking now. The contact itself
// is claimed when the widget shows it.
func (l *Listener) inviteWidget(ctx context.Context, inv *cxm.Invitation, sv *cxm.Survey, now time.Time) error {
	ws, err := l.cfg.Workspaces.FindWorkspaceByID(ctx, inv.WorkspaceID)
	if err != nil {
		return fmt.Errorf("listen: find workspace: %w", err)
	}
	anyAt, thisAt, err := l.cfg.Invitations.LastContact(ctx, inv.WorkspaceID, inv.CustomerID, inv.SurveyID)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if reason := cxm.ContactSkipReason(ws.ContactFrequencyDays, sv.RecontactDays, anyAt, thisAt, now); reason != "" {
		return l.skip(ctx, inv, reason)
	}
	return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
		if inv.Status != cxm.InvitationScheduled {
			return false
		}
		inv.Status = cxm.InvitationWaiting
		return true
	})
}

// inviteEmail claims the contact and sends the invitation email.
func (l *Listener) inviteEmail(ctx context.Context, j *cxm.Job, inv *cxm.Invitation, sv *cxm.Survey, now time.Time) error {
	if l.cfg.Mailer == nil {
		return l.temporaryFailure(ctx, j, inv, errNoMailer)
	}
	claimed, err := l.cfg.Invitations.ClaimContact(ctx, inv.WorkspaceID, inv.ID, cxm.InvitationScheduled, now)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if claimed.Status == cxm.InvitationSkipped {
		l.log.Info("listen: invitation skipped", "workspace", inv.WorkspaceID, "invitation", inv.ID, "reason", claimed.SkipReason)
		return nil
	}
	// The claim read the customer's current address and consent.
	_, c, err := l.load(ctx, claimed)
	if err != nil {
		return err
	}
	if c == nil {
		return l.skip(ctx, claimed, cxm.SkipCustomerGone)
	}
	msg, err := l.message(ctx, mail.TemplateSurveyInvitation, claimed, sv, c, claimed.Email, now)
	if err != nil {
		return l.permanentFailure(ctx, claimed, err)
	}
	err = l.cfg.Mailer.Send(ctx, msg)
	switch {
	case err == nil:
		err = l.save(ctx, claimed, func(inv *cxm.Invitation) bool {
			if inv.Status != cxm.InvitationScheduled {
				return false
			}
			inv.Status, inv.SentAt, inv.LastError = cxm.InvitationSent, &now, ""
			return true
		})
		if err != nil {
			return err
		}
		return l.scheduleReminder(ctx, claimed, sv)
	case mail.IsBounce(err):
		l.log.Info("listen: invitation bounced", "workspace", inv.WorkspaceID, "invitation", inv.ID, "err", err)
		return l.save(ctx, claimed, func(inv *cxm.Invitation) bool {
			if inv.Status != cxm.InvitationScheduled {
				return false
			}
			inv.Status, inv.LastError, inv.ContactedAt = cxm.InvitationBounced, errorText(err), nil
			return true
		})
	case mail.IsTemporary(err):
		return l.temporaryFailure(ctx, j, claimed, err)
	}
	return l.permanentFailure(ctx, claimed, err)
}

// temporaryFailure records a failure that a retry may mend and returns
// it, so that the job runs again after a backoff. On the job's last
// attempt the invitation becomes failed, and its contact is released.
func (l *Listener) temporaryFailure(ctx context.Context, j *cxm.Job, inv *cxm.Invitation, cause error) error {
	last := j.Attempts >= j.MaxAttempts
	err := l.save(ctx, inv, func(inv *cxm.Invitation) bool {
		if inv.Status != cxm.InvitationScheduled {
			return false
		}
		inv.LastError = errorText(cause)
		if last {
			inv.Status, inv.ContactedAt = cxm.InvitationFailed, nil
		}
		return true
	})
	if err != nil {
		l.log.Error("listen: record failure", "invitation", inv.ID, "err", err)
	}
	return cause
}

// permanentFailure marks the invitation failed for a reason no retry can
// mend, such as a message the mail server refuses, and releases its
// contact. The job is done: sending again would fail again.
func (l *Listener) permanentFailure(ctx context.Context, inv *cxm.Invitation, cause error) error {
	l.log.Error("listen: invitation failed", "workspace", inv.WorkspaceID, "invitation", inv.ID, "err", cause)
	return l.save(ctx, inv, func(inv *cxm.Invitation) bool {
		if inv.Status != cxm.InvitationScheduled {
			return false
		}
		inv.Status, inv.LastError, inv.ContactedAt = cxm.InvitationFailed, errorText(cause), nil
		return true
	})
}

// scheduleReminder enqueues the one reminder of a sent email invitation,
// the survey's ReminderDays after it was sent, unless the survey sends
// none or it went out already.
func (l *Listener) scheduleReminder(ctx context.Context, inv *cxm.Invitation, sv *cxm.Survey) error {
	if sv.ReminderDays <= 0 || inv.RemindedAt != nil || inv.SentAt == nil {
		return nil
	}
	payload, err := json.Marshal(cxm.InvitationJob{InvitationID: inv.ID})
	if err != nil {
		return err
	}
	j := &cxm.Job{WorkspaceID: inv.WorkspaceID, Kind: cxm.JobSurveyReminder, Payload: payload,
		UniqueKey: strconv.FormatInt(inv.ID, 10), RunAt: inv.SentAt.Add(time.Duration(sv.ReminderDays) * 24 * time.Hour)}
	if _, err := l.cfg.Jobs.EnqueueJob(ctx, j); err != nil {
		return fmt.Errorf("listen: schedule reminder of invitation %d: %w", inv.ID, err)
	}
	return nil
}

// errorText returns err's text bounded for the invitation's last error.
func errorText(err error) string {
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "")
}
