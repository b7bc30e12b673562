package web

// registerInvitationRoutes registers its routes; see routes.go.
func (s *Server) registerInvitationRoutes() {}
