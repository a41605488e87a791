package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Queries for the web desk (issue 7), additive to the pipeline's API.

// ReviewFilter selects review items for the clerks' queue.
type ReviewFilter struct {
	Mailbox string
	Reason  string // exact reason code
	Offset  int
	Limit   int // default 100, at most 10000
}

// ReviewEntry is an undecided review item with its letter.
type ReviewEntry struct {
	Item   ReviewItem `json:"item"`
	Letter Letter     `json:"letter"`
}

// ReviewDesk returns undecided review items with their letters, oldest
// first, and the number of matching items.
func (s *Store) ReviewDesk(ctx context.Context, f ReviewFilter) ([]ReviewEntry, int, error) {
	where := `FROM review_items r JOIN letters l ON l.id = r.letter_id WHERE r.decided_at IS NULL`
	args := []any{}
	if f.Mailbox != "" {
		where += ` AND l.mailbox = ?`
		args = append(args, f.Mailbox)
	}
	if f.Reason != "" {
		where += ` AND r.reason = ?`
		args = append(args, f.Reason)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.q(`SELECT COUNT(*) `+where), args...); err != nil {
		return nil, 0, fmt.Errorf("store: review desk: %w", err)
	}
	var rows []reviewRow
	q := `SELECT r.id, r.letter_id, r.reason, r.created_at, r.claimed_by, r.claimed_at, r.decided_by, r.decided_at,
		r.decision, r.comment ` + where + ` ORDER BY r.created_at, r.id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.q(q), append(args, clampLimit(f.Limit), max(f.Offset, 0))...); err != nil {
		return nil, 0, fmt.Errorf("store: review desk: %w", err)
	}
	if len(rows) == 0 {
		return nil, total, nil
	}
	ids := make([]any, len(rows))
	for i, r := range rows {
		ids[i] = r.LetterID
	}
	ls, err := s.letters(ctx, s.db, "WHERE l.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", ids...)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[int64]Letter, len(ls))
	for _, l := range ls {
		byID[l.ID] = l
	}
	out := make([]ReviewEntry, len(rows))
	for i, r := range rows {
		out[i] = ReviewEntry{Item: r.item(), Letter: byID[r.LetterID]}
	}
	return out, total, nil
}

// ReviewReasons lists the distinct reasons of undecided review items.
func (s *Store) ReviewReasons(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT reason FROM review_items WHERE decided_at IS NULL ORDER BY reason`); err != nil {
		return nil, fmt.Errorf("store: review reasons: %w", err)
	}
	return out, nil
}

// ReviewForLetter returns a letter's review item (decided or not);
// ErrNotFound when the letter never went to review.
func (s *Store) ReviewForLetter(ctx context.Context, letterID int64) (ReviewItem, error) {
	var r reviewRow
	err := s.db.GetContext(ctx, &r, s.q(`SELECT id, letter_id, reason, created_at, claimed_by, claimed_at, decided_by,
		decided_at, decision, comment FROM review_items WHERE letter_id = ?`), letterID)
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("%w: review item of letter %d", ErrNotFound, letterID)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("store: review item of letter %d: %w", letterID, err)
	}
	return r.item(), nil
}

// OutboxForLetter returns the replies to a letter, oldest first.
func (s *Store) OutboxForLetter(ctx context.Context, letterID int64) ([]OutboxMessage, error) {
	var rows []outboxRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+outboxCols+` FROM outbox WHERE letter_id = ? ORDER BY id`), letterID); err != nil {
		return nil, fmt.Errorf("store: outbox of letter %d: %w", letterID, err)
	}
	out := make([]OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.msg()
	}
	return out, nil
}

// Mailboxes lists the names of the mailboxes letters came from.
func (s *Store) Mailboxes(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT mailbox FROM letters ORDER BY mailbox`); err != nil {
		return nil, fmt.Errorf("store: mailboxes: %w", err)
	}
	return out, nil
}

// ListUsers returns every web desk account by name.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	var rows []userRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, name, role, password_hash, disabled, created_at FROM users ORDER BY name`); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// TouchSession moves an unexpired session's expiry to expiresAt (sliding
// idle expiry; the caller caps it at the absolute limit).
func (s *Store) TouchSession(ctx context.Context, id string, expiresAt time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE sessions SET expires_at = ? WHERE id = ? AND expires_at > ?`),
		s.t(expiresAt), id, s.t(s.now())); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}
