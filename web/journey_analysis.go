package web

// registerJourneyRoutes registers the journey-analysis routes; see routes.go.
func (s *Server) registerJourneyRoutes() {}
