package jobs

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/mail/mailtest"
)

// TestMailJobs sends mail from jobs through a real SMTP server: a
// temporary refusal is retried after a backoff, and a bounce makes the
// job dead at once, because mail errors say whether they are permanent.
func TestMailJobs(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		srv := mailtest.NewServer(t)
		sender, err := mail.NewSMTPSender(srv.Config())
		if err != nil {
			t.Fatal(err)
		}
		srv.Reject("busy@example.de", 451)
		srv.Reject("gone@example.de", 550)
		r := e.runner(nil)
		r.Backoff = BaseBackoff
		r.Register("mail.send", func(ctx context.Context, j *cxm.Job) error {
			var p struct{ To string }
			if err := json.Unmarshal(j.Payload, &p); err != nil {
				return Permanent(err)
			}
			return sender.Send(ctx, &mail.Message{To: mail.Address{Email: p.To}, Subject: "Hallo", Text: "Hallo"})
		})
		ids := map[string]int64{}
		for _, to := range []string{"anna@example.de", "busy@example.de", "gone@example.de"} {
			j := &cxm.Job{WorkspaceID: e.ws, Kind: "mail.send", Payload: json.RawMessage(`{"to":"` + to + `"}`)}
			if _, err := e.db.EnqueueJob(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			ids[to] = j.ID
		}
		runDue(t, r, 3)
		want := map[string]cxm.JobStatus{"anna@example.de": cxm.JobDone, "busy@example.de": cxm.JobFailed, "gone@example.de": cxm.JobDead}
		for to, status := range want {
			if got := e.find(t, ids[to]); got.Status != status {
				t.Errorf("job for %s = %s (%s), want %s", to, got.Status, got.LastError, status)
			}
		}
		srv.Reject("busy@example.de", 0)
		e.clock.Add(30 * time.Second)
		runDue(t, r, 1)
		if got := e.find(t, ids["busy@example.de"]); got.Status != cxm.JobDone || got.Attempts != 2 {
			t.Errorf("retried job = %+v, want done on attempt 2", got)
		}
		if n := len(srv.Messages()); n != 2 {
			t.Errorf("server got %d messages, want 2", n)
		}
	})
}
