package web_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// caseSettingsReply is the body of GET and PUT /api/v1/case-settings.
type caseSettingsReply struct {
	Default  bool   `json:"default"`
	TimeZone string `json:"time_zone"`
	cxm.CaseSettings
}

// goodCaseSettings returns a valid PUT body with root cause name.
func goodCaseSettings(name string) map[string]any {
	return map[string]any{
		"hours": []map[string]any{
			{"weekday": 1, "start": "08:00", "end": "12:00"},
			{"weekday": 1, "start": "13:00", "end": "18:00"},
			{"weekday": 6, "start": "10:00", "end": "14:00"},
		},
		"holidays": []string{"2026-12-24"},
		"sla": map[string]any{
			"urgent": map[string]int{"first_response_minutes": 30, "resolution_minutes": 240},
			"low":    map[string]int{"first_response_minutes": 0, "resolution_minutes": 4800},
		},
		"root_causes": []map[string]string{{"key": "late_parcel", "name": name}, {"key": "other", "name": "Other"}},
		"escalation":  map[string]any{"raise_priority": true, "notify": []map[string]any{{"kind": "email", "email": "lead@acme.example"}}},
	}
}

func TestCaseSettingsAPI(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		var got caseSettingsReply
		e.call("GET", "/api/v1/case-settings", e.a.readKey, nil, 200).decode(t, &got)
		if !got.Default || len(got.Hours) != 5 || got.SLA[cxm.PriorityUrgent].FirstResponseMinutes != 60 || len(got.RootCauses) != 6 || got.TimeZone == "" {
			t.Fatalf("defaults = %+v", got)
		}

		e.call("PUT", "/api/v1/case-settings", e.a.writeKey, goodCaseSettings("Late parcel"), 200).decode(t, &got)
		var again caseSettingsReply
		e.call("GET", "/api/v1/case-settings", e.a.readKey, nil, 200).decode(t, &again)
		if again.Default || len(again.Hours) != 3 || again.Hours[2].Weekday != 6 || again.SLA[cxm.PriorityUrgent].FirstResponseMinutes != 30 ||
			again.RootCauses[0].Name != "Late parcel" || len(again.Escalation.Notify) != 1 || !again.UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("after PUT = %+v, PUT answered %+v", again, got)
		}
		// Workspace B still has the defaults.
		var b caseSettingsReply
		e.call("GET", "/api/v1/case-settings", e.b.readKey, nil, 200).decode(t, &b)
		if !b.Default || strings.Contains(b.RootCauses[0].Name, "Late parcel") {
			t.Errorf("B sees %+v", b)
		}
	})
}

func TestCaseSettingsAPIRoles(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		agent := e.newUser(e.a.ws, "agent@acme.example", cxm.RoleAgent)
		analyst := e.newUser(e.a.ws, "analyst@acme.example", cxm.RoleAnalyst)
		for _, u := range []*cxm.User{agent, analyst} {
			c := e.signIn(u.Email, "acme")
			if r := e.do(request{method: "GET", path: "/api/v1/case-settings", client: c}); r.status != 200 {
				t.Errorf("GET as %s = %d %s", u.Email, r.status, r.body)
			}
			if r := e.do(request{method: "PUT", path: "/api/v1/case-settings", client: c, body: goodCaseSettings("x")}); r.status != 403 {
				t.Errorf("PUT as %s = %d %s, want 403", u.Email, r.status, r.body)
			}
		}
		e.call("PUT", "/api/v1/case-settings", e.a.readKey, goodCaseSettings("x"), 403)
		admin := e.signIn(e.a.adminEmail, "acme")
		if r := e.do(request{method: "PUT", path: "/api/v1/case-settings", client: admin, body: goodCaseSettings("By admin")}); r.status != 200 {
			t.Fatalf("PUT as admin = %d %s", r.status, r.body)
		}
		var got caseSettingsReply
		e.call("GET", "/api/v1/case-settings", e.a.readKey, nil, 200).decode(t, &got)
		if got.RootCauses[0].Name != "By admin" {
			t.Errorf("root causes = %+v, want the admin's", got.RootCauses)
		}
	})
}

func TestCaseSettingsAPIRefusesBadInput(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		e.call("PUT", "/api/v1/case-settings", e.a.writeKey, goodCaseSettings("Before"), 200)
		tests := []struct {
			name   string
			change func(b map[string]any)
			want   []string
		}{
			{"end before start", func(b map[string]any) {
				b["hours"].([]map[string]any)[2]["end"] = "09:00"
			}, []string{"hours[2].end"}},
			{"bad holiday", func(b map[string]any) { b["holidays"] = []string{"tomorrow"} }, []string{"holidays[0]"}},
			{"unknown priority and negative minutes", func(b map[string]any) {
				b["sla"] = map[string]any{"asap": map[string]int{}, "high": map[string]int{"first_response_minutes": -5}}
			}, []string{"sla.asap", "sla.high.first_response_minutes"}},
			{"root cause keys", func(b map[string]any) {
				b["root_causes"] = []map[string]string{{"key": "Late!", "name": "A"}, {"key": "other", "name": "B"}, {"key": "other", "name": "C"}}
			}, []string{"root_causes[0].key", "root_causes[2].key"}},
			{"escalation team of nobody", func(b map[string]any) {
				b["escalation"] = map[string]any{"team_id": 987654321}
			}, []string{"escalation.team_id"}},
			{"missing parts", func(b map[string]any) {
				delete(b, "hours")
				delete(b, "sla")
				delete(b, "root_causes")
			}, []string{"hours", "sla", "root_causes"}},
			{"unknown field", func(b map[string]any) { b["colour"] = "red" }, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := goodCaseSettings("Changed")
				tt.change(body)
				r := e.call("PUT", "/api/v1/case-settings", e.a.writeKey, body, 400)
				if r.errorCode() != cxm.EInvalid {
					t.Errorf("code = %q", r.errorCode())
				}
				if tt.want != nil {
					var fields []string
					for _, f := range r.errorFields() {
						fields = append(fields, f[:strings.Index(f, ": ")])
					}
					if !reflect.DeepEqual(fields, tt.want) {
						t.Errorf("fields = %v, want %v", fields, tt.want)
					}
				}
				var got caseSettingsReply
				e.call("GET", "/api/v1/case-settings", e.a.readKey, nil, 200).decode(t, &got)
				if got.RootCauses[0].Name != "Before" {
					t.Errorf("a refused PUT changed the settings: %+v", got.RootCauses)
				}
			})
		}
	})
}

func TestCaseSettingsAPIIsolation(t *testing.T) {
	forEachEnv(t, func(t *testing.T, e *env) {
		const secret = "acme-secret-cause"
		e.call("PUT", "/api/v1/case-settings", e.a.writeKey, goodCaseSettings(secret), 200)
		r := e.call("GET", "/api/v1/case-settings", e.b.writeKey, nil, 200)
		if strings.Contains(string(r.body), secret) {
			t.Errorf("B reads A's settings: %s", r.body)
		}
		e.call("PUT", "/api/v1/case-settings", e.b.writeKey, goodCaseSettings("B's own"), 200)
		var a caseSettingsReply
		e.call("GET", "/api/v1/case-settings", e.a.readKey, nil, 200).decode(t, &a)
		if a.RootCauses[0].Name != secret {
			t.Errorf("B's PUT changed A: %+v", a.RootCauses)
		}
	})
}
