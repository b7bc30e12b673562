package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/listen"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/web"
)

// caseReplies sends the replies of service teams to their customers: it
// runs the case.reply jobs that the API enqueues with each reply.
type caseReplies struct {
	cases      cxm.CaseService
	customers  cxm.CustomerService
	workspaces cxm.WorkspaceService
	users      cxm.UserService
	// mailer is nil without a mail server: the jobs then fail and are
	// retried until one is configured.
	mailer    listen.Mailer
	templates *mail.Templates
	// msgDomain is the domain of the Message-IDs.
	msgDomain string
}

// Register makes r run the case reply jobs.
func (c *caseReplies) Register(r *jobs.Runner) {
	r.Register(web.JobCaseReply, c.send)
}

// send emails one reply from the localised case reply template. The
// customer's address and consent are read again: a customer erased, or
// one who withdrew consent since, is not emailed and the job ends for good.
func (c *caseReplies) send(ctx context.Context, j *cxm.Job) error {
	var p web.CaseReplyJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("case reply: payload: %w", err))
	}
	gone := func(err error) error {
		if cxm.ErrorCode(err) == cxm.ENotFound {
			return jobs.Permanent(err)
		}
		return err
	}
	if _, err := c.cases.FindCase(ctx, j.WorkspaceID, p.CaseID); err != nil {
		return gone(fmt.Errorf("case reply: %w", err))
	}
	cust, err := c.customers.FindCustomer(ctx, j.WorkspaceID, p.CustomerID)
	if err != nil {
		return gone(fmt.Errorf("case reply: %w", err))
	}
	if cust.Email == "" || !cust.Consent.Email {
		return jobs.Permanent(errors.New("case reply: the customer has no email address or no consent to email"))
	}
	ws, err := c.workspaces.FindWorkspaceByID(ctx, j.WorkspaceID)
	if err != nil {
		return fmt.Errorf("case reply: %w", err)
	}
	agent := ""
	if p.AgentUserID != 0 {
		if u, err := c.users.FindUserByID(ctx, p.AgentUserID); err == nil {
			agent = u.Name
		}
	}
	ref := fmt.Sprintf("Case %d", p.CaseID)
	if strings.HasPrefix(p.Locale, "de") {
		ref = fmt.Sprintf("Fall %d", p.CaseID)
	}
	r, err := c.templates.Render(mail.TemplateCaseReply, p.Locale, mail.CaseReply{Name: cust.Name, Company: ws.Name,
		Body: p.Body, AgentName: agent, Reference: ref})
	if err != nil {
		return jobs.Permanent(fmt.Errorf("case reply: %w", err))
	}
	if c.mailer == nil {
		return errors.New("case reply: no mail server is configured (--smtp-host)")
	}
	m := r.Message(mail.Address{Name: cust.Name, Email: cust.Email})
	m.MessageID = fmt.Sprintf("case-reply-%d@%s", j.ID, c.msgDomain)
	if err := c.mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("case reply: send: %w", err)
	}
	return nil
}

// caseUsage is the usage of cxm case.
const caseUsage = `Usage:
  cxm case list --workspace S [--status new,in_progress] [--priority high,urgent] [--team ID] [--breached] [--limit N]`

// runCase prints the workspace's cases as a table, newest first.
func runCase(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(m.Stderr, caseUsage)
		return errUsage
	}
	var cfg config
	var slug, status, priority string
	var team int64
	var breached bool
	var limit int
	fs := newFlags("case list", m, &cfg)
	fs.StringVar(&slug, "workspace", "", "workspace slug (required)")
	fs.StringVar(&status, "status", "", "comma-separated statuses: new, in_progress, waiting, resolved, closed")
	fs.StringVar(&priority, "priority", "", "comma-separated priorities: low, normal, high, urgent")
	fs.Int64Var(&team, "team", 0, "team id")
	fs.BoolVar(&breached, "breached", false, "only cases that missed an SLA target")
	fs.IntVar(&limit, "limit", 100, "most cases to show, 1 to 1000")
	if err := parseFlags(fs, m, args[1:]); err != nil {
		return err
	}
	f, err := caseListFilter(fs, slug, status, priority, team, breached, limit)
	if err != nil {
		return err
	}
	db, ws, err := cfg.openWorkspace(ctx, m, slug)
	if err != nil {
		return err
	}
	defer db.Close()
	cases, _, err := db.ListCases(ctx, ws.ID, f)
	if err != nil {
		return err
	}
	return printCases(m.Stdout, cases, ws.Location())
}

// caseListFilter checks the flags of cxm case list.
func caseListFilter(fs *flag.FlagSet, slug, status, priority string, team int64, breached bool, limit int) (cxm.CaseFilter, error) {
	f := cxm.CaseFilter{Breached: breached, Page: cxm.Page{Limit: limit}}
	if slug == "" {
		return f, flagError(cxm.Invalid(cxm.FieldError{Field: "workspace", Reason: "is required"}))
	}
	if limit < 1 || limit > cxm.MaxPageLimit {
		return f, flagError(cxm.Invalid(cxm.FieldError{Field: "limit", Reason: "must be from 1 to 1000"}))
	}
	if team < 0 {
		return f, flagError(cxm.Invalid(cxm.FieldError{Field: "team", Reason: "must be a team id"}))
	} else if team > 0 {
		f.TeamIDs = []int64{team}
	}
	for _, s := range strings.Split(status, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !cxm.CaseStatus(s).Valid() {
			return f, flagError(cxm.Invalid(cxm.FieldError{Field: "status", Reason: "must be new, in_progress, waiting, resolved or closed"}))
		}
		f.Statuses = append(f.Statuses, cxm.CaseStatus(s))
	}
	for _, p := range strings.Split(priority, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !cxm.CasePriority(p).Valid() {
			return f, flagError(cxm.Invalid(cxm.FieldError{Field: "priority", Reason: "must be low, normal, high or urgent"}))
		}
		f.Priorities = append(f.Priorities, cxm.CasePriority(p))
	}
	return f, nil
}

// printCases writes cases as an aligned table with times in loc.
func printCases(w io.Writer, cases []*cxm.Case, loc *time.Location) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tPRIORITY\tTEAM\tASSIGNEE\tCUSTOMER\tOPENED\tDUE\tBREACHED\tTITLE")
	dash := func(id int64) string {
		if id == 0 {
			return "-"
		}
		return fmt.Sprint(id)
	}
	for _, c := range cases {
		due := "-"
		if c.Status.Open() && c.ResolutionDue != nil {
			due = c.ResolutionDue.In(loc).Format("2006-01-02 15:04")
		}
		breached := strings.Join(c.Breached, ",")
		if breached == "" {
			breached = "-"
		}
		title := c.Title
		if len([]rune(title)) > 60 {
			title = string([]rune(title)[:59]) + "…"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Status, c.Priority, dash(c.TeamID), dash(c.AssigneeID),
			dash(c.CustomerID), c.CreatedAt.In(loc).Format("2006-01-02 15:04"), due, breached, title)
	}
	if len(cases) == 0 {
		fmt.Fprintln(tw, "(no cases)")
	}
	return tw.Flush()
}

// hostOf returns the host name of an absolute URL, or "localhost".
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}
