package cxm

import (
	"context"
	"time"
)

// Journey is an ordered list of stages a customer passes through.
type Journey struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	// IsDefault marks the journey that touchpoints join when none is named.
	IsDefault bool      `json:"is_default"`
	Stages    []Stage   `json:"stages"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Stage is one step of a journey, with a name per locale.
type Stage struct {
	ID       int64         `json:"id"`
	Key      string        `json:"key"`
	Position int           `json:"position"`
	Names    LocalizedText `json:"names"`
}

// DefaultStages returns the five stages of the default journey.
func DefaultStages() []Stage {
	return []Stage{
		{Key: "awareness", Position: 1, Names: LocalizedText{"de": "Aufmerksamkeit", "en": "Awareness"}},
		{Key: "consideration", Position: 2, Names: LocalizedText{"de": "Abwägung", "en": "Consideration"}},
		{Key: "purchase", Position: 3, Names: LocalizedText{"de": "Kauf", "en": "Purchase"}},
		{Key: "receipt", Position: 4, Names: LocalizedText{"de": "Erhalt", "en": "Receipt and use"}},
		{Key: "advocacy", Position: 5, Names: LocalizedText{"de": "Befürwortung", "en": "Advocacy"}},
	}
}

// Validate checks the journey and numbers its stages in the order given.
func (j *Journey) Validate() error {
	var errs FieldErrors
	if !ValidSlug(j.Key) {
		errs.Add("key", "must be 1-63 lower-case letters, digits or hyphens")
	}
	if j.Name == "" || !ValidText(j.Name, 200) {
		errs.Add("name", "must be valid text of 1-200 bytes")
	}
	if len(j.Stages) == 0 || len(j.Stages) > 20 {
		errs.Add("stages", "must list 1-20 stages")
	}
	seen := map[string]bool{}
	for i := range j.Stages {
		s := &j.Stages[i]
		s.Position = i + 1
		field := "stages[" + itoa(i) + "]"
		if !ValidSlug(s.Key) {
			errs.Add(field+".key", "must be 1-63 lower-case letters, digits or hyphens")
		} else if seen[s.Key] {
			errs.Add(field+".key", "is used twice")
		}
		seen[s.Key] = true
		if s.Names.In("en", "de") == "" {
			errs.Add(field+".names", "must give a name in de or en")
		}
		for l, n := range s.Names {
			if !ValidLocale(l) {
				errs.Add(field+".names."+l, "locale must be de or en")
			} else if !ValidText(n, 100) {
				errs.Add(field+".names."+l, "must be valid text of at most 100 bytes")
			}
		}
	}
	return errs.Err()
}

// Stage returns the stage with key, or nil.
func (j *Journey) Stage(key string) *Stage {
	for i := range j.Stages {
		if j.Stages[i].Key == key {
			return &j.Stages[i]
		}
	}
	return nil
}

// JourneyService stores journeys and their stages.
type JourneyService interface {
	CreateJourney(ctx context.Context, j *Journey) error
	FindJourney(ctx context.Context, workspaceID, id int64) (*Journey, error)
	ListJourneys(ctx context.Context, workspaceID int64) ([]*Journey, error)
	// UpdateJourney replaces name and stages. Stages are matched by key; a
	// removed stage that touchpoints still use is EConflict.
	UpdateJourney(ctx context.Context, j *Journey) error
	// DeleteJourney removes a journey whose stages no touchpoint uses.
	DeleteJourney(ctx context.Context, workspaceID, id int64) error
}
