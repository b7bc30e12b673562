package sla

import (
	"fmt"
	"time"

	"github.com/cxmhq/cxm"
)

// Deadlines returns when a case of the given priority, opened at from,
// is due for its first response and its resolution, counted in business
// minutes of the settings' calendar in loc. A target of zero minutes, or a
// priority without a target, has no deadline: its result is the zero
// time. An unknown priority and settings with a bad calendar are errors.
func Deadlines(settings *cxm.CaseSettings, loc *time.Location, priority cxm.CasePriority, from time.Time) (firstResponse, resolution time.Time, err error) {
	if settings == nil {
		return time.Time{}, time.Time{}, fmt.Errorf("sla: deadlines: no case settings")
	}
	if !priority.Valid() {
		return time.Time{}, time.Time{}, cxm.Invalid(cxm.FieldError{Field: "priority", Reason: "must be low, normal, high or urgent"})
	}
	target, ok := settings.SLA[priority]
	if !ok || (target.FirstResponseMinutes <= 0 && target.ResolutionMinutes <= 0) {
		return time.Time{}, time.Time{}, nil
	}
	cal, err := NewCalendar(loc, settings.Hours, settings.Holidays)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("sla: deadlines: %w", err)
	}
	if target.FirstResponseMinutes > 0 {
		firstResponse = cal.Add(from, time.Duration(target.FirstResponseMinutes)*time.Minute)
	}
	if target.ResolutionMinutes > 0 {
		resolution = cal.Add(from, time.Duration(target.ResolutionMinutes)*time.Minute)
	}
	return firstResponse, resolution, nil
}
