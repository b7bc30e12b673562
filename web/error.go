package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cxmhq/cxm"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	cxm.EInvalid:      http.StatusBadRequest,
	cxm.ENotFound:     http.StatusNotFound,
	cxm.EConflict:     http.StatusConflict,
	cxm.EUnauthorized: http.StatusUnauthorized,
	cxm.EForbidden:    http.StatusForbidden,
	cxm.ETooLarge:     http.StatusRequestEntityTooLarge,
	cxm.ERateLimited:  http.StatusTooManyRequests,
	cxm.EUnsupported:  http.StatusUnsupportedMediaType,
	cxm.EInternal:     http.StatusInternalServerError,
}

// errorBody is the JSON form of every error: {"error":{"code","message","fields"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string           `json:"code"`
	Message string           `json:"message"`
	Fields  []cxm.FieldError `json:"fields,omitempty"`
}

// writeError writes err in the API's error form. Internal errors are
// logged with their detail and answered without it.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = cxm.Errorf(cxm.ETooLarge, "request body exceeds %d bytes", mbe.Limit)
	}
	code := cxm.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == cxm.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cxm"`)
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: cxm.ErrorMessage(err), Fields: cxm.ErrorFields(err)}})
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// listBody is the JSON form of one page of a list.
type listBody[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// writeList writes one page of a list; a nil slice is written as [].
func writeList[T any](w http.ResponseWriter, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, listBody[T]{Data: items, NextCursor: next})
}
