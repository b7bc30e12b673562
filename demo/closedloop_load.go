package demo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cxmhq/cxm"
)

// loadClosedLoop stores d's agents (as agent members of the workspace),
// teams and alert rules that do not exist yet, by email, key and name,
// and imports its cases, which the store skips when their response has a
// case already. It does nothing without s.Cases.
func loadClosedLoop(ctx context.Context, s Services, workspaceID int64, d *Dataset, sum *Summary) error {
	if s.Cases == nil || len(d.Cases) == 0 {
		return nil
	}
	if s.Users == nil || s.Teams == nil || s.AlertRules == nil {
		return fmt.Errorf("demo: load cases: no user, team or alert rule service")
	}
	users, err := loadAgents(ctx, s.Users, workspaceID, d.Agents, sum)
	if err != nil {
		return err
	}
	teams, err := loadTeams(ctx, s.Teams, workspaceID, d, users, sum)
	if err != nil {
		return err
	}
	rules, err := loadRules(ctx, s.AlertRules, workspaceID, d.Rules, teams, sum)
	if err != nil {
		return err
	}
	cs := make([]*cxm.CaseImport, len(d.Cases))
	for i := range d.Cases {
		c := &d.Cases[i]
		ci := &cxm.CaseImport{Case: c.Case, Events: make([]cxm.CaseEvent, len(c.Events))}
		ci.Case.Breached = append([]string{}, c.Breached...)
		if c.Resolution != nil {
			r := *c.Resolution
			ci.Case.Resolution = &r
		}
		ci.Case.TeamID, ci.Case.AssigneeID, ci.Case.RuleID = teams[c.Team], users[c.Assignee], rules[c.Rule]
		for k, e := range c.Events {
			ev := e.CaseEvent
			ev.ActorUserID = users[e.Actor]
			if ev.Kind == "assignee" {
				ev.Old, ev.New = userIDText(users, ev.Old), userIDText(users, ev.New)
			}
			ci.Events[k] = ev
		}
		cs[i] = ci
	}
	n, err := s.Cases.ImportCases(ctx, workspaceID, cs)
	sum.Cases += n
	if err != nil {
		return fmt.Errorf("demo: load cases: %w", err)
	}
	return nil
}

// userIDText is the user id of the agent with email as a timeline shows
// it, empty for none.
func userIDText(users map[string]int64, email string) string {
	if users[email] == 0 {
		return ""
	}
	return strconv.FormatInt(users[email], 10)
}

// loadAgents makes sure every agent is a user and an agent member of the
// workspace, and returns their ids by email. Agents get no password.
func loadAgents(ctx context.Context, s cxm.UserService, workspaceID int64, agents []Agent, sum *Summary) (map[string]int64, error) {
	ids := map[string]int64{}
	for _, a := range agents {
		u, err := s.FindUserByEmail(ctx, a.Email)
		if cxm.ErrorCode(err) == cxm.ENotFound {
			u = &cxm.User{Email: a.Email, Name: a.Name, Locale: "de"}
			if err = s.CreateUser(ctx, u); err == nil {
				sum.Agents++
			}
		}
		if err != nil {
			return nil, fmt.Errorf("demo: agent %s: %w", a.Email, err)
		}
		if _, err := s.FindMember(ctx, workspaceID, u.ID); cxm.ErrorCode(err) == cxm.ENotFound {
			err = s.SetMember(ctx, workspaceID, u.ID, cxm.RoleAgent)
			if err != nil {
				return nil, fmt.Errorf("demo: agent %s: %w", a.Email, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("demo: agent %s: %w", a.Email, err)
		}
		ids[a.Email] = u.ID
	}
	return ids, nil
}

// loadTeams creates the teams of d that the workspace does not have yet,
// with their agents, and returns the ids of all of them by key.
func loadTeams(ctx context.Context, s cxm.TeamService, workspaceID int64, d *Dataset, users map[string]int64, sum *Summary) (map[string]int64, error) {
	existing, err := s.ListTeams(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("demo: list teams: %w", err)
	}
	ids := map[string]int64{}
	for _, t := range existing {
		ids[t.Key] = t.ID
	}
	for _, tm := range d.Teams {
		if ids[tm.Key] != 0 {
			continue
		}
		t := &cxm.Team{WorkspaceID: workspaceID, Key: tm.Key, Name: tm.Name, MemberIDs: []int64{}}
		for _, a := range d.Agents {
			if a.Team == tm.Key {
				t.MemberIDs = append(t.MemberIDs, users[a.Email])
			}
		}
		if err := s.CreateTeam(ctx, t); err != nil {
			return nil, fmt.Errorf("demo: create team %s: %w", tm.Key, err)
		}
		ids[tm.Key] = t.ID
		sum.Teams++
	}
	return ids, nil
}

// loadRules creates the alert rules of d that the workspace does not
// have yet (by name), switched on, and returns the ids of all by name.
func loadRules(ctx context.Context, s cxm.AlertRuleService, workspaceID int64, rules []Rule, teams map[string]int64, sum *Summary) (map[string]int64, error) {
	existing, err := s.ListAlertRules(ctx, workspaceID, false)
	if err != nil {
		return nil, fmt.Errorf("demo: list alert rules: %w", err)
	}
	ids := map[string]int64{}
	for _, r := range existing {
		ids[r.Name] = r.ID
	}
	for _, rl := range rules {
		if ids[rl.Name] != 0 {
			continue
		}
		r := &cxm.AlertRule{WorkspaceID: workspaceID, Name: rl.Name, Condition: rl.Condition, Enabled: true,
			Actions: cxm.AlertActions{OpenCase: &cxm.AlertOpenCase{Priority: rl.Priority, TeamID: teams[rl.Team]}, Notify: []cxm.NotifyTarget{}}}
		if err := s.CreateAlertRule(ctx, r); err != nil {
			return nil, fmt.Errorf("demo: create alert rule %s: %w", rl.Name, err)
		}
		ids[rl.Name] = r.ID
		sum.Rules++
	}
	return ids, nil
}
