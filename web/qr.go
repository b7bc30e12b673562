package web

// registerQRRoutes registers its routes; see routes.go.
func (s *Server) registerQRRoutes() {}
