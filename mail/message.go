// Package mail sends email: a Message type, the Sender interface, an SMTP
// sender built on github.com/wneessen/go-mail that classifies failures as
// temporary or permanent, and localised templates for the messages cxm
// sends to customers. Package mailtest holds a real SMTP server for tests.
package mail

import (
	"context"
	"fmt"
	netmail "net/mail"
	"regexp"
	"strings"
)

// Address is a mailbox with an optional display name.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// String returns the address as it appears in a header, such as
// "Anna Müller <anna@example.com>", with the name encoded if need be.
func (a Address) String() string {
	return (&netmail.Address{Name: oneLine(a.Name), Address: a.Email}).String()
}

// Message is one email to one recipient.
type Message struct {
	// From is the sender; empty means the sender's configured address.
	From Address
	To   Address
	// ReplyTo, when set, receives the recipient's answers, such as a
	// service team's shared mailbox.
	ReplyTo Address
	Subject string
	// Text and HTML are the two forms of the body; at least one is set.
	// With both, mail programs show the one they prefer.
	Text string
	HTML string
	// Headers are further header fields, such as List-Unsubscribe. Names
	// that the message sets itself (From, To, Subject, Content-Type, …)
	// are not allowed.
	Headers map[string]string
	// MessageID is the Message-ID without angle brackets, such as
	// "invitation-42@cxm.example.com"; empty means a random one.
	MessageID string
}

// Sender sends messages.
type Sender interface {
	// Send delivers m to the next mail server. A failure is an *Error that
	// says whether a retry can help.
	Send(ctx context.Context, m *Message) error
}

// SetUnsubscribe sets the List-Unsubscribe header to url and, for
// https URLs, List-Unsubscribe-Post for one-click unsubscribing (RFC
// 8058), so that mail programs show an unsubscribe button.
func (m *Message) SetUnsubscribe(url string) {
	if m.Headers == nil {
		m.Headers = map[string]string{}
	}
	m.Headers["List-Unsubscribe"] = "<" + url + ">"
	if strings.HasPrefix(url, "https://") {
		m.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
}

var headerNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,75}$`)

// reservedHeader reports whether the message sets header name itself.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "reply-to", "sender", "subject", "date", "message-id",
		"mime-version", "content-type", "content-transfer-encoding", "return-path":
		return true
	}
	return strings.HasPrefix(strings.ToLower(name), "content-")
}

// Validate checks the addresses, that there is a body, and that headers
// cannot inject further header lines.
func (m *Message) Validate() error {
	var problems []string
	if _, err := netmail.ParseAddress(m.To.Email); err != nil || m.To.Email == "" || strings.ContainsAny(m.To.Email, "<>\r\n") {
		problems = append(problems, fmt.Sprintf("to: %q is not an email address", m.To.Email))
	}
	for field, a := range map[string]Address{"from": m.From, "reply_to": m.ReplyTo} {
		if a.Email == "" {
			continue
		}
		if _, err := netmail.ParseAddress(a.Email); err != nil || strings.ContainsAny(a.Email, "<>\r\n") {
			problems = append(problems, fmt.Sprintf("%s: %q is not an email address", field, a.Email))
		}
	}
	if m.Text == "" && m.HTML == "" {
		problems = append(problems, "body: text or HTML is required")
	}
	for name, value := range m.Headers {
		switch {
		case !headerNamePattern.MatchString(name):
			problems = append(problems, fmt.Sprintf("header %q: not a header name", name))
		case reservedHeader(name):
			problems = append(problems, fmt.Sprintf("header %q: set by the message itself", name))
		case strings.ContainsAny(value, "\r\n\x00"):
			problems = append(problems, fmt.Sprintf("header %q: line breaks are not allowed", name))
		}
	}
	if strings.ContainsAny(m.MessageID, "<>\r\n\x00 ") {
		problems = append(problems, "message_id: must not hold angle brackets, spaces or line breaks")
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid message: %s", strings.Join(problems, "; "))
	}
	return nil
}

// oneLine replaces line breaks and other control characters with spaces,
// so that text from customers cannot start a header line of its own.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
