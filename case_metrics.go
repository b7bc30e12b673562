package cxm

import (
	"context"
	"time"
)

// CaseFact is what the closed-loop figures need of one case.
type CaseFact struct {
	ID           int64
	TeamID       int64
	TouchpointID int64
	Status       CaseStatus
	CreatedAt    time.Time
	// FirstRespondedAt and ResolvedAt are nil until they happen.
	FirstRespondedAt *time.Time
	ResolvedAt       *time.Time
	// HasSLA says the case had at least one SLA deadline.
	HasSLA bool
	// Breached says the case missed its first-response or resolution target.
	Breached bool
	// SLADecided says whether the case's SLA outcome is known: it is
	// resolved or closed, or breached, or every deadline has passed.
	SLADecided     bool
	ResolutionType ResolutionType
	Amount         float64
	Currency       string
	// Detractor says the response that opened the case was a detractor's.
	Detractor bool
	// NextNPS is the customer's first NPS answer after the case was
	// resolved, or nil when there is none yet.
	NextNPS *int
}

// CaseMetricsService reads the facts behind the closed-loop figures.
type CaseMetricsService interface {
	// CaseFacts returns the facts of the workspace's cases created in
	// [from, to), judging deadlines against now.
	CaseFacts(ctx context.Context, workspaceID int64, from, to, now time.Time) ([]CaseFact, error)
	// OpenCaseFacts returns the facts of every open case of the
	// workspace, for the backlog.
	OpenCaseFacts(ctx context.Context, workspaceID int64, now time.Time) ([]CaseFact, error)
}
