package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web"
)

// runServe serves the web desk alone: sigintake serve --db DSN --listen ADDR.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", "store `DSN`: a SQLite path (sqlite:PATH) or postgres://... (default: the config's)")
	cfgPath := fs.String("config", "", "intake configuration `file`: case pattern, mailbox addresses and reply templates for clerk decisions")
	listen := fs.String("listen", "127.0.0.1:8080", "`address` to listen on")
	certFile := fs.String("tls-cert", "", "PEM certificate `file` (serve HTTPS)")
	keyFile := fs.String("tls-key", "", "PEM private key `file` (serve HTTPS)")
	httpsProxy := fs.Bool("https-proxy", false, "a reverse proxy terminates HTTPS in front: mark cookies Secure, send HSTS")
	proxyHeader := fs.String("proxy-user-header", "", "trusted reverse-proxy `header` naming the logged-in user (single sign-on; off when empty)")
	var proxies multiFlag
	fs.Var(&proxies, "trusted-proxy", "`CIDR` of reverse proxies trusted for --proxy-user-header and X-Forwarded-For (repeatable)")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "end sessions unused this long")
	absolute := fs.Duration("session-timeout", 12*time.Hour, "end sessions this long after login")
	casePattern := fs.String("case-pattern", "VK-{YYYY}/{SEQ:6}", "case number pattern for letters a clerk accepts (without --config)")
	replyFrom := fs.String("reply-from", "", "From `address` of plain replies to clerk decisions (without --config)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sigintake serve --db DSN [--listen ADDR] [--tls-cert FILE --tls-key FILE | --https-proxy]")
		fmt.Fprintln(stderr, "                       [--proxy-user-header H --trusted-proxy CIDR]...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var cfg *config.Config
	if *cfgPath != "" {
		var err error
		if cfg, err = config.Load(*cfgPath); err != nil {
			fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
			return 2
		}
		if *dsn == "" {
			*dsn = cfg.Store.DSN
		}
	}
	if *dsn == "" || fs.NArg() != 0 || (*certFile == "") != (*keyFile == "") {
		fs.Usage()
		return 2
	}
	opt := web.Options{HTTPSProxy: *httpsProxy, IdleTimeout: *idle, AbsoluteTimeout: *absolute, ProxyUserHeader: *proxyHeader,
		Logger: slog.New(slog.NewTextHandler(stderr, nil))}
	for _, p := range proxies {
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake serve: --trusted-proxy %q: %v\n", p, err)
			return 2
		}
		opt.TrustedProxies = append(opt.TrustedProxies, pr)
	}
	if *proxyHeader != "" && len(opt.TrustedProxies) == 0 {
		fmt.Fprintln(stderr, "sigintake serve: --proxy-user-header needs --trusted-proxy")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
		return 1
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
		return 1
	}
	var dec web.Decider = &web.StoreDecider{Store: st, CasePattern: *casePattern, Replies: web.PlainReplies(*replyFrom)}
	if cfg != nil {
		p, err := privacy(*cfgPath, st)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
			return 2
		}
		if dec, err = deskDecider(st, cfg, p); err != nil {
			fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
			return 1
		}
	}
	srv := &http.Server{Addr: *listen, Handler: web.New(st, dec, opt), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- srv.ListenAndServeTLS(*certFile, *keyFile)
		} else {
			errc <- srv.ListenAndServe()
		}
	}()
	fmt.Fprintf(stdout, "sigintake serve: listening on %s\n", *listen)
	go func() { // drop expired sessions now and then
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				st.DeleteExpiredSessions(ctx)
			}
		}
	}()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "sigintake serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	stop() // a second signal ends the process at once
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "sigintake serve: shutdown: %v\n", err)
		return 1
	}
	return 0
}
