package mail

import (
	"context"
	"errors"
	"net/textproto"
	"regexp"

	gomail "github.com/wneessen/go-mail"
)

// The steps of sending in which an Error can happen.
const (
	OpCompose = "compose" // building the message: a bad address or header
	OpConnect = "connect" // connecting, TLS and authentication
	OpSend    = "send"    // MAIL FROM, RCPT TO and DATA
)

// Error is a failure to send a message, classified so that the jobs layer
// can retry it or record a bounce.
type Error struct {
	// Op is the step that failed: OpCompose, OpConnect or OpSend.
	Op string
	// Code is the SMTP reply code, such as 550 or 451, or 0 when the
	// failure was not a server's answer.
	Code int
	// EnhancedCode is the RFC 3463 status, such as "5.1.1", when the
	// server gave one.
	EnhancedCode string
	// Temporary reports whether the same message may go through later:
	// 4xx answers, network failures, timeouts, and every failure to
	// connect or log in, which is no fault of the message.
	Temporary bool
	Err       error
}

// Error returns the step and the underlying error.
func (e *Error) Error() string { return "mail: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports whether no retry can deliver the message. The jobs
// package reads it to make a job dead at once.
func (e *Error) Permanent() bool { return !e.Temporary }

// Bounced reports whether the server refused the message or its recipient
// for good, such as 550 for an unknown user: the address does not work.
func (e *Error) Bounced() bool { return !e.Temporary && e.Op == OpSend && e.Code >= 500 }

// IsTemporary reports whether err is a send failure that a retry may mend.
func IsTemporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Temporary
}

// IsBounce reports whether err is a send failure that says the address
// or the message is refused for good.
func IsBounce(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Bounced()
}

var enhancedCodePattern = regexp.MustCompile(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// classify turns a failure of step op into an *Error. A server's 5xx
// answer during sending is permanent; everything else is temporary, and so
// is any failure after ctx ended.
func classify(ctx context.Context, op string, err error) *Error {
	e := &Error{Op: op, Err: err, Temporary: true}
	var se *gomail.SendError
	if errors.As(err, &se) {
		e.Code, e.EnhancedCode = se.ErrorCode(), se.EnhancedStatusCode()
	}
	var te *textproto.Error
	if e.Code == 0 && errors.As(err, &te) {
		e.Code = te.Code
	}
	if e.Code != 0 && e.EnhancedCode == "" {
		e.EnhancedCode = enhancedCodePattern.FindString(err.Error())
	}
	if ctx.Err() != nil {
		e.Err = errors.Join(ctx.Err(), err)
		return e
	}
	if op == OpSend && e.Code >= 500 && e.Code < 600 {
		e.Temporary = false
	}
	return e
}
