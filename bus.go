package cxm

import (
	"context"
	"encoding/json"
	"time"
)

// Event topics published on the bus.
const (
	// TopicResponseCompleted is published once for every completed response.
	TopicResponseCompleted = "response.completed"
	// TopicInteractionsIngested is published for every stored batch of interactions.
	TopicInteractionsIngested = "interactions.ingested"
)

// Event is a message on the bus about something that happened in a workspace.
type Event struct {
	Topic       string `json:"topic"`
	WorkspaceID int64  `json:"workspace_id"`
	// ID identifies the event, so that a subscriber can ignore a redelivery.
	ID   string          `json:"id"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Bus carries events from those who record facts to those who act on
// them: alert rules, survey triggers, campaigns. It runs in process on one
// node and on NATS JetStream in a cluster.
type Bus interface {
	// Publish delivers e to every subscriber of its topic.
	Publish(ctx context.Context, e Event) error
	// Subscribe calls fn for each event of topic until ctx ends.
	Subscribe(ctx context.Context, topic string, fn func(context.Context, Event) error) error
}
