package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cxmhq/cxm/jobs"
	"github.com/cxmhq/cxm/mail"
	"github.com/cxmhq/cxm/mail/mailtest"
)

func newSender(t *testing.T, cfg mail.SMTPConfig) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC) }
	return s
}

// TestSendGermanInvitation sends an invitation through the real SMTP
// sender to a real SMTP server and reads what the customer would get.
func TestSendGermanInvitation(t *testing.T) {
	srv := mailtest.NewServer(t)
	sender := newSender(t, srv.Config())
	tpl, err := mail.NewTemplates("de")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tpl.Render(mail.TemplateSurveyInvitation, "de", mail.SurveyInvitation{
		Name:           `Jörg <script>alert(1)</script>`,
		Company:        "Kaffeehaus Müller",
		SurveyTitle:    "Ihre Lieferung",
		SurveyURL:      "https://cxm.example/s/t0k3n?lang=de&src=email",
		UnsubscribeURL: "https://cxm.example/u/t0k3n",
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := r.Message(mail.Address{Name: "Jörg Müller", Email: "joerg@example.de"})
	msg.From = mail.Address{Name: "Kaffeehaus Müller", Email: "feedback@kaffeehaus.example"}
	msg.MessageID = "invitation-42@cxm.example"
	msg.SetUnsubscribe("https://cxm.example/u/t0k3n")
	if err := sender.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}

	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	m := got[0]
	checks := []struct{ name, got, want string }{
		{"subject", m.Subject, "Ihre Meinung zählt: Ihre Lieferung"},
		{"from name", m.From.Name, "Kaffeehaus Müller"},
		{"from", m.From.Address, "feedback@kaffeehaus.example"},
		{"to name", m.To[0].Name, "Jörg Müller"},
		{"to", m.To[0].Address, "joerg@example.de"},
		{"envelope from", m.EnvelopeFrom, "feedback@kaffeehaus.example"},
		{"envelope to", strings.Join(m.EnvelopeTo, ","), "joerg@example.de"},
		{"List-Unsubscribe", m.Get("List-Unsubscribe"), "<https://cxm.example/u/t0k3n>"},
		{"List-Unsubscribe-Post", m.Get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"},
		{"Message-ID", m.Get("Message-ID"), "<invitation-42@cxm.example>"},
		{"Date", m.Get("Date"), "Mon, 02 Jun 2025 09:30:00 +0000"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(m.Text, "Hallo Jörg <script>alert(1)</script>,") || !strings.Contains(m.Text, "https://cxm.example/s/t0k3n?lang=de&src=email") {
		t.Errorf("text body = %q, want the greeting and the link", m.Text)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "Hallo Jörg &lt;script&gt;alert(1)&lt;/script&gt;,") {
		t.Errorf("HTML body does not escape the name:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, `href="https://cxm.example/s/t0k3n?lang=de&amp;src=email"`) || !strings.Contains(m.HTML, ">Zur Umfrage</a>") {
		t.Errorf("HTML body lacks the survey button:\n%s", m.HTML)
	}
	if !strings.Contains(m.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("content type = %q, want multipart/alternative", m.Get("Content-Type"))
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	srv := mailtest.NewServer(t)
	sender := newSender(t, srv.Config())
	srv.Reject("gone@example.de", 550)
	srv.Reject("busy@example.de", 451)
	closed := mailtest.NewServer(t)
	closedCfg := closed.Config()
	closed.Close()

	tests := []struct {
		name      string
		sender    *mail.SMTPSender
		to        string
		op        string
		code      int
		enhanced  string
		temporary bool
		bounce    bool
	}{
		{"unknown user", sender, "gone@example.de", mail.OpSend, 550, "5.1.1", false, true},
		{"greylisted", sender, "busy@example.de", mail.OpSend, 451, "4.3.0", true, false},
		{"server down", newSender(t, closedCfg), "anna@example.de", mail.OpConnect, 0, "", true, false},
		{"bad address", sender, "not an address", mail.OpCompose, 0, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sender.Send(context.Background(), &mail.Message{To: mail.Address{Email: tt.to}, Subject: "Hallo", Text: "Hallo"})
			var e *mail.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *mail.Error", err, err)
			}
			if e.Op != tt.op || e.Code != tt.code || e.EnhancedCode != tt.enhanced || e.Temporary != tt.temporary || e.Bounced() != tt.bounce {
				t.Errorf("err = %+v (bounced %v), want op %s, code %d %s, temporary %v, bounce %v",
					e, e.Bounced(), tt.op, tt.code, tt.enhanced, tt.temporary, tt.bounce)
			}
			if mail.IsTemporary(err) != tt.temporary || mail.IsBounce(err) != tt.bounce {
				t.Errorf("IsTemporary = %v, IsBounce = %v", mail.IsTemporary(err), mail.IsBounce(err))
			}
			// The jobs runner reads the same classification.
			if jobs.IsPermanent(err) == tt.temporary {
				t.Errorf("jobs.IsPermanent = %v, want %v", jobs.IsPermanent(err), !tt.temporary)
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d refused messages", n)
	}
	// Once the address works again, the retry goes through.
	srv.Reject("busy@example.de", 0)
	if err := sender.Send(context.Background(), &mail.Message{To: mail.Address{Email: "busy@example.de"}, Text: "x"}); err != nil {
		t.Errorf("retry after the temporary failure: %v", err)
	}
}

func TestSendOverTLSWithLogin(t *testing.T) {
	for _, opt := range []mailtest.Options{
		{StartTLS: true, Username: "cxm", Password: "s3cret"},
		{ImplicitTLS: true, Username: "cxm", Password: "s3cret"},
	} {
		srv := mailtest.NewServerWith(t, opt)
		cfg := srv.Config()
		msg := &mail.Message{To: mail.Address{Email: "anna@example.de"}, Subject: "Grüße", Text: "Hallo"}
		if err := newSender(t, cfg).Send(context.Background(), msg); err != nil {
			t.Fatalf("%s: %v", cfg.TLS, err)
		}
		if got := srv.Messages(); len(got) != 1 || got[0].Subject != "Grüße" {
			t.Errorf("%s: server got %v", cfg.TLS, got)
		}

		cfg.Password = "wrong"
		err := newSender(t, cfg).Send(context.Background(), msg)
		var e *mail.Error
		if !errors.As(err, &e) || e.Op != mail.OpConnect || e.Code != 535 || !e.Temporary {
			t.Errorf("%s with a wrong password: %v, want a temporary connect error with code 535", cfg.TLS, err)
		}
		// A server whose certificate is not trusted is refused.
		cfg = srv.Config()
		cfg.TLSConfig = nil
		if err := newSender(t, cfg).Send(context.Background(), msg); !mail.IsTemporary(err) || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s with an untrusted certificate: %v, want a temporary certificate error", cfg.TLS, err)
		}
	}
}

// TestSendStopsWhenContextEnds talks to a server that never answers.
func TestSendStopsWhenContextEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	cfg := mail.SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: mail.TLSNone,
		From: mail.Address{Email: "cxm@example.com"}, Timeout: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- newSender(t, cfg).Send(ctx, &mail.Message{To: mail.Address{Email: "anna@example.de"}, Text: "x"})
	}()
	c := <-accepted
	defer c.Close()
	cancel()
	err = <-done
	if !mail.IsTemporary(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want a temporary error that wraps context.Canceled", err)
	}
}

func TestSendRefusesHeaderInjection(t *testing.T) {
	srv := mailtest.NewServer(t)
	sender := newSender(t, srv.Config())
	err := sender.Send(context.Background(), &mail.Message{
		To: mail.Address{Email: "anna@example.de"}, Text: "x",
		Headers: map[string]string{"X-Campaign": "a\r\nBcc: evil@example.com"},
	})
	if err == nil || mail.IsTemporary(err) {
		t.Errorf("a header with a line break: %v, want a permanent error", err)
	}
	for _, name := range []string{"Bcc", "Content-Type", "Bad Name"} {
		err := sender.Send(context.Background(), &mail.Message{To: mail.Address{Email: "anna@example.de"}, Text: "x", Headers: map[string]string{name: "v"}})
		if err == nil {
			t.Errorf("header %q was allowed", name)
		}
	}
	// Line breaks in the subject and names from customers become spaces.
	err = sender.Send(context.Background(), &mail.Message{
		To:      mail.Address{Name: "Anna\r\nBcc: evil@example.com", Email: "anna@example.de"},
		Subject: "Hallo\r\nBcc: evil@example.com", Text: "x",
	})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Messages()[0]
	if m.Header.Get("Bcc") != "" || len(m.EnvelopeTo) != 1 || m.Subject != "Hallo  Bcc: evil@example.com" {
		t.Errorf("injected message: subject %q, Bcc %q, envelope %v", m.Subject, m.Header.Get("Bcc"), m.EnvelopeTo)
	}
}

func TestSMTPConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  mail.SMTPConfig
		ok   bool
	}{
		{"defaults", mail.SMTPConfig{Host: "mail.example.com", From: mail.Address{Email: "a@example.com"}}, true},
		{"no host", mail.SMTPConfig{From: mail.Address{Email: "a@example.com"}}, false},
		{"host with port", mail.SMTPConfig{Host: "mail.example.com:25", From: mail.Address{Email: "a@example.com"}}, false},
		{"bad port", mail.SMTPConfig{Host: "h", Port: 70000, From: mail.Address{Email: "a@example.com"}}, false},
		{"bad tls", mail.SMTPConfig{Host: "h", TLS: "ssl3", From: mail.Address{Email: "a@example.com"}}, false},
		{"no from", mail.SMTPConfig{Host: "h"}, false},
	}
	for _, tt := range tests {
		_, err := mail.NewSMTPSender(tt.cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
	for in, want := range map[string]mail.TLSMode{"": mail.TLSStartTLS, "NONE": mail.TLSNone, " tls ": mail.TLSImplicit, "starttls": mail.TLSStartTLS} {
		if got, err := mail.ParseTLSMode(in); err != nil || got != want {
			t.Errorf("ParseTLSMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := mail.ParseTLSMode("ssl"); err == nil {
		t.Error("ParseTLSMode(ssl) succeeded")
	}
}
