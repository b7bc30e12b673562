package jobs

import "errors"

// permanentError marks an error that no retry can mend.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Permanent() bool { return true }

// Permanent wraps err so that the runner makes the job dead at once
// instead of retrying it, for example when the survey is gone or the
// recipient's address does not exist. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err says that retrying cannot help: the first
// error in its chain with a Permanent() bool method says true. Errors made
// by Permanent do, and so can errors of other packages, such as a mail
// server's 550 answer, without depending on this package.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
