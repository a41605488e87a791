package intake_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/demo"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/mailbox/imaptest"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/store/pgtest"
)

func TestMain(m *testing.M) {
	if daemonChild() {
		return
	}
	pgtest.Main(m)
}

// flow is one integration run: a real Dovecot, a go-smtp sink, a store, the
// test PKI, and daemons started and stopped over them.
type flow struct {
	t       *testing.T
	dc      *imaptest.Dovecot
	sink    *demo.Sink
	st      *store.Store
	cfg     *config.Config
	opts    func() signature.Options
	letters []demo.Letter
	mids    map[string]string // Message-ID -> label
	// wrap, when set, wraps the IMAP source of daemons started without
	// failMove.
	wrap func(intake.Source) intake.Source
}

func newFlow(t *testing.T, dsn string) *flow {
	t.Helper()
	ctx := context.Background()
	dc := imaptest.StartDovecot(t, "ekase", "pasts")
	sink, err := demo.ListenSink()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p := sigtest.New(t)
	p.SetClock(time.Now().UTC().Truncate(time.Second))
	trustSrc := p.Trust()
	fetcher := &revocation.HTTPFetcher{Now: time.Now, Timeout: 5 * time.Second}
	cfg := demo.Config(dc.Addr(), sink.Addr(), dsn)
	for i := range cfg.Mailboxes {
		cfg.Mailboxes[i].IMAP.Password = dc.Password(cfg.Mailboxes[i].IMAP.User)
	}
	cfg.HTTP.Listen = ""
	cfg.Limits.OutboxInterval = config.Duration{Duration: 100 * time.Millisecond}
	cfg.Limits.ReconnectMax = config.Duration{Duration: 500 * time.Millisecond}
	return &flow{t: t, dc: dc, sink: sink, st: st, cfg: cfg, letters: demo.Letters(demo.Signers(p)), mids: map[string]string{},
		opts: func() signature.Options { return signature.Options{Trust: trustSrc, Fetcher: fetcher} }}
}

func (f *flow) deliver(l demo.Letter) {
	f.dc.Deliver(l.Mailbox, "INBOX", l.Raw)
	f.mids[mailbox.Parse(l.Raw, mailbox.Limits{}).MessageID] = l.Label
}

// noMove is an IMAP source whose MOVE always fails: a daemon that commits
// outcomes and dies before moving the messages.
type noMove struct{ intake.Source }

func (noMove) Move(context.Context, uint32, string) error {
	return &mailbox.Error{Op: "move", Temporary: true, Err: errors.New("injected: move fails")}
}

func (noMove) MoveMany(context.Context, []uint32, string) error {
	return &mailbox.Error{Op: "move", Temporary: true, Err: errors.New("injected: move fails")}
}

// daemon starts a daemon; stop stops it and waits for it.
func (f *flow) daemon(name string, failMove bool) (stop func()) {
	cfg := *f.cfg
	cfg.Instance = name
	d := intake.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Options: f.opts}
	if os.Getenv("SIGINTAKE_TEST_LOG") != "" {
		d.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if failMove {
		d.Dial = func(ctx context.Context, c mailbox.IMAPConfig) (intake.Source, error) {
			s, err := intake.DialIMAP(ctx, c)
			if err != nil {
				return nil, err
			}
			return noMove{s}, nil
		}
	} else if f.wrap != nil {
		d.Dial = func(ctx context.Context, c mailbox.IMAPConfig) (intake.Source, error) {
			s, err := intake.DialIMAP(ctx, c)
			if err != nil {
				return nil, err
			}
			return f.wrap(s), nil
		}
	}
	dm, err := intake.New(context.Background(), &cfg, f.st, d)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, lp := range dm.Loops {
		lp.LeaseTTL = 2 * time.Second // a stopped daemon's lease runs out quickly
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { dm.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// settle waits until n letters are stored, decided, (moved) and answered.
func (f *flow) settle(n int, moved bool) []store.Letter {
	f.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ls, err := f.st.ListLetters(context.Background(), store.LetterFilter{Limit: 10000})
		ok := err == nil && len(ls) >= n
		for _, l := range ls {
			if l.Outcome == store.Pending || (moved && !l.Moved) || l.Reply == store.ReplyQueued {
				ok = false
			}
		}
		if ok {
			return ls
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("not settled: %d/%d letters (err %v)\n%s", len(ls), n, err, f.dc.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (f *flow) inboxCount(user string) int {
	c := f.dc.Client(user)
	d, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		f.t.Fatal(err)
	}
	return int(d.NumMessages)
}

func (f *flow) counts() (letters, cases, sent int) {
	ctx := context.Background()
	ls, _ := f.st.ListLetters(ctx, store.LetterFilter{Limit: 10000})
	cs, _ := f.st.ListCases(ctx, store.CaseFilter{Limit: 10000})
	return len(ls), len(cs), len(f.sink.Messages())
}

func (f *flow) run() {
	t := f.t
	for _, l := range f.letters {
		f.deliver(l)
	}
	n := len(f.letters)

	// 1. A daemon that decides and dies before moving anything.
	stop := f.daemon("a", true)
	f.settle(n, false)
	stop()
	if got := f.inboxCount("ekase") + f.inboxCount("pasts"); got != n {
		t.Fatalf("after the failed moves %d messages in the inboxes, want %d", got, n)
	}
	_, casesA, sentA := f.counts()

	// 2. Restarted: it moves them, files nothing twice, answers nothing twice.
	stop = f.daemon("b", false)
	ls := f.settle(n, true)
	letters, cases, sent := f.counts()
	if letters != n || cases != casesA || sent != sentA {
		t.Fatalf("after restart: letters %d (want %d), cases %d (was %d), sent %d (was %d)", letters, n, cases, casesA, sent, sentA)
	}
	if got := f.inboxCount("ekase") + f.inboxCount("pasts"); got != 0 {
		t.Fatalf("%d messages left in the inboxes", got)
	}
	answered := 0
	for _, l := range ls {
		label := f.mids[l.MessageID]
		var want string
		for _, dl := range f.letters {
			if dl.Label == label {
				want = dl.Want
			}
		}
		if !wantsOutcome(want, string(l.Outcome)) {
			t.Errorf("%s: %s, want %s (%+v)", label, l.Outcome, want, l.Reasons)
		}
		if l.Reply == store.ReplySent {
			answered++
		}
	}
	if answered != sent {
		t.Fatalf("%d letters answered, %d replies at the SMTP server", answered, sent)
	}
	f.checkReplies(ls)

	// 3. A follow-up: the client answers our acknowledgement.
	var first store.Letter
	firstMID := mailbox.Parse(f.letters[0].Raw, mailbox.Limits{}).MessageID
	for _, l := range ls {
		if l.MessageID == firstMID {
			first = l
		}
	}
	var replyID string
	for _, m := range f.sink.Messages() {
		pl := mailbox.Parse(m.Data, mailbox.Limits{})
		if len(pl.InReplyTo) > 0 && pl.InReplyTo[0] == first.MessageID {
			replyID = pl.MessageID
		}
	}
	fu := demo.FollowUp(first.Case, replyID)
	f.deliver(fu)
	ls = f.settle(n+1, true)
	last := ls[len(ls)-1]
	if last.Case != first.Case || last.Classification != "follow-up" || last.Outcome != store.Accepted {
		t.Fatalf("follow-up: case %q (want %q) class %s outcome %s", last.Case, first.Case, last.Classification, last.Outcome)
	}
	_, cases, sent = f.counts()

	// 4. Duplicate delivery of the same bytes: filed under the first case, not answered.
	f.dc.Deliver(f.letters[0].Mailbox, "INBOX", f.letters[0].Raw)
	ls = f.settle(n+2, true)
	dup := ls[len(ls)-1]
	_, cases2, sent2 := f.counts()
	if dup.Outcome != store.Ignored || dup.Case != first.Case || dup.Reply != store.ReplyNone || cases2 != cases || sent2 != sent {
		t.Fatalf("duplicate: %s case %q reply %s; cases %d->%d sent %d->%d", dup.Outcome, dup.Case, dup.Reply, cases, cases2, sent, sent2)
	}
	stop()

	// 5. UIDVALIDITY change while a decided letter is still in the inbox:
	// the letter is recognised by its bytes, not decided or answered again.
	extra := f.letters[4] // the unsigned letter, answered with a rejection
	extra.Raw = append([]byte("X-Resent: 1\r\n"), extra.Raw...)
	f.deliver(extra)
	stop = f.daemon("c", true)
	ls = f.settle(n+3, false)
	stop()
	_, _, sent3 := f.counts()
	if sent3 != sent+1 {
		t.Fatalf("the new letter was not answered once (%d -> %d)", sent, sent3)
	}
	f.dc.SetUIDValidity("ekase", "INBOX", 777)
	stop = f.daemon("d", false)
	ls = f.settle(n+3, true)
	stop()
	letters, cases3, sent4 := f.counts()
	if letters != n+3 || cases3 != cases || sent4 != sent3 {
		t.Fatalf("after UIDVALIDITY change: letters %d (want %d), cases %d->%d, sent %d->%d", letters, n+3, cases, cases3, sent3, sent4)
	}
	if l := ls[len(ls)-1]; l.UIDValidity != 777 || l.Outcome != store.Rejected || !l.Moved {
		t.Fatalf("rebound letter: uidvalidity %d outcome %s moved %v", l.UIDValidity, l.Outcome, l.Moved)
	}
	if got := f.inboxCount("ekase"); got != 0 {
		t.Fatalf("%d messages left in the ekase inbox", got)
	}
}

func (f *flow) checkReplies(ls []store.Letter) {
	seen := map[string]bool{}
	for _, m := range f.sink.Messages() {
		pl := mailbox.Parse(m.Data, mailbox.Limits{})
		if pl.AutoSubmitted != "auto-replied" || len(pl.InReplyTo) != 1 || len(pl.Problems) != 0 {
			f.t.Errorf("reply %q: Auto-Submitted %q In-Reply-To %q problems %v", pl.Subject, pl.AutoSubmitted, pl.InReplyTo, pl.Problems)
			continue
		}
		if seen[pl.InReplyTo[0]] {
			f.t.Errorf("letter %s answered twice", pl.InReplyTo[0])
		}
		seen[pl.InReplyTo[0]] = true
		switch f.mids[pl.InReplyTo[0]] {
		case "auto-reply (out of office)", "bounce (DSN)", "":
			f.t.Errorf("reply to %q (%s)", f.mids[pl.InReplyTo[0]], pl.InReplyTo[0])
		}
	}
}

func wantsOutcome(want, got string) bool {
	for i := 0; i <= len(want); {
		j := i
		for j < len(want) && want[j] != '|' {
			j++
		}
		if want[i:j] == got {
			return true
		}
		i = j + 1
	}
	return false
}

// The whole flow on a real Dovecot with SQLite.
func TestDovecotSQLite(t *testing.T) {
	newFlow(t, "sqlite:"+t.TempDir()+"/store.db").run()
}

// The same flow on a real Dovecot with PostgreSQL.
func TestDovecotPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	newFlow(t, dsn).run()
}

// Two daemons on one PostgreSQL: each letter is stored, decided and
// answered once (mailbox leases; outbox rows claimed with SKIP LOCKED).
func TestTwoDaemonsPostgres(t *testing.T) {
	f := newFlow(t, pgtest.Start(t))
	f.cfg.Replies.PerRecipientPerDay = 0
	stopX := f.daemon("x", false)
	stopY := f.daemon("y", false)
	n := 120
	ek, pa := plainLetters(n, "two")
	appendAll(t, f.dc, "ekase", ek[:n/4])
	appendAll(t, f.dc, "pasts", pa[:n/4])
	for _, l := range f.letters {
		f.deliver(l)
	}
	appendAll(t, f.dc, "ekase", ek[n/4:])
	appendAll(t, f.dc, "pasts", pa[n/4:])
	total := n + len(f.letters)
	began := time.Now()
	ls := f.settle(total, true)
	owners := map[string]string{}
	for _, name := range []string{"ekase", "pasts"} {
		ms, _ := f.st.Mailbox(context.Background(), name)
		owners[name] = ms.LeaseOwner
	}
	t.Logf("%d letters settled %v after the last delivery; lease owners %v", total, time.Since(began).Round(time.Millisecond), owners)
	stopX()
	stopY()
	letters, cases, sent := f.counts()
	answered, accepted := 0, 0
	for _, l := range ls {
		if l.Reply == store.ReplySent {
			answered++
		}
		if l.Outcome == store.Accepted {
			accepted++
		}
	}
	ids := map[string]int{}
	for _, m := range f.sink.Messages() {
		ids[mailbox.Parse(m.Data, mailbox.Limits{}).MessageID]++
	}
	if letters != total || sent != answered || len(ids) != answered || cases != accepted {
		t.Fatalf("letters %d (want %d), sent %d, distinct %d, answered %d, cases %d, accepted %d", letters, total, sent, len(ids), answered, cases, accepted)
	}
	if got := f.inboxCount("ekase") + f.inboxCount("pasts"); got != 0 {
		t.Fatalf("%d messages left in the inboxes", got)
	}
}
