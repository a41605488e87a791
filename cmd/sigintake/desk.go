package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web"
)

// privacy reads the privacy settings of the configuration file and gives
// the store its encryption keys (without keys, blobs stay plaintext).
func privacy(path string, st *store.Store) (*config.Privacy, error) {
	p, err := config.LoadPrivacy(path)
	if err != nil {
		return nil, err
	}
	if p.Keyring != nil {
		st.SetKeyring(p.Keyring)
	}
	return p, nil
}

// deskDecider is the web desk's Decider for a configuration: clerk
// decisions with the intake's reply templates, and redirects to the
// configured institutions.
func deskDecider(st *store.Store, cfg *config.Config, p *config.Privacy) (web.Decider, error) {
	dec, err := web.DeciderFromConfig(st, cfg)
	if err != nil {
		return nil, err
	}
	return web.WithRedirects(dec, intake.NewRedirector(st, cfg, p)), nil
}

// serveDesk serves the web desk of cfg.Web until ctx ends, then shuts it
// down within ten seconds. It returns at once when no address is set.
func serveDesk(ctx context.Context, st *store.Store, cfg *config.Config, p *config.Privacy, log *slog.Logger) error {
	if cfg.Web.Listen == "" {
		return nil
	}
	srv, err := deskServer(st, cfg, p, log)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		if cfg.Web.TLSCert != "" {
			errc <- srv.ListenAndServeTLS(cfg.Web.TLSCert, cfg.Web.TLSKey)
		} else {
			errc <- srv.ListenAndServe()
		}
	}()
	log.Info("web desk", "listen", cfg.Web.Listen)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// deskServer is the web desk's HTTP server for cfg.Web.
func deskServer(st *store.Store, cfg *config.Config, p *config.Privacy, log *slog.Logger) (*http.Server, error) {
	dec, err := deskDecider(st, cfg, p)
	if err != nil {
		return nil, err
	}
	opt := web.Options{HTTPSProxy: cfg.Web.HTTPSProxy || cfg.Web.TLSCert != "", IdleTimeout: cfg.Web.Idle.Duration,
		AbsoluteTimeout: cfg.Web.Session.Duration, Logger: log}
	return &http.Server{Addr: cfg.Web.Listen, Handler: web.New(st, dec, opt), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}, nil
}
