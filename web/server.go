// Package web serves cxm's JSON API, health and metrics endpoints over HTTP.
// Each route declares its permission where it is registered, and one table
// turns domain error codes into HTTP statuses.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/password"
	"github.com/cxmhq/cxm/text"
	"github.com/prometheus/client_golang/prometheus"
)

// Services are the domain services the API is built on.
type Services struct {
	Workspaces   cxm.WorkspaceService
	Users        cxm.UserService
	APIKeys      cxm.APIKeyService
	Journeys     cxm.JourneyService
	Touchpoints  cxm.TouchpointService
	Customers    cxm.CustomerService
	Interactions cxm.InteractionService
	Surveys      cxm.SurveyService
	Responses    cxm.ResponseService
	Invitations  cxm.InvitationService
	// Texts holds the analyses of responses' free text; nil shows none.
	Texts cxm.TextAnalysisService
	// TextCorrections stores sentiment corrections; nil refuses them.
	TextCorrections cxm.TextCorrectionService
	// TextModels holds the workspaces' trained sentiment models; nil refuses them.
	TextModels cxm.TextModelService
	// TextPrivacy holds the workspaces' redaction settings and the
	// encrypted originals of masked answers; nil masks every text answer
	// and keeps no original.
	TextPrivacy cxm.TextPrivacyService
	// TextTopics holds the workspaces' own topic taxonomies; nil shows
	// the default and refuses changes.
	TextTopics cxm.TextTopicService
	// JourneyAnalysis computes funnels, transitions, stage times and
	// first-touchpoint attribution.
	JourneyAnalysis cxm.JourneyAnalysisService
	// Rollups reads the incremental aggregates behind the feedback
	// metrics, and the raw responses for slices by customer attribute.
	Rollups cxm.FeedbackService
	// Drivers builds the tables of key-driver analyses of the NPS answer.
	Drivers cxm.DriverAnalysisService
	// Loyalty reads the facts behind the behavioural metrics and response
	// rates.
	Loyalty cxm.LoyaltyService
	// TopicMetrics slices figures by text topic and sentiment; nil shows none.
	TopicMetrics cxm.TopicMetricsService
	// Teams keeps the workspaces' teams; nil refuses them.
	Teams cxm.TeamService
	// Cases keeps the closed-loop cases and their timelines; nil refuses them.
	Cases cxm.CaseService
	// CaseMetrics reads the facts behind the closed-loop figures; nil
	// refuses them.
	CaseMetrics cxm.CaseMetricsService
	// CaseReplies stores a reply together with the job that emails it;
	// nil refuses replies (case_note.go).
	CaseReplies CaseReplier
	// Webhooks keeps the workspaces' webhooks and delivery logs; nil refuses them.
	Webhooks cxm.WebhookService
	// Notifications stores notifications for the live stream's catch-up;
	// nil refuses the stream.
	Notifications cxm.NotificationService
	// CaseSettings holds the workspaces' business calendars, SLA targets,
	// root causes and escalation; nil shows the defaults and refuses changes.
	CaseSettings cxm.CaseSettingsService
	// AlertRules keeps the alert rules; nil refuses them.
	AlertRules cxm.AlertRuleService
	// AlertFacts loads the facts of responses for dry runs of alert
	// conditions; nil refuses dry runs.
	AlertFacts cxm.AlertFactSource
}

// Config configures a Server. Zero limits take their defaults.
type Config struct {
	Services
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Ready reports whether the server can serve, for /readyz.
	Ready func(context.Context) error
	// Bus receives an event for every response that becomes complete; nil
	// publishes nothing.
	Bus cxm.Bus
	// Signer makes and checks the signed links of invitations and
	// unsubscribes; nil refuses every such link.
	Signer *cxm.TokenSigner
	// PublicURL is the address customers reach this server at, such as
	// https://feedback.example.com, for links in QR codes, emails and the
	// widget snippet. Empty means the address of each request.
	PublicURL string
	// Redactor masks personal data in text answers before they are
	// stored; nil means the text package's detectors.
	Redactor Redactor
	// TextAnalyzer finds emerging topics in free text; nil refuses them.
	TextAnalyzer *text.Analyzer
	// Hub feeds the live notification stream (SSE); nil refuses it.
	Hub NotificationHub
	// Notifier checks webhook URLs and sends test deliveries; nil refuses webhooks.
	Notifier WebhookNotifier
	// Registry receives the Prometheus metrics; nil makes a new one.
	Registry *prometheus.Registry
	// MaxBodyBytes bounds a request body (default 16 MiB).
	MaxBodyBytes int64
	// MaxBatch bounds the records of one ingest request (default 10,000).
	MaxBatch int
	// SecureCookies forces the Secure flag on cookies, for servers behind a
	// TLS-terminating proxy. Over direct TLS the flag is always set.
	SecureCookies bool
	// SessionTTL is how long a sign-in lasts (default 12 hours).
	SessionTTL time.Duration
	// LoginAttemptsPerMinute bounds sign-in attempts per client address and
	// per email (default 10).
	LoginAttemptsPerMinute int
	// PublicPostsPerIP bounds the answers one client address may post to
	// the public survey endpoints (hosted pages, widget) a minute (default 60).
	PublicPostsPerIP int
	// PublicPostsPerSurvey bounds the answers one survey takes a minute
	// from all clients together (default 3,000).
	PublicPostsPerSurvey int
	// TrustForwardedFor takes the client address from the last entry of
	// X-Forwarded-For, for a server behind one reverse proxy. Without a
	// proxy it must stay off, or clients could pick their address.
	TrustForwardedFor bool
	// HashPassword hashes a new user's password (default: argon2id).
	HashPassword func(password string) string
	// VerifyPassword checks a password against a stored hash (default: argon2id).
	VerifyPassword func(password, hash string) bool
	// DummyPasswordHash is verified when no user matches, so that a wrong
	// email takes as long as a wrong password.
	DummyPasswordHash string
}

// Server is the HTTP front of cxm.
type Server struct {
	cfg     Config
	svc     Services
	log     *slog.Logger
	now     func() time.Time
	routes  []route
	mux     *http.ServeMux
	metrics *metrics
	limiter *keyLimiter
	// publicIP and publicSurvey bound posts to the public survey endpoints
	// per client address and per survey.
	publicIP, publicSurvey *keyLimiter
}

// New returns a server with every route registered.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	if cfg.Redactor == nil {
		cfg.Redactor = RedactorFunc(defaultRedactor)
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 10000
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LoginAttemptsPerMinute <= 0 {
		cfg.LoginAttemptsPerMinute = 10
	}
	if cfg.PublicPostsPerIP <= 0 {
		cfg.PublicPostsPerIP = 60
	}
	if cfg.PublicPostsPerSurvey <= 0 {
		cfg.PublicPostsPerSurvey = 3000
	}
	if cfg.HashPassword == nil {
		cfg.HashPassword = func(pw string) string { return password.Hash(pw, password.Default) }
	}
	if cfg.VerifyPassword == nil {
		cfg.VerifyPassword = password.Verify
	}
	if cfg.DummyPasswordHash == "" {
		cfg.DummyPasswordHash = password.Dummy()
	}
	s := &Server{
		cfg:          cfg,
		svc:          cfg.Services,
		log:          cfg.Logger,
		now:          cfg.Now,
		mux:          http.NewServeMux(),
		metrics:      newMetrics(cfg.Registry),
		limiter:      newKeyLimiter(cfg.LoginAttemptsPerMinute),
		publicIP:     newKeyLimiter(cfg.PublicPostsPerIP),
		publicSurvey: newKeyLimiter(cfg.PublicPostsPerSurvey),
	}
	s.registerRoutes()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, cxm.Errorf(cxm.ENotFound, "no route for %s %s", r.Method, r.URL.Path))
	})
	return s
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Routes lists the method and pattern of every registered route, for the
// OpenAPI completeness test and the isolation test.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, rt := range s.routes {
		out[i] = RouteInfo{Method: rt.method, Pattern: rt.pattern, Permission: rt.perm.String(), Page: rt.page}
	}
	return out
}

// RouteInfo describes one route. Page routes serve HTML to people, not
// JSON to programs, and are not part of the OpenAPI description.
type RouteInfo struct {
	Method, Pattern, Permission string
	Page                        bool
}

// route is one registered endpoint with its permission.
type route struct {
	method, pattern string
	perm            permission
	// page marks an HTML page for people; its errors are pages too.
	page   bool
	handle func(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error
}

// handle registers a route.
func (s *Server) handle(method, pattern string, perm permission, h func(http.ResponseWriter, *http.Request, *cxm.Principal) error) {
	s.routes = append(s.routes, route{method: method, pattern: pattern, perm: perm, handle: h})
}

// wrap adds, around one route: panic recovery, the body limit, the
// principal and its permission check, error writing, logs and metrics.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic in handler", "route", rt.pattern, "panic", v)
				if !rec.wrote {
					s.fail(rt, rec, r, cxm.Errorf(cxm.EInternal, "internal error"))
				}
			}
			d := time.Since(start)
			s.metrics.observe(rt.method+" "+rt.pattern, rec.status, d)
			s.log.Debug("request", "method", r.Method, "route", rt.pattern, "status", rec.status, "duration_ms", float64(d.Microseconds())/1000)
		}()
		rec.Header().Set("X-Content-Type-Options", "nosniff")
		r.Body = http.MaxBytesReader(rec, r.Body, s.cfg.MaxBodyBytes)
		p, err := s.authorize(r, rt.perm)
		if err == nil {
			err = rt.handle(rec, r, p)
		}
		if err != nil {
			s.fail(rt, rec, r, err) // page_error.go: pages for page routes, JSON otherwise
		}
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer, for
// streams that extend their deadlines.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush lets streaming responses through.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
