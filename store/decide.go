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

// ReviewAction is what a clerk decides about a letter in review.
type ReviewAction string

const (
	ReviewAccept  ReviewAction = "accept" // the letter is accepted: a case opens (or it joins its case), an ack is queued
	ReviewReject  ReviewAction = "reject" // the letter is rejected: the rejection is queued
	ReviewAskInfo ReviewAction = "info"   // the client is asked for more information; the item stays in review
)

// ReviewDecision is a clerk's decision on a claimed review item, recorded by
// DecideReview. Added for the web desk (issue 7).
type ReviewDecision struct {
	ReviewID int64
	Clerk    string // must hold the claim (ClaimReview)
	Action   ReviewAction
	Reason   string // reason code from the catalogue (reject, info); recorded in the audit entry and case event
	Comment  string // the clerk's comment (kept on the review item and audited)
	// NewCase opens a case when an accepted letter is not already filed
	// under one (a follow-up joins its case instead). Required for accept
	// unless the letter has a case.
	NewCase *NewCase
	// Reply is queued in the same transaction (LimitPerDay is ignored: a
	// clerk's answer is deliberate). Compose gets the case number.
	Reply *Reply
}

// DecideReview records a clerk's decision in one transaction, like
// RecordOutcome does for the pipeline: the review item is decided (accept,
// reject) or annotated (info), the letter's outcome moves from review to
// accepted or rejected, a case is opened or the letter's case gets a
// clerk_action event, the reply is queued and an audit entry
// ("review.accept", "review.reject", "review.info") is appended.
//
// Errors: ErrNotFound (no such item), ErrAlreadyDecided (decided before),
// ErrNotClaimed (the clerk does not hold the claim), ErrInvalid.
func (s *Store) DecideReview(ctx context.Context, d ReviewDecision) (Recorded, error) {
	var rec Recorded
	if d.Clerk == "" || d.ReviewID == 0 {
		return rec, fmt.Errorf("%w: decision needs a review item and a clerk", ErrInvalid)
	}
	switch d.Action {
	case ReviewAccept, ReviewReject, ReviewAskInfo:
	default:
		return rec, fmt.Errorf("%w: review action %q", ErrInvalid, d.Action)
	}
	if d.NewCase != nil {
		if _, err := FormatCaseNumber(d.NewCase.Pattern, 2000, 1); err != nil {
			return rec, err
		}
	}
	if r := d.Reply; r != nil && (!r.Kind.valid() || r.Recipient == "" || NormalizeMessageID(r.MessageID) == "") {
		return rec, fmt.Errorf("%w: reply needs kind, recipient and Message-ID", ErrInvalid)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		rec = Recorded{ReviewID: d.ReviewID}
		if err := s.lockAuditHead(ctx, tx); err != nil {
			return err
		}
		return s.decideTx(ctx, tx, d, s.now(), &rec)
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrAlreadyDecided) || errors.Is(err, ErrNotClaimed) ||
			errors.Is(err, ErrInvalid) {
			return Recorded{}, err
		}
		return Recorded{}, fmt.Errorf("store: decide review %d: %w", d.ReviewID, err)
	}
	return rec, nil
}

func (s *Store) decideTx(ctx context.Context, tx *sqlx.Tx, d ReviewDecision, now time.Time, rec *Recorded) error {
	var letterID int64
	var err error
	if d.Action == ReviewAskInfo {
		err = s.tget(ctx, tx, &letterID, `UPDATE review_items SET comment = ? WHERE id = ? AND decided_at IS NULL
			AND claimed_by = ? RETURNING letter_id`, d.Comment, d.ReviewID, d.Clerk)
	} else {
		err = s.tget(ctx, tx, &letterID, `UPDATE review_items SET decided_by = ?, decided_at = ?, decision = ?, comment = ?
			WHERE id = ? AND decided_at IS NULL AND claimed_by = ? RETURNING letter_id`,
			d.Clerk, s.t(now), string(d.Action), d.Comment, d.ReviewID, d.Clerk)
	}
	if errors.Is(err, sql.ErrNoRows) {
		var cur reviewRow
		err := s.tget(ctx, tx, &cur, `SELECT id, letter_id, reason, created_at, claimed_by, claimed_at, decided_by,
			decided_at, decision, comment FROM review_items WHERE id = ?`, d.ReviewID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: review item %d", ErrNotFound, d.ReviewID)
		case err != nil:
			return err
		case cur.DecidedAt.Valid:
			return fmt.Errorf("%w: review item %d was decided by %s", ErrAlreadyDecided, d.ReviewID, cur.DecidedBy)
		default:
			return fmt.Errorf("%w: review item %d is claimed by %q", ErrNotClaimed, d.ReviewID, cur.ClaimedBy)
		}
	}
	if err != nil {
		return err
	}
	var l struct {
		Mailbox string        `db:"mailbox"`
		From    string        `db:"from_addr"`
		Subject string        `db:"subject"`
		Outcome string        `db:"outcome"`
		CaseID  sql.NullInt64 `db:"case_id"`
	}
	if d.Action == ReviewAskInfo {
		err = s.tget(ctx, tx, &l, `SELECT mailbox, from_addr, subject, outcome, case_id FROM letters WHERE id = ?`, letterID)
	} else {
		outcome := Accepted
		if d.Action == ReviewReject {
			outcome = Rejected
		}
		err = s.tget(ctx, tx, &l, `UPDATE letters SET outcome = ?, decided_at = ? WHERE id = ? AND outcome = 'review'
			RETURNING mailbox, from_addr, subject, outcome, case_id`, string(outcome), s.t(now), letterID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: letter %d is not in review", ErrAlreadyDecided, letterID)
	}
	if err != nil {
		return err
	}
	caseNumber := ""
	rec.CaseID = l.CaseID.Int64
	if rec.CaseID != 0 {
		if err := s.tget(ctx, tx, &caseNumber, `SELECT number FROM cases WHERE id = ?`, rec.CaseID); err != nil {
			return err
		}
		rec.CaseNumber = caseNumber
	} else if d.Action == ReviewAccept {
		if d.NewCase == nil {
			return fmt.Errorf("%w: accepting letter %d needs a case pattern", ErrInvalid, letterID)
		}
		at := d.NewCase.At
		if at.IsZero() {
			at = now
		}
		series, year := d.NewCase.Pattern, 0
		if strings.Contains(series, "{YY") {
			year = at.Year()
		}
		var seq int64
		if err := s.tget(ctx, tx, &seq, `INSERT INTO case_counters (series, year, last) VALUES (?, ?, 1)
				ON CONFLICT (series, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, series, year); err != nil {
			return fmt.Errorf("case counter: %w", err)
		}
		caseNumber, _ = FormatCaseNumber(series, at.Year(), seq)
		subject, client := d.NewCase.Subject, d.NewCase.ClientAddress
		if subject == "" {
			subject = l.Subject
		}
		if client == "" {
			client = l.From
		}
		if err := s.tget(ctx, tx, &rec.CaseID, `INSERT INTO cases (number, mailbox, status, opened_at, subject, client_address, letter_id)
				VALUES (?, ?, 'open', ?, ?, ?, ?) RETURNING id`, caseNumber, l.Mailbox, s.t(at), subject, client, letterID); err != nil {
			return fmt.Errorf("case %s: %w", caseNumber, err)
		}
		rec.CaseNumber, rec.CaseOpened = caseNumber, true
		if _, err := s.texec(ctx, tx, `UPDATE letters SET case_id = ? WHERE id = ?`, rec.CaseID, letterID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, rec.CaseID, now, "opened", letterID, 0, d.Clerk, map[string]any{"outcome": Accepted}); err != nil {
			return err
		}
	}
	if rec.CaseID != 0 {
		if err := s.caseEvent(ctx, tx, rec.CaseID, now, "clerk_action", letterID, 0, d.Clerk,
			map[string]any{"action": d.Action, "reason": d.Reason, "comment": d.Comment}); err != nil {
			return err
		}
	}
	if r := d.Reply; r != nil {
		raw := r.Raw
		if r.Compose != nil {
			if raw, err = r.Compose(caseNumber); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		}
		err := s.tget(ctx, tx, &rec.OutboxID, `INSERT INTO outbox (letter_id, case_id, kind, recipient, message_id, raw,
				status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING id`,
			letterID, nullID(rec.CaseID), string(r.Kind), r.Recipient, NormalizeMessageID(r.MessageID), raw, s.t(now), s.t(now))
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: a %s reply to letter %d is already queued", ErrAlreadyDecided, r.Kind, letterID)
		}
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if rec.CaseID != 0 {
			if err := s.caseEvent(ctx, tx, rec.CaseID, now, "reply_queued", letterID, rec.OutboxID, d.Clerk,
				map[string]any{"kind": r.Kind, "message_id": NormalizeMessageID(r.MessageID)}); err != nil {
				return err
			}
		}
	}
	details := map[string]any{"review": d.ReviewID, "reason": d.Reason, "comment": d.Comment}
	if rec.CaseNumber != "" {
		details["case"] = rec.CaseNumber
	}
	if rec.OutboxID != 0 {
		details["reply"] = d.Reply.Kind
	}
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	e, err := s.appendAudit(ctx, tx, AuditEntry{Actor: d.Clerk, Action: "review." + string(d.Action),
		Object: fmt.Sprintf("letter:%d", letterID), Details: b})
	if err != nil {
		return err
	}
	rec.AuditID = e.ID
	return nil
}
