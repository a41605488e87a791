package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
)

// OutboxClaimTTL is how long a claimed outbox row stays with its claimer;
// after that another worker may take it (the claimer is presumed dead).
const OutboxClaimTTL = 5 * time.Minute

// Backoff is the wait after the n-th failed send attempt (n >= 1): one
// minute, doubling, at most six hours.
func Backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

type outboxRow struct {
	ID            int64         `db:"id"`
	LetterID      sql.NullInt64 `db:"letter_id"`
	CaseID        sql.NullInt64 `db:"case_id"`
	Kind          string        `db:"kind"`
	Recipient     string        `db:"recipient"`
	MessageID     string        `db:"message_id"`
	Raw           []byte        `db:"raw"`
	Status        string        `db:"status"`
	Attempts      int           `db:"attempts"`
	NextAttemptAt time.Time     `db:"next_attempt_at"`
	ClaimedBy     string        `db:"claimed_by"`
	ClaimedUntil  sql.NullTime  `db:"claimed_until"`
	LastError     string        `db:"last_error"`
	CreatedAt     time.Time     `db:"created_at"`
	SentAt        sql.NullTime  `db:"sent_at"`
}

const outboxCols = `id, letter_id, case_id, kind, recipient, message_id, raw, status, attempts, next_attempt_at,
	claimed_by, claimed_until, last_error, created_at, sent_at`

func (r outboxRow) msg() OutboxMessage {
	return OutboxMessage{ID: r.ID, LetterID: r.LetterID.Int64, CaseID: r.CaseID.Int64, Kind: ReplyKind(r.Kind),
		Recipient: r.Recipient, MessageID: r.MessageID, Raw: r.Raw, Status: OutboxStatus(r.Status), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), ClaimedBy: r.ClaimedBy, ClaimedUntil: nt(r.ClaimedUntil),
		LastError: r.LastError, CreatedAt: r.CreatedAt.UTC(), SentAt: nt(r.SentAt)}
}

// ClaimOutbox hands owner up to n messages that are due: queued with their
// retry time reached, or left "sending" by a claimer whose claim expired.
// They become "sending", claimed by owner for OutboxClaimTTL, attempts+1.
// Concurrent claimers get disjoint rows (FOR UPDATE SKIP LOCKED on
// PostgreSQL; one writer at a time on SQLite).
func (s *Store) ClaimOutbox(ctx context.Context, owner string, n int) ([]OutboxMessage, error) {
	if owner == "" {
		return nil, fmt.Errorf("%w: claim needs an owner", ErrInvalid)
	}
	now := s.now()
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var rows []outboxRow
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		rows = nil
		return tx.SelectContext(ctx, &rows, s.q(`UPDATE outbox SET status = 'sending', claimed_by = ?, claimed_until = ?,
			attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox
			WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)
			ORDER BY id LIMIT ?`+lock+`) RETURNING `+outboxCols),
			owner, s.t(now.Add(OutboxClaimTTL)), s.t(now), s.t(now), clampLimit(n))
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	out := make([]OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.msg()
	}
	return out, nil
}

// MarkSent records that owner delivered message id; the case timeline gets
// a reply_sent event. ErrNotClaimed when owner no longer holds the claim
// (the message may then be sent twice, with the same Message-ID).
func (s *Store) MarkSent(ctx context.Context, id int64, owner string) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		var r struct {
			LetterID sql.NullInt64 `db:"letter_id"`
			CaseID   sql.NullInt64 `db:"case_id"`
			Kind     string        `db:"kind"`
			MsgID    string        `db:"message_id"`
		}
		err := s.tget(ctx, tx, &r, `UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL, last_error = ''
			WHERE id = ? AND status = 'sending' AND claimed_by = ? RETURNING letter_id, case_id, kind, message_id`, s.t(now), id, owner)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: outbox %d by %s", ErrNotClaimed, id, owner)
		}
		if err != nil {
			return err
		}
		if r.CaseID.Valid {
			return s.caseEvent(ctx, tx, r.CaseID.Int64, now, "reply_sent", r.LetterID.Int64, id, owner,
				map[string]any{"kind": r.Kind, "message_id": r.MsgID})
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrNotClaimed) {
		return fmt.Errorf("store: mark sent %d: %w", id, err)
	}
	return err
}

// MarkFailed records a failed send by owner. A temporary failure puts the
// message back in the queue after Backoff(attempts); a permanent one (a 5xx
// answer) marks it failed and audits it. It returns the next attempt time
// (zero when permanent).
func (s *Store) MarkFailed(ctx context.Context, id int64, owner, cause string, permanent bool) (time.Time, error) {
	var next time.Time
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		var attempts int
		err := s.tget(ctx, tx, &attempts, `SELECT attempts FROM outbox WHERE id = ? AND status = 'sending' AND claimed_by = ?`, id, owner)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: outbox %d by %s", ErrNotClaimed, id, owner)
		}
		if err != nil {
			return err
		}
		if permanent {
			next = time.Time{}
			if _, err := s.texec(ctx, tx, `UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ? WHERE id = ?`,
				cause, id); err != nil {
				return err
			}
			d, _ := json.Marshal(map[string]any{"error": cause, "attempts": attempts})
			_, err := s.appendAudit(ctx, tx, AuditEntry{Actor: owner, Action: "reply.failed", Object: fmt.Sprintf("outbox:%d", id), Details: d})
			return err
		}
		next = now.Add(Backoff(attempts))
		_, err = s.texec(ctx, tx, `UPDATE outbox SET status = 'queued', claimed_until = NULL, last_error = ?, next_attempt_at = ?
			WHERE id = ?`, cause, s.t(next), id)
		return err
	})
	if err != nil && !errors.Is(err, ErrNotClaimed) {
		return time.Time{}, fmt.Errorf("store: mark failed %d: %w", id, err)
	}
	return next, err
}

// Outbox returns one outbox message.
func (s *Store) Outbox(ctx context.Context, id int64) (OutboxMessage, error) {
	var r outboxRow
	err := s.db.GetContext(ctx, &r, s.q(`SELECT `+outboxCols+` FROM outbox WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxMessage{}, fmt.Errorf("%w: outbox %d", ErrNotFound, id)
	}
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("store: outbox %d: %w", id, err)
	}
	return r.msg(), nil
}

// OutboxForCase returns a case's outgoing messages, oldest first.
func (s *Store) OutboxForCase(ctx context.Context, caseID int64) ([]OutboxMessage, error) {
	var rows []outboxRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+outboxCols+` FROM outbox WHERE case_id = ? ORDER BY id`), caseID); err != nil {
		return nil, fmt.Errorf("store: outbox of case %d: %w", caseID, err)
	}
	out := make([]OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.msg()
	}
	return out, nil
}
