package cxm

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The web layer maps each to one HTTP status; the store and the
// services return them and never HTTP statuses or translated text.
const (
	EInvalid      = "invalid"      // the input is wrong; Fields say where
	ENotFound     = "not_found"    // no such record in this workspace
	EConflict     = "conflict"     // the record exists or is in use
	EUnauthorized = "unauthorized" // no valid credentials
	EForbidden    = "forbidden"    // credentials lack the permission
	ETooLarge     = "too_large"    // body or batch over its limit
	ERateLimited  = "rate_limited" // too many attempts; try later
	EUnsupported  = "unsupported"  // a media type or format cxm does not read
	EInternal     = "internal"     // a fault of ours; details are logged, not shown
)

// FieldError names one wrong field and why it is wrong.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a domain error with a code, a message for people, and the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// Error returns the message together with the fields at fault.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error listing fields; it returns nil when fields is empty.
func Invalid(fields ...FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	msg := "invalid input"
	if len(fields) == 1 {
		msg = "invalid " + fields[0].Field + ": " + fields[0].Reason
	}
	return &Error{Code: EInvalid, Message: msg, Fields: fields}
}

// NotFound returns an ENotFound error for the named kind of record.
func NotFound(kind string) error {
	return &Error{Code: ENotFound, Message: kind + " not found"}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message that reveals nothing for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the fields at fault of the first *Error in err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects field errors during validation.
type FieldErrors []FieldError

// Add records that field is wrong for reason.
func (f *FieldErrors) Add(field, reason string) {
	*f = append(*f, FieldError{Field: field, Reason: reason})
}

// Err returns the collected errors as an EInvalid error, or nil if there are none.
func (f FieldErrors) Err() error { return Invalid(f...) }
