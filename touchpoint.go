package cxm

import (
	"context"
	"fmt"
	"time"
)

// Channel is the medium of a touchpoint.
type Channel string

// The channels a touchpoint can have.
const (
	ChannelWeb      Channel = "web"
	ChannelApp      Channel = "app"
	ChannelEmail    Channel = "email"
	ChannelPhone    Channel = "phone"
	ChannelStore    Channel = "store"
	ChannelSocial   Channel = "social"
	ChannelChat     Channel = "chat"
	ChannelMail     Channel = "mail"
	ChannelDelivery Channel = "delivery"
	ChannelOther    Channel = "other"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWeb, ChannelApp, ChannelEmail, ChannelPhone, ChannelStore,
	ChannelSocial, ChannelChat, ChannelMail, ChannelDelivery, ChannelOther}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Online reports whether the channel is usually online.
func (c Channel) Online() bool {
	switch c {
	case ChannelWeb, ChannelApp, ChannelEmail, ChannelSocial, ChannelChat:
		return true
	}
	return false
}

// Touchpoint is a place where a customer meets the company, online or offline.
type Touchpoint struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	StageID     int64  `json:"stage_id"`
	// StageKey names the stage; on create it may be given instead of StageID
	// and is then looked up in the default journey.
	StageKey    string  `json:"stage"`
	Channel     Channel `json:"channel"`
	Online      bool    `json:"online"`
	Description string  `json:"description"`
	// Targets holds the touchpoint's target per feedback metric (nps, csat,
	// ces, rating), in the metric's units, for example {"nps": 40}.
	Targets   map[string]float64 `json:"targets,omitempty"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

// Validate checks every field the caller sets.
func (t *Touchpoint) Validate() error {
	var errs FieldErrors
	if !ValidSlug(t.Key) {
		errs.Add("key", "must be 1-63 lower-case letters, digits or hyphens")
	}
	if t.Name == "" || !ValidText(t.Name, 200) {
		errs.Add("name", "must be valid text of 1-200 bytes")
	}
	if t.StageID == 0 && t.StageKey == "" {
		errs.Add("stage", "is required")
	}
	if !t.Channel.Valid() {
		errs.Add("channel", "must be one of web, app, email, phone, store, social, chat, mail, delivery, other")
	}
	if !ValidText(t.Description, 2000) {
		errs.Add("description", "must be valid text of at most 2000 bytes")
	}
	validateTargets(t.Targets, &errs)
	return errs.Err()
}

// TouchpointUpdate holds the fields to change; nil fields stay as they are.
type TouchpointUpdate struct {
	Name        *string  `json:"name"`
	StageID     *int64   `json:"stage_id"`
	StageKey    *string  `json:"stage"`
	Channel     *Channel `json:"channel"`
	Online      *bool    `json:"online"`
	Description *string  `json:"description"`
	// Targets replaces all targets; an empty object removes them.
	Targets *map[string]float64 `json:"targets"`
}

// Apply changes t by u. A new stage key clears the stage id so that it is looked up again.
func (u TouchpointUpdate) Apply(t *Touchpoint) {
	if u.Name != nil {
		t.Name = *u.Name
	}
	if u.StageID != nil {
		t.StageID, t.StageKey = *u.StageID, ""
	}
	if u.StageKey != nil {
		t.StageID, t.StageKey = 0, *u.StageKey
	}
	if u.Channel != nil {
		t.Channel = *u.Channel
	}
	if u.Online != nil {
		t.Online = *u.Online
	}
	if u.Description != nil {
		t.Description = *u.Description
	}
	if u.Targets != nil {
		t.Targets = *u.Targets
	}
}

// TargetRanges maps each feedback metric that can carry a target to the
// range of its values: NPS −100…100, CSAT 0…100 %, CES 1…7, rating 1…5.
var TargetRanges = map[string][2]float64{
	"nps": {-100, 100}, "csat": {0, 100}, "ces": {1, 7}, "rating": {1, 5},
}

// validateTargets checks that every target names a known metric and lies
// in its range.
func validateTargets(targets map[string]float64, errs *FieldErrors) {
	for m, v := range targets {
		r, ok := TargetRanges[m]
		switch {
		case !ok:
			errs.Add("targets."+m, "is not a metric; use nps, csat, ces or rating")
		case v < r[0] || v > r[1] || v != v:
			errs.Add("targets."+m, fmt.Sprintf("must lie between %g and %g", r[0], r[1]))
		}
	}
}

// TouchpointService stores touchpoints.
type TouchpointService interface {
	// CreateTouchpoint stores t; a key already in use is EConflict, an unknown stage EInvalid.
	CreateTouchpoint(ctx context.Context, t *Touchpoint) error
	FindTouchpoint(ctx context.Context, workspaceID, id int64) (*Touchpoint, error)
	FindTouchpointByKey(ctx context.Context, workspaceID int64, key string) (*Touchpoint, error)
	ListTouchpoints(ctx context.Context, workspaceID int64) ([]*Touchpoint, error)
	UpdateTouchpoint(ctx context.Context, workspaceID, id int64, u TouchpointUpdate) (*Touchpoint, error)
	// DeleteTouchpoint removes a touchpoint that no interaction uses; otherwise EConflict.
	DeleteTouchpoint(ctx context.Context, workspaceID, id int64) error
}
