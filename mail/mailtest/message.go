package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
)

// Message is a message as the recipient's mail program reads it: headers
// decoded from RFC 2047 words and bodies decoded from quoted-printable or
// base64.
type Message struct {
	// EnvelopeFrom and EnvelopeTo are the SMTP envelope: MAIL FROM and RCPT TO.
	EnvelopeFrom string
	EnvelopeTo   []string
	// Header holds the raw header fields; Get decodes them.
	Header netmail.Header
	// From, To and Subject are decoded.
	From    *netmail.Address
	To      []*netmail.Address
	Subject string
	// Text and HTML are the decoded plain-text and HTML bodies, empty when
	// the message has no such part.
	Text string
	HTML string
	// Raw is the message as received.
	Raw []byte
}

// Get returns the decoded value of header field key, or "".
func (m *Message) Get(key string) string {
	v := m.Header.Get(key)
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// Parse reads a raw message as a mail program would.
func Parse(raw []byte) (*Message, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	m := &Message{Header: msg.Header, Raw: raw}
	m.Subject = m.Get("Subject")
	if list, err := msg.Header.AddressList("From"); err == nil && len(list) > 0 {
		m.From = list[0]
	} else {
		return nil, fmt.Errorf("from: %v", err)
	}
	if m.To, err = msg.Header.AddressList("To"); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if err := m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return nil, err
	}
	return m, nil
}

// walk reads one part of type contentType, descending into multiparts.
func (m *Message) walk(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			// NextPart decodes quoted-printable itself and then drops the
			// Content-Transfer-Encoding header.
			p, err := r.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &lineJoiner{r: body})
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", media, err)
	}
	switch {
	case media == "text/plain" && m.Text == "":
		m.Text = string(b)
	case media == "text/html" && m.HTML == "":
		m.HTML = string(b)
	}
	return nil
}

// lineJoiner drops the line breaks of a base64 body.
type lineJoiner struct{ r io.Reader }

func (l *lineJoiner) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	if j == 0 && n > 0 && err == nil {
		return l.Read(p)
	}
	return j, err
}
