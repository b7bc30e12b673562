package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/sla"
)

func TestCaseSettingsDefaultsAndUpdate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		got, err := db.CaseSettings(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := sla.DefaultSettings(w.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("defaults = %+v, want %+v", got, want)
		}

		team := &cxm.Team{WorkspaceID: w.ID, Key: "care", Name: "Care"}
		if err := db.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		s := sla.DefaultSettings(w.ID)
		s.Hours = []cxm.BusinessHours{{Weekday: time.Saturday, Start: "10:00", End: "14:00"}}
		s.Holidays = []string{"2025-12-25"}
		s.SLA = map[cxm.CasePriority]cxm.SLATarget{cxm.PriorityUrgent: {FirstResponseMinutes: 15, ResolutionMinutes: 120}}
		s.RootCauses = []cxm.RootCause{{Key: "late", Name: "Late"}}
		s.Escalation = cxm.EscalationPolicy{TeamID: team.ID, Notify: []cxm.NotifyTarget{{Kind: "email", Email: "lead@example.com"}}}
		if err := db.UpdateCaseSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		if s.UpdatedAt.IsZero() {
			t.Error("UpdatedAt not set")
		}
		got, err = db.CaseSettings(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("read back %+v, want %+v", got, s)
		}
		// A second update replaces the first.
		s.RootCauses = append(s.RootCauses, cxm.RootCause{Key: "rude", Name: "Rude"})
		if err := db.UpdateCaseSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.CaseSettings(ctx, w.ID); len(got.RootCauses) != 2 {
			t.Errorf("root causes after second update = %v, want 2", got.RootCauses)
		}
		// The other workspace still has the defaults.
		if got, _ := db.CaseSettings(ctx, other.ID); !reflect.DeepEqual(got, sla.DefaultSettings(other.ID)) {
			t.Errorf("other workspace = %+v, want defaults", got)
		}
	})
}

func TestCaseSettingsRefusesBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w := mustCreateWorkspace(t, db, "acme")
		other := mustCreateWorkspace(t, db, "other")
		foreign := &cxm.Team{WorkspaceID: other.ID, Key: "care", Name: "Care"}
		if err := db.CreateTeam(ctx, foreign); err != nil {
			t.Fatal(err)
		}
		stranger := mustCreateUser(t, db, "stranger@example.com")
		tests := []struct {
			name   string
			change func(s *cxm.CaseSettings)
			want   []string
		}{
			{"bad hours", func(s *cxm.CaseSettings) { s.Hours[0].End = "08:00" }, []string{"hours[0].end"}},
			{"unknown priority", func(s *cxm.CaseSettings) { s.SLA["asap"] = cxm.SLATarget{} }, []string{"sla.asap"}},
			{"team of another workspace", func(s *cxm.CaseSettings) { s.Escalation.TeamID = foreign.ID }, []string{"escalation.team_id"}},
			{"assignee not a member", func(s *cxm.CaseSettings) { s.Escalation.AssigneeID = stranger.ID }, []string{"escalation.assignee_id"}},
			{"unknown webhook", func(s *cxm.CaseSettings) {
				s.Escalation.Notify = []cxm.NotifyTarget{{Kind: "webhook", WebhookID: 999999}}
			}, []string{"escalation.notify[0].webhook_id"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := sla.DefaultSettings(w.ID)
				s.RootCauses = s.RootCauses[:1]
				tt.change(s)
				err := db.UpdateCaseSettings(ctx, s)
				if cxm.ErrorCode(err) != cxm.EInvalid {
					t.Fatalf("err = %v, want invalid", err)
				}
				var fields []string
				for _, f := range cxm.ErrorFields(err) {
					fields = append(fields, f.Field)
				}
				if !reflect.DeepEqual(fields, tt.want) {
					t.Errorf("fields = %v, want %v", fields, tt.want)
				}
				got, err := db.CaseSettings(ctx, w.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, sla.DefaultSettings(w.ID)) {
					t.Errorf("a refused update wrote %+v", got)
				}
			})
		}
	})
}
