package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// page registers a route that serves an HTML page to people, such as a
// hosted survey or the unsubscribe page. It is like handle, but the route
// is marked as a page: it is left out of the OpenAPI description, and its
// errors are meant to be shown as pages rather than JSON.
func (s *Server) page(method, pattern string, perm permission, h func(http.ResponseWriter, *http.Request, *cxm.Principal) error) {
	s.routes = append(s.routes, route{method: method, pattern: pattern, perm: perm, page: true, handle: h})
}
