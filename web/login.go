package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/cxmhq/cxm"
)

// loginRequest is the body of POST /auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Workspace is the slug to sign in to; empty means the user's first workspace.
	Workspace string `json:"workspace"`
}

// sessionResponse tells who is signed in where, and where else they may go.
type sessionResponse struct {
	User       *cxm.User                  `json:"user"`
	Workspace  *cxm.Workspace             `json:"workspace"`
	Role       cxm.Role                   `json:"role"`
	Workspaces []*cxm.WorkspaceMembership `json:"workspaces"`
}

// login checks email and password, rate-limited per client address and per
// email, and sets the session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	email := cxm.NormalizeEmail(req.Email)
	var errs cxm.FieldErrors
	if email == "" {
		errs.Add("email", "is required")
	}
	if req.Password == "" {
		errs.Add("password", "is required")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	now := s.now()
	for _, key := range []string{"ip:" + s.clientIP(r), "email:" + email} {
		if ok, wait := s.limiter.allow(key, now); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return cxm.Errorf(cxm.ERateLimited, "too many sign-in attempts; try again in %d seconds", int(wait.Seconds())+1)
		}
	}
	bad := cxm.Errorf(cxm.EUnauthorized, "email or password is wrong")
	u, err := s.svc.Users.FindUserByEmail(r.Context(), email)
	if err != nil {
		if cxm.ErrorCode(err) != cxm.ENotFound {
			return err
		}
		s.cfg.VerifyPassword(req.Password, s.cfg.DummyPasswordHash)
		return bad
	}
	if !s.cfg.VerifyPassword(req.Password, u.PasswordHash) {
		return bad
	}
	wss, err := s.svc.Users.ListUserWorkspaces(r.Context(), u.ID)
	if err != nil {
		return err
	}
	var chosen *cxm.WorkspaceMembership
	for _, m := range wss {
		if req.Workspace == "" || m.Workspace.Slug == req.Workspace {
			chosen = m
			break
		}
	}
	if chosen == nil {
		if req.Workspace != "" {
			return cxm.Errorf(cxm.EForbidden, "you are not a member of workspace %q", req.Workspace)
		}
		return cxm.Errorf(cxm.EForbidden, "you are not a member of any workspace")
	}
	return s.startSession(w, r, u, chosen, wss)
}

// startSession stores a new session and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *cxm.User, m *cxm.WorkspaceMembership, all []*cxm.WorkspaceMembership) error {
	token, hash := cxm.NewSessionToken()
	now := s.now()
	sess := &cxm.Session{TokenHash: hash, UserID: u.ID, WorkspaceID: m.Workspace.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.svc.Users.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies,
	})
	return writeJSON(w, http.StatusOK, sessionResponse{User: u, Workspace: &m.Workspace, Role: m.Role, Workspaces: all})
}

// logout ends the session, if any, and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *cxm.Principal) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.svc.Users.DeleteSession(r.Context(), cxm.HashSecret(c.Value)); err != nil && cxm.ErrorCode(err) != cxm.ENotFound {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.SecureCookies})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me tells the signed-in user who they are and where.
func (s *Server) me(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	u, err := s.svc.Users.FindUserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	ws, err := s.svc.Workspaces.FindWorkspaceByID(r.Context(), p.WorkspaceID)
	if err != nil {
		return err
	}
	all, err := s.svc.Users.ListUserWorkspaces(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sessionResponse{User: u, Workspace: ws, Role: p.Role, Workspaces: all})
}

// switchWorkspace moves the signed-in user to another of their workspaces.
func (s *Server) switchWorkspace(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req struct {
		Workspace string `json:"workspace"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Workspace == "" {
		return cxm.Invalid(cxm.FieldError{Field: "workspace", Reason: "is required"})
	}
	u, err := s.svc.Users.FindUserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	all, err := s.svc.Users.ListUserWorkspaces(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.Workspace.Slug == req.Workspace {
			if c, err := r.Cookie(sessionCookie); err == nil {
				s.svc.Users.DeleteSession(r.Context(), cxm.HashSecret(c.Value))
			}
			return s.startSession(w, r, u, m, all)
		}
	}
	return cxm.Errorf(cxm.EForbidden, "you are not a member of workspace %q", req.Workspace)
}

// clientIP is the address of the direct peer, or with TrustForwardedFor
// the address the proxy saw. Otherwise forwarded headers are not trusted,
// so a client cannot pick a fresh address per attempt.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustForwardedFor {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			last := fwd[len(fwd)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := strings.TrimSpace(last); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
