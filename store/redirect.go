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

// Redirect is a clerk's "outside our competence" action (issue 9): the
// letter is forwarded to the competent institution, the client is told
// where it went, and the letter's case is closed as redirected.
type Redirect struct {
	LetterID    int64
	Clerk       string
	Institution string // the institution's name, as recorded
	Address     string // where the letter is forwarded
	Note        string // the clerk's note (sent to the institution, recorded, audited)
	// NewCase opens a case (closed at once as redirected) when the letter is
	// not filed under one, e.g. a letter in review. Required then.
	NewCase *NewCase
	// Forward is the message to the institution (kind redirect; letter_id
	// left NULL so that it does not collide with the client's answer) and
	// Answer the client's. Both are queued; Compose gets the case number.
	Forward Reply
	Answer  Reply
}

// Redirected reports what RecordRedirect wrote.
type Redirected struct {
	CaseID     int64
	CaseNumber string
	CaseOpened bool
	ReviewID   int64 // the review item decided with "redirect", 0 for none
	ForwardID  int64 // outbox rows
	AnswerID   int64
	AuditID    int64
}

// RecordRedirect records a redirect in one transaction: the letter's
// undecided review item (if any) is decided "redirect" (it must not be
// claimed by another clerk: ErrNotClaimed), the letter's open case is
// closed with status redirected (or a case is opened and closed so), the
// case gets a "redirected" event, both messages are queued (events
// reply_queued), and an audit entry "case.redirect" names the
// institution, its address, the note and the case.
//
// Only accepted letters and letters in review can be redirected; pending,
// rejected and ignored ones are ErrInvalid, a purged one is a *PurgedError,
// a letter whose case is no longer open (or that was redirected before) is
// ErrAlreadyDecided.
func (s *Store) RecordRedirect(ctx context.Context, r Redirect) (Redirected, error) {
	var rec Redirected
	if r.Clerk == "" || r.LetterID == 0 || strings.TrimSpace(r.Institution) == "" || r.Address == "" {
		return rec, fmt.Errorf("%w: redirect needs a letter, a clerk, an institution and its address", ErrInvalid)
	}
	for _, m := range []Reply{r.Forward, r.Answer} {
		if m.Recipient == "" || NormalizeMessageID(m.MessageID) == "" || (m.Raw == nil && m.Compose == nil) {
			return rec, fmt.Errorf("%w: redirect messages need recipient, Message-ID and content", ErrInvalid)
		}
	}
	if r.NewCase != nil {
		if _, err := FormatCaseNumber(r.NewCase.Pattern, 2000, 1); err != nil {
			return rec, err
		}
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		rec = Redirected{}
		if err := s.lockAuditHead(ctx, tx); err != nil {
			return err
		}
		return s.redirectTx(ctx, tx, r, s.now(), &rec)
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrAlreadyDecided) || errors.Is(err, ErrNotClaimed) ||
			errors.Is(err, ErrInvalid) || errors.Is(err, ErrPurged) {
			return Redirected{}, err
		}
		return Redirected{}, fmt.Errorf("store: redirect letter %d: %w", r.LetterID, err)
	}
	return rec, nil
}

func (s *Store) redirectTx(ctx context.Context, tx *sqlx.Tx, r Redirect, now time.Time, rec *Redirected) error {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var l struct {
		Mailbox  string        `db:"mailbox"`
		From     string        `db:"from_addr"`
		Subject  string        `db:"subject"`
		Outcome  string        `db:"outcome"`
		CaseID   sql.NullInt64 `db:"case_id"`
		PurgedAt sql.NullTime  `db:"purged_at"`
	}
	err := tx.GetContext(ctx, &l, s.q(`SELECT mailbox, from_addr, subject, outcome, case_id, purged_at FROM letters WHERE id = ?`+lock), r.LetterID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: letter %d", ErrNotFound, r.LetterID)
	}
	if err != nil {
		return err
	}
	if l.PurgedAt.Valid {
		return &PurgedError{LetterID: r.LetterID, At: l.PurgedAt.Time}
	}
	switch OutcomeKind(l.Outcome) {
	case Accepted, Review:
	default:
		return fmt.Errorf("%w: letter %d is %s; only accepted letters and letters in review can be redirected", ErrInvalid, r.LetterID, l.Outcome)
	}
	var item reviewRow
	err = tx.GetContext(ctx, &item, s.q(`SELECT id, letter_id, reason, created_at, claimed_by, claimed_at, decided_by,
		decided_at, decision, comment FROM review_items WHERE letter_id = ?`+lock), r.LetterID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case item.DecidedAt.Valid:
		if OutcomeKind(l.Outcome) == Review {
			return fmt.Errorf("%w: review item %d was decided by %s", ErrAlreadyDecided, item.ID, item.DecidedBy)
		}
	case item.ClaimedBy != "" && item.ClaimedBy != r.Clerk:
		return fmt.Errorf("%w: review item %d is claimed by %q", ErrNotClaimed, item.ID, item.ClaimedBy)
	default:
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE review_items SET claimed_by = ?, claimed_at = COALESCE(claimed_at, ?),
			decided_by = ?, decided_at = ?, decision = 'redirect', comment = ? WHERE id = ?`),
			r.Clerk, s.t(now), r.Clerk, s.t(now), r.Note, item.ID); err != nil {
			return err
		}
		rec.ReviewID = item.ID
	}
	if l.CaseID.Valid {
		rec.CaseID = l.CaseID.Int64
		var c struct {
			Number string `db:"number"`
			Status string `db:"status"`
		}
		if err := tx.GetContext(ctx, &c, s.q(`SELECT number, status FROM cases WHERE id = ?`+lock), rec.CaseID); err != nil {
			return err
		}
		if CaseStatus(c.Status) != CaseOpen {
			return fmt.Errorf("%w: case %s is %s", ErrAlreadyDecided, c.Number, c.Status)
		}
		rec.CaseNumber = c.Number
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE cases SET status = 'redirected', closed_at = ? WHERE id = ?`), s.t(now), rec.CaseID); err != nil {
			return err
		}
	} else {
		if r.NewCase == nil {
			return fmt.Errorf("%w: letter %d has no case: redirecting it needs a case pattern", ErrInvalid, r.LetterID)
		}
		at := r.NewCase.At
		if at.IsZero() {
			at = now
		}
		series, year := r.NewCase.Pattern, 0
		if strings.Contains(series, "{YY") {
			year = at.Year()
		}
		var seq int64
		if err := tx.GetContext(ctx, &seq, s.q(`INSERT INTO case_counters (series, year, last) VALUES (?, ?, 1)
			ON CONFLICT (series, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`), series, year); err != nil {
			return fmt.Errorf("case counter: %w", err)
		}
		rec.CaseNumber, _ = FormatCaseNumber(series, at.Year(), seq)
		subject, client := r.NewCase.Subject, r.NewCase.ClientAddress
		if subject == "" {
			subject = l.Subject
		}
		if client == "" {
			client = l.From
		}
		if err := tx.GetContext(ctx, &rec.CaseID, s.q(`INSERT INTO cases (number, mailbox, status, opened_at, closed_at, subject,
			client_address, letter_id) VALUES (?, ?, 'redirected', ?, ?, ?, ?, ?) RETURNING id`),
			rec.CaseNumber, l.Mailbox, s.t(at), s.t(now), subject, client, r.LetterID); err != nil {
			return fmt.Errorf("case %s: %w", rec.CaseNumber, err)
		}
		rec.CaseOpened = true
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE letters SET case_id = ? WHERE id = ?`), rec.CaseID, r.LetterID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, rec.CaseID, now, "opened", r.LetterID, 0, r.Clerk, map[string]any{"outcome": l.Outcome}); err != nil {
			return err
		}
	}
	if err := s.caseEvent(ctx, tx, rec.CaseID, now, "redirected", r.LetterID, 0, r.Clerk,
		map[string]any{"institution": r.Institution, "address": r.Address, "note": r.Note}); err != nil {
		return err
	}
	queue := func(m Reply, letterID any, id *int64) error {
		raw := m.Raw
		if m.Compose != nil {
			var err error
			if raw, err = m.Compose(rec.CaseNumber); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		}
		err := tx.GetContext(ctx, id, s.q(`INSERT INTO outbox (letter_id, case_id, kind, recipient, message_id, raw,
			status, next_attempt_at, created_at) VALUES (?, ?, 'redirect', ?, ?, ?, 'queued', ?, ?) RETURNING id`),
			letterID, rec.CaseID, m.Recipient, NormalizeMessageID(m.MessageID), raw, s.t(now), s.t(now))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: letter %d was redirected before", ErrAlreadyDecided, r.LetterID)
		}
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		return s.caseEvent(ctx, tx, rec.CaseID, now, "reply_queued", r.LetterID, *id, r.Clerk,
			map[string]any{"kind": ReplyRedirect, "message_id": NormalizeMessageID(m.MessageID), "to": m.Recipient})
	}
	if err := queue(r.Forward, nil, &rec.ForwardID); err != nil {
		return err
	}
	if err := queue(r.Answer, r.LetterID, &rec.AnswerID); err != nil {
		return err
	}
	details, err := json.Marshal(map[string]any{"case": rec.CaseNumber, "institution": r.Institution, "address": r.Address,
		"note": r.Note, "review": rec.ReviewID, "forward": NormalizeMessageID(r.Forward.MessageID),
		"answer": NormalizeMessageID(r.Answer.MessageID)})
	if err != nil {
		return err
	}
	e, err := s.appendAudit(ctx, tx, AuditEntry{Actor: r.Clerk, Action: "case.redirect",
		Object: fmt.Sprintf("letter:%d", r.LetterID), At: now, Details: details})
	if err != nil {
		return err
	}
	rec.AuditID = e.ID
	return nil
}
