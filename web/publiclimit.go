package web

import (
	"net/http"
	"strconv"

	"github.com/cxmhq/cxm"
)

// allowPublicPost reports, as an ERateLimited error, whether the client of
// r has posted too many answers to the public endpoints, or survey
// surveyID has taken too many from everyone. It sets Retry-After.
func (s *Server) allowPublicPost(w http.ResponseWriter, r *http.Request, surveyID int64) error {
	now := s.now()
	if ok, wait := s.publicIP.allow("ip:"+s.clientIP(r), now); !ok {
		return s.tooMany(w, int(wait.Seconds())+1, "too many answers from your address; please try again in %d seconds")
	}
	if ok, wait := s.publicSurvey.allow("survey:"+strconv.FormatInt(surveyID, 10), now); !ok {
		return s.tooMany(w, int(wait.Seconds())+1, "this survey is very busy; please try again in %d seconds")
	}
	return nil
}

// tooMany sets Retry-After and returns the ERateLimited error for a wait
// of seconds.
func (s *Server) tooMany(w http.ResponseWriter, seconds int, format string) error {
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	return cxm.Errorf(cxm.ERateLimited, format, seconds)
}
