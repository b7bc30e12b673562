package web

// registerWidgetRoutes registers its routes; see routes.go.
func (s *Server) registerWidgetRoutes() {}
