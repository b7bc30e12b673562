package cxm

import (
	"context"
	"time"
)

// TopicResponseAnalyzed is published once the text analysis of a
// completed response is stored, so that alert rules about sentiment and
// topics can look at it.
const TopicResponseAnalyzed = "response.analyzed"

// JobAlertDigest is the kind of the durable job that sends one rule's
// digest notification at the end of its window.
const JobAlertDigest = "alert.digest"

// Limits of an alert rule's fields.
const (
	// MaxAlertCondition is the longest condition, in bytes.
	MaxAlertCondition = 2000
	// MaxAlertDigestMinutes is the longest digest window: one day.
	MaxAlertDigestMinutes = 24 * 60
	// MaxAlertTargets is how many targets a rule may notify.
	MaxAlertTargets = 20
)

// AlertOpenCase is the action of opening a case when a rule fires.
type AlertOpenCase struct {
	Priority CasePriority `json:"priority"`
	// TeamID is the team that gets the case; zero leaves it unowned.
	TeamID int64 `json:"team_id,omitempty"`
	// Title is the case's title; empty means the rule's name.
	Title string `json:"title,omitempty"`
}

// AlertActions are what a rule does when it fires.
type AlertActions struct {
	// OpenCase, when set, opens a case for the response.
	OpenCase *AlertOpenCase `json:"open_case,omitempty"`
	// Notify lists where notifications go besides the live feed, which
	// always gets them.
	Notify []NotifyTarget `json:"notify"`
}

// AlertRule watches every completed response of a workspace: when its
// condition holds, it opens a case and notifies the team.
type AlertRule struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Name        string `json:"name"`
	// Condition is an expression over the response's facts, such as
	// `nps_class == "detractor" && touchpoint.key == "delivery"`.
	Condition string       `json:"condition"`
	Enabled   bool         `json:"enabled"`
	Actions   AlertActions `json:"actions"`
	// DigestMinutes, when above zero, collects the rule's alerts and
	// sends one digest notification per window of that many minutes
	// instead of one per alert; cases still open at once.
	DigestMinutes int       `json:"digest_minutes"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Validate checks every field but the condition's meaning, which the
// alert package checks when it compiles it.
func (r *AlertRule) Validate() error {
	var errs FieldErrors
	if r.Name == "" {
		errs.Add("name", "is required")
	} else if !ValidText(r.Name, MaxTextLength) {
		errs.Add("name", "must be valid text of at most 200 bytes")
	}
	switch {
	case r.Condition == "":
		errs.Add("condition", "is required")
	case len(r.Condition) > MaxAlertCondition:
		errs.Add("condition", "must be at most 2000 bytes")
	case !ValidText(r.Condition, MaxAlertCondition):
		errs.Add("condition", "must be valid text")
	}
	if r.DigestMinutes < 0 || r.DigestMinutes > MaxAlertDigestMinutes {
		errs.Add("digest_minutes", "must be between 0 and 1440")
	}
	if oc := r.Actions.OpenCase; oc != nil {
		if !oc.Priority.Valid() {
			errs.Add("actions.open_case.priority", "must be low, normal, high or urgent")
		}
		if oc.TeamID < 0 {
			errs.Add("actions.open_case.team_id", "must be a team id")
		}
		if !ValidText(oc.Title, MaxTextLength) {
			errs.Add("actions.open_case.title", "must be valid text of at most 200 bytes")
		}
	}
	if len(r.Actions.Notify) > MaxAlertTargets {
		errs.Add("actions.notify", "must list at most 20 targets")
	}
	for i, t := range r.Actions.Notify {
		f := "actions.notify[" + itoa(i) + "]"
		switch t.Kind {
		case "email":
			if !ValidEmail(t.Email) {
				errs.Add(f+".email", "must be an email address")
			}
		case "webhook", "chat":
			if t.WebhookID <= 0 {
				errs.Add(f+".webhook_id", "is required for a webhook or chat target")
			}
		default:
			errs.Add(f+".kind", "must be email, webhook or chat")
		}
	}
	return errs.Err()
}

// AlertFiring records that a rule fired for a response. It is stored
// before the rule's actions run, once per rule and response, so that a
// response never opens two cases for the same rule.
type AlertFiring struct {
	WorkspaceID int64  `json:"-"`
	RuleID      int64  `json:"rule_id"`
	ResponseID  string `json:"response_id"`
	// CaseID is the case the firing opened, once it is open.
	CaseID  int64     `json:"case_id,omitempty"`
	FiredAt time.Time `json:"fired_at"`
	// NotifiedAt is set once the firing went out, alone or in a digest.
	NotifiedAt *time.Time `json:"notified_at,omitempty"`
}

// AlertRuleService keeps alert rules and their firings.
type AlertRuleService interface {
	// CreateAlertRule stores r; a name already in use is EConflict.
	CreateAlertRule(ctx context.Context, r *AlertRule) error
	FindAlertRule(ctx context.Context, workspaceID, id int64) (*AlertRule, error)
	// ListAlertRules returns the workspace's rules by name; with
	// enabledOnly only those switched on.
	ListAlertRules(ctx context.Context, workspaceID int64, enabledOnly bool) ([]*AlertRule, error)
	// UpdateAlertRule replaces the rule with r.ID by r.
	UpdateAlertRule(ctx context.Context, r *AlertRule) error
	// DeleteAlertRule removes a rule and its firings.
	DeleteAlertRule(ctx context.Context, workspaceID, id int64) error
	// RecordAlertFiring stores f and reports true, or reports false when
	// the rule already fired for the response.
	RecordAlertFiring(ctx context.Context, f *AlertFiring) (bool, error)
	// SetAlertFiringCase links a firing to the case it opened.
	SetAlertFiringCase(ctx context.Context, workspaceID, ruleID int64, responseID string, caseID int64) error
	// MarkAlertFiringNotified marks a firing as sent, alone.
	MarkAlertFiringNotified(ctx context.Context, workspaceID, ruleID int64, responseID string, at time.Time) error
	// TakeAlertDigest marks the rule's firings before until that are not
	// yet sent as sent at until, and returns them, oldest first; those
	// marked with the same until already are returned again, for a retry.
	TakeAlertDigest(ctx context.Context, workspaceID, ruleID int64, until time.Time) ([]*AlertFiring, error)
}

// AlertMention is one topic mention in a response's text, as a rule sees it.
type AlertMention struct {
	Topic     string  `json:"topic"`
	Term      string  `json:"term"`
	Sentiment float64 `json:"sentiment"`
	Label     string  `json:"label"`
}

// AlertInteractionCount counts a customer's interactions of one type at
// touchpoints of one channel up to a response's completion.
type AlertInteractionCount struct {
	Type    string  `json:"type"`
	Channel Channel `json:"channel"`
	// Last7, Last30 and Last90 count those of the last 7, 30 and 90 days;
	// All counts every one.
	Last7, Last30, Last90, All int
	// Value sums their values.
	Value float64
}

// AlertFacts are the stored facts an alert rule sees about one completed
// response: the response, its survey and touchpoint, its customer and the
// customer's interactions before it.
type AlertFacts struct {
	WorkspaceID int64
	ResponseID  string
	SurveyID    int64
	SurveySlug  string
	// TouchpointID is zero, and the key, stage and channel empty, for a
	// response without a touchpoint.
	TouchpointID  int64
	TouchpointKey string
	Stage         string
	Channel       Channel
	Locale        string
	Answers       Answers
	NPS           *int
	NPSClass      NPSClass
	CSAT          *int
	CES           *int
	Rating        *int
	// HasText tells whether the response has a free-text answer, which the
	// text analysis will look at.
	HasText     bool
	CompletedAt time.Time
	// Analysis is the response's text analysis; nil until it is stored.
	Analysis *TextAnalysis
	// CustomerID is zero for an anonymous response.
	CustomerID         int64
	CustomerExternalID string
	CustomerAttributes map[string]any
	// Interactions count the customer's interactions up to CompletedAt,
	// by type and channel.
	Interactions []AlertInteractionCount
}

// AlertFactSource loads the facts alert rules look at.
type AlertFactSource interface {
	// AlertFacts returns the facts of the workspace's completed responses
	// with ids, in no particular order; unknown or incomplete ones are left out.
	AlertFacts(ctx context.Context, workspaceID int64, responseIDs []string) ([]*AlertFacts, error)
	// RecentAlertFacts returns the facts of up to limit of the
	// workspace's responses completed in [from, to), newest first.
	RecentAlertFacts(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]*AlertFacts, error)
}
