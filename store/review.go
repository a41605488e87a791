package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

type reviewRow struct {
	ID        int64        `db:"id"`
	LetterID  int64        `db:"letter_id"`
	Reason    string       `db:"reason"`
	CreatedAt time.Time    `db:"created_at"`
	ClaimedBy string       `db:"claimed_by"`
	ClaimedAt sql.NullTime `db:"claimed_at"`
	DecidedBy string       `db:"decided_by"`
	DecidedAt sql.NullTime `db:"decided_at"`
	Decision  string       `db:"decision"`
	Comment   string       `db:"comment"`
}

func (r reviewRow) item() ReviewItem {
	return ReviewItem{ID: r.ID, LetterID: r.LetterID, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC(), ClaimedBy: r.ClaimedBy,
		ClaimedAt: nt(r.ClaimedAt), DecidedBy: r.DecidedBy, DecidedAt: nt(r.DecidedAt), Decision: r.Decision, Comment: r.Comment}
}

// ReviewQueue returns undecided review items, oldest first, optionally of
// one mailbox.
func (s *Store) ReviewQueue(ctx context.Context, mailbox string, limit int) ([]ReviewItem, error) {
	q := `SELECT r.id, r.letter_id, r.reason, r.created_at, r.claimed_by, r.claimed_at, r.decided_by, r.decided_at,
		r.decision, r.comment FROM review_items r JOIN letters l ON l.id = r.letter_id WHERE r.decided_at IS NULL`
	args := []any{}
	if mailbox != "" {
		q += ` AND l.mailbox = ?`
		args = append(args, mailbox)
	}
	q += ` ORDER BY r.created_at, r.id LIMIT ?`
	args = append(args, clampLimit(limit))
	var rows []reviewRow
	if err := s.db.SelectContext(ctx, &rows, s.q(q), args...); err != nil {
		return nil, fmt.Errorf("store: review queue: %w", err)
	}
	out := make([]ReviewItem, len(rows))
	for i, r := range rows {
		out[i] = r.item()
	}
	return out, nil
}

// ClaimReview lets clerk claim an undecided review item that is unclaimed
// or already theirs; ErrLeaseHeld when another clerk has it.
func (s *Store) ClaimReview(ctx context.Context, id int64, clerk string) (ReviewItem, error) {
	var r reviewRow
	err := s.db.GetContext(ctx, &r, s.q(`UPDATE review_items SET claimed_by = ?, claimed_at = ?
		WHERE id = ? AND decided_at IS NULL AND (claimed_by = '' OR claimed_by = ?)
		RETURNING id, letter_id, reason, created_at, claimed_by, claimed_at, decided_by, decided_at, decision, comment`),
		clerk, s.t(s.now()), id, clerk)
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("%w: review item %d is decided or claimed by another clerk", ErrLeaseHeld, id)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("store: claim review %d: %w", id, err)
	}
	return r.item(), nil
}
