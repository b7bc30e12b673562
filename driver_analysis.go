package cxm

import (
	"context"
	"fmt"
	"time"
)

// DriverFamily names a group of candidate drivers of the loyalty answer.
type DriverFamily string

// The families of drivers a driver analysis can look at.
const (
	// DriverTouchpoints are the customer's experiences at each touchpoint
	// in the window before the answer: their mean feedback score there
	// (DriverTouchpointScore) and whether a problem happened there
	// (DriverExperienceFlag).
	DriverTouchpoints DriverFamily = "touchpoints"
	// DriverAttributes are the customer's attributes: numbers as they
	// are, booleans as 0/1, and strings with few values as 0/1 dummies.
	DriverAttributes DriverFamily = "attributes"
	// DriverTopics are the topics mentioned in the response's own free
	// text: -1 mentioned negatively, 0 not mentioned or neutrally, +1
	// mentioned positively.
	DriverTopics DriverFamily = "topics"
)

// DriverFamilies lists every driver family, in the order an analysis
// builds them.
var DriverFamilies = []DriverFamily{DriverTouchpoints, DriverAttributes, DriverTopics}

// ParseDriverFamily returns the family named s, or an error naming the
// families there are.
func ParseDriverFamily(s string) (DriverFamily, error) {
	for _, f := range DriverFamilies {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%q is not one of touchpoints, attributes, topics", s)
}

// DriverKind says what a driver column measures.
type DriverKind string

// The kinds of driver columns.
const (
	// DriverTouchpointScore is the customer's mean CSAT, CES and rating
	// answer at a touchpoint in the window, each put on 0..1 by its scale.
	DriverTouchpointScore DriverKind = "touchpoint_score"
	// DriverExperienceFlag is 1 when the customer had an interaction of
	// a problem type at a touchpoint in the window, else 0.
	DriverExperienceFlag DriverKind = "experience_flag"
	// DriverAttributeNumber is a numeric attribute as it is.
	DriverAttributeNumber DriverKind = "attribute_number"
	// DriverAttributeBool is a boolean attribute as 0/1.
	DriverAttributeBool DriverKind = "attribute_bool"
	// DriverAttributeLevel is 1 when a string attribute has one value,
	// against the reference level.
	DriverAttributeLevel DriverKind = "attribute_level"
	// DriverTopic is a topic's signed mention in the response's text.
	DriverTopic DriverKind = "topic"
)

// ExperienceFlagTypes are the interaction types that become experience
// flags: a complaint, a return or a call at a touchpoint is a moment that
// can sour a relationship. An interaction of any type whose properties say
// "late": true (a late delivery) becomes the flag "late" of its touchpoint.
//
// Why flags as well as scores: in a typical workspace (and in the demo)
// most customers who answer the NPS survey have not answered a CSAT, CES
// or rating survey at another touchpoint in the window before, so
// touchpoint scores cover few of them and listwise deletion leaves few
// rows. Interactions are recorded for everyone, so the flags cover every
// identified customer.
var ExperienceFlagTypes = []string{"complaint", "return", "call"}

// LateProperty is the interaction property that marks a late experience,
// such as a parcel delivered after its promised day.
const LateProperty = "late"

// Defaults and bounds of a driver analysis.
const (
	// DefaultDriverWindow is how far before the answer touchpoint
	// experiences count.
	DefaultDriverWindow = 90 * 24 * time.Hour
	// MaxDriverRows is the largest number of outcome answers an analysis
	// reads; the oldest in the period are taken first, and the table says
	// when it was capped.
	MaxDriverRows = 200_000
	// MinDriverCoverage is the smallest share of the outcome rows a
	// touchpoint score or a numeric or boolean attribute must cover to be
	// used (and it must cover at least min n rows).
	MinDriverCoverage = 0.30
	// MinFlagShare is the smallest share of the identified outcome rows
	// in which an experience flag must be set to be used.
	MinFlagShare = 0.01
	// MinTopicShare is the smallest share of the outcome rows that must
	// mention a topic for it to be used.
	MinTopicShare = 0.05
	// MaxAttributeLevels is the largest number of distinct values a
	// string attribute may have to become dummies.
	MaxAttributeLevels = 10
	// NoAttributeValue is the level of a string attribute a customer
	// does not have.
	NoAttributeValue = "(none)"
)

// DriverQuery selects what a driver analysis looks at.
type DriverQuery struct {
	WorkspaceID int64
	// From and To bound the completion time of the outcome answers to
	// [From, To); a zero time leaves that end open.
	From, To time.Time
	// SurveyID limits the outcome to one survey, which must ask an NPS
	// question; zero means every NPS answer in the period.
	SurveyID int64
	// Method is the method of relative importance the caller will use,
	// "relative_weights" or "lmg"; the table does not depend on it.
	Method string
	// MinN is the smallest number of rows a driver must cover; zero or
	// less means 30.
	MinN int
	// Families are the driver families to build; empty means all.
	Families []DriverFamily
	// Window is how far before the answer touchpoint experiences count;
	// zero means DefaultDriverWindow.
	Window time.Duration
	// MaxRows caps the outcome rows; zero or less means MaxDriverRows.
	MaxRows int
}

// DriverColumn is one candidate driver: a value per outcome row.
type DriverColumn struct {
	// Name identifies the driver, such as "touchpoint:delivery",
	// "flag:delivery:late", "attribute:loyalty_tier=gold" or
	// "topic:delivery".
	Name string `json:"name"`
	// Label describes the driver for people.
	Label  string       `json:"label"`
	Family DriverFamily `json:"family"`
	Kind   DriverKind   `json:"kind"`
	// Reference is the level a dummy is compared with.
	Reference string `json:"reference,omitempty"`
	// Values holds one value per outcome row; NaN marks a missing value.
	Values []float64 `json:"-"`
	// Low and High are the ends of the driver's scale; equal when the
	// observed range is to be used.
	Low  float64 `json:"-"`
	High float64 `json:"-"`
	// Covered counts the rows with a value.
	Covered int `json:"covered"`
}

// ExcludedDriver is a candidate driver left out of the analysis, and why.
type ExcludedDriver struct {
	Name   string       `json:"name"`
	Family DriverFamily `json:"family"`
	Reason string       `json:"reason"`
}

// DriverTable is the input of a key driver analysis: the NPS answer (0..10)
// of each outcome response and the drivers' values for it.
type DriverTable struct {
	// Outcome holds the NPS answers, one per row.
	Outcome []float64
	Drivers []DriverColumn
	// Excluded lists the candidates left out, with the reason.
	Excluded []ExcludedDriver
	// Identified counts the rows whose response belongs to a known
	// customer; touchpoint and attribute drivers are missing for the rest.
	Identified int
	// Capped is set when the period held more than MaxRows answers and
	// only the oldest MaxRows were read.
	Capped bool
	// Window is how far before the answer touchpoint experiences counted.
	Window time.Duration
}

// DriverAnalysisService builds the table of a key driver analysis of the
// loyalty answer. A survey not in the workspace is ENotFound; one without
// an NPS question is EInvalid on "survey".
type DriverAnalysisService interface {
	// DriverTable reads the outcome answers of the query and builds the
	// driver columns of the families asked for, leaving out (and listing)
	// the candidates that cover too few rows.
	DriverTable(ctx context.Context, q DriverQuery) (*DriverTable, error)
}
