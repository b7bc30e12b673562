package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cxmhq/cxm"
)

// permission is what a route demands of its caller. Routes declare it at
// registration, so that no handler can forget to check.
type permission int

const (
	// permPublic needs no credentials.
	permPublic permission = iota
	// permSignedIn needs a signed-in user (not an API key).
	permSignedIn
	// permRead needs any user or any API key of the workspace.
	permRead
	// permWriteData changes customer data: write keys, admins and agents.
	permWriteData
	// permConfigure changes the workspace's model or erases data: write keys and admins.
	permConfigure
	// permAdmin manages people and keys: admins only.
	permAdmin
)

func (p permission) String() string {
	return [...]string{"public", "signed-in", "read", "write-data", "configure", "admin"}[p]
}

// allows reports whether principal p holds permission perm.
func (perm permission) allows(p *cxm.Principal) bool {
	if p.APIKeyID != 0 {
		switch perm {
		case permRead:
			return true
		case permWriteData, permConfigure:
			return p.Scope == cxm.ScopeWrite
		}
		return false
	}
	switch perm {
	case permSignedIn, permRead:
		return true
	case permWriteData:
		return p.Role == cxm.RoleAdmin || p.Role == cxm.RoleAgent
	case permConfigure, permAdmin:
		return p.Role == cxm.RoleAdmin
	}
	return false
}

// sessionCookie is the name of the sign-in cookie.
const sessionCookie = "cxm_session"

// authorize finds who makes the request and checks that they hold perm.
func (s *Server) authorize(r *http.Request, perm permission) (*cxm.Principal, error) {
	if perm == permPublic {
		return nil, nil
	}
	p, err := s.principal(r)
	if err != nil {
		return nil, err
	}
	if !perm.allows(p) {
		return nil, cxm.Errorf(cxm.EForbidden, "this needs the %s permission", perm)
	}
	return p, nil
}

// principal authenticates the request by bearer API key or session cookie.
func (s *Server) principal(r *http.Request) (*cxm.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, cxm.Errorf(cxm.EUnauthorized, "the Authorization header must be: Bearer <API key>")
		}
		k, err := s.svc.APIKeys.AuthenticateAPIKey(r.Context(), strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		return &cxm.Principal{WorkspaceID: k.WorkspaceID, APIKeyID: k.ID, Scope: k.Scope}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, cxm.Errorf(cxm.EUnauthorized, "sign in or send an API key as: Authorization: Bearer <key>")
	}
	sess, err := s.svc.Users.FindSession(r.Context(), cxm.HashSecret(c.Value))
	if err != nil {
		if cxm.ErrorCode(err) == cxm.ENotFound {
			return nil, cxm.Errorf(cxm.EUnauthorized, "the session has expired; sign in again")
		}
		return nil, err
	}
	if err := checkSameOrigin(r); err != nil {
		return nil, err
	}
	m, err := s.svc.Users.FindMember(r.Context(), sess.WorkspaceID, sess.UserID)
	if err != nil {
		if cxm.ErrorCode(err) == cxm.ENotFound {
			return nil, cxm.Errorf(cxm.EUnauthorized, "you are no longer a member of this workspace")
		}
		return nil, err
	}
	return &cxm.Principal{WorkspaceID: sess.WorkspaceID, UserID: sess.UserID, Role: m.Role}, nil
}

// checkSameOrigin refuses state-changing requests that a browser sends
// with the session cookie on behalf of another site (CSRF).
func checkSameOrigin(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return cxm.Errorf(cxm.EForbidden, "cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return cxm.Errorf(cxm.EForbidden, "cross-origin request refused")
		}
	}
	return nil
}
