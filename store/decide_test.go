package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// reviewLetter saves a letter and records it for review.
func reviewLetter(t *testing.T, s *Store, uid uint32, caseID int64) (letterID, reviewID int64) {
	t.Helper()
	ctx := context.Background()
	sv, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uid, From: "a@example.lv",
		Subject: "s", Raw: []byte(fmt.Sprintf("Subject: s\r\n\r\nletter %d\r\n", uid))})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Review, Review: "signature_indeterminate", CaseID: caseID})
	if err != nil {
		t.Fatal(err)
	}
	return sv.ID, rec.ReviewID
}

func TestDecideReview(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		l1, r1 := reviewLetter(t, s, 1, 0)
		reply := func(kind ReplyKind, id string) *Reply {
			return &Reply{Kind: kind, Recipient: "a@example.lv", MessageID: id,
				Compose: func(n string) ([]byte, error) { return []byte("case " + n), nil }}
		}
		accept := ReviewDecision{ReviewID: r1, Clerk: "anna", Action: ReviewAccept, Comment: "ok",
			NewCase: &NewCase{Pattern: "VK-{YYYY}/{SEQ:6}"}, Reply: reply(ReplyAck, "ack-1@x")}
		t.Run("fail/not claimed", func(t *testing.T) {
			if _, err := s.DecideReview(ctx, accept); !errors.Is(err, ErrNotClaimed) {
				t.Fatal(err)
			}
		})
		if _, err := s.ClaimReview(ctx, r1, "anna"); err != nil {
			t.Fatal(err)
		}
		t.Run("fail/other clerk", func(t *testing.T) {
			d := accept
			d.Clerk = "bert"
			if _, err := s.DecideReview(ctx, d); !errors.Is(err, ErrNotClaimed) {
				t.Fatal(err)
			}
		})
		t.Run("fail/no such item", func(t *testing.T) {
			d := accept
			d.ReviewID = 999
			if _, err := s.DecideReview(ctx, d); !errors.Is(err, ErrNotFound) {
				t.Fatal(err)
			}
		})
		t.Run("fail/bad compose leaves nothing", func(t *testing.T) {
			d := accept
			d.Reply = &Reply{Kind: ReplyAck, Recipient: "a@example.lv", MessageID: "x@x",
				Compose: func(string) ([]byte, error) { return nil, errors.New("boom") }}
			if _, err := s.DecideReview(ctx, d); err == nil {
				t.Fatal("no error")
			}
			if l, _ := s.Letter(ctx, l1); l.Outcome != Review || l.CaseID != 0 {
				t.Fatalf("partial decision: %+v", l)
			}
		})
		info := ReviewDecision{ReviewID: r1, Clerk: "anna", Action: ReviewAskInfo, Reason: "missing_document", Comment: "?",
			Reply: reply(ReplyInfo, "info-1@x")}
		rec, err := s.DecideReview(ctx, info)
		if err != nil || rec.OutboxID == 0 {
			t.Fatal(rec, err)
		}
		if it, _ := s.ReviewForLetter(ctx, l1); !it.DecidedAt.IsZero() || it.ClaimedBy != "anna" {
			t.Fatalf("info decided the item: %+v", it)
		}
		rec, err = s.DecideReview(ctx, accept)
		if err != nil || !rec.CaseOpened || rec.CaseNumber != "VK-2026/000001" || rec.OutboxID == 0 || rec.AuditID == 0 {
			t.Fatal(rec, err)
		}
		l, _ := s.Letter(ctx, l1)
		if l.Outcome != Accepted || l.Case != "VK-2026/000001" {
			t.Fatalf("%+v", l)
		}
		msg, _ := s.Outbox(ctx, rec.OutboxID)
		if string(msg.Raw) != "case VK-2026/000001" || msg.CaseID != rec.CaseID {
			t.Fatalf("%+v", msg)
		}
		if _, err := s.DecideReview(ctx, accept); !errors.Is(err, ErrAlreadyDecided) {
			t.Fatalf("second decision: %v", err)
		}
		// A follow-up in review joins its case on accept; reject keeps the case.
		l2, r2 := reviewLetter(t, s, 2, rec.CaseID)
		s.ClaimReview(ctx, r2, "anna")
		rec2, err := s.DecideReview(ctx, ReviewDecision{ReviewID: r2, Clerk: "anna", Action: ReviewReject, Reason: "other",
			Reply: reply(ReplyReject, "rej-2@x")})
		if err != nil || rec2.CaseOpened || rec2.CaseID != rec.CaseID {
			t.Fatal(rec2, err)
		}
		if l, _ := s.Letter(ctx, l2); l.Outcome != Rejected {
			t.Fatalf("%+v", l)
		}
		evs, _ := s.CaseEvents(ctx, rec.CaseID)
		if len(evs) < 5 {
			t.Fatalf("timeline %+v", evs)
		}
		if n, err := s.VerifyAuditChain(ctx); err != nil || n == 0 {
			t.Fatal(n, err)
		}
		// Two clerks decide one claimed item at once: one wins.
		_, r3 := reviewLetter(t, s, 3, 0)
		s.ClaimReview(ctx, r3, "anna")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.DecideReview(ctx, ReviewDecision{ReviewID: r3, Clerk: "anna", Action: ReviewReject, Reason: "other",
					Reply: reply(ReplyReject, fmt.Sprintf("rej-3-%d@x", i))})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, ErrAlreadyDecided) {
				t.Fatal(err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d decisions won: %v", ok, errs)
		}
		// The desk queries.
		ents, total, err := s.ReviewDesk(ctx, ReviewFilter{Mailbox: "ekase"})
		if err != nil || total != 0 || len(ents) != 0 {
			t.Fatal(ents, total, err)
		}
		reviewLetter(t, s, 4, 0)
		ents, total, err = s.ReviewDesk(ctx, ReviewFilter{Reason: "signature_indeterminate"})
		if err != nil || total != 1 || ents[0].Letter.UID != 4 {
			t.Fatal(ents, total, err)
		}
	})
}
