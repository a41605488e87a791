package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// sendAll claims and marks sent every due outbox message.
func sendAll(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	ms, err := s.ClaimOutbox(ctx, "test", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if err := s.MarkSent(ctx, m.ID, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot counts what a purge may change.
func snapshot(t testing.TB, s *Store) string {
	return fmt.Sprint(
		count(t, s, `SELECT COUNT(*) FROM blobs`),
		count(t, s, `SELECT COUNT(*) FROM letters WHERE purged_at IS NOT NULL`),
		count(t, s, `SELECT COUNT(*) FROM letters WHERE from_addr = ''`),
		count(t, s, `SELECT COUNT(*) FROM signature_reports WHERE signer_serial = ''`),
		count(t, s, `SELECT COUNT(*) FROM audit_log`),
		count(t, s, `SELECT COUNT(*) FROM outbox WHERE recipient = ''`),
	)
}

func TestPurge(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		s.SetKeyring(ring(t, testKey(t, 1))) // purge works on sealed blobs as on plaintext
		day := 24 * time.Hour
		policy := RetentionPolicy{Rejected: 365 * day, Ignored: 30 * day, Accepted: 200 * day, Review: 365 * day}

		rejected := save(t, s, "ekase", 1, 1, raw(1), "<m1@example.lv>")
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: rejected.ID, Outcome: Rejected, Classification: "new",
			Reasons: []Reason{{Code: "no-signature"}}}); err != nil {
			t.Fatal(err)
		}
		ignored := save(t, s, "ekase", 1, 2, raw(2), "<m2@example.lv>")
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: ignored.ID, Outcome: Ignored, Classification: "auto-reply"}); err != nil {
			t.Fatal(err)
		}
		open := save(t, s, "ekase", 1, 3, raw(3), "<m3@example.lv>")
		if _, err := s.RecordOutcome(ctx, acceptOutcome(open.ID, 3)); err != nil {
			t.Fatal(err)
		}
		closed := save(t, s, "ekase", 1, 4, raw(4), "<m4@example.lv>")
		recClosed, err := s.RecordOutcome(ctx, acceptOutcome(closed.ID, 4))
		if err != nil {
			t.Fatal(err)
		}
		queued := save(t, s, "ekase", 1, 5, raw(5), "<m5@example.lv>")
		sendAll(t, s) // the acks of open and closed are sent
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: queued.ID, Outcome: Rejected, Classification: "new",
			Reply: &Reply{Kind: ReplyReject, Recipient: "client@example.lv", MessageID: "<rej5@kase.gov.lv>", Raw: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
		pending := save(t, s, "ekase", 1, 6, raw(6), "<m6@example.lv>")
		// The same bytes as the rejected letter, delivered to pasts and not
		// decided yet: the shared blob must survive the rejected letter's purge.
		twin := save(t, s, "pasts", 1, 1, raw(1), "<m1@example.lv>")
		if twin.SHA256 != rejected.SHA256 {
			t.Fatal("twin has other bytes")
		}
		c.add(day)
		if _, err := s.db.Exec(s.q(`UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ?`), s.t(c.now()), recClosed.CaseID); err != nil {
			t.Fatal(err)
		}
		att, _ := s.Attachments(ctx, closed.ID)

		ids := func(r PurgeResult) []int64 {
			var out []int64
			for _, it := range r.Items {
				out = append(out, it.LetterID)
			}
			return out
		}
		t.Run("ok/nothing-due", func(t *testing.T) {
			r, err := s.Purge(ctx, policy, true, "admin")
			if err != nil || r.Letters != 0 || len(r.AuditIDs) != 0 {
				t.Fatalf("Purge at day 1 = %+v, %v", r, err)
			}
		})
		t.Run("ok/dry-run-changes-nothing", func(t *testing.T) {
			c.add(40 * day)
			before := snapshot(t, s)
			r, err := s.Purge(ctx, policy, false, "admin")
			if err != nil || r.Applied || fmt.Sprint(ids(r)) != fmt.Sprint([]int64{ignored.ID}) || r.Bytes != int64(len(raw(2))) {
				t.Fatalf("dry run = %+v, %v", r, err)
			}
			if after := snapshot(t, s); after != before {
				t.Fatalf("dry run changed the store: %s -> %s", before, after)
			}
		})
		t.Run("ok/ignored-after-30-days", func(t *testing.T) {
			r, err := s.Purge(ctx, policy, true, "admin")
			if err != nil || fmt.Sprint(ids(r)) != fmt.Sprint([]int64{ignored.ID}) || r.BlobsDeleted != 1 || len(r.AuditIDs) != 1 {
				t.Fatalf("Purge at day 41 = %+v, %v", r, err)
			}
			if _, err := s.Blob(ctx, ignored.SHA256); !errors.Is(err, ErrNotFound) {
				t.Fatalf("ignored blob: %v", err)
			}
			_, l, err := s.LetterOriginal(ctx, ignored.ID)
			var pe *PurgedError
			if !errors.As(err, &pe) || !errors.Is(err, ErrPurged) || !pe.At.Equal(c.now().Truncate(time.Microsecond)) || l.PurgedAt.IsZero() {
				t.Fatalf("LetterOriginal of a purged letter: %v", err)
			}
			if l.SHA256 != ignored.SHA256 || l.Outcome != Ignored || l.Size != int64(len(raw(2))) || l.From != "" || l.Subject != "" {
				t.Fatalf("hash-only record = %+v", l)
			}
		})
		t.Run("ok/rejected-and-closed-cases-later", func(t *testing.T) {
			c.add(360 * day) // day 401
			dry, err := s.Purge(ctx, policy, false, "admin")
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprint([]int64{rejected.ID, closed.ID})
			if fmt.Sprint(ids(dry)) != want {
				t.Fatalf("dry run at day 401 lists %v, want %s (not the open case, the queued reply, the pending letters)", ids(dry), want)
			}
			r, err := s.Purge(ctx, policy, true, "admin")
			if err != nil || fmt.Sprint(ids(r)) != want {
				t.Fatalf("Purge at day 401 = %+v, %v", r, err)
			}
			// closed's raw blob and its attachment; rejected's blob is shared with the pending twin.
			if r.BlobsDeleted != 2 {
				t.Fatalf("blobs deleted = %d, want 2", r.BlobsDeleted)
			}
			if b, err := s.Blob(ctx, rejected.SHA256); err != nil || !bytes.Equal(b, raw(1)) {
				t.Fatalf("shared blob of the pending twin: %v", err)
			}
			if _, _, err := s.RawLetterBytes(ctx, twin.ID); err != nil {
				t.Fatalf("twin: %v", err)
			}
			if _, _, err := s.LetterOriginal(ctx, rejected.ID); !errors.Is(err, ErrPurged) {
				t.Fatalf("rejected letter: %v", err)
			}
			if _, _, err := s.LetterAttachment(ctx, closed.ID, att[0].ID); !errors.Is(err, ErrPurged) {
				t.Fatalf("attachment of a purged letter: %v", err)
			}
			if _, err := s.Blob(ctx, att[0].SHA256); !errors.Is(err, ErrNotFound) {
				t.Fatalf("attachment blob: %v", err)
			}
			reps, err := s.LetterReports(ctx, closed.ID)
			if err != nil || len(reps) != 1 || reps[0].SignerSerial != "" || reps[0].SignerSubject != "" ||
				reps[0].Indication != "TOTAL_PASSED" || reps[0].Qualification != "QESig" || reps[0].CertSHA256 != "ab" ||
				bytes.Contains(reps[0].JSON, []byte("indication")) {
				t.Fatalf("reduced report = %+v, %v", reps, err)
			}
			cs, err := s.Case(ctx, recClosed.CaseID)
			if err != nil || cs.ClientAddress != "" || cs.Subject != "" || cs.Number == "" || cs.Status != CaseClosed {
				t.Fatalf("case after purge = %+v, %v", cs, err)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE letter_id = ? AND recipient = ''`, closed.ID); n != 1 {
				t.Fatalf("sent ack of the purged letter not cleared: %d", n)
			}
			// Untouched: the open case, the letter with a queued reply, the pending ones.
			for _, id := range []int64{open.ID, queued.ID, pending.ID, twin.ID} {
				if b, l, err := s.LetterOriginal(ctx, id); err != nil || len(b) == 0 || l.From == "" {
					t.Fatalf("letter %d touched: %v", id, err)
				}
			}
			if reps, _ := s.LetterReports(ctx, open.ID); len(reps) != 1 || reps[0].SignerSerial == "" {
				t.Fatal("report of the open case reduced")
			}
			log, err := s.AuditLog(ctx, "purge", 0, 10)
			if err != nil || len(log) != 2 || log[1].Action != "purge.run" || log[1].Actor != "admin" ||
				!bytes.Contains(log[1].Details, fmt.Appendf(nil, `"letters":[%d,%d]`, rejected.ID, closed.ID)) {
				t.Fatalf("audit = %+v, %v", log, err)
			}
			if n, err := s.VerifyAuditChain(ctx); err != nil || n == 0 {
				t.Fatalf("audit chain: %d, %v", n, err)
			}
		})
		t.Run("ok/idempotent", func(t *testing.T) {
			before := snapshot(t, s)
			r, err := s.Purge(ctx, policy, true, "admin")
			if err != nil || r.Letters != 0 || len(r.AuditIDs) != 0 {
				t.Fatalf("second Purge = %+v, %v", r, err)
			}
			if after := snapshot(t, s); after != before {
				t.Fatalf("second purge changed the store: %s -> %s", before, after)
			}
		})
		t.Run("ok/new-delivery-of-purged-bytes", func(t *testing.T) {
			// The same bytes arriving again get their blob back.
			again := save(t, s, "ekase", 1, 9, raw(2), "<m2@example.lv>")
			if b, _, err := s.RawLetterBytes(ctx, again.ID); err != nil || !bytes.Equal(b, raw(2)) {
				t.Fatalf("redelivered letter: %v", err)
			}
		})
		t.Run("ok/zero-policy-keeps-everything", func(t *testing.T) {
			r, err := s.Purge(ctx, RetentionPolicy{}, false, "admin")
			if err != nil || r.Letters != 0 {
				t.Fatalf("empty policy = %+v, %v", r, err)
			}
		})
	})
}
