package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/bus"
	"github.com/cxmhq/cxm/store"
	"github.com/cxmhq/cxm/web"
)

// serveConfig holds the settings of the server.
type serveConfig struct {
	config
	Addr          string
	TLSCert       string
	TLSKey        string
	SecureCookies bool
	MaxBodyBytes  int64
	MaxBatch      int
}

func (c *serveConfig) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file; serves HTTPS with --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS key file")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure, for a server behind a TLS proxy")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 16<<20, "largest request body")
	fs.IntVar(&c.MaxBatch, "max-batch", 10000, "most interactions in one request")
}

func runServe(ctx context.Context, m *Main, args []string) error {
	var cfg serveConfig
	fs := newFlags("serve", m, &cfg.config)
	cfg.bind(fs)
	if err := parseFlags(fs, m, args); err != nil {
		return err
	}
	log, err := cfg.logger(m.Stderr)
	if err != nil {
		return err
	}
	db, err := cfg.openStore(ctx, m)
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, m, &cfg, db, log, nil)
}

// newWebServer wires the HTTP server to the store and the bus.
func newWebServer(cfg *serveConfig, db *store.DB, b cxm.Bus, log *slog.Logger, m *Main) *web.Server {
	return web.New(web.Config{
		Bus: b,
		Services: web.Services{Workspaces: db, Users: db, APIKeys: db, Journeys: db, Touchpoints: db,
			Customers: db, Interactions: db, Surveys: db, Responses: db},
		Logger:        log,
		Now:           m.Now,
		Ready:         db.Ping,
		MaxBodyBytes:  cfg.MaxBodyBytes,
		MaxBatch:      cfg.MaxBatch,
		SecureCookies: cfg.SecureCookies,
		PublicURL:     cfg.PublicURL,
	})
}

// serve listens on cfg.Addr until ctx ends, then shuts down gracefully.
// ready, if not nil, receives the base URL once the server listens.
func serve(ctx context.Context, m *Main, cfg *serveConfig, db *store.DB, log *slog.Logger, ready func(url string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	events := bus.New(bus.Options{Logger: log, Now: m.Now})
	defer events.Close()
	srv := &http.Server{
		Handler:           newWebServer(cfg, db, events, log, m).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s", scheme, displayAddr(ln.Addr()))
	log.Info("cxm listening", "url", url, "database", db.Dialect())
	go cleanSessions(ctx, db, log)
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		if ok {
			return fmt.Sprintf("localhost:%d", tcp.Port)
		}
		return a.String()
	}
	return a.String()
}

// cleanSessions deletes expired sessions every hour until ctx ends.
func cleanSessions(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			log.Info("deleted expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
