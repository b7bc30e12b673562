package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/mail/mailtest"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/web"
)

// TestCaseReplyJobAndList sends a stored reply by email in the customer's
// language, refuses to email a customer who withdrew consent, and lists
// the cases with cxm case list.
func TestCaseReplyJobAndList(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cxm.db")
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{URL: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	w := &cxm.Workspace{Slug: "acme", Name: "Kaffeehaus Müller"}
	if err := db.CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	cust := &cxm.Customer{WorkspaceID: w.ID, ExternalID: "anna", Email: "anna@example.com", Name: "Anna", Locale: "de", Consent: cxm.Consent{Email: true}}
	if err := db.CreateCustomer(ctx, cust); err != nil {
		t.Fatal(err)
	}
	c := &cxm.Case{WorkspaceID: w.ID, Title: "Kalter Kaffee", CustomerID: cust.ID, Priority: cxm.PriorityHigh}
	if err := db.CreateCase(ctx, c, 0); err != nil {
		t.Fatal(err)
	}
	other := &cxm.Case{WorkspaceID: w.ID, Title: "Closed one"}
	if err := db.CreateCase(ctx, other, 0); err != nil {
		t.Fatal(err)
	}
	closed := cxm.CaseClosed
	if _, err := db.UpdateCase(ctx, w.ID, other.ID, cxm.CaseUpdate{Status: &closed}, 0); err != nil {
		t.Fatal(err)
	}
	templates, err := mail.NewTemplates("de")
	if err != nil {
		t.Fatal(err)
	}
	rec := &mailtest.Recorder{}
	replies := &caseReplies{cases: db, customers: db, workspaces: db, users: db, mailer: rec, templates: templates, msgDomain: "cxm.example"}

	payload, _ := json.Marshal(web.CaseReplyJob{CaseID: c.ID, CustomerID: cust.ID, Locale: "de", Body: "Es tut uns leid.\n\nIhr Team"})
	job := &cxm.Job{Kind: web.JobCaseReply, Payload: payload}
	if _, err := db.AddCaseReply(ctx, w.ID, c.ID, "Es tut uns leid.", 0, job); err != nil {
		t.Fatal(err)
	}
	if err := replies.send(ctx, job); err != nil {
		t.Fatal(err)
	}
	sent := rec.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent))
	}
	m := sent[0]
	if m.To.Email != "anna@example.com" || !strings.Contains(m.Text, "Es tut uns leid.") || !strings.Contains(m.Subject, "Fall ") {
		t.Errorf("message to %v, subject %q, text %q", m.To, m.Subject, m.Text)
	}

	// Consent withdrawn after the reply: nothing is sent and the job ends for good.
	no := false
	if _, err := db.UpdateCustomer(ctx, w.ID, cust.ID, cxm.CustomerUpdate{Consent: &struct {
		Email     *bool `json:"email"`
		Analytics *bool `json:"analytics"`
	}{Email: &no}}); err != nil {
		t.Fatal(err)
	}
	if err := replies.send(ctx, job); err == nil || !jobs.IsPermanent(err) {
		t.Errorf("send without consent = %v, want a permanent error", err)
	}
	if len(rec.Sent()) != 1 {
		t.Errorf("a customer without consent was emailed")
	}
	db.Close()

	env := map[string]string{"CXM_DATABASE_URL": dbPath}
	code, out, errs := run(t, env, "", "case", "list", "--workspace", "acme", "--status", "new,in_progress")
	if code != 0 || !strings.Contains(out, "Kalter Kaffee") || strings.Contains(out, "Closed one") || !strings.Contains(out, "PRIORITY") {
		t.Errorf("case list: %d %q %q", code, out, errs)
	}
	code, _, errs = run(t, env, "", "case", "list", "--workspace", "acme", "--status", "open")
	if code == 0 || !strings.Contains(errs, "status") {
		t.Errorf("case list with a bad status: %d %q", code, errs)
	}
}
