package sla

import (
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

func TestDeadlinesDefaults(t *testing.T) {
	loc := berlin(t)
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2024, m, d, hh, mm, 0, 0, loc) }
	s := DefaultSettings(1)
	s.Holidays = []string{"2024-04-01"}
	// Opened on Thursday 28 March 2024 at 15:30, the day before Easter
	// weekend; Monday 1 April is a holiday and clocks change on Sunday.
	from := at(3, 28, 15, 30)
	tests := []struct {
		p                 cxm.CasePriority
		wantFirst, wantRe time.Time
	}{
		// 1h: 15:30 → 16:30. 8h: 1.5h on Thursday, Friday 09:00 + 6.5h.
		{cxm.PriorityUrgent, at(3, 28, 16, 30), at(3, 29, 15, 30)},
		// 4h: 1.5h Thu, Fri 09:00 + 2.5h. 16h: Thu 1.5, Fri 8, Tue 6.5.
		{cxm.PriorityHigh, at(3, 29, 11, 30), at(4, 2, 15, 30)},
		// 8h: Fri 15:30. 40h: 1.5 + Fri 8 + Tue..Thu 24 + Fri 5 April 6.5.
		{cxm.PriorityNormal, at(3, 29, 15, 30), at(4, 5, 15, 30)},
		// 16h: Tue 2 April 15:30. 80h: one week more than normal's 40h.
		{cxm.PriorityLow, at(4, 2, 15, 30), at(4, 12, 15, 30)},
	}
	for _, tt := range tests {
		t.Run(string(tt.p), func(t *testing.T) {
			first, res, err := Deadlines(s, loc, tt.p, from)
			if err != nil {
				t.Fatal(err)
			}
			if !first.Equal(tt.wantFirst) || !res.Equal(tt.wantRe) {
				t.Errorf("Deadlines = %v, %v; want %v, %v", first.In(loc), res.In(loc), tt.wantFirst, tt.wantRe)
			}
		})
	}
}

func TestDeadlinesEdges(t *testing.T) {
	loc := berlin(t)
	from := time.Date(2024, 6, 3, 10, 0, 0, 0, loc)
	s := DefaultSettings(1)
	s.SLA = map[cxm.CasePriority]cxm.SLATarget{cxm.PriorityHigh: {ResolutionMinutes: 90}}
	first, res, err := Deadlines(s, loc, cxm.PriorityHigh, from)
	if err != nil || !first.IsZero() || !res.Equal(from.Add(90*time.Minute)) {
		t.Errorf("no first-response target: got %v, %v, %v", first, res, err)
	}
	first, res, err = Deadlines(s, loc, cxm.PriorityLow, from)
	if err != nil || !first.IsZero() || !res.IsZero() {
		t.Errorf("priority without SLA: got %v, %v, %v", first, res, err)
	}
	if _, _, err := Deadlines(s, loc, "someday", from); cxm.ErrorCode(err) != cxm.EInvalid {
		t.Errorf("unknown priority: err = %v, want invalid", err)
	}
	s.Hours = nil
	if _, _, err := Deadlines(s, loc, cxm.PriorityHigh, from); err == nil {
		t.Error("settings without hours: no error")
	}
	if _, _, err := Deadlines(nil, loc, cxm.PriorityHigh, from); err == nil {
		t.Error("nil settings: no error")
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(DefaultSettings(1)); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	tests := []struct {
		name   string
		change func(s *cxm.CaseSettings)
		want   []string
	}{
		{"bad hours", func(s *cxm.CaseSettings) { s.Hours[2].End = "08:00" }, []string{"hours[2].end"}},
		{"bad holiday", func(s *cxm.CaseSettings) { s.Holidays = []string{"2025-13-01"} }, []string{"holidays[0]"}},
		{"unknown priority", func(s *cxm.CaseSettings) { s.SLA["critical"] = cxm.SLATarget{FirstResponseMinutes: 5} }, []string{"sla.critical"}},
		{"negative minutes", func(s *cxm.CaseSettings) {
			s.SLA[cxm.PriorityHigh] = cxm.SLATarget{FirstResponseMinutes: -1, ResolutionMinutes: 10}
		}, []string{"sla.high.first_response_minutes"}},
		{"resolution before response", func(s *cxm.CaseSettings) {
			s.SLA[cxm.PriorityLow] = cxm.SLATarget{FirstResponseMinutes: 60, ResolutionMinutes: 30}
		}, []string{"sla.low.resolution_minutes"}},
		{"root cause key", func(s *cxm.CaseSettings) { s.RootCauses[1].Key = "Product Defect" }, []string{"root_causes[1].key"}},
		{"duplicate key", func(s *cxm.CaseSettings) { s.RootCauses[3].Key = "delivery_delay" }, []string{"root_causes[3].key"}},
		{"empty name", func(s *cxm.CaseSettings) { s.RootCauses[0].Name = "" }, []string{"root_causes[0].name"}},
		{"no root causes", func(s *cxm.CaseSettings) { s.RootCauses = nil }, []string{"root_causes"}},
		{"escalation", func(s *cxm.CaseSettings) {
			s.Escalation = cxm.EscalationPolicy{TeamID: -1, Notify: []cxm.NotifyTarget{
				{Kind: "email", Email: "nobody"}, {Kind: "chat"}, {Kind: "pager"},
			}}
		}, []string{"escalation.team_id", "escalation.notify[0].email", "escalation.notify[1].webhook_id", "escalation.notify[2].kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultSettings(1)
			tt.change(s)
			err := Validate(s)
			if cxm.ErrorCode(err) != cxm.EInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for _, f := range cxm.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}
