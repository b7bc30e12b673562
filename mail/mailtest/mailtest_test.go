package mailtest

import (
	"context"
	"net/smtp"
	"strings"
	"testing"

	"github.com/cxmhq/cxm/mail"
)

func TestParseDecodesBodiesAndHeaders(t *testing.T) {
	raw := strings.Join([]string{
		"From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>",
		"To: anna@example.de",
		"Subject: =?utf-8?b?R3LDvMOfZQ==?=",
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: base64",
		"",
		"SGFsbG8gSsO2cmcs",
		"IHNjaMO2bmVuIFRh",
		"Zy4=",
		"--b1",
		"Content-Type: text/html; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		"<p>Hallo J=C3=B6rg, ein sehr langer Absatz, der umbrochen wird und trotzdem =",
		"ganz bleibt.</p>",
		"--b1--",
		"",
	}, "\r\n")
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"subject", m.Subject, "Grüße"},
		{"from", m.From.Name, "Jörg"},
		{"to", m.To[0].Address, "anna@example.de"},
		{"text", m.Text, "Hallo Jörg, schönen Tag."},
		{"html", m.HTML, "<p>Hallo Jörg, ein sehr langer Absatz, der umbrochen wird und trotzdem ganz bleibt.</p>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, err := Parse([]byte("no headers at all")); err == nil {
		t.Error("Parse accepted a message without headers")
	}
}

// TestServerRecordsAndWaits sends with the standard library's client, so
// that the server is tested apart from cxm's sender.
func TestServerRecordsAndWaits(t *testing.T) {
	s := NewServer(t)
	s.Reject("gone@example.de", 550)
	body := "From: a@example.com\r\nTo: b@example.de\r\nSubject: hi\r\n\r\nhello\r\n"
	if err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"gone@example.de"}, []byte(body)); err == nil || !strings.HasPrefix(err.Error(), "550") {
		t.Errorf("send to a rejected address: %v, want 550", err)
	}
	done := make(chan []*Message, 1)
	go func() {
		got, err := s.Wait(context.Background(), 1)
		if err != nil {
			t.Error(err)
		}
		done <- got
	}()
	if err := smtp.SendMail(s.Addr(), nil, "a@example.com", []string{"b@example.de"}, []byte(body)); err != nil {
		t.Fatal(err)
	}
	got := <-done
	if len(got) != 1 || got[0].Subject != "hi" || got[0].Text != "hello\r\n" || got[0].EnvelopeTo[0] != "b@example.de" {
		t.Errorf("recorded %+v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Wait(ctx, 2); err == nil {
		t.Error("Wait for a message that never comes returned no error after ctx ended")
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	bounce := &mail.Error{Op: mail.OpSend, Code: 550}
	r.Fail = func(m *mail.Message) error {
		if m.To.Email == "gone@example.de" {
			return bounce
		}
		return nil
	}
	ctx := context.Background()
	if err := r.Send(ctx, &mail.Message{To: mail.Address{Email: "anna@example.de"}, Subject: "Hallo", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(ctx, &mail.Message{To: mail.Address{Email: "gone@example.de"}, Text: "x"}); !mail.IsBounce(err) {
		t.Errorf("send to gone: %v, want the bounce", err)
	}
	if err := r.Send(ctx, &mail.Message{To: mail.Address{Email: "nope"}, Text: "x"}); err == nil || mail.IsTemporary(err) {
		t.Errorf("send to a bad address: %v, want a permanent error", err)
	}
	if got := r.Sent(); len(got) != 1 || got[0].Subject != "Hallo" {
		t.Errorf("sent = %+v, want the one good message", got)
	}
}
