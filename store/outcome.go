package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// NewCase asks RecordOutcome to open a case.
type NewCase struct {
	// Pattern makes the case number: {YYYY} (or {YY}) is the year of At and
	// {SEQ:n} (or {SEQ}) the sequence within the year for this pattern,
	// zero-padded to n digits, e.g. "VK-{YYYY}/{SEQ:6}" gives
	// "VK-2026/000123". Each pattern has its own counter per year.
	Pattern       string
	At            time.Time // opening time; its Year() in its location picks the counter. Zero: now (UTC).
	Subject       string
	ClientAddress string
}

// Reply asks RecordOutcome to queue an outgoing message.
type Reply struct {
	Kind      ReplyKind
	Recipient string
	// MessageID is the reply's stable Message-ID, generated once by the
	// caller; every retry sends it unchanged. Required, unique.
	MessageID string
	// Raw is the complete message. When Compose is set it is called inside
	// the transaction with the case number (new or follow-up, "" for none)
	// and its result is used instead.
	Raw     []byte
	Compose func(caseNumber string) ([]byte, error)
	// LimitPerDay caps the replies queued for Recipient per UTC day
	// (0: no cap). Over the cap, the outcome is recorded without the reply
	// and Recorded.ReplySuppressed is set. Suppressed attempts count.
	LimitPerDay int
}

// Outcome is everything the pipeline decided about a letter, recorded in
// one transaction by RecordOutcome.
type Outcome struct {
	LetterID       int64
	Outcome        OutcomeKind // accepted, rejected, review or ignored
	Reasons        []Reason
	Classification string // e.g. new, follow-up, auto-reply, bounce, list, own-reply, duplicate
	Attachments    []Attachment
	Reports        []Report // AttachmentPart links a report to an attachment
	NewCase        *NewCase // open a case for the letter, or
	CaseID         int64    // file the letter under an existing case (follow-up, duplicate)
	Review         string   // non-empty: queue a review item with this reason
	Reply          *Reply
	Actor          string         // audit actor; default "intake"
	AuditDetails   map[string]any // merged into the audit entry's details
}

// Recorded reports what RecordOutcome wrote.
type Recorded struct {
	CaseID          int64
	CaseNumber      string
	CaseOpened      bool
	ReviewID        int64
	OutboxID        int64
	ReplySuppressed bool
	AuditID         int64
}

// RecordOutcome records a letter's outcome, its attachments and signature
// reports, a new case (numbered) or a follow-up event on an existing case, a
// review item, the queued reply and an audit entry, all in one transaction.
//
// Exactly once: the first statement moves the letter from pending to its
// outcome and fails for any later call, concurrent or not (ErrAlreadyDecided,
// nothing written); unique constraints back it (one case per opening letter,
// one review item per letter, one outbox row per letter and kind, unique
// Message-IDs).
func (s *Store) RecordOutcome(ctx context.Context, o Outcome) (Recorded, error) {
	recs, errs, err := s.RecordOutcomes(ctx, []Outcome{o})
	if err != nil {
		return Recorded{}, err
	}
	return recs[0], errs[0]
}

// RecordOutcomes records several letters' outcomes in one transaction and
// one durable commit (group commit for a pipeline with several validation
// workers). Each outcome is applied under its own savepoint: one that fails
// for its own reason (ErrAlreadyDecided, ErrNotFound, ErrInvalid, a failed
// Compose) gets that error in errs and leaves no trace, and the others are
// still recorded. err is for the transaction as a whole (database down):
// then nothing was recorded.
func (s *Store) RecordOutcomes(ctx context.Context, os []Outcome) (recs []Recorded, errs []error, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		recs, errs = make([]Recorded, len(os)), make([]error, len(os))
		now := s.now()
		if err := s.lockAuditHead(ctx, tx); err != nil {
			return err
		}
		for i, o := range os {
			if _, err := s.texec(ctx, tx, "SAVEPOINT outcome"); err != nil {
				return err
			}
			rec, err := s.recordOne(ctx, tx, o, now)
			if err == nil {
				if _, err := s.texec(ctx, tx, "RELEASE SAVEPOINT outcome"); err != nil {
					return err
				}
				recs[i] = rec
				continue
			}
			if !errors.Is(err, ErrAlreadyDecided) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) &&
				!errors.Is(err, errCompose) {
				return fmt.Errorf("store: record outcome of letter %d: %w", o.LetterID, err)
			}
			if _, err := s.texec(ctx, tx, "ROLLBACK TO SAVEPOINT outcome"); err != nil {
				return err
			}
			if _, err := s.texec(ctx, tx, "RELEASE SAVEPOINT outcome"); err != nil {
				return err
			}
			errs[i] = err
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return recs, errs, nil
}

var errCompose = errors.New("store: compose reply")

func checkOutcome(o Outcome) error {
	if !o.Outcome.valid() || o.Outcome == Pending {
		return fmt.Errorf("%w: outcome %q", ErrInvalid, o.Outcome)
	}
	if o.NewCase != nil && o.CaseID != 0 {
		return fmt.Errorf("%w: both a new case and case %d", ErrInvalid, o.CaseID)
	}
	if o.NewCase != nil {
		if _, err := FormatCaseNumber(o.NewCase.Pattern, 2000, 1); err != nil {
			return err
		}
	}
	if r := o.Reply; r != nil && (!r.Kind.valid() || r.Recipient == "" || NormalizeMessageID(r.MessageID) == "") {
		return fmt.Errorf("%w: reply needs kind, recipient and Message-ID", ErrInvalid)
	}
	return nil
}

func (s *Store) recordOne(ctx context.Context, tx *sqlx.Tx, o Outcome, now time.Time) (rec Recorded, err error) {
	if err := checkOutcome(o); err != nil {
		return rec, err
	}
	if o.Actor == "" {
		o.Actor = "intake"
	}
	reasons := o.Reasons
	if reasons == nil {
		reasons = []Reason{}
	}
	reasonsJSON, err := json.Marshal(reasons)
	if err != nil {
		return rec, fmt.Errorf("%w: reasons: %v", ErrInvalid, err)
	}
	err = s.recordTx(ctx, tx, o, now, reasons, reasonsJSON, &rec)
	return rec, err
}

func (s *Store) recordTx(ctx context.Context, tx *sqlx.Tx, o Outcome, now time.Time, reasons []Reason, reasonsJSON []byte, rec *Recorded) error {
	var l struct {
		Mailbox string `db:"mailbox"`
		From    string `db:"from_addr"`
		Subject string `db:"subject"`
	}
	err := s.tget(ctx, tx, &l, `UPDATE letters SET outcome = ?, reasons = ?, classification = ?, decided_at = ?,
			next_attempt_at = NULL WHERE id = ? AND outcome = 'pending' RETURNING mailbox, from_addr, subject`,
		string(o.Outcome), string(reasonsJSON), o.Classification, s.t(now), o.LetterID)
	if errors.Is(err, sql.ErrNoRows) {
		var cur string
		if err := s.tget(ctx, tx, &cur, `SELECT outcome FROM letters WHERE id = ?`, o.LetterID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: letter %d", ErrNotFound, o.LetterID)
			}
			return err
		}
		return fmt.Errorf("%w: letter %d is %s", ErrAlreadyDecided, o.LetterID, cur)
	}
	if err != nil {
		return err
	}
	// Attachments and reports.
	partIDs := map[string]int64{}
	for _, a := range o.Attachments {
		if a.Data != nil {
			sum, err := s.putBlob(ctx, tx, SHA256Hex(a.Data), a.Data)
			if err != nil {
				return err
			}
			a.SHA256, a.Size = sum, int64(len(a.Data))
		}
		var id int64
		if err := s.tget(ctx, tx, &id, `INSERT INTO attachments (letter_id, part_path, name, content_type, size, sha256)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, o.LetterID, a.PartPath, a.Name, a.ContentType, a.Size, a.SHA256); err != nil {
			return fmt.Errorf("attachment %q: %w", a.PartPath, err)
		}
		partIDs[a.PartPath] = id
	}
	for _, r := range o.Reports {
		if r.AttachmentPart != "" {
			id, ok := partIDs[r.AttachmentPart]
			if !ok {
				return fmt.Errorf("%w: report names attachment part %q not in the outcome", ErrInvalid, r.AttachmentPart)
			}
			r.AttachmentID = id
		}
		r.LetterID = o.LetterID
		if err := s.insertReport(ctx, tx, r, now); err != nil {
			return err
		}
	}
	// Case.
	caseNumber := ""
	switch {
	case o.NewCase != nil:
		at := o.NewCase.At
		if at.IsZero() {
			at = now
		}
		var seq int64
		series := o.NewCase.Pattern
		year := 0 // a pattern without a year numbers on forever
		if strings.Contains(series, "{YY") {
			year = at.Year()
		}
		if err := s.tget(ctx, tx, &seq, `INSERT INTO case_counters (series, year, last) VALUES (?, ?, 1)
				ON CONFLICT (series, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, series, year); err != nil {
			return fmt.Errorf("case counter: %w", err)
		}
		caseNumber, _ = FormatCaseNumber(series, at.Year(), seq)
		subject, client := o.NewCase.Subject, o.NewCase.ClientAddress
		if subject == "" {
			subject = l.Subject
		}
		if client == "" {
			client = l.From
		}
		if err := s.tget(ctx, tx, &rec.CaseID, `INSERT INTO cases (number, mailbox, status, opened_at, subject, client_address, letter_id)
				VALUES (?, ?, 'open', ?, ?, ?, ?) RETURNING id`, caseNumber, l.Mailbox, s.t(at), subject, client, o.LetterID); err != nil {
			return fmt.Errorf("case %s: %w", caseNumber, err)
		}
		rec.CaseNumber, rec.CaseOpened = caseNumber, true
		if err := s.caseEvent(ctx, tx, rec.CaseID, now, "opened", o.LetterID, 0, o.Actor, map[string]any{"outcome": o.Outcome}); err != nil {
			return err
		}
	case o.CaseID != 0:
		if err := s.tget(ctx, tx, &caseNumber, `SELECT number FROM cases WHERE id = ?`, o.CaseID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: case %d", ErrNotFound, o.CaseID)
			}
			return err
		}
		rec.CaseID, rec.CaseNumber = o.CaseID, caseNumber
		if err := s.caseEvent(ctx, tx, rec.CaseID, now, "letter_received", o.LetterID, 0, o.Actor,
			map[string]any{"outcome": o.Outcome, "classification": o.Classification}); err != nil {
			return err
		}
	}
	if rec.CaseID != 0 {
		if _, err := s.texec(ctx, tx, `UPDATE letters SET case_id = ? WHERE id = ?`, rec.CaseID, o.LetterID); err != nil {
			return err
		}
	}
	// Review item.
	if o.Review != "" {
		if err := s.tget(ctx, tx, &rec.ReviewID, `INSERT INTO review_items (letter_id, reason, created_at)
				VALUES (?, ?, ?) RETURNING id`, o.LetterID, o.Review, s.t(now)); err != nil {
			return fmt.Errorf("review item: %w", err)
		}
	}
	// Reply.
	if r := o.Reply; r != nil {
		allowed := true
		if r.LimitPerDay > 0 {
			var n int
			if err := s.tget(ctx, tx, &n, `INSERT INTO reply_counts (recipient, day, count) VALUES (?, ?, 1)
					ON CONFLICT (recipient, day) DO UPDATE SET count = reply_counts.count + 1 RETURNING count`,
				strings.ToLower(r.Recipient), now.Format("2006-01-02")); err != nil {
				return fmt.Errorf("reply count: %w", err)
			}
			allowed = n <= r.LimitPerDay
		}
		if !allowed {
			rec.ReplySuppressed = true
		} else {
			raw := r.Raw
			if r.Compose != nil {
				if raw, err = r.Compose(caseNumber); err != nil {
					return fmt.Errorf("%w: %w", errCompose, err)
				}
			}
			if err := s.tget(ctx, tx, &rec.OutboxID, `INSERT INTO outbox (letter_id, case_id, kind, recipient, message_id, raw,
					status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING id`,
				o.LetterID, nullID(rec.CaseID), string(r.Kind), r.Recipient, NormalizeMessageID(r.MessageID), raw,
				s.t(now), s.t(now)); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
			if rec.CaseID != 0 {
				if err := s.caseEvent(ctx, tx, rec.CaseID, now, "reply_queued", o.LetterID, rec.OutboxID, o.Actor,
					map[string]any{"kind": r.Kind, "message_id": NormalizeMessageID(r.MessageID)}); err != nil {
					return err
				}
			}
		}
	}
	// Audit, last: it takes the chain lock.
	details := map[string]any{}
	for k, v := range o.AuditDetails {
		details[k] = v
	}
	details["outcome"] = o.Outcome
	details["reasons"] = reasons
	details["classification"] = o.Classification
	details["reports"] = len(o.Reports)
	if rec.CaseNumber != "" {
		details["case"] = rec.CaseNumber
	}
	if rec.OutboxID != 0 {
		details["reply"] = o.Reply.Kind
	}
	if rec.ReplySuppressed {
		details["reply_suppressed"] = true
	}
	if rec.ReviewID != 0 {
		details["review"] = o.Review
	}
	db, err := json.Marshal(details)
	if err != nil {
		return err
	}
	e, err := s.appendAudit(ctx, tx, AuditEntry{Actor: o.Actor, Action: "letter." + string(o.Outcome),
		Object: fmt.Sprintf("letter:%d", o.LetterID), Details: db})
	if err != nil {
		return err
	}
	rec.AuditID = e.ID
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *Store) caseEvent(ctx context.Context, tx *sqlx.Tx, caseID int64, at time.Time, kind string, letterID, outboxID int64, actor string, details any) error {
	b, err := json.Marshal(details)
	if err != nil {
		return err
	}
	_, err = s.texec(ctx, tx, `INSERT INTO case_events (case_id, at, kind, letter_id, outbox_id, actor, details)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, caseID, s.t(at), kind, nullID(letterID), nullID(outboxID), actor, string(b))
	if err != nil {
		return fmt.Errorf("case event: %w", err)
	}
	return nil
}

// FormatCaseNumber expands a case number pattern (see NewCase.Pattern). It
// fails with ErrInvalid when the pattern has no {SEQ} or an unknown token.
func FormatCaseNumber(pattern string, year int, seq int64) (string, error) {
	var b strings.Builder
	hasSeq := false
	rest := pattern
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("%w: case pattern %q: unclosed {", ErrInvalid, pattern)
		}
		tok := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		switch {
		case tok == "YYYY":
			fmt.Fprintf(&b, "%04d", year)
		case tok == "YY":
			fmt.Fprintf(&b, "%02d", year%100)
		case tok == "SEQ":
			hasSeq = true
			b.WriteString(strconv.FormatInt(seq, 10))
		case strings.HasPrefix(tok, "SEQ:"):
			n, err := strconv.Atoi(tok[4:])
			if err != nil || n < 1 || n > 12 {
				return "", fmt.Errorf("%w: case pattern %q: bad width in {%s}", ErrInvalid, pattern, tok)
			}
			hasSeq = true
			fmt.Fprintf(&b, "%0*d", n, seq)
		default:
			return "", fmt.Errorf("%w: case pattern %q: unknown token {%s}", ErrInvalid, pattern, tok)
		}
	}
	if !hasSeq {
		return "", fmt.Errorf("%w: case pattern %q has no {SEQ}", ErrInvalid, pattern)
	}
	return b.String(), nil
}
