package intake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/intake/demo"
	"github.com/sigintake/sigintake/intake/reply"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/store"
)

func openSQLite(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newProcessor(t *testing.T, st *store.Store, opts func() signature.Options) *intake.Processor {
	t.Helper()
	cat, err := reply.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return &intake.Processor{
		Store: st, Catalogue: cat, Options: opts,
		Mailboxes: map[string]*intake.Mailbox{
			"ekase": {Name: "ekase", Address: "ekase@kase.gov.lv", From: "ekase@kase.gov.lv", Policy: config.PolicyEkase},
		},
		Identity: intake.Identity{Addresses: map[string]bool{"ekase@kase.gov.lv": true}, MessageIDDomain: "kase.gov.lv"},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Settings: intake.Settings{CasePattern: "VK-{YYYY}/{SEQ:6}", PerRecipientPerDay: 5, MaxMessageBytes: 10 << 20, MaxAttachmentBytes: 8 << 20,
			LetterTimeout: time.Minute, RetryFor: time.Hour, RetryInterval: time.Minute, Workers: 2},
	}
}

func save(t *testing.T, st *store.Store, uid uint32, raw []byte) int64 {
	t.Helper()
	s, err := st.SaveRawLetter(context.Background(), store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uid, Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func letterByLabel(ls []demo.Letter, label string) demo.Letter {
	for _, l := range ls {
		if l.Label == label {
			return l
		}
	}
	panic("no letter " + label)
}

// OCSP answering tryLater: the letter waits (postponed, not decided);
// once RetryFor has passed it goes to review, never to rejection.
func TestTemporaryFailureWaitsThenReview(t *testing.T) {
	ctx := context.Background()
	p := sigtest.New(t)
	p.SetClock(time.Now().UTC())
	letters := demo.Letters(demo.Signers(p))
	p.Intermediate.SetOCSPMode(sigtest.OCSPTryLater)
	p.Intermediate.SetCRLMode(sigtest.CRLNotFound)
	st := openSQLite(t)
	trustSrc := p.Trust()
	pr := newProcessor(t, st, func() signature.Options {
		return signature.Options{Trust: trustSrc, Fetcher: &revocation.HTTPFetcher{Timeout: 2 * time.Second}}
	})
	id := save(t, st, 1, letterByLabel(letters, "detached .p7s with its PDF (QES)").Raw)
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	l, _ := st.Letter(ctx, id)
	if l.Outcome != store.Pending || l.Attempts != 1 || l.NextAttemptAt.IsZero() {
		t.Fatalf("after TRY_LATER: outcome %s attempts %d next %v", l.Outcome, l.Attempts, l.NextAttemptAt)
	}
	// Not due yet: nothing happens.
	if n, _ := pr.ProcessPending(ctx, "ekase", 10); n != 0 {
		t.Fatalf("a postponed letter was processed before its time (%d)", n)
	}
	// The retry window is over: review, with the temporary reason.
	pr.Settings.RetryFor = 0
	st.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	l, _ = st.Letter(ctx, id)
	if l.Outcome != store.Review || l.Reply != store.ReplyNone {
		t.Fatalf("after the window: %s reply %s reasons %+v", l.Outcome, l.Reply, l.Reasons)
	}
	found := false
	for _, r := range l.Reasons {
		found = found || r.Code == intake.ReasonTemporary
	}
	if !found {
		t.Fatalf("reasons %+v", l.Reasons)
	}
}

// A panic while validating one letter sends that letter to review; the
// next letter is decided normally.
func TestPanicGoesToReview(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	var calls atomic.Int32
	pr := newProcessor(t, st, func() signature.Options {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return signature.Options{}
	})
	pr.Settings.Workers = 1
	a := save(t, st, 1, []byte("From: a@example.lv\r\nSubject: one\r\nMessage-ID: <1@x>\r\n\r\nhello\r\n"))
	b := save(t, st, 2, []byte("From: b@example.lv\r\nSubject: two\r\nMessage-ID: <2@x>\r\n\r\nhello\r\n"))
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	la, _ := st.Letter(ctx, a)
	lb, _ := st.Letter(ctx, b)
	if la.Outcome != store.Review || la.Reasons[0].Code != intake.ReasonInternal {
		t.Fatalf("panicking letter: %s %+v", la.Outcome, la.Reasons)
	}
	if lb.Outcome != store.Rejected || lb.Reply != store.ReplyQueued {
		t.Fatalf("next letter: %s reply %s", lb.Outcome, lb.Reply)
	}
	q, _ := st.ReviewQueue(ctx, "ekase", 10)
	if len(q) != 1 || q[0].LetterID != a {
		t.Fatalf("review queue %+v", q)
	}
}

// Duplicate delivery of the same bytes files one case and answers once;
// processing again decides nothing twice.
func TestDuplicateAndReprocess(t *testing.T) {
	ctx := context.Background()
	p := sigtest.New(t)
	p.SetClock(time.Now().UTC())
	letters := demo.Letters(demo.Signers(p))
	st := openSQLite(t)
	trustSrc := p.Trust()
	pr := newProcessor(t, st, func() signature.Options {
		return signature.Options{Trust: trustSrc, Fetcher: &revocation.HTTPFetcher{Timeout: 5 * time.Second}}
	})
	raw := letterByLabel(letters, ".p7m e-seal + unsigned photo").Raw
	first := save(t, st, 1, raw)
	dup := save(t, st, 2, raw)
	for i := 0; i < 3; i++ {
		if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
			t.Fatal(err)
		}
		st.SetClock(func() time.Time { return time.Now().Add(time.Duration(i+1) * time.Minute) })
	}
	l1, _ := st.Letter(ctx, first)
	l2, _ := st.Letter(ctx, dup)
	if l1.Outcome != store.Accepted || l1.Case == "" || l1.Reply != store.ReplyQueued {
		t.Fatalf("first: %s %q %s %+v", l1.Outcome, l1.Case, l1.Reply, l1.Reasons)
	}
	if l2.Outcome != store.Ignored || l2.CaseID != l1.CaseID || l2.Reply != store.ReplyNone {
		t.Fatalf("duplicate: %s case %d (first %d) reply %s", l2.Outcome, l2.CaseID, l1.CaseID, l2.Reply)
	}
	cs, _ := st.ListCases(ctx, store.CaseFilter{})
	if len(cs) != 1 {
		t.Fatalf("%d cases", len(cs))
	}
	// A second processor over the same store (a restarted daemon) finds nothing to do.
	pr2 := newProcessor(t, st, pr.Options)
	if n, err := pr2.ProcessPending(ctx, "ekase", 10); n != 0 || err != nil {
		t.Fatalf("restart reprocessed %d (%v)", n, err)
	}
	// The outbox holds exactly one reply, and sending twice sends it once.
	var sent []string
	ob := &intake.Outbox{Store: st, Sender: senderFunc(func(ctx context.Context, from string, to []string, raw []byte) error {
		sent = append(sent, to[0])
		return nil
	}), Owner: "t", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ob.Drain(ctx)
	ob.Drain(ctx)
	if len(sent) != 1 || sent[0] != "birojs@ozolkalni.example.lv" {
		t.Fatalf("sent %v", sent)
	}
}

type senderFunc func(ctx context.Context, from string, to []string, raw []byte) error

func (f senderFunc) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return f(ctx, from, to, raw)
}

// A temporary SMTP failure is retried with the same Message-ID; a
// permanent one marks the reply failed.
func TestOutboxRetries(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	pr := newProcessor(t, st, func() signature.Options { return signature.Options{} })
	a := save(t, st, 1, []byte("From: a@example.lv\r\nSubject: one\r\nMessage-ID: <1@x>\r\n\r\nhello\r\n"))
	b := save(t, st, 2, []byte("From: b@example.lv\r\nSubject: two\r\nMessage-ID: <2@x>\r\n\r\nhello\r\n"))
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	var ids []string
	fail := true
	ob := &intake.Outbox{Store: st, Owner: "t", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sender: senderFunc(func(ctx context.Context, from string, to []string, raw []byte) error {
			ids = append(ids, string(raw[:0])+to[0])
			if to[0] == "b@example.lv" {
				return permanentErr{}
			}
			if fail {
				return errors.New("connection refused")
			}
			return nil
		})}
	ob.Drain(ctx)
	fail = false
	st.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
	ob.Drain(ctx)
	la, _ := st.Letter(ctx, a)
	lb, _ := st.Letter(ctx, b)
	if len(ids) != 3 {
		t.Fatalf("send attempts %v", ids)
	}
	if la.Reply != store.ReplySent || lb.Reply != store.ReplyFailed {
		t.Fatalf("reply states %s %s", la.Reply, lb.Reply)
	}
}

type permanentErr struct{}

func (permanentErr) Error() string { return "550 no such user" }
func (permanentErr) Is(target error) bool {
	return target == mailbox.ErrPermanent
}

// Replies are rate-limited per recipient per day, never sent to our own
// addresses, and, when required, only to senders that passed DMARC at our
// server.
func TestReplySuppression(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	pr := newProcessor(t, st, func() signature.Options { return signature.Options{} })
	pr.Settings.PerRecipientPerDay = 2
	pr.Identity.Addresses["pasts@kase.gov.lv"] = true
	var ids []int64
	for i := 0; i < 4; i++ {
		ids = append(ids, save(t, st, uint32(i+1), []byte(fmt.Sprintf("From: a@example.lv\r\nSubject: %d\r\nMessage-ID: <r%d@x>\r\n\r\nhello\r\n", i, i))))
	}
	ids = append(ids, save(t, st, 5, []byte("From: Valsts kase <pasts@kase.gov.lv>\r\nSubject: x\r\nMessage-ID: <other@x>\r\n\r\nhello\r\n")))
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	var got []store.ReplyState
	for _, id := range ids {
		l, _ := st.Letter(ctx, id)
		got = append(got, l.Reply)
	}
	want := []store.ReplyState{store.ReplyQueued, store.ReplyQueued, store.ReplyNone, store.ReplyNone, store.ReplyNone}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replies %v, want %v", got, want)
	}
	if l, _ := st.Letter(ctx, ids[4]); l.Outcome != store.Ignored || l.Classification != "own-reply" {
		t.Fatalf("letter from the other mailbox: %s %s", l.Outcome, l.Classification)
	}

	// DMARC required: only the letter whose Authentication-Results from our
	// server say dmarc=pass is answered.
	pr.Settings.PerRecipientPerDay = 0
	pr.Settings.RequireDMARCPass = true
	pr.Settings.AuthServID = "mx.kase.gov.lv"
	pass := save(t, st, 6, []byte("Authentication-Results: mx.kase.gov.lv; dmarc=pass header.from=b.lv\r\nFrom: x@b.lv\r\nSubject: p\r\nMessage-ID: <d1@x>\r\n\r\nhi\r\n"))
	forged := save(t, st, 7, []byte("Authentication-Results: mx.evil.example; dmarc=pass\r\nAuthentication-Results: mx.kase.gov.lv; dmarc=fail\r\nFrom: y@b.lv\r\nSubject: f\r\nMessage-ID: <d2@x>\r\n\r\nhi\r\n"))
	if _, err := pr.ProcessPending(ctx, "ekase", 10); err != nil {
		t.Fatal(err)
	}
	lp, _ := st.Letter(ctx, pass)
	lf, _ := st.Letter(ctx, forged)
	if lp.Reply != store.ReplyQueued || lf.Reply != store.ReplyNone || lf.Outcome != store.Rejected {
		t.Fatalf("dmarc: pass %s, forged %s (%s)", lp.Reply, lf.Reply, lf.Outcome)
	}
}
