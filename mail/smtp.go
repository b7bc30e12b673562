package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode says how the connection to the mail server is encrypted.
type TLSMode string

// The TLS modes.
const (
	// TLSNone sends in the clear, for a relay on the same host or network.
	TLSNone TLSMode = "none"
	// TLSStartTLS connects in the clear and requires STARTTLS, usually on port 587.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte, usually on port 465.
	TLSImplicit TLSMode = "tls"
)

// DefaultTimeout bounds connecting and each step of sending when
// SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	// Port defaults to 25 for TLSNone, 587 for TLSStartTLS and 465 for TLSImplicit.
	Port int
	// Username and Password log in with AUTH PLAIN when Username is set.
	// Over a connection without TLS this only works to localhost.
	Username string
	Password string
	// TLS is none, starttls or tls; empty means starttls.
	TLS TLSMode
	// TLSConfig, when set, verifies the server, for example with a private
	// certificate authority; nil means the system's roots and Host.
	TLSConfig *tls.Config
	// From is the sender of messages that name none.
	From Address
	// Timeout bounds connecting and each step of sending; zero means DefaultTimeout.
	Timeout time.Duration
	// HELO is the name this host gives the server; empty means "localhost".
	HELO string
}

// SMTPSender sends messages through a mail server with
// github.com/wneessen/go-mail, one connection per message. It is safe for
// concurrent use.
type SMTPSender struct {
	cfg SMTPConfig
	// Now stamps the Date header; nil means time.Now.
	Now func() time.Time
}

// NewSMTPSender checks cfg and returns a sender that uses it.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Port == 0 {
		cfg.Port = map[TLSMode]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[cfg.TLS]
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	var problems []string
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, " /:") {
		problems = append(problems, "host: must be a host name or address")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		problems = append(problems, "port: must be between 1 and 65535")
	}
	switch cfg.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		problems = append(problems, "tls: must be none, starttls or tls")
	}
	if _, err := netmail.ParseAddress(cfg.From.Email); err != nil || strings.ContainsAny(cfg.From.Email, "<>\r\n") {
		problems = append(problems, fmt.Sprintf("from: %q is not an email address", cfg.From.Email))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("mail: smtp config: %s", strings.Join(problems, "; "))
	}
	return &SMTPSender{cfg: cfg}, nil
}

// ParseTLSMode reads a TLS mode from configuration: none, starttls or tls.
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(strings.ToLower(strings.TrimSpace(s))); m {
	case TLSNone, TLSStartTLS, TLSImplicit:
		return m, nil
	case "":
		return TLSStartTLS, nil
	}
	return "", fmt.Errorf("mail: unknown TLS mode %q: want none, starttls or tls", s)
}

// Send delivers m to the mail server. It returns an *Error: permanent for
// a bad message and for the server's 5xx answers, temporary for 4xx
// answers and for failures to connect. When ctx ends, the connection is
// closed and Send returns a temporary error.
func (s *SMTPSender) Send(ctx context.Context, m *Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return &Error{Op: OpCompose, Err: err}
	}
	var mu sync.Mutex
	var conn net.Conn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if s.cfg.TLS == TLSImplicit {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(ctx, network, addr)
		} else {
			c, err = d.DialContext(ctx, network, addr)
		}
		mu.Lock()
		conn = c
		mu.Unlock()
		return c, err
	}
	// Close the connection when ctx ends, so that no step outlives it.
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if conn != nil {
			conn.Close()
		}
	})
	defer stop()

	client, err := gomail.NewClient(s.cfg.Host, s.clientOptions(dial)...)
	if err != nil {
		return &Error{Op: OpConnect, Err: err, Temporary: true}
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classify(ctx, OpConnect, err)
	}
	defer client.CloseWithSMTPClient(sc)
	if err := client.SendWithSMTPClient(sc, msg); err != nil {
		return classify(ctx, OpSend, err)
	}
	return nil
}

// clientOptions configures a go-mail client for one message.
func (s *SMTPSender) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithoutNoop(),
		gomail.WithTLSConfig(s.tlsConfig()),
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	switch s.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// tlsConfig returns the configured TLS settings or ones that verify Host.
func (s *SMTPSender) tlsConfig() *tls.Config {
	if s.cfg.TLSConfig != nil {
		c := s.cfg.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = s.cfg.Host
		}
		return c
	}
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
}

// compose builds the go-mail message of m.
func (s *SMTPSender) compose(m *Message) (*gomail.Msg, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	from := m.From
	if from.Email == "" {
		from = s.cfg.From
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(oneLine(from.Name), from.Email); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.AddToFormat(oneLine(m.To.Name), m.To.Email); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if m.ReplyTo.Email != "" {
		if err := msg.ReplyToFormat(oneLine(m.ReplyTo.Name), m.ReplyTo.Email); err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
	}
	msg.Subject(oneLine(m.Subject))
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg.SetDateWithValue(now())
	id := m.MessageID
	if id == "" {
		b := make([]byte, 12)
		rand.Read(b)
		id = hex.EncodeToString(b) + "@" + domainOf(from.Email)
	}
	msg.SetMessageIDWithValue(id)
	for name, value := range m.Headers {
		msg.SetGenHeader(gomail.Header(name), value)
	}
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	return msg, nil
}

// domainOf returns the domain of an email address, or "localhost".
func domainOf(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 && i < len(email)-1 {
		return email[i+1:]
	}
	return "localhost"
}
