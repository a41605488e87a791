package store

import (
	"context"
	"errors"
	"testing"
)

func TestDecideReview(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		var items []int64
		for i := range 3 {
			sv := save(t, s, "ekase", 1, uint32(i+1), raw(i), "")
			r, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Review, Review: "not_qualified",
				Reasons: []Reason{{Code: "not_qualified", File: "a.pdf"}}})
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, r.ReviewID)
		}
		desk, total, err := s.ReviewDesk(ctx, ReviewFilter{Mailbox: "ekase", Reason: "not_qualified", Limit: 2})
		if err != nil || total != 3 || len(desk) != 2 || desk[0].Letter.ID == 0 || desk[0].Item.ID != items[0] {
			t.Fatalf("desk = %+v, %d, %v", desk, total, err)
		}
		// Deciding needs the claim.
		accept := ReviewDecision{ReviewID: items[0], Clerk: "anna", Action: ReviewAccept, Comment: "QES on paper checked",
			NewCase: &NewCase{Pattern: pattern},
			Reply: &Reply{Kind: ReplyAck, Recipient: "client@example.lv", MessageID: "<ack-r1@kase>",
				Compose: func(n string) ([]byte, error) { return []byte(n), nil }}}
		if _, err := s.DecideReview(ctx, accept); !errors.Is(err, ErrNotClaimed) {
			t.Fatalf("unclaimed decision: %v", err)
		}
		if _, err := s.ClaimReview(ctx, items[0], "anna"); err != nil {
			t.Fatal(err)
		}
		rec, err := s.DecideReview(ctx, accept)
		if err != nil || !rec.CaseOpened || rec.CaseNumber != "VK-2026/000001" || rec.OutboxID == 0 {
			t.Fatalf("accept = %+v, %v", rec, err)
		}
		if _, err := s.DecideReview(ctx, accept); !errors.Is(err, ErrAlreadyDecided) {
			t.Fatalf("second decision: %v", err)
		}
		l, _ := s.Letter(ctx, desk[0].Letter.ID)
		if l.Outcome != Accepted || l.Case != "VK-2026/000001" || l.Reply != ReplyQueued {
			t.Fatalf("accepted letter = %+v", l)
		}
		ob, _ := s.Outbox(ctx, rec.OutboxID)
		if string(ob.Raw) != "VK-2026/000001" {
			t.Fatalf("reply = %q", ob.Raw)
		}
		// Another clerk's claim blocks; rejection queues the reply.
		if _, err := s.ClaimReview(ctx, items[1], "berta"); err != nil {
			t.Fatal(err)
		}
		reject := ReviewDecision{ReviewID: items[1], Clerk: "anna", Action: ReviewReject, Reason: "signature_invalid",
			Reply: &Reply{Kind: ReplyReject, Recipient: "client@example.lv", MessageID: "<rej-r2@kase>", Raw: []byte("no")}}
		if _, err := s.DecideReview(ctx, reject); !errors.Is(err, ErrNotClaimed) {
			t.Fatalf("decision on another clerk's claim: %v", err)
		}
		reject.Clerk = "berta"
		if rec, err := s.DecideReview(ctx, reject); err != nil || rec.OutboxID == 0 || rec.CaseID != 0 {
			t.Fatalf("reject = %+v, %v", rec, err)
		}
		if _, total, _ := s.ReviewDesk(ctx, ReviewFilter{}); total != 1 {
			t.Fatalf("undecided after two decisions = %d", total)
		}
		if n, err := s.VerifyAuditChain(ctx); err != nil || n != 5 {
			t.Fatalf("audit = %d, %v", n, err)
		}
		log, _ := s.AuditLog(ctx, "", 3, 10)
		if len(log) != 2 || log[0].Action != "review.accept" || log[0].Actor != "anna" || log[1].Action != "review.reject" {
			t.Fatalf("audit entries = %+v", log)
		}
	})
}
