package web

// registerSurveyPageRoutes registers its routes; see routes.go.
func (s *Server) registerSurveyPageRoutes() {}
