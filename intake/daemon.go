package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/trust"
	"github.com/sigintake/sigintake/store"
)

// Deps are what a Daemon is wired with besides its configuration; zero
// fields get the production default.
type Deps struct {
	Log *slog.Logger
	// Options overrides the signature options built from cfg.Trust (the
	// demo and tests pass the test PKI's trust).
	Options func() signature.Options
	Dial    DialFunc // default DialIMAP
	Sender  Sender   // default SMTPSender from cfg.SMTP
	// OnIdle is called with the mailbox name each time its loop caught up.
	OnIdle func(mailbox string)
	Now    func() time.Time
}

// Daemon is the whole intake: a loop per mailbox, the outbox worker and the
// metrics/health listener.
type Daemon struct {
	Store     *store.Store
	Processor *Processor
	Loops     []*Loop
	Outbox    *Outbox
	HTTPAddr  string
	Log       *slog.Logger

	ln    net.Listener
	trust *trustReloader // nil when the caller gave the signature options
}

// New wires a daemon from cfg over an open, migrated store.
func New(ctx context.Context, cfg *config.Config, st *store.Store, d Deps) (*Daemon, error) {
	log := d.Log
	if log == nil {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	// The owner name must be unique among running daemons and stable across
	// restarts: a restarted daemon then takes its mailbox leases back at once
	// and re-queues the replies it was sending when it died.
	owner := cfg.Instance
	if owner == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = fmt.Sprintf("pid-%d", os.Getpid())
		}
		owner = h
	}
	cat, err := reply.Load(cfg.Replies.TemplatesDir)
	if err != nil {
		return nil, err
	}
	opts := d.Options
	var reloader *trustReloader
	if opts == nil {
		reloader, err = newTrustReloader(ctx, cfg.Trust, log, d.Now)
		if err != nil {
			return nil, err
		}
		opts = reloader.Options
		if base := reloader.Options(); base.Trust == nil {
			log.Warn("no EU trusted lists configured (trust.trusted_lists): no signature can be shown to be qualified, so signed letters go to review")
		}
	}
	id := Identity{Addresses: map[string]bool{}, MessageIDDomain: cfg.Replies.MessageIDDomain}
	mbs := map[string]*Mailbox{}
	for _, m := range cfg.Mailboxes {
		id.Addresses[strings.ToLower(m.Address)] = true
		if a := addrOf(m.From); a != "" {
			id.Addresses[a] = true
		}
		mbs[m.Name] = &Mailbox{
			Name: m.Name, Address: m.Address, From: m.From, Policy: m.Policy,
			Folders: mailbox.Folders{Accepted: m.Folders.Accepted, Rejected: m.Folders.Rejected, Review: m.Folders.Review, Ignored: m.Folders.Ignored},
			IMAP: mailbox.IMAPConfig{Host: m.IMAP.Host, Port: m.IMAP.Port, TLS: mailbox.TLSMode(m.IMAP.TLS), User: m.IMAP.User, Password: m.IMAP.Password, Mailbox: m.IMAP.Folder,
				Folders: mailbox.Folders{Accepted: m.Folders.Accepted, Rejected: m.Folders.Rejected, Review: m.Folders.Review, Ignored: m.Folders.Ignored}},
		}
	}
	if a := strings.ToLower(cfg.SMTP.EnvelopeSender); a != "" {
		id.Addresses[a] = true
	}
	if id.MessageIDDomain == "" {
		for _, m := range cfg.Mailboxes {
			_, dom, _ := strings.Cut(m.Address, "@")
			id.MessageIDDomain = dom
			break
		}
	}
	met := NewMetrics()
	p := &Processor{
		Store: st, Mailboxes: mbs, Identity: id, Catalogue: cat, Options: opts, Log: log, Metrics: met, Now: d.Now,
		Settings: Settings{
			CasePattern: cfg.Cases.Pattern, PerRecipientPerDay: cfg.Replies.PerRecipientPerDay,
			RequireDMARCPass: cfg.Replies.RequireDMARCPass, AuthServID: cfg.Replies.AuthServID,
			Service:         reply.Service{Name: cfg.Replies.ServiceName, Phone: cfg.Replies.ServicePhone, Email: cfg.Replies.ServiceEmail, Web: cfg.Replies.ServiceWeb},
			MaxMessageBytes: cfg.Limits.MaxMessageBytes, MaxAttachmentBytes: cfg.Limits.MaxAttachmentBytes,
			LetterTimeout: cfg.Limits.LetterTimeout.Duration, RetryFor: cfg.Limits.RetryFor.Duration,
			RetryInterval: cfg.Limits.RetryInterval.Duration, Workers: cfg.Limits.Workers,
		},
	}
	p.init()
	sender := d.Sender
	if sender == nil {
		sender = &SMTPSender{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: mailbox.TLSMode(cfg.SMTP.TLS), User: cfg.SMTP.User, Password: cfg.SMTP.Password, Helo: cfg.SMTP.HeloName}
	}
	ob := &Outbox{Store: st, Sender: sender, Owner: owner, EnvelopeFrom: cfg.SMTP.EnvelopeSender, Interval: cfg.Limits.OutboxInterval.Duration, Log: log, Metrics: met}
	dm := &Daemon{Store: st, Processor: p, Outbox: ob, HTTPAddr: cfg.HTTP.Listen, Log: log, trust: reloader}
	for _, m := range cfg.Mailboxes {
		name := m.Name
		lp := &Loop{
			P: p, Mailbox: mbs[name], Owner: owner, Dial: d.Dial, Log: log,
			PollInterval: cfg.Limits.PollInterval.Duration, IdleRestart: cfg.Limits.IdleRestart.Duration,
			ReconnectMax: cfg.Limits.ReconnectMax.Duration, FetchMaxBytes: cfg.Limits.MaxMessageBytes,
			Kick: ob.Kick,
		}
		if d.OnIdle != nil {
			lp.OnIdle = func() { d.OnIdle(name) }
		}
		dm.Loops = append(dm.Loops, lp)
	}
	return dm, nil
}

func addrOf(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = strings.TrimSuffix(s[i+1:], ">")
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// TrustOptions builds the signature options from the trust settings:
// anchors and intermediates from PEM files, EU trusted lists, and the
// revocation fetcher (none when offline).
func TrustOptions(ctx context.Context, t config.Trust) (signature.Options, error) {
	var o signature.Options
	var err error
	if o.Anchors, err = readPEMs(t.Anchors); err != nil {
		return o, err
	}
	if o.Intermediates, err = readPEMs(t.Intermediates); err != nil {
		return o, err
	}
	if !t.Offline {
		o.Fetcher = &revocation.HTTPFetcher{Now: time.Now, CacheDir: t.RevocationCache}
	}
	if len(t.TrustedLists) > 0 {
		signers, err := readPEMs(t.TrustedListSigners)
		if err != nil {
			return o, err
		}
		files, err := globAll(t.TrustedLists)
		if err != nil {
			return o, err
		}
		ls, err := trust.Load(ctx, trust.LoadOptions{Files: files, Signers: signers, At: time.Now()})
		if err != nil {
			return o, fmt.Errorf("intake: trusted lists: %w", err)
		}
		o.Trust = ls
	}
	return o, nil
}

func globAll(globs []string) ([]string, error) {
	var out []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

func readPEMs(globs []string) ([]*pki.Certificate, error) {
	files, err := globAll(globs)
	if err != nil {
		return nil, err
	}
	var out []*pki.Certificate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("intake: %w", err)
		}
		cs, err := pki.ParsePEM(b)
		if err != nil {
			return nil, fmt.Errorf("intake: %s: %w", f, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

// Listen opens the metrics/health listener (so that its address is known
// before Run); Run calls it when it was not called.
func (dm *Daemon) Listen() error {
	if dm.HTTPAddr == "" || dm.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", dm.HTTPAddr)
	if err != nil {
		return fmt.Errorf("intake: http listen: %w", err)
	}
	dm.ln = ln
	return nil
}

// Addr is the metrics/health listener's address ("" when disabled).
func (dm *Daemon) Addr() string {
	if dm.ln == nil {
		return ""
	}
	return dm.ln.Addr().String()
}

// Handler serves /metrics, /healthz and /readyz.
func (dm *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		dm.Processor.Metrics.WriteTo(w)
		for _, lp := range dm.Loops {
			v := 0
			if lp.Ready() {
				v = 1
			}
			fmt.Fprintf(w, "sigintake_mailbox_connected{mailbox=%q} %d\n", lp.Mailbox.Name, v)
		}
		var lists []trust.ListSummary
		if dm.trust != nil {
			lists = dm.trust.Summaries()
		}
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		now := time.Now
		if dm.Processor.Now != nil {
			now = dm.Processor.Now
		}
		if err := writeHealthMetrics(ctx, w, dm.Store, lists, now()); err != nil {
			dm.Log.Error("health metrics", "err", err)
		}
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		var bad []string
		if _, err := dm.Store.Mailbox(ctx, "-"); err != nil {
			bad = append(bad, "store: "+err.Error())
		}
		for _, lp := range dm.Loops {
			if !lp.Ready() {
				bad = append(bad, "mailbox "+lp.Mailbox.Name+": not connected")
			}
		}
		if len(bad) > 0 {
			http.Error(w, strings.Join(bad, "\n"), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// Run runs the loops, the outbox worker and the HTTP listener until ctx
// ends, then stops them in reverse order: HTTP, mailbox loops (each
// finishes the letter batch it has), outbox.
func (dm *Daemon) Run(ctx context.Context) error {
	if err := dm.Listen(); err != nil {
		return err
	}
	obCtx, obStop := context.WithCancel(context.WithoutCancel(ctx))
	var obWG sync.WaitGroup
	obWG.Add(1)
	go func() { defer obWG.Done(); dm.Outbox.Run(obCtx) }()

	var wg sync.WaitGroup
	for _, lp := range dm.Loops {
		wg.Add(1)
		go func() { defer wg.Done(); lp.Run(ctx) }()
	}
	var srv *http.Server
	if dm.ln != nil {
		srv = &http.Server{Handler: dm.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(dm.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				dm.Log.Error("http", "err", err)
			}
		}()
	}
	dm.Log.Info("sigintake running", "mailboxes", len(dm.Loops), "http", dm.Addr())
	<-ctx.Done()
	dm.Log.Info("shutting down")
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	wg.Wait()
	// Give the outbox a moment to send what the last batch queued.
	dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	dm.Outbox.Drain(dctx)
	cancel()
	obStop()
	obWG.Wait()
	return nil
}
