package cxm

import (
	"context"
	"time"
)

// BusinessHours is one weekday's working time in the workspace's time
// zone, such as Monday 09:00 to 17:00. A weekday without hours is closed.
type BusinessHours struct {
	Weekday time.Weekday `json:"weekday"`
	// Start and End are clock times "15:04"; End is after Start.
	Start string `json:"start"`
	End   string `json:"end"`
}

// SLATarget is the time a priority allows, in business minutes.
type SLATarget struct {
	FirstResponseMinutes int `json:"first_response_minutes"`
	ResolutionMinutes    int `json:"resolution_minutes"`
}

// RootCause is one entry of a workspace's list of root causes.
type RootCause struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// EscalationPolicy says what happens when a case misses an SLA target,
// besides recording the breach and notifying.
type EscalationPolicy struct {
	RaisePriority bool `json:"raise_priority"`
	// TeamID and AssigneeID, when non-zero, take breached cases over.
	TeamID     int64 `json:"team_id,omitempty"`
	AssigneeID int64 `json:"assignee_id,omitempty"`
	// Notify lists where breaches are announced besides the live feed.
	Notify []NotifyTarget `json:"notify,omitempty"`
}

// CaseSettings are a workspace's rules for working cases: its business
// calendar, the SLA per priority, its root causes and its escalation.
type CaseSettings struct {
	WorkspaceID int64           `json:"-"`
	Hours       []BusinessHours `json:"hours"`
	// Holidays are closed days, as dates "2006-01-02".
	Holidays   []string                   `json:"holidays"`
	SLA        map[CasePriority]SLATarget `json:"sla"`
	RootCauses []RootCause                `json:"root_causes"`
	Escalation EscalationPolicy           `json:"escalation"`
	UpdatedAt  time.Time                  `json:"updated_at"`
}

// CaseSettingsService keeps each workspace's case settings; a workspace
// that set none gets sensible defaults (Monday to Friday 09:00–17:00, no
// holidays, an SLA for every priority, a short list of root causes).
type CaseSettingsService interface {
	CaseSettings(ctx context.Context, workspaceID int64) (*CaseSettings, error)
	// UpdateCaseSettings validates and replaces the settings, naming every
	// bad field.
	UpdateCaseSettings(ctx context.Context, s *CaseSettings) error
}
