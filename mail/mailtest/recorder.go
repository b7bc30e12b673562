package mailtest

import (
	"context"
	"sync"

	"github.com/cxmhq/cxm/mail"
)

// Recorder is a mail.Sender that keeps messages in memory instead of
// sending them, for tests that need no SMTP conversation. Fail, when set,
// decides the error of each Send.
type Recorder struct {
	// Fail returns the error Send should return for m, or nil to record it.
	Fail func(m *mail.Message) error

	mu   sync.Mutex
	sent []*mail.Message
}

// Send records m, after checking it as the SMTP sender would.
func (r *Recorder) Send(ctx context.Context, m *mail.Message) error {
	if err := m.Validate(); err != nil {
		return &mail.Error{Op: mail.OpCompose, Err: err}
	}
	if r.Fail != nil {
		if err := r.Fail(m); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *m
	r.sent = append(r.sent, &c)
	return nil
}

// Sent returns the recorded messages, oldest first.
func (r *Recorder) Sent() []*mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*mail.Message(nil), r.sent...)
}
