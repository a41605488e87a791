// Package demo runs sigintake's whole intake on one machine with no
// services: go-imap's in-memory IMAP server with the ekase and pasts
// accounts, a local SMTP sink (go-smtp) that captures the replies, SQLite in
// a temporary folder, and the project's TEST PKI (signature/sigtest) with
// its test trust (sigtest.QCTrust: qualified status read from the
// certificates' QCStatements, standing in for EU trusted lists). It seeds a
// dozen realistic letters, runs the real daemon (intake.Daemon) on them and
// prints a table of outcomes, case numbers and replies.
//
// The certificates are test certificates: nothing the demo accepts would be
// accepted by a production configuration.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/store"
)

// Options control Run.
type Options struct {
	Once   bool         // exit after the table
	Out    io.Writer    // the table and addresses
	Log    *slog.Logger // daemon logs (default: discarded)
	Dir    string       // working folder (default: a new temporary one, removed at the end)
	HTTP   string       // metrics/health address (default 127.0.0.1:0)
	Settle time.Duration
	// Desk, when set, builds the web desk over the demo's store and
	// configuration once the letters are decided (not with Once); note is
	// printed beside its address (e.g. the demo accounts). The package web
	// is wired in by the caller: intake does not import it.
	Desk func(ctx context.Context, st *store.Store, cfg *config.Config) (h http.Handler, note string, err error)
	// DeskAddr is the desk's address (default 127.0.0.1:8080, or any free
	// port when that one is taken).
	DeskAddr string
}

// Result is what the demo did, for tests.
type Result struct {
	Letters []Seeded
	Rows    []store.Letter
	Sent    []Captured
	DSN     string
}

// Seeded pairs a seeded letter with its stored row.
type Seeded struct {
	Letter
	MessageID string
}

// Captured is one message the SMTP sink received.
type Captured struct {
	From string
	To   []string
	Data []byte
}

// Run runs the demo until ctx ends (or, with Once, until the table is printed).
func Run(ctx context.Context, o Options) (res *Result, err error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tb := &pkiTB{}
	defer tb.close()
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(fatal); ok {
				err = fmt.Errorf("demo: test PKI: %s", f.msg)
				return
			}
			panic(r)
		}
	}()
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "sigintake-demo-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}

	// The test PKI, its clock at the real time so OCSP answers are fresh.
	p := sigtest.New(tb)
	p.SetClock(time.Now().UTC().Truncate(time.Second))
	s := Signers(p)

	// IMAP: go-imap's in-memory server, one user per mailbox.
	mem := imapmemserver.New()
	users := map[string]*imapmemserver.User{}
	for _, u := range []string{"ekase", "pasts"} {
		usr := imapmemserver.NewUser(u, "demo-"+u)
		if err := usr.Create("INBOX", nil); err != nil {
			return nil, err
		}
		mem.AddUser(usr)
		users[u] = usr
	}
	isrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIdle: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
		Logger:       quiet{},
	})
	iln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go isrv.Serve(iln)
	defer isrv.Close()

	// SMTP sink.
	sink, err := ListenSink()
	if err != nil {
		return nil, err
	}
	defer sink.Close()

	// Store.
	dsn := "sqlite:" + filepath.Join(dir, "sigintake.db")
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		return nil, err
	}

	// Seed the first batch.
	seeded := []Seeded{}
	appendTo := func(l Letter) error {
		r := strings.NewReader(string(l.Raw))
		if _, err := users[l.Mailbox].Append("INBOX", literal{r, int64(len(l.Raw))}, &imap.AppendOptions{}); err != nil {
			return err
		}
		pl := mailbox.Parse(l.Raw, mailbox.Limits{})
		seeded = append(seeded, Seeded{Letter: l, MessageID: pl.MessageID})
		return nil
	}
	for _, l := range firstBatch(s) {
		if err := appendTo(l); err != nil {
			return nil, err
		}
	}

	cfg := Config(iln.Addr().String(), sink.Addr(), dsn)
	if o.HTTP != "" {
		cfg.HTTP.Listen = o.HTTP
	}
	trustSrc := p.Trust()
	fetcher := &revocation.HTTPFetcher{Now: time.Now, Timeout: 5 * time.Second}
	idle := make(chan string, 16)
	dm, err := intake.New(ctx, cfg, st, intake.Deps{
		Log:     log,
		Options: func() signature.Options { return signature.Options{Trust: trustSrc, Fetcher: fetcher} },
		OnIdle: func(name string) {
			select {
			case idle <- name:
			default:
			}
		},
	})
	if err != nil {
		return nil, err
	}
	if err := dm.Listen(); err != nil {
		return nil, err
	}
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- dm.Run(dctx) }()
	defer func() {
		stop()
		<-done
	}()

	wait := func(n int) error {
		deadline := time.After(2 * time.Minute)
		for {
			ls, err := st.ListLetters(ctx, store.LetterFilter{Limit: 1000})
			if err == nil && len(ls) >= n && allSettled(ls) && outboxEmpty(ctx, st, ls) {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-deadline:
				return errors.New("demo: the daemon did not finish the letters within 2 minutes")
			case <-idle:
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	if err := wait(len(seeded)); err != nil {
		return nil, err
	}
	// A follow-up: the client answers our acknowledgement of the first case.
	if fl, ok := followUpFor(ctx, st, sink, seeded[0].MessageID); ok {
		if err := appendTo(fl); err != nil {
			return nil, err
		}
		if err := wait(len(seeded)); err != nil {
			return nil, err
		}
	}
	rows, err := st.ListLetters(ctx, store.LetterFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	res = &Result{Letters: seeded, Rows: rows, Sent: sink.Messages(), DSN: dsn}
	printTable(o.Out, rows, sink.Messages())
	if o.Once {
		return res, nil
	}
	fmt.Fprintf(o.Out, "\nThe demo keeps running (Ctrl-C to stop):\n")
	fmt.Fprintf(o.Out, "  IMAP  %s  users ekase / demo-ekase, pasts / demo-pasts (plain, loopback)\n", iln.Addr())
	fmt.Fprintf(o.Out, "  SMTP  %s  sink: replies are kept in memory, not delivered\n", sink.Addr())
	fmt.Fprintf(o.Out, "  HTTP  http://%s/metrics  /healthz  /readyz\n", dm.Addr())
	fmt.Fprintf(o.Out, "  Store %s (removed on exit)\n", dsn)
	fmt.Fprintf(o.Out, "  Append a letter to either INBOX with any IMAP client and it is processed within a second.\n")
	if o.Desk != nil {
		addr, note, err := serveDesk(ctx, o, st, cfg)
		if err != nil {
			return res, err
		}
		fmt.Fprintf(o.Out, "  WEB   http://%s/  %s\n", addr, note)
	}
	<-ctx.Done()
	return res, nil
}

// serveDesk starts the web desk of o.Desk until ctx ends.
func serveDesk(ctx context.Context, o Options, st *store.Store, cfg *config.Config) (string, string, error) {
	h, note, err := o.Desk(ctx, st, cfg)
	if err != nil {
		return "", "", err
	}
	addr := o.DeskAddr
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil && o.DeskAddr == "" {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return "", "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	return ln.Addr().String(), note, nil
}

// Config is the demo's daemon configuration.
func Config(imapAddr, smtpAddr, dsn string) *config.Config {
	cfg := config.Defaults()
	ih, ip, _ := net.SplitHostPort(imapAddr)
	sh, sp, _ := net.SplitHostPort(smtpAddr)
	iport, _ := strconv.Atoi(ip)
	sport, _ := strconv.Atoi(sp)
	cfg.Instance = "demo"
	cfg.Store.DSN = dsn
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.SMTP = config.SMTP{Host: sh, Port: sport, TLS: "plain", EnvelopeSender: "bounces@kase.gov.lv"}
	cfg.Replies.MessageIDDomain = "kase.gov.lv"
	cfg.Limits.PollInterval = config.Duration{Duration: 2 * time.Second}
	cfg.Limits.OutboxInterval = config.Duration{Duration: 500 * time.Millisecond}
	cfg.Limits.RetryInterval = config.Duration{Duration: 30 * time.Second}
	cfg.Limits.ReconnectMax = config.Duration{Duration: 5 * time.Second}
	for _, m := range []struct {
		name string
		pol  config.Policy
	}{{"ekase", config.PolicyEkase}, {"pasts", config.PolicyPasts}} {
		cfg.Mailboxes = append(cfg.Mailboxes, config.Mailbox{
			Name: m.name, Address: m.name + "@kase.gov.lv", Policy: m.pol, From: "Valsts kase <" + m.name + "@kase.gov.lv>",
			IMAP:    config.IMAP{Host: ih, Port: iport, TLS: "plain", User: m.name, Password: "demo-" + m.name, Folder: "INBOX"},
			Folders: config.Folders{Accepted: "Pieņemtās", Rejected: "Noraidītās", Review: "Pārbaudei", Ignored: "Ignorētās"},
		})
	}
	return &cfg
}

func allSettled(ls []store.Letter) bool {
	for _, l := range ls {
		if l.Outcome == store.Pending || !l.Moved {
			return false
		}
	}
	return true
}

func outboxEmpty(ctx context.Context, st *store.Store, ls []store.Letter) bool {
	for _, l := range ls {
		if l.Reply == store.ReplyQueued {
			return false
		}
	}
	return true
}

func followUpFor(ctx context.Context, st *store.Store, sink *Sink, firstMID string) (Letter, bool) {
	first, err := st.FindLetterByMessageID(ctx, "ekase", firstMID)
	if err != nil || first.Case == "" {
		return Letter{}, false
	}
	for _, m := range sink.Messages() {
		pl := mailbox.Parse(m.Data, mailbox.Limits{})
		for _, id := range pl.InReplyTo {
			if id == store.NormalizeMessageID(firstMID) {
				return followUp(first.Case, pl.MessageID), true
			}
		}
	}
	return Letter{}, false
}

func printTable(w io.Writer, rows []store.Letter, sent []Captured) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MAILBOX\tFROM\tSUBJECT\tOUTCOME\tCASE\tREPLY\tREASONS")
	for _, r := range rows {
		var codes []string
		seen := map[string]bool{}
		for _, rs := range r.Reasons {
			if rs.Code == "signed" || seen[rs.Code] {
				continue
			}
			seen[rs.Code] = true
			codes = append(codes, rs.Code)
		}
		sort.Strings(codes)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Mailbox, short(r.From, 44), short(r.Subject, 40), r.Outcome, orDash(r.Case), r.Reply, strings.Join(codes, ","))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d letters, %d replies captured by the SMTP sink.\n", len(rows), len(sent))
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}

type literal struct {
	*strings.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// Sink is a local SMTP server (go-smtp) that keeps every message it is
// given, for the demo and tests.
type Sink struct {
	srv *smtp.Server
	ln  net.Listener
	b   *sinkBackend
}

// ListenSink starts a Sink on a free loopback port.
func ListenSink() (*Sink, error) {
	b := &sinkBackend{}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(ln)
	return &Sink{srv: srv, ln: ln, b: b}, nil
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Messages returns what the sink received so far.
func (s *Sink) Messages() []Captured { return s.b.messages() }

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }

type sinkBackend struct {
	mu   sync.Mutex
	msgs []Captured
}

func (b *sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{b: b}, nil }

func (b *sinkBackend) messages() []Captured {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Captured(nil), b.msgs...)
}

type sinkSession struct {
	b    *sinkBackend
	from string
	to   []string
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, Captured{From: s.from, To: s.to, Data: b})
	s.b.mu.Unlock()
	return nil
}
func (s *sinkSession) Reset()        { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error { return nil }
