package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigintake/sigintake/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is a settable time source for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// openSQLite returns a migrated store on a fresh SQLite file.
func openSQLite(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	return migrated(t, s)
}

// openPostgres returns a migrated store on a fresh PostgreSQL database.
func openPostgres(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	return migrated(t, s)
}

func migrated(t testing.TB, s *Store) *Store {
	t.Helper()
	t.Cleanup(func() { s.Close() })
	if _, _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// both runs fn as subtests on SQLite and PostgreSQL with a pinned clock.
func both(t *testing.T, fn func(t *testing.T, s *Store, c *clock)) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(db.name, func(t *testing.T) {
			s := db.open(t)
			c := &clock{t: t0}
			s.SetClock(c.now)
			fn(t, s, c)
		})
	}
}

func raw(i int) []byte {
	return fmt.Appendf(nil, "From: client%d@example.lv\r\nTo: ekase@kase.gov.lv\r\nMessage-ID: <m%d@example.lv>\r\nSubject: Iesniegums %d\r\n\r\nbody %d\r\n", i, i, i, i)
}

func save(t testing.TB, s *Store, mailbox string, uv, uid uint32, b []byte, msgID string) Saved {
	t.Helper()
	sv, err := s.SaveRawLetter(context.Background(), RawLetter{Mailbox: mailbox, UIDValidity: uv, UID: uid, Raw: b,
		MessageID: msgID, From: "client@example.lv", Subject: "Iesniegums"})
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.Get(&n, s.q(query), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

const pattern = "VK-{YYYY}/{SEQ:6}"

func acceptOutcome(id int64, n int) Outcome {
	return Outcome{
		LetterID: id, Outcome: Accepted, Classification: "new",
		Attachments: []Attachment{{PartPath: "2", Name: "iesniegums.edoc", ContentType: "application/vnd.etsi.asic-e+zip", Data: []byte(fmt.Sprintf("edoc %d", n))}},
		Reports: []Report{{AttachmentPart: "2", FileName: "iesniegums.edoc", Format: "XAdES", Indication: "TOTAL_PASSED",
			Qualification: "QESig", Level: "XAdES-BASELINE-LT", SignerSubject: "CN=Jānis Bērziņš", SignerSerial: "PNOLV-010101-12345",
			Issuer: "CN=E-ME SI (CA1)", CertSHA256: "ab", CertSerial: "01", SigningTime: t0.Add(-time.Hour), BestSignatureTime: t0,
			Verdict: "accepted", JSON: []byte(`{"indication":"TOTAL_PASSED"}`), ValidatorVersion: "test"}},
		NewCase: &NewCase{Pattern: pattern},
		Reply: &Reply{Kind: ReplyAck, Recipient: "client@example.lv", MessageID: fmt.Sprintf("<ack%d@kase.gov.lv>", n),
			Compose: func(number string) ([]byte, error) { return []byte("Subject: " + number + "\r\n\r\nok"), nil }},
	}
}

func TestMigrate(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		from, to, err := s.Migrate(ctx)
		if err != nil || from != SchemaVersion() || to != SchemaVersion() {
			t.Fatalf("second Migrate = %d, %d, %v; want %d, %d", from, to, err, SchemaVersion(), SchemaVersion())
		}
		if n := count(t, s, `SELECT COUNT(*) FROM schema_version`); n != SchemaVersion() {
			t.Fatalf("schema_version rows = %d", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM audit_head`); n != 1 {
			t.Fatalf("audit_head rows = %d after re-migration", n)
		}
	})
}

func TestMigrateConcurrentPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			_, _, errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := migrated(t, mustOpen(t, dsn))
	if n := count(t, s, `SELECT COUNT(*) FROM schema_version`); n != SchemaVersion() {
		t.Fatalf("schema_version rows = %d", n)
	}
}

func mustOpen(t testing.TB, dsn string) *Store {
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSaveRawLetter(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 7, 1, raw(1), "<m1@example.lv>")
		if !a.Created || a.ID == 0 || a.Outcome != Pending || a.SHA256 != SHA256Hex(raw(1)) {
			t.Fatalf("first save = %+v", a)
		}
		b := save(t, s, "ekase", 7, 1, raw(1), "<m1@example.lv>")
		if b.Created || b.ID != a.ID {
			t.Fatalf("second save = %+v, want the same letter not created", b)
		}
		_, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 7, UID: 1, Raw: raw(2)})
		if !errors.Is(err, ErrUIDConflict) {
			t.Fatalf("same UID, other bytes: err = %v", err)
		}
		// Same bytes delivered twice: a second letter pointing at the first.
		d := save(t, s, "ekase", 7, 2, raw(1), "<m1@example.lv>")
		if !d.Created || d.DuplicateOf != a.ID {
			t.Fatalf("duplicate delivery = %+v, want DuplicateOf %d", d, a.ID)
		}
		// The same bytes in the other mailbox are not a duplicate.
		if o := save(t, s, "pasts", 3, 1, raw(1), ""); o.DuplicateOf != 0 {
			t.Fatalf("other mailbox: %+v", o)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM blobs`); n != 1 {
			t.Fatalf("blobs = %d, want 1 (content-addressed)", n)
		}
		got, l, err := s.RawLetterBytes(ctx, a.ID)
		if err != nil || string(got) != string(raw(1)) || l.MessageID != "m1@example.lv" || l.Reply != ReplyNone {
			t.Fatalf("RawLetterBytes = %q, %+v, %v", got, l, err)
		}
		st, err := s.Mailbox(ctx, "ekase")
		if err != nil || st.UIDValidity != 7 || st.LastUID != 2 {
			t.Fatalf("mailbox = %+v, %v", st, err)
		}
		if _, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UID: 3, Raw: raw(3)}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("no UIDVALIDITY: %v", err)
		}
	})
}

func TestBlobCorrupt(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 1, 1, raw(1), "")
		if _, err := s.db.Exec(s.q(`UPDATE blobs SET data = ? WHERE sha256 = ?`), []byte("tampered"), a.SHA256); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RawLetterBytes(ctx, a.ID); !errors.Is(err, ErrBlobCorrupt) {
			t.Fatalf("tampered blob: err = %v, want ErrBlobCorrupt", err)
		}
		if _, err := s.Blob(ctx, SHA256Hex([]byte("never"))); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing blob: %v", err)
		}
	})
}

func TestRecordOutcome(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 1, 1, raw(1), "<m1@example.lv>")
		rec, err := s.RecordOutcome(ctx, acceptOutcome(a.ID, 1))
		if err != nil {
			t.Fatal(err)
		}
		if !rec.CaseOpened || rec.CaseNumber != "VK-2026/000001" || rec.OutboxID == 0 || rec.AuditID == 0 {
			t.Fatalf("recorded = %+v", rec)
		}
		l, err := s.Letter(ctx, a.ID)
		if err != nil || l.Outcome != Accepted || l.Case != "VK-2026/000001" || l.Reply != ReplyQueued || l.Classification != "new" {
			t.Fatalf("letter = %+v, %v", l, err)
		}
		cs, err := s.FindCaseByNumber(ctx, "VK-2026/000001")
		if err != nil || cs.LetterID != a.ID || cs.Status != CaseOpen || cs.ClientAddress != "client@example.lv" {
			t.Fatalf("case = %+v, %v", cs, err)
		}
		ob, err := s.Outbox(ctx, rec.OutboxID)
		if err != nil || string(ob.Raw) != "Subject: VK-2026/000001\r\n\r\nok" || ob.MessageID != "ack1@kase.gov.lv" {
			t.Fatalf("outbox = %+v, %v", ob, err)
		}
		reps, err := s.LetterReports(ctx, a.ID)
		if err != nil || len(reps) != 1 || reps[0].AttachmentPart != "2" || reps[0].AttachmentID == 0 ||
			!reps[0].SigningTime.Equal(t0.Add(-time.Hour).Truncate(time.Microsecond)) || string(reps[0].JSON) != `{"indication":"TOTAL_PASSED"}` {
			t.Fatalf("reports = %+v, %v", reps, err)
		}
		atts, err := s.Attachments(ctx, a.ID)
		if err != nil || len(atts) != 1 || atts[0].SHA256 != SHA256Hex([]byte("edoc 1")) {
			t.Fatalf("attachments = %+v, %v", atts, err)
		}
		if b, err := s.Blob(ctx, atts[0].SHA256); err != nil || string(b) != "edoc 1" {
			t.Fatalf("attachment blob = %q, %v", b, err)
		}
		// A second call changes nothing.
		if _, err := s.RecordOutcome(ctx, acceptOutcome(a.ID, 1)); !errors.Is(err, ErrAlreadyDecided) {
			t.Fatalf("second RecordOutcome: %v", err)
		}
		// A follow-up referencing our reply lands in the same case.
		b := save(t, s, "ekase", 1, 2, raw(2), "<m2@example.lv>")
		fc, err := s.FindCaseByReference(ctx, []string{"<unknown@x>", "<ack1@kase.gov.lv>"})
		if err != nil || fc.ID != rec.CaseID {
			t.Fatalf("FindCaseByReference = %+v, %v", fc, err)
		}
		r2, err := s.RecordOutcome(ctx, Outcome{LetterID: b.ID, Outcome: Accepted, Classification: "follow-up", CaseID: fc.ID})
		if err != nil || r2.CaseNumber != "VK-2026/000001" || r2.CaseOpened {
			t.Fatalf("follow-up = %+v, %v", r2, err)
		}
		ev, err := s.CaseEvents(ctx, rec.CaseID)
		if err != nil || len(ev) != 3 || ev[0].Kind != "opened" || ev[1].Kind != "reply_queued" || ev[2].Kind != "letter_received" {
			t.Fatalf("events = %+v, %v", ev, err)
		}
		// Review with rate-limited reply: second reply to the same recipient is suppressed.
		for i, want := range []bool{false, true} {
			sv := save(t, s, "ekase", 1, uint32(10+i), raw(10+i), "")
			r, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Rejected, Reasons: []Reason{{Code: "no_signature"}},
				Reply: &Reply{Kind: ReplyReject, Recipient: "Spam@Example.lv", MessageID: fmt.Sprintf("rej%d@kase", i), Raw: []byte("x"), LimitPerDay: 1}})
			if err != nil || r.ReplySuppressed != want {
				t.Fatalf("rejection %d = %+v, %v", i, r, err)
			}
		}
		sv := save(t, s, "ekase", 1, 20, raw(20), "")
		r, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Review, Review: "format_unsupported"})
		if err != nil || r.ReviewID == 0 {
			t.Fatalf("review = %+v, %v", r, err)
		}
		q, err := s.ReviewQueue(ctx, "ekase", 10)
		if err != nil || len(q) != 1 || q[0].LetterID != sv.ID {
			t.Fatalf("queue = %+v, %v", q, err)
		}
		if _, err := s.ClaimReview(ctx, q[0].ID, "anna"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimReview(ctx, q[0].ID, "berta"); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("second clerk claim: %v", err)
		}
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: 999999, Outcome: Accepted}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown letter: %v", err)
		}
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Pending}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("pending outcome: %v", err)
		}
		if n, err := s.VerifyAuditChain(ctx); err != nil || n != 5 {
			t.Fatalf("audit chain = %d, %v", n, err)
		}
	})
}

func TestRecordOutcomeExactlyOnceConcurrent(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 1, 1, raw(1), "")
		var ok, dup atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.RecordOutcome(ctx, acceptOutcome(a.ID, 1))
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrAlreadyDecided):
					dup.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 || dup.Load() != 9 {
			t.Fatalf("ok = %d, already decided = %d; want 1 and 9", ok.Load(), dup.Load())
		}
		for table, want := range map[string]int{"cases": 1, "outbox": 1, "signature_reports": 1, "attachments": 1, "audit_log": 1} {
			if n := count(t, s, `SELECT COUNT(*) FROM `+table); n != want {
				t.Errorf("%s rows = %d, want %d", table, n, want)
			}
		}
	})
}

func TestCaseNumbersConcurrent(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		const writers = 20
		ids := make([]int64, writers)
		for i := range ids {
			ids[i] = save(t, s, "ekase", 1, uint32(i+1), raw(i), "").ID
		}
		numbers := make([]string, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec, err := s.RecordOutcome(ctx, acceptOutcome(ids[i], i))
				if err != nil {
					t.Error(err)
					return
				}
				numbers[i] = rec.CaseNumber
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for _, n := range numbers {
			if n == "" || seen[n] {
				t.Fatalf("numbers not unique: %q", numbers)
			}
			seen[n] = true
		}
		for i := 1; i <= writers; i++ {
			if n := fmt.Sprintf("VK-2026/%06d", i); !seen[n] {
				t.Fatalf("missing %s in %q (gapless expected)", n, numbers)
			}
		}
		if _, err := s.VerifyAuditChain(ctx); err != nil {
			t.Fatal(err)
		}
		// A new year starts at 1 again.
		sv := save(t, s, "ekase", 1, 100, raw(100), "")
		o := acceptOutcome(sv.ID, 100)
		o.NewCase.At = time.Date(2027, 1, 1, 0, 0, 1, 0, time.FixedZone("EET", 2*3600))
		if rec, err := s.RecordOutcome(ctx, o); err != nil || rec.CaseNumber != "VK-2027/000001" {
			t.Fatalf("new year: %+v, %v", rec, err)
		}
	})
}

func TestUIDValidityChange(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		if _, changed, err := s.SyncUIDValidity(ctx, "ekase", 100); err != nil || changed {
			t.Fatalf("first sync: %v %v", changed, err)
		}
		a := save(t, s, "ekase", 100, 5, raw(1), "")
		if _, err := s.RecordOutcome(ctx, acceptOutcome(a.ID, 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMoved(ctx, a.ID, "Accepted"); err != nil {
			t.Fatal(err)
		}
		p := save(t, s, "ekase", 100, 6, raw(2), "") // stored, not yet processed
		st, changed, err := s.SyncUIDValidity(ctx, "ekase", 200)
		if err != nil || !changed || st.LastUID != 0 || st.UIDValidity != 200 {
			t.Fatalf("sync after change = %+v, %v, %v", st, changed, err)
		}
		// The server renumbered both; the daemon refetches from UID 1.
		r1 := save(t, s, "ekase", 200, 1, raw(1), "")
		r2 := save(t, s, "ekase", 200, 2, raw(2), "")
		if !r1.Rebound || r1.ID != a.ID || r1.Outcome != Accepted || r1.Created {
			t.Fatalf("rebound decided letter = %+v", r1)
		}
		if !r2.Rebound || r2.ID != p.ID || r2.Outcome != Pending {
			t.Fatalf("rebound pending letter = %+v", r2)
		}
		// A really new letter after the change is new.
		r3 := save(t, s, "ekase", 200, 3, raw(3), "")
		if !r3.Created || r3.Rebound {
			t.Fatalf("new letter = %+v", r3)
		}
		todo, err := s.LettersToProcess(ctx, "ekase", 10)
		if err != nil || len(todo) != 2 || todo[0].ID != p.ID || todo[1].ID != r3.ID {
			t.Fatalf("to process = %+v, %v", todo, err)
		}
		move, err := s.LettersToMove(ctx, "ekase", 10)
		if err != nil || len(move) != 1 || move[0].ID != a.ID || move[0].UID != 1 || move[0].UIDValidity != 200 {
			t.Fatalf("to move = %+v, %v", move, err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != 1 {
			t.Fatalf("outbox = %d, want 1 (not answered again)", n)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM letters`); n != 3 {
			t.Fatalf("letters = %d, want 3", n)
		}
		if st, _ := s.Mailbox(ctx, "ekase"); st.LastUID != 3 {
			t.Fatalf("last uid = %d", st.LastUID)
		}
	})
}

func TestPostpone(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 1, 1, raw(1), "")
		n, err := s.Postpone(ctx, a.ID, t0.Add(10*time.Minute), "ocsp: connection refused")
		if err != nil || n != 1 {
			t.Fatalf("postpone = %d, %v", n, err)
		}
		if todo, _ := s.LettersToProcess(ctx, "ekase", 10); len(todo) != 0 {
			t.Fatalf("postponed letter is due: %+v", todo)
		}
		c.add(10 * time.Minute)
		todo, err := s.LettersToProcess(ctx, "ekase", 10)
		if err != nil || len(todo) != 1 || todo[0].Attempts != 1 || todo[0].LastError == "" {
			t.Fatalf("due = %+v, %v", todo, err)
		}
	})
}

func TestOutbox(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		const total = 40
		for i := range total {
			sv := save(t, s, "ekase", 1, uint32(i+1), raw(i), "")
			if _, err := s.RecordOutcome(ctx, acceptOutcome(sv.ID, i)); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		claimed := map[int64]string{}
		var wg sync.WaitGroup
		for w := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprintf("worker%d", w)
				for {
					ms, err := s.ClaimOutbox(ctx, owner, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ms) == 0 {
						return
					}
					for _, m := range ms {
						mu.Lock()
						if prev, ok := claimed[m.ID]; ok {
							t.Errorf("outbox %d claimed by %s and %s", m.ID, prev, owner)
						}
						claimed[m.ID] = owner
						mu.Unlock()
						if m.Status != OutboxSending || m.ClaimedBy != owner || m.Attempts != 1 {
							t.Errorf("claimed row = %+v", m)
						}
						if m.ID%2 == 0 {
							if err := s.MarkSent(ctx, m.ID, owner); err != nil {
								t.Error(err)
							}
						} else {
							next, err := s.MarkFailed(ctx, m.ID, owner, "421 try later", false)
							if err != nil || !next.Equal(t0.Add(time.Minute)) {
								t.Errorf("MarkFailed = %v, %v", next, err)
							}
						}
					}
				}
			}()
		}
		wg.Wait()
		if len(claimed) != total {
			t.Fatalf("claimed %d of %d", len(claimed), total)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE status = 'sent'`); n != total/2 {
			t.Fatalf("sent = %d", n)
		}
		// Failed ones come back after their backoff, with attempts 2.
		c.add(time.Minute)
		ms, err := s.ClaimOutbox(ctx, "w", 100)
		if err != nil || len(ms) != total/2 || ms[0].Attempts != 2 || ms[0].LastError != "421 try later" {
			t.Fatalf("retry claim = %d rows, %v", len(ms), err)
		}
		// A dead claimer's rows are taken over after OutboxClaimTTL.
		if again, _ := s.ClaimOutbox(ctx, "other", 100); len(again) != 0 {
			t.Fatalf("claimed rows handed out again: %d", len(again))
		}
		c.add(OutboxClaimTTL + time.Second)
		again, err := s.ClaimOutbox(ctx, "other", 100)
		if err != nil || len(again) != total/2 {
			t.Fatalf("take over = %d, %v", len(again), err)
		}
		if err := s.MarkSent(ctx, again[0].ID, "w"); !errors.Is(err, ErrNotClaimed) {
			t.Fatalf("MarkSent by old claimer: %v", err)
		}
		if _, err := s.MarkFailed(ctx, again[0].ID, "other", "550 no such user", true); err != nil {
			t.Fatal(err)
		}
		l, _ := s.Letter(ctx, again[0].LetterID)
		if l.Reply != ReplyFailed {
			t.Fatalf("reply state = %s, want failed", l.Reply)
		}
		if err := s.MarkSent(ctx, again[1].ID, "other"); err != nil {
			t.Fatal(err)
		}
		l, _ = s.Letter(ctx, again[1].LetterID)
		if l.Reply != ReplySent {
			t.Fatalf("reply state = %s, want sent", l.Reply)
		}
		ev, _ := s.CaseEvents(ctx, l.CaseID)
		if len(ev) != 3 || ev[2].Kind != "reply_sent" {
			t.Fatalf("events = %+v", ev)
		}
	})
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 30: 6 * time.Hour} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestAuditChain(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		for i := range 5 {
			c.add(time.Second)
			if _, err := s.AppendAudit(ctx, AuditEntry{Actor: "anna", Action: "review.accept",
				Object: fmt.Sprintf("letter:%d", i), Details: []byte(`{"comment":"labi"}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.VerifyAuditChain(ctx); err != nil || n != 5 {
			t.Fatalf("verify = %d, %v", n, err)
		}
		log, err := s.AuditLog(ctx, "letter:2", 0, 10)
		if err != nil || len(log) != 1 || log[0].ID != 3 || log[0].PrevHash == "" {
			t.Fatalf("log = %+v, %v", log, err)
		}
		// Edit a row: the chain breaks exactly there.
		if _, err := s.db.Exec(`UPDATE audit_log SET details = '{"comment":"slikti"}' WHERE id = 3`); err != nil {
			t.Fatal(err)
		}
		_, err = s.VerifyAuditChain(ctx)
		var ce *AuditChainError
		if !errors.As(err, &ce) || ce.ID != 3 || !errors.Is(err, ErrAuditChain) {
			t.Fatalf("edited row: %v", err)
		}
		if _, err := s.db.Exec(s.q(`UPDATE audit_log SET details = ? WHERE id = 3`), `{"comment":"labi"}`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAuditChain(ctx); err != nil {
			t.Fatalf("restored: %v", err)
		}
		// Re-hash an edited row: the next one no longer links to it.
		if _, err := s.db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE id = 2`); err != nil {
			t.Fatal(err)
		}
		var e AuditEntry
		var r auditRow
		if err := s.db.Get(&r, `SELECT id, at, actor, action, object, details, prev_hash, hash FROM audit_log WHERE id = 2`); err != nil {
			t.Fatal(err)
		}
		e = r.entry()
		if _, err := s.db.Exec(s.q(`UPDATE audit_log SET hash = ? WHERE id = 2`), auditHash(e)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAuditChain(ctx); !errors.As(err, &ce) || ce.ID != 3 {
			t.Fatalf("re-hashed row: %v", err)
		}
		// Delete the tail: the head no longer matches.
		if _, err := s.db.Exec(`UPDATE audit_log SET actor = 'anna' WHERE id = 2`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(s.q(`UPDATE audit_log SET hash = ? WHERE id = 2`), r.Hash); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`DELETE FROM audit_log WHERE id = 5`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAuditChain(ctx); !errors.Is(err, ErrAuditChain) {
			t.Fatalf("truncated tail: %v", err)
		}
	})
}

func TestLease(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		if _, err := s.AcquireLease(ctx, "ekase", "d1", time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcquireLease(ctx, "ekase", "d2", time.Minute); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("d2 while d1 holds: %v", err)
		}
		c.add(30 * time.Second)
		if err := s.RenewLease(ctx, "ekase", "d1", time.Minute); err != nil {
			t.Fatal(err)
		}
		c.add(59 * time.Second)
		if _, err := s.AcquireLease(ctx, "ekase", "d2", time.Minute); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("d2 before renewed expiry: %v", err)
		}
		c.add(2 * time.Second) // d1 died
		st, err := s.AcquireLease(ctx, "ekase", "d2", time.Minute)
		if err != nil || st.LeaseOwner != "d2" || !st.LeaseExpiresAt.Equal(c.now().Add(time.Minute).Truncate(time.Microsecond)) {
			t.Fatalf("takeover = %+v, %v", st, err)
		}
		if err := s.RenewLease(ctx, "ekase", "d1", time.Minute); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("d1 renew after takeover: %v", err)
		}
		if err := s.ReleaseLease(ctx, "ekase", "d1"); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Mailbox(ctx, "ekase"); st.LeaseOwner != "d2" {
			t.Fatalf("release by non-owner changed the lease: %+v", st)
		}
		if err := s.ReleaseLease(ctx, "ekase", "d2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcquireLease(ctx, "ekase", "d1", time.Minute); err != nil {
			t.Fatalf("after release: %v", err)
		}
		// Concurrent acquirers: exactly one wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.AcquireLease(ctx, "pasts", fmt.Sprintf("x%d", i), time.Minute); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, ErrLeaseHeld) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d concurrent acquirers won", wins.Load())
		}
		if err := s.RecordPoll(ctx, "pasts"); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Mailbox(ctx, "pasts"); !st.LastPollAt.Equal(c.now().Truncate(time.Microsecond)) {
			t.Fatalf("last poll = %v", st.LastPollAt)
		}
	})
}

func TestListAndSearch(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var ids []int64
		for i := range 6 {
			c.add(time.Hour)
			mb := "ekase"
			if i%3 == 2 {
				mb = "pasts"
			}
			sv := save(t, s, mb, 1, uint32(i+1), raw(i), fmt.Sprintf("<m%d@example.lv>", i))
			ids = append(ids, sv.ID)
		}
		o := acceptOutcome(ids[0], 0)
		if _, err := s.RecordOutcome(ctx, o); err != nil {
			t.Fatal(err)
		}
		rej := Outcome{LetterID: ids[1], Outcome: Rejected, Reasons: []Reason{{Code: "signature_invalid", File: "a.pdf", Detail: "HASH_FAILURE"}},
			Attachments: []Attachment{{PartPath: "2", Name: "a.pdf", Size: 10, SHA256: "00"}},
			Reports: []Report{{AttachmentPart: "2", FileName: "a.pdf", Format: "PAdES", Indication: "TOTAL_FAILED", SubIndication: "HASH_FAILURE",
				Qualification: "NA", SignerSubject: "CN=Pēteris Ozols", SignerSerial: "PNOLV-020202-22222", Issuer: "CN=Other CA",
				Verdict: "rejected", JSON: []byte(`{}`)}},
			Reply: &Reply{Kind: ReplyReject, Recipient: "x@example.lv", MessageID: "rej@kase", Raw: []byte("no")}}
		if _, err := s.RecordOutcome(ctx, rej); err != nil {
			t.Fatal(err)
		}
		all, err := s.ListLetters(ctx, LetterFilter{})
		if err != nil || len(all) != 6 {
			t.Fatalf("all = %d, %v", len(all), err)
		}
		if all[1].Outcome != Rejected || all[1].Reply != ReplyQueued || len(all[1].Reasons) != 1 || all[1].Reasons[0].File != "a.pdf" {
			t.Fatalf("rejected letter = %+v", all[1])
		}
		for _, tc := range []struct {
			name string
			f    LetterFilter
			want int
		}{
			{"ok/mailbox", LetterFilter{Mailbox: "pasts"}, 2},
			{"ok/outcome", LetterFilter{Outcome: Pending}, 4},
			{"ok/since", LetterFilter{Since: t0.Add(4 * time.Hour)}, 3},
			{"ok/mailbox+outcome", LetterFilter{Mailbox: "ekase", Outcome: Accepted}, 1},
			{"ok/page", LetterFilter{AfterID: ids[3], Limit: 1}, 1},
		} {
			got, err := s.ListLetters(ctx, tc.f)
			if err != nil || len(got) != tc.want {
				t.Errorf("%s: %d letters, %v; want %d", tc.name, len(got), err, tc.want)
			}
		}
		l, err := s.FindLetterByMessageID(ctx, "ekase", "m1@example.lv")
		if err != nil || l.ID != ids[1] {
			t.Fatalf("by Message-ID = %+v, %v", l, err)
		}
		if _, err := s.FindLetterByMessageID(ctx, "pasts", "<m1@example.lv>"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("wrong mailbox: %v", err)
		}
		cases, err := s.ListCases(ctx, CaseFilter{Mailbox: "ekase", Status: CaseOpen})
		if err != nil || len(cases) != 1 {
			t.Fatalf("cases = %+v, %v", cases, err)
		}
		for _, tc := range []struct {
			name string
			f    ReportFilter
			want int
		}{
			{"ok/all", ReportFilter{}, 2},
			{"ok/signer-name", ReportFilter{Signer: "bērziņš"}, 1},
			{"ok/signer-serial", ReportFilter{Signer: "pnolv-020202-22222"}, 1},
			{"ok/issuer", ReportFilter{Issuer: "e-me"}, 1},
			{"ok/subindication", ReportFilter{Indication: "TOTAL_FAILED", SubIndication: "HASH_FAILURE"}, 1},
			{"ok/qualification", ReportFilter{Qualification: "QESig", Verdict: "accepted", Format: "XAdES"}, 1},
			{"ok/mailbox", ReportFilter{Mailbox: "pasts"}, 0},
			{"ok/period", ReportFilter{Since: t0.Add(7 * time.Hour)}, 0},
			{"ok/like-metachar", ReportFilter{Signer: "%"}, 0},
		} {
			got, total, err := s.SearchReports(ctx, tc.f)
			if err != nil || len(got) != tc.want || total != tc.want {
				t.Errorf("%s: %d reports (total %d), %v; want %d", tc.name, len(got), total, err, tc.want)
			}
		}
		page, total, err := s.SearchReports(ctx, ReportFilter{Limit: 1, Offset: 1})
		if err != nil || len(page) != 1 || total != 2 || page[0].Mailbox != "ekase" {
			t.Fatalf("page = %+v, %d, %v", page, total, err)
		}
		// Re-verification adds reports and leaves the outcome alone.
		c.add(24 * time.Hour)
		if err := s.AddReports(ctx, ids[1], []Report{{AttachmentPart: "2", FileName: "a.pdf", Indication: "TOTAL_FAILED", JSON: []byte(`{}`)}}, ""); err != nil {
			t.Fatal(err)
		}
		reps, _ := s.LetterReports(ctx, ids[1])
		if len(reps) != 2 || reps[1].AttachmentPart != "2" || !reps[1].ValidatedAt.After(reps[0].ValidatedAt) {
			t.Fatalf("reports after re-verification = %+v", reps)
		}
		if l, _ := s.Letter(ctx, ids[1]); l.Outcome != Rejected {
			t.Fatalf("outcome changed: %s", l.Outcome)
		}
	})
}

func TestUsersSessions(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, "admin", "anna", RoleClerk, "$argon2id$x")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "admin", "anna", RoleClerk, "$argon2id$y"); err == nil {
			t.Fatal("duplicate user name accepted")
		}
		if err := s.CreateSession(ctx, Session{ID: "h1", UserID: u.ID, CSRF: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		se, su, err := s.SessionUser(ctx, "h1")
		if err != nil || su.Name != "anna" || su.Role != RoleClerk || se.CSRF != "c" {
			t.Fatalf("session = %+v %+v %v", se, su, err)
		}
		if err := s.UpdateUser(ctx, "admin", "anna", true, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "h1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session of disabled user: %v", err)
		}
		if err := s.UpdateUser(ctx, "admin", "anna", false, "$argon2id$z"); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByName(ctx, "anna"); u.PasswordHash != "$argon2id$z" || u.Disabled {
			t.Fatalf("user = %+v", u)
		}
		if err := s.CreateSession(ctx, Session{ID: "h2", UserID: u.ID, ExpiresAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		c.add(2 * time.Minute)
		if _, _, err := s.SessionUser(ctx, "h2"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if n, err := s.DeleteExpiredSessions(ctx); err != nil || n != 1 {
			t.Fatalf("expired deleted = %d, %v", n, err)
		}
		if _, err := s.VerifyAuditChain(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFormatCaseNumber(t *testing.T) {
	for _, tc := range []struct {
		name, pattern, want string
		ok                  bool
	}{
		{"ok/default", "VK-{YYYY}/{SEQ:6}", "VK-2026/000123", true},
		{"ok/short", "{YY}-{SEQ}", "26-123", true},
		{"ok/no-year", "K{SEQ:4}", "K0123", true},
		{"fail/no-seq", "VK-{YYYY}", "", false},
		{"fail/unknown", "VK-{MM}/{SEQ}", "", false},
		{"fail/width", "{SEQ:0}", "", false},
		{"fail/unclosed", "{SEQ", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FormatCaseNumber(tc.pattern, 2026, 123)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("= %q, %v", got, err)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestPostgresRestart(t *testing.T) {
	s := openPostgres(t)
	ctx := context.Background()
	a := save(t, s, "ekase", 1, 1, raw(1), "")
	pgtest.Restart(t)
	// The pool reconnects; an interrupted connection may fail one call.
	var err error
	for range 3 {
		if _, err = s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: 2, Raw: raw(2)}); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if _, err := s.RecordOutcome(ctx, acceptOutcome(a.ID, 1)); err != nil {
		t.Fatal(err)
	}
	if b, _, err := s.RawLetterBytes(ctx, a.ID); err != nil || string(b) != string(raw(1)) {
		t.Fatalf("letter after restart: %v", err)
	}
}

func TestOpenRejects(t *testing.T) {
	if _, err := Open(context.Background(), "sqlite:"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty path: %v", err)
	}
}

func TestBatches(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		svs, err := s.SaveRawLetters(ctx, []RawLetter{
			{Mailbox: "ekase", UIDValidity: 1, UID: 1, Raw: raw(1)},
			{Mailbox: "ekase", UIDValidity: 1, UID: 2, Raw: raw(2)},
			{Mailbox: "ekase", UIDValidity: 1, UID: 3, Raw: raw(1)},
		})
		if err != nil || len(svs) != 3 || !svs[0].Created || svs[2].DuplicateOf != svs[0].ID {
			t.Fatalf("batch save = %+v, %v", svs, err)
		}
		// A batch with a bad letter stores nothing.
		if _, err := s.SaveRawLetters(ctx, []RawLetter{{Mailbox: "ekase", UIDValidity: 1, UID: 4, Raw: raw(4)},
			{Mailbox: "ekase", UIDValidity: 1, UID: 2, Raw: raw(5)}}); !errors.Is(err, ErrUIDConflict) {
			t.Fatalf("conflicting batch: %v", err)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM letters`); n != 3 {
			t.Fatalf("letters after failed batch = %d", n)
		}
		if _, err := s.RecordOutcome(ctx, acceptOutcome(svs[1].ID, 1)); err != nil {
			t.Fatal(err)
		}
		bad := acceptOutcome(svs[2].ID, 2)
		bad.Reply.Compose = func(string) ([]byte, error) { return nil, errors.New("template broken") }
		recs, errs, err := s.RecordOutcomes(ctx, []Outcome{
			acceptOutcome(svs[0].ID, 0), // ok
			acceptOutcome(svs[1].ID, 1), // already decided
			bad,                         // compose fails
			{LetterID: svs[2].ID, Outcome: Ignored, Classification: "duplicate"}, // ok after the failed one
		})
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || recs[0].CaseNumber != "VK-2026/000002" || !errors.Is(errs[1], ErrAlreadyDecided) ||
			errs[2] == nil || errs[3] != nil {
			t.Fatalf("batch outcomes = %+v, %v", recs, errs)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM cases`); n != 2 {
			t.Fatalf("cases = %d, want 2 (failed outcome left no case)", n)
		}
		if l, _ := s.Letter(ctx, svs[2].ID); l.Outcome != Ignored || l.Case != "" {
			t.Fatalf("letter 3 = %+v", l)
		}
		if n, err := s.VerifyAuditChain(ctx); err != nil || n != 3 {
			t.Fatalf("audit = %d, %v", n, err)
		}
	})
}

// TestPostgresRestartUnderLoad restarts PostgreSQL while writers file
// letters, retrying each step until it succeeds, as the daemon does.
// Afterwards every letter is filed exactly once: counts and case numbers
// are exact.
func TestPostgresRestartUnderLoad(t *testing.T) {
	s := openPostgres(t)
	ctx := context.Background()
	const writers, perWriter = 4, 15
	var done, retries atomic.Int32
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				uid := uint32(w*perWriter + i + 1)
				var sv Saved
				var err error
				deadline := time.Now().Add(60 * time.Second)
				for {
					sv, err = s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uid, Raw: raw(int(uid))})
					if err == nil || time.Now().After(deadline) {
						break
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
				if err != nil {
					t.Error(err)
					return
				}
				for {
					_, err = s.RecordOutcome(ctx, acceptOutcome(sv.ID, int(uid)))
					if err == nil || errors.Is(err, ErrAlreadyDecided) {
						err = nil
						break
					}
					if time.Now().After(deadline) {
						break
					}
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
				}
				if err != nil {
					t.Error(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	for done.Load() < writers*perWriter/3 {
		time.Sleep(5 * time.Millisecond)
	}
	pgtest.Restart(t)
	wg.Wait()
	t.Logf("%d calls failed during the restart and were retried", retries.Load())
	const total = writers * perWriter
	for table, want := range map[string]int{"letters": total, "cases": total, "outbox": total, "audit_log": total,
		"letters WHERE outcome = 'accepted'": total} {
		if n := count(t, s, `SELECT COUNT(*) FROM `+table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	if n := count(t, s, `SELECT COUNT(DISTINCT number) FROM cases WHERE number <= ?`, fmt.Sprintf("VK-2026/%06d", total)); n != total {
		t.Errorf("case numbers 1..%d: %d distinct", total, n)
	}
	if _, err := s.VerifyAuditChain(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRecordOutcomesConcurrentBatches: several daemons record batches that
// mix new cases and follow-ups at once; none fails, numbers stay unique.
func TestRecordOutcomesConcurrentBatches(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		first := save(t, s, "ekase", 1, 1, raw(0), "")
		base, err := s.RecordOutcome(ctx, acceptOutcome(first.ID, 0))
		if err != nil {
			t.Fatal(err)
		}
		const writers, batches, per = 4, 3, 6
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range batches {
					var ins []RawLetter
					for i := range per {
						uid := uint32(2 + (w*batches+b)*per + i)
						ins = append(ins, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uid, Raw: raw(int(uid))})
					}
					svs, err := s.SaveRawLetters(ctx, ins)
					if err != nil {
						t.Error(err)
						return
					}
					os := make([]Outcome, len(svs))
					for i, sv := range svs {
						if i%2 == w%2 {
							os[i] = Outcome{LetterID: sv.ID, Outcome: Accepted, Classification: "follow-up", CaseID: base.CaseID}
						} else {
							os[i] = acceptOutcome(sv.ID, int(ins[i].UID))
						}
					}
					_, errs, err := s.RecordOutcomes(ctx, os)
					if err != nil {
						t.Error(err)
						return
					}
					for _, err := range errs {
						if err != nil {
							t.Error(err)
						}
					}
				}
			}()
		}
		wg.Wait()
		if n := s.retries.Load(); n != 0 {
			t.Errorf("%d transactions retried after deadlock or busy errors", n)
		}
		total := 1 + writers*batches*per
		if n := count(t, s, `SELECT COUNT(*) FROM letters WHERE outcome = 'accepted'`); n != total {
			t.Fatalf("accepted = %d, want %d", n, total)
		}
		if n := count(t, s, `SELECT COUNT(*) FROM cases`); n != 1+writers*batches*per/2 {
			t.Fatalf("cases = %d", n)
		}
		if _, err := s.VerifyAuditChain(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLetterJSON pins the field names of `sigintake letters list --json`.
func TestLetterJSON(t *testing.T) {
	b, err := json.Marshal(Letter{ID: 1, Reasons: []Reason{{Code: "no_signature"}}, Reply: ReplyNone, Outcome: Pending})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "mailbox", "message_id", "from", "subject", "received_at", "sha256", "outcome", "case", "reply", "reasons"} {
		if _, ok := m[k]; !ok {
			t.Errorf("letter JSON lacks %q: %s", k, b)
		}
	}
}

func TestMarkMovedAll(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		a := save(t, s, "ekase", 100, 1, raw(1), "")
		b := save(t, s, "ekase", 100, 2, raw(2), "")
		for i, id := range []int64{a.ID, b.ID} {
			if _, err := s.RecordOutcome(ctx, acceptOutcome(id, i+1)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkMovedAll(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// All or none: an unknown letter fails the batch.
		if err := s.MarkMovedAll(ctx, []MovedLetter{{a.ID, "Accepted"}, {999999, "Accepted"}}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown letter: %v", err)
		}
		if ls, err := s.LettersToMove(ctx, "ekase", 10); err != nil || len(ls) != 2 {
			t.Fatalf("to move after a failed batch: %d %v", len(ls), err)
		}
		for range 2 { // idempotent
			if err := s.MarkMovedAll(ctx, []MovedLetter{{a.ID, "Accepted"}, {b.ID, "Review"}}); err != nil {
				t.Fatal(err)
			}
		}
		if ls, err := s.LettersToMove(ctx, "ekase", 10); err != nil || len(ls) != 0 {
			t.Fatalf("to move: %d %v", len(ls), err)
		}
		if l, err := s.Letter(ctx, b.ID); err != nil || !l.Moved || l.MovedTo != "Review" || l.MovedAt.IsZero() {
			t.Fatalf("letter b = %+v, %v", l, err)
		}
	})
}
