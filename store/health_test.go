package store

import (
	"context"
	"testing"
	"time"
)

func TestHealth(t *testing.T) {
	both(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		h, err := s.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.ReviewWaiting != 0 || !h.ReviewOldest.IsZero() || h.OutboxPending != 0 || !h.OutboxOldest.IsZero() {
			t.Fatalf("empty store: %+v", h)
		}
		first := c.now()
		reviewLetter(t, s, 1, 0)
		c.add(time.Hour)
		reviewLetter(t, s, 2, 0)
		if err := s.RecordPoll(ctx, "ekase"); err != nil {
			t.Fatal(err)
		}
		sv, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: 3, From: "b@example.lv", Raw: []byte("Subject: r\r\n\r\nx\r\n")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordOutcome(ctx, Outcome{LetterID: sv.ID, Outcome: Rejected, Reply: &Reply{Kind: ReplyReject,
			Recipient: "b@example.lv", MessageID: "rej-3@x", Compose: func(string) ([]byte, error) { return []byte("no"), nil }}}); err != nil {
			t.Fatal(err)
		}
		h, err = s.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.ReviewWaiting != 2 || !h.ReviewOldest.Equal(first) {
			t.Errorf("review: %d waiting, oldest %v, want 2 and %v", h.ReviewWaiting, h.ReviewOldest, first)
		}
		if h.OutboxPending != 1 || !h.OutboxOldest.Equal(first.Add(time.Hour)) {
			t.Errorf("outbox: %d pending, oldest %v", h.OutboxPending, h.OutboxOldest)
		}
		if len(h.Mailboxes) != 1 || !h.Mailboxes[0].LastPollAt.Equal(first.Add(time.Hour)) {
			t.Errorf("mailboxes: %+v", h.Mailboxes)
		}
	})
}
