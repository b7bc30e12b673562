package cxm

import (
	"context"
	"time"
)

// CaseStatus is where a case stands in its lifecycle.
type CaseStatus string

// The statuses of a case, in lifecycle order.
const (
	CaseNew        CaseStatus = "new"
	CaseInProgress CaseStatus = "in_progress"
	// CaseWaiting means waiting on the customer; the SLA clocks pause.
	CaseWaiting  CaseStatus = "waiting"
	CaseResolved CaseStatus = "resolved"
	CaseClosed   CaseStatus = "closed"
)

// caseTransitions lists the statuses each status may move to. A resolved
// case may be reopened; a closed one is final.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseNew:        {CaseInProgress, CaseWaiting, CaseResolved, CaseClosed},
	CaseInProgress: {CaseWaiting, CaseResolved, CaseClosed},
	CaseWaiting:    {CaseInProgress, CaseResolved, CaseClosed},
	CaseResolved:   {CaseInProgress, CaseClosed},
	CaseClosed:     {},
}

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool {
	_, ok := caseTransitions[s]
	return ok
}

// CanMoveTo reports whether a case may move from s to t.
func (s CaseStatus) CanMoveTo(t CaseStatus) bool {
	for _, n := range caseTransitions[s] {
		if n == t {
			return true
		}
	}
	return false
}

// Open reports whether a case in status s still needs work.
func (s CaseStatus) Open() bool { return s == CaseNew || s == CaseInProgress || s == CaseWaiting }

// CasePriority is how urgent a case is.
type CasePriority string

// The priorities of a case, lowest first.
const (
	PriorityLow    CasePriority = "low"
	PriorityNormal CasePriority = "normal"
	PriorityHigh   CasePriority = "high"
	PriorityUrgent CasePriority = "urgent"
)

// CasePriorities lists the priorities, lowest first.
var CasePriorities = []CasePriority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p CasePriority) Valid() bool { return p.rank() >= 0 }

// rank returns p's place in CasePriorities, or −1.
func (p CasePriority) rank() int {
	for i, q := range CasePriorities {
		if q == p {
			return i
		}
	}
	return -1
}

// Raised returns the next higher priority; urgent stays urgent.
func (p CasePriority) Raised() CasePriority {
	if r := p.rank(); r >= 0 && r < len(CasePriorities)-1 {
		return CasePriorities[r+1]
	}
	return p
}

// ResolutionType is what was done for the customer.
type ResolutionType string

// The resolution types.
const (
	ResolutionRefund   ResolutionType = "refund"
	ResolutionDiscount ResolutionType = "discount" // a discount or voucher
	ResolutionApology  ResolutionType = "apology"
	ResolutionCallback ResolutionType = "callback"
	ResolutionFix      ResolutionType = "fix"
	ResolutionNone     ResolutionType = "no_action"
)

// Valid reports whether t is a known resolution type.
func (t ResolutionType) Valid() bool {
	switch t {
	case ResolutionRefund, ResolutionDiscount, ResolutionApology, ResolutionCallback, ResolutionFix, ResolutionNone:
		return true
	}
	return false
}

// CaseResolution is how a case was resolved.
type CaseResolution struct {
	// RootCause is a key from the workspace's list of root causes.
	RootCause string         `json:"root_cause"`
	Type      ResolutionType `json:"type"`
	// Amount is the money given, in Currency, for refunds and discounts.
	Amount   float64 `json:"amount,omitempty"`
	Currency string  `json:"currency,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// Case is one unhappy customer's follow-up, from the moment it is opened
// by a rule or by hand until it is closed.
type Case struct {
	ID          int64        `json:"id"`
	WorkspaceID int64        `json:"-"`
	Title       string       `json:"title"`
	Status      CaseStatus   `json:"status"`
	Priority    CasePriority `json:"priority"`
	// TeamID and AssigneeID are zero while nobody owns the case.
	TeamID     int64 `json:"team_id,omitempty"`
	AssigneeID int64 `json:"assignee_id,omitempty"`
	// The case's links: the response that opened it, its customer and
	// touchpoint, and the alert rule that fired; each zero or empty when
	// there is none.
	ResponseID   string `json:"response_id,omitempty"`
	CustomerID   int64  `json:"customer_id,omitempty"`
	TouchpointID int64  `json:"touchpoint_id,omitempty"`
	RuleID       int64  `json:"rule_id,omitempty"`
	// FirstResponseDue and ResolutionDue are the SLA deadlines, counted
	// in the workspace's business hours; nil without an SLA.
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
	// FirstRespondedAt is the first reply to the customer or move out of
	// new; ResolvedAt the last move to resolved.
	FirstRespondedAt *time.Time `json:"first_responded_at,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	// Breached lists the SLA targets missed: "first_response", "resolution".
	Breached   []string        `json:"breached"`
	Resolution *CaseResolution `json:"resolution,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// CaseEvent is one entry of a case's append-only timeline: who changed
// what, when, from which value to which.
type CaseEvent struct {
	ID     int64 `json:"id"`
	CaseID int64 `json:"case_id"`
	// ActorUserID is the user who acted; zero for the system (a rule, an
	// escalation) or an API key.
	ActorUserID int64 `json:"actor_user_id,omitempty"`
	// Kind is created, status, priority, team, assignee, note, reply,
	// resolution, breach or escalation.
	Kind string `json:"kind"`
	// Old and New are the field's values before and after, as text.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Body is the text of a note or reply.
	Body string    `json:"body,omitempty"`
	At   time.Time `json:"at"`
}

// CaseUpdate changes a case's fields; nil fields stay as they are. A
// Resolution is required to move to resolved.
type CaseUpdate struct {
	Status     *CaseStatus     `json:"status"`
	Priority   *CasePriority   `json:"priority"`
	TeamID     *int64          `json:"team_id"`
	AssigneeID *int64          `json:"assignee_id"`
	Title      *string         `json:"title"`
	Resolution *CaseResolution `json:"resolution"`
}

// CaseFilter selects cases of a workspace.
type CaseFilter struct {
	Statuses   []CaseStatus
	Priorities []CasePriority
	// TeamIDs keeps the cases of these teams; with Unowned also those of
	// no team. An agent's list is limited to their teams this way.
	TeamIDs []int64
	Unowned bool
	// OrAssignedTo, when set, also keeps the cases assigned to this user
	// whatever their team, so that an agent sees what was handed to them.
	OrAssignedTo int64
	AssigneeID   int64
	CustomerID   int64
	// Breached keeps only cases that missed an SLA target.
	Breached bool
	Page     Page
}

// Escalation is what the SLA clock does to a case that missed a target:
// it records the breach, and may raise the priority and reassign.
type Escalation struct {
	// Target is "first_response" or "resolution".
	Target        string
	RaisePriority bool
	// TeamID and AssigneeID, when non-zero, take the case over.
	TeamID     int64
	AssigneeID int64
	At         time.Time
}

// CaseService keeps cases and their timelines. Every change appends to
// the timeline in the same transaction, with the actor.
type CaseService interface {
	// CreateCase stores a new case (status new) with its created event;
	// a case for a response that already has an open case is EConflict.
	CreateCase(ctx context.Context, c *Case, actorUserID int64) error
	FindCase(ctx context.Context, workspaceID, id int64) (*Case, error)
	ListCases(ctx context.Context, workspaceID int64, f CaseFilter) ([]*Case, string, error)
	// UpdateCase applies u, checking the lifecycle, and appends one event
	// per changed field.
	UpdateCase(ctx context.Context, workspaceID, id int64, u CaseUpdate, actorUserID int64) (*Case, error)
	// AddCaseNote appends an internal note (kind note) or a reply sent to
	// the customer (kind reply); the first reply marks the first response.
	AddCaseNote(ctx context.Context, workspaceID, caseID int64, kind, body string, actorUserID int64) (*CaseEvent, error)
	// CaseTimeline returns the case's events, oldest first.
	CaseTimeline(ctx context.Context, workspaceID, caseID int64) ([]*CaseEvent, error)
	// CasesDue returns open cases of every workspace whose unmet SLA
	// deadline lies at or before t and is not yet recorded as breached.
	CasesDue(ctx context.Context, t time.Time, limit int) ([]*Case, error)
	// EscalateCase records a breach and applies the escalation, once per
	// target; a second call for the same target changes nothing.
	EscalateCase(ctx context.Context, workspaceID, id int64, e Escalation) (*Case, error)
}
