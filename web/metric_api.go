package web

// registerMetricRoutes registers the feedback-figure routes; see routes.go.
func (s *Server) registerMetricRoutes() {}
