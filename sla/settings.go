package sla

import (
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"time"

	"github.com/cxmhq/cxm"
)

// Limits on the size of case settings.
const (
	maxHours      = 70
	maxHolidays   = 1000
	maxRootCauses = 200
	maxNotify     = 20
	maxNameLen    = 100
	// maxMinutes is one year of minutes, far past any sensible target.
	maxMinutes = 366 * 24 * 60
)

// rootCauseKey is the pattern of a root cause key.
var rootCauseKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// DefaultSettings returns the settings of a workspace that set none:
// Monday to Friday 09:00–17:00 with no holidays; SLA targets in business
// time of urgent 1 hour to first response and 8 hours to resolution, high
// 4 hours and 2 business days (16 hours), normal 8 hours and 5 business
// days (40 hours), low 2 business days and 10 business days (80 hours);
// the root causes delivery_delay, product_defect, staff_behaviour,
// billing_error, website_issue and other; and an escalation that raises
// the priority of a breached case and reassigns nobody.
func DefaultSettings(workspaceID int64) *cxm.CaseSettings {
	const day = 8 * 60 // one business day in minutes
	s := &cxm.CaseSettings{
		WorkspaceID: workspaceID,
		Holidays:    []string{},
		SLA: map[cxm.CasePriority]cxm.SLATarget{
			cxm.PriorityUrgent: {FirstResponseMinutes: 60, ResolutionMinutes: day},
			cxm.PriorityHigh:   {FirstResponseMinutes: 4 * 60, ResolutionMinutes: 2 * day},
			cxm.PriorityNormal: {FirstResponseMinutes: day, ResolutionMinutes: 5 * day},
			cxm.PriorityLow:    {FirstResponseMinutes: 2 * day, ResolutionMinutes: 10 * day},
		},
		RootCauses: []cxm.RootCause{
			{Key: "delivery_delay", Name: "Delivery delay"},
			{Key: "product_defect", Name: "Product defect"},
			{Key: "staff_behaviour", Name: "Staff behaviour"},
			{Key: "billing_error", Name: "Billing error"},
			{Key: "website_issue", Name: "Website issue"},
			{Key: "other", Name: "Other"},
		},
		Escalation: cxm.EscalationPolicy{RaisePriority: true},
	}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		s.Hours = append(s.Hours, cxm.BusinessHours{Weekday: wd, Start: "09:00", End: "17:00"})
	}
	return s
}

// Validate checks case settings and returns an EInvalid error naming every
// bad field, such as hours[2].end, holidays[0], sla.someday,
// sla.high.resolution_minutes, root_causes[3].key or
// escalation.notify[0].email. It does not change s.
func Validate(s *cxm.CaseSettings) error {
	var fe cxm.FieldErrors
	if len(s.Hours) > maxHours {
		fe.Add("hours", fmt.Sprintf("at most %d entries", maxHours))
	}
	if len(s.Holidays) > maxHolidays {
		fe.Add("holidays", fmt.Sprintf("at most %d entries", maxHolidays))
	}
	if len(fe) == 0 {
		if _, err := NewCalendar(time.UTC, s.Hours, s.Holidays); err != nil {
			fe = append(fe, cxm.ErrorFields(err)...)
		}
	}
	keys := make([]string, 0, len(s.SLA))
	for p := range s.SLA {
		keys = append(keys, string(p))
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := cxm.CasePriority(k)
		t := s.SLA[p]
		field := "sla." + k
		if !p.Valid() {
			fe.Add(field, "unknown priority; use low, normal, high or urgent")
			continue
		}
		okF := checkMinutes(&fe, field+".first_response_minutes", t.FirstResponseMinutes)
		okR := checkMinutes(&fe, field+".resolution_minutes", t.ResolutionMinutes)
		if okF && okR && t.FirstResponseMinutes > 0 && t.ResolutionMinutes > 0 && t.ResolutionMinutes < t.FirstResponseMinutes {
			fe.Add(field+".resolution_minutes", "must not be shorter than first_response_minutes")
		}
	}
	if len(s.RootCauses) == 0 {
		fe.Add("root_causes", "at least one root cause is required")
	}
	if len(s.RootCauses) > maxRootCauses {
		fe.Add("root_causes", fmt.Sprintf("at most %d entries", maxRootCauses))
	}
	seen := make(map[string]int, len(s.RootCauses))
	for i, rc := range s.RootCauses {
		field := fmt.Sprintf("root_causes[%d]", i)
		if !rootCauseKey.MatchString(rc.Key) {
			fe.Add(field+".key", "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter")
		} else if j, dup := seen[rc.Key]; dup {
			fe.Add(field+".key", fmt.Sprintf("duplicates root_causes[%d].key", j))
		} else {
			seen[rc.Key] = i
		}
		if rc.Name == "" || len([]rune(rc.Name)) > maxNameLen {
			fe.Add(field+".name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
	}
	e := s.Escalation
	if e.TeamID < 0 {
		fe.Add("escalation.team_id", "must be a team id or 0")
	}
	if e.AssigneeID < 0 {
		fe.Add("escalation.assignee_id", "must be a user id or 0")
	}
	if len(e.Notify) > maxNotify {
		fe.Add("escalation.notify", fmt.Sprintf("at most %d targets", maxNotify))
	}
	for i, t := range e.Notify {
		field := fmt.Sprintf("escalation.notify[%d]", i)
		switch t.Kind {
		case "email":
			if a, err := mail.ParseAddress(t.Email); err != nil || a.Address != t.Email {
				fe.Add(field+".email", "must be an email address")
			}
		case "webhook", "chat":
			if t.WebhookID <= 0 {
				fe.Add(field+".webhook_id", "must name a webhook of the workspace")
			}
		default:
			fe.Add(field+".kind", "must be email, webhook or chat")
		}
	}
	return fe.Err()
}

// checkMinutes records a bad minute count and reports whether n is good.
func checkMinutes(fe *cxm.FieldErrors, field string, n int) bool {
	if n < 0 || n > maxMinutes {
		fe.Add(field, fmt.Sprintf("must be 0 (no target) to %d minutes", maxMinutes))
		return false
	}
	return true
}
