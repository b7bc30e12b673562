package web

// registerRoutes declares every route with the permission it demands. The
// OpenAPI description (openapi.json) must list each of them; a test checks.
func (s *Server) registerRoutes() {
	s.handle("GET", "/healthz", permPublic, s.healthz)
	s.handle("GET", "/readyz", permPublic, s.readyz)
	s.handle("GET", "/metrics", permPublic, s.promMetrics)
	s.handle("GET", "/api/v1/openapi.json", permPublic, s.openAPI)

	s.handle("POST", "/api/v1/auth/login", permPublic, s.login)
	s.handle("POST", "/api/v1/auth/logout", permPublic, s.logout)
	s.handle("GET", "/api/v1/auth/me", permSignedIn, s.me)
	s.handle("POST", "/api/v1/auth/switch", permSignedIn, s.switchWorkspace)

	s.handle("GET", "/api/v1/workspace", permRead, s.getWorkspace)
	s.handle("PATCH", "/api/v1/workspace", permAdmin, s.updateWorkspace)

	s.handle("GET", "/api/v1/members", permRead, s.listMembers)
	s.handle("POST", "/api/v1/members", permAdmin, s.addMember)
	s.handle("PATCH", "/api/v1/members/{id}", permAdmin, s.updateMember)
	s.handle("DELETE", "/api/v1/members/{id}", permAdmin, s.removeMember)

	s.handle("GET", "/api/v1/apikeys", permAdmin, s.listAPIKeys)
	s.handle("POST", "/api/v1/apikeys", permAdmin, s.createAPIKey)
	s.handle("DELETE", "/api/v1/apikeys/{id}", permAdmin, s.revokeAPIKey)

	s.handle("GET", "/api/v1/journeys", permRead, s.listJourneys)
	s.handle("POST", "/api/v1/journeys", permConfigure, s.createJourney)
	s.handle("GET", "/api/v1/journeys/{id}", permRead, s.getJourney)
	s.handle("PUT", "/api/v1/journeys/{id}", permConfigure, s.replaceJourney)
	s.handle("DELETE", "/api/v1/journeys/{id}", permConfigure, s.deleteJourney)

	s.handle("GET", "/api/v1/touchpoints", permRead, s.listTouchpoints)
	s.handle("POST", "/api/v1/touchpoints", permConfigure, s.createTouchpoint)
	s.handle("GET", "/api/v1/touchpoints/{id}", permRead, s.getTouchpoint)
	s.handle("PATCH", "/api/v1/touchpoints/{id}", permConfigure, s.updateTouchpoint)
	s.handle("DELETE", "/api/v1/touchpoints/{id}", permConfigure, s.deleteTouchpoint)

	s.handle("GET", "/api/v1/customers", permRead, s.listCustomers)
	s.handle("POST", "/api/v1/customers", permWriteData, s.createCustomer)
	s.handle("GET", "/api/v1/customers/{id}", permRead, s.getCustomer)
	s.handle("PATCH", "/api/v1/customers/{id}", permWriteData, s.updateCustomer)
	s.handle("DELETE", "/api/v1/customers/{id}", permConfigure, s.deleteCustomer)
	s.handle("GET", "/api/v1/customers/{id}/timeline", permRead, s.customerTimeline)
	s.handle("POST", "/api/v1/customers/{id}/merge", permWriteData, s.mergeCustomer)
	s.handle("GET", "/api/v1/customers/{id}/merges", permRead, s.listMerges)
	s.handle("POST", "/api/v1/identify", permWriteData, s.identify)

	s.handle("POST", "/api/v1/interactions", permWriteData, s.ingestInteractions)
	s.handle("GET", "/api/v1/interactions", permRead, s.listInteractions)

	s.handle("GET", "/api/v1/surveys", permRead, s.listSurveys)
	s.handle("POST", "/api/v1/surveys", permConfigure, s.createSurvey)
	s.handle("GET", "/api/v1/surveys/{id}", permRead, s.getSurvey)
	s.handle("PUT", "/api/v1/surveys/{id}", permConfigure, s.replaceSurvey)
	s.handle("DELETE", "/api/v1/surveys/{id}", permConfigure, s.deleteSurvey)
	s.handle("POST", "/api/v1/surveys/{id}/responses", permWriteData, s.submitResponse)

	s.handle("GET", "/api/v1/responses", permRead, s.listResponses)
	// The literal segment takes precedence over {id} in ServeMux.
	s.handle("GET", "/api/v1/responses/export", permRead, s.exportResponses)
	s.handle("GET", "/api/v1/responses/{id}", permRead, s.getResponse)
	s.handle("DELETE", "/api/v1/responses/{id}", permConfigure, s.deleteResponse)

	s.registerInvitationRoutes() // invitation.go: invitations API and unsubscribe page
	s.registerSurveyPageRoutes() // survey_page.go: the hosted survey pages /s/{slug}
	s.registerWidgetRoutes()     // widget.go: the website widget's script and public API
	s.registerQRRoutes()         // qr.go: QR codes of survey links
	s.registerMetricRoutes()     // metric_api.go: feedback figures from the rollups
	s.registerLoyaltyRoutes()    // metric_loyalty.go: loyalty metrics, purchase cohorts, response rates
	s.registerWeakSpotRoutes()   // weak_spots.go: ranked weak touchpoints
	s.registerCaseMetricRoutes() // metric_cases.go: closed-loop figures
	s.registerJourneyRoutes()    // journey_analysis.go: funnel, paths, time between stages, attribution
	s.registerDriverRoutes()     // driver_analysis.go: key drivers of the NPS answer

	// metric_topics.go, emerging_topics.go: figures by text topic and sentiment, topic suggestions.
	s.registerTopicMetricRoutes()
	s.registerEmergingTopicRoutes()

	// text_correction.go, text_model.go, text_topic.go, response_original.go: text analytics.
	s.registerTextCorrectionRoutes()
	s.registerTextModelRoutes()
	s.registerResponseOriginalRoutes()
	s.registerTextTopicRoutes()
	s.registerTeamRoutes() // team.go, case.go, case_note.go: teams and closed-loop cases
	s.registerCaseRoutes()

	s.registerEventRoutes()   // events.go: the live notification stream (SSE)
	s.registerWebhookRoutes() // webhook.go: webhooks, their secrets, deliveries and tests

	s.registerCaseSettingsRoutes() // case_settings.go: business calendar, SLA, root causes, escalation
	s.registerAlertRuleRoutes()    // alert_rule.go: alert rules and their dry runs
	s.registerAppRoutes()          // ui_app.go: the browser workspace under /app
}
