package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Health is what the alerts of an operations team watch: when each mailbox
// was last polled, the outbox backlog and the letters waiting for a clerk.
type Health struct {
	Mailboxes []MailboxState
	// OutboxPending counts replies queued or being sent; OutboxFailed those
	// given up on. OutboxOldest is when the oldest pending one was queued.
	OutboxPending, OutboxFailed int
	OutboxOldest                time.Time
	// ReviewWaiting counts undecided review items; ReviewOldest is when the
	// oldest of them was created.
	ReviewWaiting int
	ReviewOldest  time.Time
}

// Health reads the figures of Health in a few indexed queries.
func (s *Store) Health(ctx context.Context) (Health, error) {
	var h Health
	var rows []mailboxRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+mailboxCols+` FROM mailboxes ORDER BY name`); err != nil {
		return h, fmt.Errorf("store: health: mailboxes: %w", err)
	}
	for _, r := range rows {
		h.Mailboxes = append(h.Mailboxes, r.state())
	}
	if err := s.db.GetContext(ctx, &h.OutboxPending, `SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')`); err != nil {
		return h, fmt.Errorf("store: health: outbox: %w", err)
	}
	if err := s.db.GetContext(ctx, &h.OutboxFailed, `SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); err != nil {
		return h, fmt.Errorf("store: health: outbox: %w", err)
	}
	var err error
	if h.OutboxOldest, err = s.oldest(ctx, `SELECT created_at FROM outbox WHERE status IN ('queued', 'sending') ORDER BY created_at LIMIT 1`); err != nil {
		return h, err
	}
	if err := s.db.GetContext(ctx, &h.ReviewWaiting, `SELECT COUNT(*) FROM review_items WHERE decided_at IS NULL`); err != nil {
		return h, fmt.Errorf("store: health: review: %w", err)
	}
	if h.ReviewOldest, err = s.oldest(ctx, `SELECT created_at FROM review_items WHERE decided_at IS NULL ORDER BY created_at LIMIT 1`); err != nil {
		return h, err
	}
	return h, nil
}

func (s *Store) oldest(ctx context.Context, q string) (time.Time, error) {
	var t sql.NullTime
	err := s.db.GetContext(ctx, &t, q)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: health: %w", err)
	}
	return nt(t), nil
}
