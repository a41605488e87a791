package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func redirectOf(id int64) Redirect {
	return Redirect{LetterID: id, Clerk: "anna", Institution: "Valsts ieņēmumu dienests", Address: "vid@vid.gov.lv",
		Note: "Nodokļu jautājums", NewCase: &NewCase{Pattern: pattern},
		Forward: Reply{Recipient: "vid@vid.gov.lv", MessageID: fmt.Sprintf("<fwd%d@kase.gov.lv>", id),
			Compose: func(n string) ([]byte, error) { return []byte("Subject: fwd " + n + "\r\n\r\noriginal"), nil }},
		Answer: Reply{Recipient: "client@example.lv", MessageID: fmt.Sprintf("<red%d@kase.gov.lv>", id),
			Compose: func(n string) ([]byte, error) { return []byte("Subject: " + n + "\r\n\r\nVID"), nil }}}
}

func TestRecordRedirect(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		acc := save(t, s, "ekase", 1, 1, raw(1), "<m1@example.lv>")
		recAcc, err := s.RecordOutcome(ctx, acceptOutcome(acc.ID, 1))
		if err != nil {
			t.Fatal(err)
		}
		rev := save(t, s, "ekase", 1, 2, raw(2), "<m2@example.lv>")
		recRev, err := s.RecordOutcome(ctx, Outcome{LetterID: rev.ID, Outcome: Review, Review: "not-qualified"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("ok/accepted-case-closed-as-redirected", func(t *testing.T) {
			red, err := s.RecordRedirect(ctx, redirectOf(acc.ID))
			if err != nil || red.CaseID != recAcc.CaseID || red.CaseOpened || red.ForwardID == 0 || red.AnswerID == 0 {
				t.Fatalf("RecordRedirect = %+v, %v", red, err)
			}
			cs, _ := s.Case(ctx, red.CaseID)
			if cs.Status != CaseRedirected || cs.ClosedAt.IsZero() {
				t.Fatalf("case = %+v", cs)
			}
			fwd, _ := s.Outbox(ctx, red.ForwardID)
			ans, _ := s.Outbox(ctx, red.AnswerID)
			if fwd.Recipient != "vid@vid.gov.lv" || fwd.LetterID != 0 || fwd.CaseID != red.CaseID || fwd.Kind != ReplyRedirect ||
				string(fwd.Raw) != "Subject: fwd "+cs.Number+"\r\n\r\noriginal" {
				t.Fatalf("forward = %+v", fwd)
			}
			if ans.Recipient != "client@example.lv" || ans.LetterID != acc.ID || ans.Kind != ReplyRedirect {
				t.Fatalf("answer = %+v", ans)
			}
			evs, _ := s.CaseEvents(ctx, red.CaseID)
			kinds := ""
			for _, e := range evs {
				kinds += e.Kind + " "
			}
			if kinds != "opened reply_queued redirected reply_queued reply_queued " {
				t.Fatalf("events = %s", kinds)
			}
			log, _ := s.AuditLog(ctx, fmt.Sprintf("letter:%d", acc.ID), 0, 10)
			if last := log[len(log)-1]; last.Action != "case.redirect" || last.Actor != "anna" {
				t.Fatalf("audit = %+v", last)
			}
		})
		t.Run("fail/twice", func(t *testing.T) {
			if _, err := s.RecordRedirect(ctx, redirectOf(acc.ID)); !errors.Is(err, ErrAlreadyDecided) {
				t.Fatalf("second redirect: %v", err)
			}
		})
		t.Run("fail/claimed-by-another", func(t *testing.T) {
			if _, err := s.ClaimReview(ctx, recRev.ReviewID, "janis"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordRedirect(ctx, redirectOf(rev.ID)); !errors.Is(err, ErrNotClaimed) {
				t.Fatalf("claimed by janis: %v", err)
			}
			if _, err := s.db.Exec(s.q(`UPDATE review_items SET claimed_by = '' WHERE id = ?`), recRev.ReviewID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ok/review-letter-gets-a-redirected-case", func(t *testing.T) {
			red, err := s.RecordRedirect(ctx, redirectOf(rev.ID))
			if err != nil || !red.CaseOpened || red.ReviewID != recRev.ReviewID || red.CaseNumber == "" {
				t.Fatalf("RecordRedirect = %+v, %v", red, err)
			}
			l, _ := s.Letter(ctx, rev.ID)
			item, _ := s.ReviewForLetter(ctx, rev.ID)
			cs, _ := s.Case(ctx, red.CaseID)
			if l.CaseID != red.CaseID || l.Outcome != Review || item.Decision != "redirect" || item.DecidedBy != "anna" ||
				cs.Status != CaseRedirected || cs.LetterID != rev.ID {
				t.Fatalf("letter %+v item %+v case %+v", l, item, cs)
			}
			if q, _, err := s.ReviewDesk(ctx, ReviewFilter{}); err != nil || len(q) != 0 {
				t.Fatalf("review desk still lists it: %v %v", q, err)
			}
		})
		t.Run("fail/not-decided-or-rejected", func(t *testing.T) {
			p := save(t, s, "ekase", 1, 3, raw(3), "<m3@example.lv>")
			if _, err := s.RecordRedirect(ctx, redirectOf(p.ID)); !errors.Is(err, ErrInvalid) {
				t.Fatalf("pending: %v", err)
			}
			if _, err := s.RecordRedirect(ctx, redirectOf(9999)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing: %v", err)
			}
			bad := redirectOf(p.ID)
			bad.Address = ""
			if _, err := s.RecordRedirect(ctx, bad); !errors.Is(err, ErrInvalid) {
				t.Fatalf("no address: %v", err)
			}
		})
		t.Run("ok/purge-after-redirect", func(t *testing.T) {
			sendAll(t, s)
			c.add(400 * 24 * time.Hour)
			r, err := s.Purge(ctx, RetentionPolicy{Review: 365 * 24 * time.Hour, Accepted: 365 * 24 * time.Hour}, true, "admin")
			if err != nil || r.Letters != 2 {
				t.Fatalf("purge = %+v, %v", r, err)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE kind = 'redirect' AND recipient = ''`); n != 4 {
				t.Fatalf("redirect messages cleared: %d of 4", n)
			}
			if _, err := s.RecordRedirect(ctx, redirectOf(rev.ID)); !errors.Is(err, ErrPurged) {
				t.Fatalf("redirect of a purged letter: %v", err)
			}
			if _, err := s.VerifyAuditChain(ctx); err != nil {
				t.Fatal(err)
			}
		})
	})
}
