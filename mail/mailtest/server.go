// Package mailtest runs a real SMTP server on loopback for tests, built
// with github.com/emersion/go-smtp. It records every message it accepts,
// parsed as the customer's mail program would show it, and can be told to
// refuse recipients, so that tests can read the mail a customer would get
// and see bounces and temporary failures.
package mailtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/cxmhq/cxm/mail"
)

// Options change how a Server behaves.
type Options struct {
	// Username and Password, when set, require AUTH PLAIN before MAIL FROM.
	Username string
	Password string
	// StartTLS offers STARTTLS with a self-signed certificate for 127.0.0.1.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte with that certificate.
	ImplicitTLS bool
}

// Server is an SMTP server on 127.0.0.1 that records what it accepts.
type Server struct {
	// Host and Port are where the server listens.
	Host string
	Port int

	opt     Options
	srv     *smtp.Server
	ln      net.Listener
	roots   *x509.CertPool
	served  chan struct{}
	mu      sync.Mutex
	msgs    []*Message
	rejects map[string]int
	changed chan struct{} // closed and replaced whenever a message arrives
}

// NewServer starts a server with default options and stops it when the
// test ends.
func NewServer(t testing.TB) *Server { return NewServerWith(t, Options{}) }

// NewServerWith starts a server with opt and stops it when the test ends.
func NewServerWith(t testing.TB, opt Options) *Server {
	t.Helper()
	s, err := Start(opt)
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Start starts a server on a free port of 127.0.0.1; Close stops it.
func Start(opt Options) (*Server, error) {
	s := &Server{Host: "127.0.0.1", opt: opt, rejects: map[string]int{}, changed: make(chan struct{}), served: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "mailtest.localhost"
	s.srv.AllowInsecureAuth = !opt.StartTLS && !opt.ImplicitTLS
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	if opt.StartTLS || opt.ImplicitTLS {
		cert, roots, err := selfSigned()
		if err != nil {
			return nil, fmt.Errorf("certificate: %w", err)
		}
		s.roots = roots
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var err error
	if opt.ImplicitTLS {
		s.ln, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s.Port = s.ln.Addr().(*net.TCPAddr).Port
	go func() {
		defer close(s.served)
		s.srv.Serve(s.ln)
	}()
	return s, nil
}

// Close stops the server and waits until it no longer serves.
func (s *Server) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener yet; close it here too.
	s.ln.Close()
	<-s.served
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Addr returns host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, fmt.Sprint(s.Port)) }

// Config returns an SMTP configuration that sends to this server, with
// the server's certificate trusted and its credentials set.
func (s *Server) Config() mail.SMTPConfig {
	cfg := mail.SMTPConfig{
		Host: s.Host, Port: s.Port, TLS: mail.TLSNone,
		Username: s.opt.Username, Password: s.opt.Password,
		From:    mail.Address{Name: "cxm", Email: "feedback@cxm.example"},
		Timeout: time.Minute,
	}
	switch {
	case s.opt.ImplicitTLS:
		cfg.TLS = mail.TLSImplicit
	case s.opt.StartTLS:
		cfg.TLS = mail.TLSStartTLS
	}
	if s.roots != nil {
		cfg.TLSConfig = &tls.Config{RootCAs: s.roots, ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	return cfg
}

// Reject makes the server refuse recipient address at RCPT TO with code:
// 550 (unknown user, a bounce) or another 5xx, or 451 or another 4xx to
// fail temporarily. Code 0 accepts the address again.
func (s *Server) Reject(address string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(address)
	if code == 0 {
		delete(s.rejects, key)
		return
	}
	s.rejects[key] = code
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.msgs...)
}

// Wait returns the accepted messages once there are at least n, or
// ctx's error when it ends first.
func (s *Server) Wait(ctx context.Context, n int) ([]*Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]*Message(nil), s.msgs...)
			s.mu.Unlock()
			return out, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("mailtest: waiting for %d messages: %w", n, ctx.Err())
		}
	}
}

// rejection returns the SMTP error to refuse to with, or nil.
func (s *Server) rejection(to string) error {
	s.mu.Lock()
	code := s.rejects[strings.ToLower(to)]
	s.mu.Unlock()
	switch {
	case code >= 500:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	case code >= 400:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	return nil
}

// record stores an accepted message and wakes waiters.
func (s *Server) record(m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// session is one SMTP conversation.
type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opt.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opt.Username || password != ss.s.opt.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Invalid credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if ss.s.opt.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	if err := ss.s.rejection(to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Unreadable message: " + err.Error()}
	}
	m.EnvelopeFrom, m.EnvelopeTo = ss.from, append([]string(nil), ss.to...)
	ss.s.record(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}
