package listen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cxmhq/cxm"
)

// workspaceTriggers are a workspace's active surveys that have a trigger,
// with the workspace, as read at one time.
type workspaceTriggers struct {
	ws      *cxm.Workspace
	surveys []*cxm.Survey
	readAt  time.Time
}

// triggers returns the workspace's triggered surveys, from the cache while
// it is fresh.
func (l *Listener) triggers(ctx context.Context, workspaceID int64) (*workspaceTriggers, error) {
	now := time.Now()
	if l.cfg.CacheTTL > 0 {
		l.mu.Lock()
		wt := l.cache[workspaceID]
		l.mu.Unlock()
		if wt != nil && now.Sub(wt.readAt) < l.cfg.CacheTTL {
			return wt, nil
		}
	}
	ws, err := l.cfg.Workspaces.FindWorkspaceByID(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("find workspace: %w", err)
	}
	wt := &workspaceTriggers{ws: ws, readAt: now}
	f := cxm.SurveyFilter{Status: cxm.SurveyActive, Page: cxm.Page{Limit: cxm.MaxPageLimit}}
	for {
		page, next, err := l.cfg.Surveys.ListSurveys(ctx, workspaceID, f)
		if err != nil {
			return nil, fmt.Errorf("list surveys: %w", err)
		}
		for _, s := range page {
			if s.Trigger != nil {
				wt.surveys = append(wt.surveys, s)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if l.cfg.CacheTTL > 0 {
		l.mu.Lock()
		l.cache[workspaceID] = wt
		l.mu.Unlock()
	}
	return wt, nil
}

// HandleEvent handles one interactions.ingested event: its data is a JSON
// array of the stored interactions, with at least their id, customer_id,
// touchpoint, type and occurred_at.
func (l *Listener) HandleEvent(ctx context.Context, e cxm.Event) error {
	if e.Topic != cxm.TopicInteractionsIngested {
		return nil
	}
	var batch []*cxm.Interaction
	if err := json.Unmarshal(e.Data, &batch); err != nil {
		return fmt.Errorf("listen: decode event %s: %w", e.ID, err)
	}
	_, err := l.Trigger(ctx, e.WorkspaceID, batch)
	return err
}

// Trigger creates the invitations that the interactions of batch trigger
// in the workspace and returns them: one per interaction and active
// survey whose trigger names the interaction's type and touchpoint, due
// the trigger's delay after the interaction, through the trigger's
// channel, in the customer's language (else the workspace's). Hidden
// fields of the survey are filled from interaction properties of the same
// name, as stored. An interaction whose due time lies more than MaxAge ago invites
// nobody. An anonymous interaction, a customer not drawn by the survey's
// sampling, or a customer deleted meanwhile gives a skipped invitation
// with its reason; the others are scheduled with a survey.invite job.
// The same interaction again (a replay) changes nothing.
func (l *Listener) Trigger(ctx context.Context, workspaceID int64, batch []*cxm.Interaction) ([]*cxm.Invitation, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	wt, err := l.triggers(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("listen: trigger: %w", err)
	}
	if len(wt.surveys) == 0 {
		return nil, nil
	}
	now := l.now()
	type match struct {
		in  *cxm.Interaction
		s   *cxm.Survey
		due time.Time
	}
	var matches []match
	var eventIDs []string
	for _, in := range batch {
		found := false
		for _, s := range wt.surveys {
			t := s.Trigger
			if t.InteractionType != in.Type || t.Touchpoint != in.Touchpoint {
				continue
			}
			due := in.OccurredAt.Add(time.Duration(t.DelayMinutes) * time.Minute)
			if due.Before(now.Add(-l.cfg.MaxAge)) {
				continue
			}
			matches, found = append(matches, match{in: in, s: s, due: due}), true
		}
		if found {
			eventIDs = append(eventIDs, in.ID)
		}
	}
	if len(matches) == 0 {
		return nil, nil
	}
	refs, err := l.cfg.Interactions.InteractionRefs(ctx, workspaceID, eventIDs)
	if err != nil {
		return nil, fmt.Errorf("listen: trigger: %w", err)
	}
	customers := map[int64]*cxm.Customer{}
	var out []*cxm.Invitation
	var errs []error
	wake := false
	for _, m := range matches {
		ref := refs[m.in.ID]
		rowID := ref.RowID
		if rowID == 0 {
			l.log.Warn("listen: triggering interaction not found", "workspace", workspaceID, "interaction", m.in.ID)
			continue
		}
		inv := &cxm.Invitation{WorkspaceID: workspaceID, SurveyID: m.s.ID, CustomerID: m.in.CustomerID,
			Touchpoint: m.s.Trigger.Touchpoint, Channel: m.s.Trigger.Channel, InteractionID: rowID,
			Locale: wt.ws.DefaultLocale, Hidden: hiddenFrom(m.s, ref.Properties), DueAt: m.due}
		switch c, err := l.customer(ctx, customers, workspaceID, m.in.CustomerID); {
		case err != nil:
			errs = append(errs, err)
			continue
		case m.in.CustomerID == 0:
			inv.Skip(cxm.SkipAnonymous)
		case c == nil:
			inv.CustomerID = 0
			inv.Skip(cxm.SkipCustomerGone)
		default:
			if c.Locale != "" {
				inv.Locale = c.Locale
			}
			if !Sampled(m.s, c.ID, rowID) {
				inv.Skip(cxm.SkipSampling)
			}
		}
		created, err := l.cfg.Invitations.ScheduleInvitation(ctx, inv, cxm.JobSurveyInvite)
		if err != nil {
			errs = append(errs, fmt.Errorf("survey %d, interaction %s: %w", m.s.ID, m.in.ID, err))
			continue
		}
		if !created {
			continue
		}
		if inv.Status == cxm.InvitationSkipped {
			l.log.Debug("listen: invitation skipped", "workspace", workspaceID, "survey", m.s.ID, "interaction", m.in.ID, "reason", inv.SkipReason)
		} else if !inv.DueAt.After(now) {
			wake = true
		}
		out = append(out, inv)
	}
	if wake && l.cfg.Wake != nil {
		l.cfg.Wake()
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("listen: trigger: %w", err)
	}
	return out, nil
}

// customer returns the workspace's customer id through the cache seen,
// nil when there is none (anonymous or deleted).
func (l *Listener) customer(ctx context.Context, seen map[int64]*cxm.Customer, workspaceID, id int64) (*cxm.Customer, error) {
	if id == 0 {
		return nil, nil
	}
	if c, ok := seen[id]; ok {
		return c, nil
	}
	c, err := l.cfg.Customers.FindCustomer(ctx, workspaceID, id)
	if cxm.ErrorCode(err) == cxm.ENotFound {
		c, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find customer %d: %w", id, err)
	}
	seen[id] = c
	return c, nil
}

// Sampled reports whether the survey's sampling draws the customer for
// the interaction with rowID. The draw is a hash of the three ids, so it
// is the same every time it is asked, on every node, and spreads evenly.
func Sampled(s *cxm.Survey, customerID, rowID int64) bool {
	if s.SamplingPercent >= 100 {
		return true
	}
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], uint64(s.ID))
	binary.BigEndian.PutUint64(b[8:], uint64(customerID))
	binary.BigEndian.PutUint64(b[16:], uint64(rowID))
	sum := sha256.Sum256(b[:])
	return binary.BigEndian.Uint64(sum[:8])%100 < uint64(max(s.SamplingPercent, 0))
}

// hiddenFrom fills the survey's hidden fields from the interaction's
// properties of the same name that hold a string, number or boolean.
// Values that are not valid short text are left out.
func hiddenFrom(s *cxm.Survey, properties json.RawMessage) map[string]string {
	out := map[string]string{}
	if len(s.HiddenFields) == 0 || len(properties) == 0 {
		return out
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(properties, &props) != nil {
		return out
	}
	for _, name := range s.HiddenFields {
		raw, ok := props[name]
		if !ok || len(out) >= cxm.MaxInvitationHidden {
			continue
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			continue
		}
		var str string
		switch v := v.(type) {
		case string:
			str = v
		case json.Number:
			str = v.String()
		case bool:
			str = strconv.FormatBool(v)
		default:
			continue
		}
		if str != "" && cxm.ValidText(str, cxm.MaxTextLength) {
			out[name] = str
		}
	}
	return out
}
