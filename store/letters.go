package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// letterRow is the scan target for letterCols.
type letterRow struct {
	ID             int64          `db:"id"`
	Mailbox        string         `db:"mailbox"`
	UIDValidity    int64          `db:"uidvalidity"`
	UID            int64          `db:"uid"`
	MessageID      string         `db:"message_id"`
	From           string         `db:"from_addr"`
	Subject        string         `db:"subject"`
	ReceivedAt     time.Time      `db:"received_at"`
	StoredAt       time.Time      `db:"stored_at"`
	SHA256         string         `db:"sha256"`
	Size           int64          `db:"size"`
	DuplicateOf    sql.NullInt64  `db:"duplicate_of"`
	Outcome        string         `db:"outcome"`
	Reasons        string         `db:"reasons"`
	Classification string         `db:"classification"`
	CaseID         sql.NullInt64  `db:"case_id"`
	CaseNumber     sql.NullString `db:"case_number"`
	ReplyStatus    sql.NullString `db:"reply_status"`
	DecidedAt      sql.NullTime   `db:"decided_at"`
	Attempts       int            `db:"attempts"`
	NextAttemptAt  sql.NullTime   `db:"next_attempt_at"`
	LastError      string         `db:"last_error"`
	Moved          bool           `db:"moved"`
	MovedTo        string         `db:"moved_to"`
	MovedAt        sql.NullTime   `db:"moved_at"`
	PurgedAt       sql.NullTime   `db:"purged_at"`
}

const letterCols = `l.id, l.mailbox, l.uidvalidity, l.uid, l.message_id, l.from_addr, l.subject,
	l.received_at, l.stored_at, l.sha256, l.size, l.duplicate_of, l.outcome, l.reasons, l.classification,
	l.case_id, c.number AS case_number,
	(SELECT o.status FROM outbox o WHERE o.letter_id = l.id ORDER BY o.id DESC LIMIT 1) AS reply_status,
	l.decided_at, l.attempts, l.next_attempt_at, l.last_error, l.moved, l.moved_to, l.moved_at, l.purged_at
	FROM letters l LEFT JOIN cases c ON c.id = l.case_id`

func (r letterRow) letter() Letter {
	l := Letter{
		ID: r.ID, Mailbox: r.Mailbox, UIDValidity: uint32(r.UIDValidity), UID: uint32(r.UID),
		MessageID: r.MessageID, From: r.From, Subject: r.Subject,
		ReceivedAt: r.ReceivedAt.UTC(), StoredAt: r.StoredAt.UTC(), SHA256: r.SHA256, Size: r.Size,
		DuplicateOf: r.DuplicateOf.Int64, Outcome: OutcomeKind(r.Outcome), Classification: r.Classification,
		CaseID: r.CaseID.Int64, Case: r.CaseNumber.String, DecidedAt: nt(r.DecidedAt),
		Attempts: r.Attempts, NextAttemptAt: nt(r.NextAttemptAt), LastError: r.LastError,
		Moved: r.Moved, MovedTo: r.MovedTo, MovedAt: nt(r.MovedAt), PurgedAt: nt(r.PurgedAt),
		Reasons: []Reason{},
	}
	_ = json.Unmarshal([]byte(r.Reasons), &l.Reasons)
	switch OutboxStatus(r.ReplyStatus.String) {
	case "":
		l.Reply = ReplyNone
	case OutboxSent:
		l.Reply = ReplySent
	case OutboxFailed:
		l.Reply = ReplyFailed
	default:
		l.Reply = ReplyQueued
	}
	return l
}

func (s *Store) letters(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]Letter, error) {
	var rows []letterRow
	if err := sqlx.SelectContext(ctx, q, &rows, s.q(`SELECT `+letterCols+` `+where), args...); err != nil {
		return nil, fmt.Errorf("store: letters: %w", err)
	}
	out := make([]Letter, len(rows))
	for i, r := range rows {
		out[i] = r.letter()
	}
	return out, nil
}

// NormalizeMessageID trims spaces and the angle brackets of a Message-ID,
// the form the store keeps and compares.
func NormalizeMessageID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	id = strings.TrimSuffix(id, ">")
	return strings.TrimSpace(id)
}

// SaveRawLetter is step 1 of the intake: it stores the raw bytes under their
// SHA-256 and the letter row in one transaction, and returns only once that
// transaction is durably committed. It is idempotent on (mailbox,
// UIDVALIDITY, UID); the same UID with different bytes is ErrUIDConflict.
//
// After a UIDVALIDITY change, a message whose bytes match a letter stored
// under an older UIDVALIDITY of the same mailbox is the same letter: that row
// is rebound to the new UID (Saved.Rebound) and keeps its outcome, case and
// replies, so it is never processed or answered again. Other equal bytes
// under the current UIDVALIDITY are a duplicate delivery: a new pending row
// with Saved.DuplicateOf set, for the pipeline to file under the first one's
// case. The mailbox's last UID advances in the same transaction.
func (s *Store) SaveRawLetter(ctx context.Context, in RawLetter) (Saved, error) {
	out, err := s.SaveRawLetters(ctx, []RawLetter{in})
	if err != nil {
		return Saved{}, err
	}
	return out[0], nil
}

// SaveRawLetters is SaveRawLetter for a batch fetched together, in one
// transaction and one durable commit: all are stored or none. Draining a
// backlog this way costs one fsync per batch instead of one per letter.
func (s *Store) SaveRawLetters(ctx context.Context, ins []RawLetter) ([]Saved, error) {
	for _, in := range ins {
		if in.Mailbox == "" || in.UIDValidity == 0 || in.UID == 0 {
			return nil, fmt.Errorf("%w: mailbox, UIDVALIDITY and UID are required", ErrInvalid)
		}
	}
	sums := make([]string, len(ins))
	for i, in := range ins {
		sums[i] = SHA256Hex(in.Raw)
	}
	var out []Saved
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		out = make([]Saved, len(ins))
		now := s.now()
		for i, in := range ins {
			sv, err := s.saveRaw(ctx, tx, in, sums[i], now)
			if err != nil {
				return fmt.Errorf("%s %d/%d: %w", in.Mailbox, in.UIDValidity, in.UID, err)
			}
			out[i] = sv
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save letter %w", err)
	}
	return out, nil
}

func (s *Store) saveRaw(ctx context.Context, tx *sqlx.Tx, in RawLetter, sum string, now time.Time) (Saved, error) {
	out := Saved{SHA256: sum}
	recv := in.ReceivedAt
	if recv.IsZero() {
		recv = now
	}
	type existing struct {
		ID          int64         `db:"id"`
		UIDValidity int64         `db:"uidvalidity"`
		SHA256      string        `db:"sha256"`
		Outcome     string        `db:"outcome"`
		Dup         sql.NullInt64 `db:"duplicate_of"`
	}
	var ex existing
	err := s.tget(ctx, tx, &ex, `SELECT id, uidvalidity, sha256, outcome, duplicate_of FROM letters
		WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`, in.Mailbox, in.UIDValidity, in.UID)
	switch {
	case err == nil:
		if ex.SHA256 != sum {
			return out, fmt.Errorf("%w: stored as %s, now %s", ErrUIDConflict, ex.SHA256, sum)
		}
		out.ID, out.Outcome, out.DuplicateOf = ex.ID, OutcomeKind(ex.Outcome), ex.Dup.Int64
		return out, nil
	case !errors.Is(err, sql.ErrNoRows):
		return out, err
	}
	if _, err := s.putBlob(ctx, tx, sum, in.Raw); err != nil {
		return out, err
	}
	// Letters with the same bytes in this mailbox: usually none.
	var same []existing
	if err := s.tselect(ctx, tx, &same, `SELECT id, uidvalidity, sha256, outcome, duplicate_of FROM letters
		WHERE mailbox = ? AND sha256 = ? ORDER BY id`, in.Mailbox, sum); err != nil {
		return out, err
	}
	var rebind *existing
	for i := range same {
		if same[i].UIDValidity != int64(in.UIDValidity) {
			rebind = &same[i]
			break
		}
	}
	if rebind != nil {
		// The same message after a UIDVALIDITY change: it is in the inbox
		// again under a new UID.
		if _, err := s.texec(ctx, tx, `UPDATE letters SET uidvalidity = ?, uid = ?, moved = ?, moved_to = '', moved_at = NULL
			WHERE id = ?`, in.UIDValidity, in.UID, false, rebind.ID); err != nil {
			return out, err
		}
		out.ID, out.Outcome, out.DuplicateOf, out.Rebound = rebind.ID, OutcomeKind(rebind.Outcome), rebind.Dup.Int64, true
		details, _ := json.Marshal(map[string]any{"uidvalidity": in.UIDValidity, "uid": in.UID, "sha256": sum})
		if _, err := s.appendAudit(ctx, tx, AuditEntry{Actor: "store", Action: "letter.rebound",
			Object: fmt.Sprintf("letter:%d", rebind.ID), Details: details}); err != nil {
			return out, err
		}
	} else {
		var dup any
		if len(same) > 0 {
			dup = same[0].ID
			out.DuplicateOf = same[0].ID
		}
		err := s.tget(ctx, tx, &out.ID, `INSERT INTO letters (mailbox, uidvalidity, uid, message_id, from_addr, subject,
			received_at, stored_at, sha256, size, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Mailbox, in.UIDValidity, in.UID, NormalizeMessageID(in.MessageID), in.From, in.Subject,
			s.t(recv), s.t(now), sum, len(in.Raw), dup)
		if err != nil {
			return out, err
		}
		out.Created, out.Outcome = true, Pending
	}
	_, err = s.texec(ctx, tx, `INSERT INTO mailboxes (name, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
		last_uid = CASE WHEN mailboxes.uidvalidity IN (0, excluded.uidvalidity) AND excluded.last_uid > mailboxes.last_uid
			THEN excluded.last_uid ELSE mailboxes.last_uid END,
		uidvalidity = CASE WHEN mailboxes.uidvalidity = 0 THEN excluded.uidvalidity ELSE mailboxes.uidvalidity END,
		updated_at = excluded.updated_at`, in.Mailbox, in.UIDValidity, in.UID, s.t(now))
	return out, err
}

// Letter returns one letter.
func (s *Store) Letter(ctx context.Context, id int64) (Letter, error) {
	ls, err := s.letters(ctx, s.db, `WHERE l.id = ?`, id)
	if err != nil {
		return Letter{}, err
	}
	if len(ls) == 0 {
		return Letter{}, fmt.Errorf("%w: letter %d", ErrNotFound, id)
	}
	return ls[0], nil
}

// RawLetterBytes returns a letter's raw bytes as received, checked against
// its SHA-256 (ErrBlobCorrupt).
func (s *Store) RawLetterBytes(ctx context.Context, id int64) ([]byte, Letter, error) {
	l, err := s.Letter(ctx, id)
	if err != nil {
		return nil, Letter{}, err
	}
	b, err := s.Blob(ctx, l.SHA256)
	return b, l, err
}

// LettersToProcess returns up to limit pending letters of a mailbox that are
// due (never tried, or their retry time has come), oldest first.
func (s *Store) LettersToProcess(ctx context.Context, mailbox string, limit int) ([]Letter, error) {
	return s.letters(ctx, s.db, `WHERE l.mailbox = ? AND l.outcome = 'pending'
		AND (l.next_attempt_at IS NULL OR l.next_attempt_at <= ?) ORDER BY l.id LIMIT ?`,
		mailbox, s.t(s.now()), clampLimit(limit))
}

// LettersToMove returns up to limit decided letters of a mailbox not yet
// moved to their folder on the server, oldest first.
func (s *Store) LettersToMove(ctx context.Context, mailbox string, limit int) ([]Letter, error) {
	return s.letters(ctx, s.db, `WHERE l.mailbox = ? AND l.outcome <> 'pending' AND l.moved = ?
		ORDER BY l.id LIMIT ?`, mailbox, false, clampLimit(limit))
}

// Postpone records a temporary failure (OCSP, trusted list or TSA
// unreachable) of a pending letter: attempts+1, retry at until. The intake
// decides when to give up and record a review outcome instead.
func (s *Store) Postpone(ctx context.Context, letterID int64, until time.Time, cause string) (attempts int, err error) {
	err = s.db.GetContext(ctx, &attempts, s.q(`UPDATE letters SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND outcome = 'pending' RETURNING attempts`), s.t(until), cause, letterID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: pending letter %d", ErrNotFound, letterID)
	}
	if err != nil {
		return 0, fmt.Errorf("store: postpone %d: %w", letterID, err)
	}
	return attempts, nil
}

// MarkMoved records that the letter was moved to folder on the server.
// Idempotent.
func (s *Store) MarkMoved(ctx context.Context, letterID int64, folder string) error {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE letters SET moved = ?, moved_to = ?, moved_at = ? WHERE id = ?`),
		true, folder, s.t(s.now()), letterID)
	if err != nil {
		return fmt.Errorf("store: mark moved %d: %w", letterID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: letter %d", ErrNotFound, letterID)
	}
	return nil
}

// MovedLetter is a letter moved to Folder on the server (MarkMovedAll).
type MovedLetter struct {
	LetterID int64
	Folder   string
}

// MarkMovedAll is MarkMoved for letters moved one after another, in one
// transaction and one durable commit: all are recorded or none (ErrNotFound
// when one of them does not exist). Moving a letter again is harmless
// (MarkMoved is idempotent and a message gone from the inbox is moved
// already), so a caller may move several and record them together.
func (s *Store) MarkMovedAll(ctx context.Context, ms []MovedLetter) error {
	if len(ms) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.t(s.now())
		for _, m := range ms {
			res, err := s.texec(ctx, tx, `UPDATE letters SET moved = ?, moved_to = ?, moved_at = ? WHERE id = ?`,
				true, m.Folder, now, m.LetterID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: letter %d", ErrNotFound, m.LetterID)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark moved: %w", err)
	}
	return nil
}

// FindLetterByMessageID returns the first letter with that Message-ID (with
// or without angle brackets) in mailbox, or in any mailbox when mailbox is
// "".
func (s *Store) FindLetterByMessageID(ctx context.Context, mailbox, messageID string) (Letter, error) {
	id := NormalizeMessageID(messageID)
	if id == "" {
		return Letter{}, fmt.Errorf("%w: empty Message-ID", ErrInvalid)
	}
	var ls []Letter
	var err error
	if mailbox == "" {
		ls, err = s.letters(ctx, s.db, `WHERE l.message_id = ? ORDER BY l.id LIMIT 1`, id)
	} else {
		ls, err = s.letters(ctx, s.db, `WHERE l.message_id = ? AND l.mailbox = ? ORDER BY l.id LIMIT 1`, id, mailbox)
	}
	if err != nil {
		return Letter{}, err
	}
	if len(ls) == 0 {
		return Letter{}, fmt.Errorf("%w: letter <%s>", ErrNotFound, id)
	}
	return ls[0], nil
}

// FindCaseByReference resolves a follow-up: the Message-IDs of a letter's
// In-Reply-To and References headers, most relevant first, are looked up
// among our outbox messages and stored letters; the first one that belongs
// to a case wins.
func (s *Store) FindCaseByReference(ctx context.Context, messageIDs []string) (Case, error) {
	for _, raw := range messageIDs {
		id := NormalizeMessageID(raw)
		if id == "" {
			continue
		}
		var caseID sql.NullInt64
		err := s.db.GetContext(ctx, &caseID, s.q(`SELECT case_id FROM outbox WHERE message_id = ? AND case_id IS NOT NULL
			UNION ALL SELECT case_id FROM letters WHERE message_id = ? AND case_id IS NOT NULL LIMIT 1`), id, id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("store: find case by reference: %w", err)
		}
		return s.Case(ctx, caseID.Int64)
	}
	return Case{}, fmt.Errorf("%w: no case for references", ErrNotFound)
}

// LetterFilter selects letters for ListLetters. Zero fields do not filter.
type LetterFilter struct {
	Mailbox string
	Outcome OutcomeKind
	Since   time.Time // received at or after
	Until   time.Time // received before
	CaseID  int64
	AfterID int64 // keyset paging: letters with a larger id
	Limit   int   // default 100, at most 10000
}

// ListLetters lists letters by id (oldest first), for `sigintake letters
// list` and the web desk.
func (s *Store) ListLetters(ctx context.Context, f LetterFilter) ([]Letter, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if f.Mailbox != "" {
		add("l.mailbox = ?", f.Mailbox)
	}
	if f.Outcome != "" {
		add("l.outcome = ?", string(f.Outcome))
	}
	if !f.Since.IsZero() {
		add("l.received_at >= ?", s.t(f.Since))
	}
	if !f.Until.IsZero() {
		add("l.received_at < ?", s.t(f.Until))
	}
	if f.CaseID != 0 {
		add("l.case_id = ?", f.CaseID)
	}
	add("l.id > ?", f.AfterID)
	args = append(args, clampLimit(f.Limit))
	return s.letters(ctx, s.db, "WHERE "+strings.Join(where, " AND ")+" ORDER BY l.id LIMIT ?", args...)
}

// Attachments returns a letter's attachments.
func (s *Store) Attachments(ctx context.Context, letterID int64) ([]Attachment, error) {
	var out []Attachment
	err := s.db.SelectContext(ctx, &out, s.q(`SELECT id, letter_id, part_path, name, content_type, size, sha256
		FROM attachments WHERE letter_id = ? ORDER BY id`), letterID)
	if err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	return out, nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return 100
	}
	if n > 10000 {
		return 10000
	}
	return n
}
