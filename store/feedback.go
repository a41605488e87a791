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

// Feedback on service quality (issue 9). Letters to pasts@, and ekase@
// letters a clerk marks as feedback, carry one tag set by a clerk. A
// suggestion computed from the text (intake.SuggestFeedbackTag) is stored
// beside it for the record but is never a tag by itself.

// FeedbackTag is a clerk's classification of a feedback letter.
type FeedbackTag string

const (
	FeedbackPraise     FeedbackTag = "praise"
	FeedbackComplaint  FeedbackTag = "complaint"
	FeedbackSuggestion FeedbackTag = "suggestion"
)

// FeedbackTags lists the tags in report order.
var FeedbackTags = []FeedbackTag{FeedbackPraise, FeedbackComplaint, FeedbackSuggestion}

// Valid reports whether t is one of FeedbackTags.
func (t FeedbackTag) Valid() bool {
	switch t {
	case FeedbackPraise, FeedbackComplaint, FeedbackSuggestion:
		return true
	}
	return false
}

// Feedback is a letter's feedback tag.
type Feedback struct {
	LetterID  int64       `json:"letter_id" db:"letter_id"`
	Tag       FeedbackTag `json:"tag" db:"tag"`
	Suggested FeedbackTag `json:"suggested,omitempty" db:"suggested"` // what the rules suggested when the clerk tagged
	Note      string      `json:"note,omitempty" db:"note"`
	TaggedBy  string      `json:"tagged_by" db:"tagged_by"`
	TaggedAt  time.Time   `json:"tagged_at" db:"tagged_at"`
}

// TagFeedback sets (or changes) a letter's feedback tag by a clerk, with an
// audit entry "feedback.tag" (details: tag, previous tag, suggestion,
// note). Tagging an ekase@ letter is how a clerk marks it as feedback.
// Errors: ErrInvalid (tag, clerk), ErrNotFound (letter).
func (s *Store) TagFeedback(ctx context.Context, f Feedback) (Feedback, error) {
	if !f.Tag.Valid() || f.TaggedBy == "" || (f.Suggested != "" && !f.Suggested.Valid()) {
		return Feedback{}, fmt.Errorf("%w: feedback needs a tag (praise, complaint, suggestion) and a clerk", ErrInvalid)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.lockAuditHead(ctx, tx); err != nil {
			return err
		}
		f.TaggedAt = s.now()
		var n int
		if err := tx.GetContext(ctx, &n, s.q(`SELECT COUNT(*) FROM letters WHERE id = ?`), f.LetterID); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: letter %d", ErrNotFound, f.LetterID)
		}
		var prev string
		err := tx.GetContext(ctx, &prev, s.q(`SELECT tag FROM feedback_tags WHERE letter_id = ?`), f.LetterID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO feedback_tags (letter_id, tag, suggested, note, tagged_by, tagged_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (letter_id) DO UPDATE SET tag = excluded.tag, suggested = excluded.suggested,
			note = excluded.note, tagged_by = excluded.tagged_by, tagged_at = excluded.tagged_at`),
			f.LetterID, string(f.Tag), string(f.Suggested), f.Note, f.TaggedBy, s.t(f.TaggedAt)); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"tag": f.Tag, "previous": prev, "suggested": f.Suggested, "note": f.Note})
		_, err = s.appendAudit(ctx, tx, AuditEntry{Actor: f.TaggedBy, Action: "feedback.tag",
			Object: fmt.Sprintf("letter:%d", f.LetterID), At: f.TaggedAt, Details: details})
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Feedback{}, err
		}
		return Feedback{}, fmt.Errorf("store: tag feedback: %w", err)
	}
	return f, nil
}

// LetterFeedback returns a letter's tag, ErrNotFound when it has none.
func (s *Store) LetterFeedback(ctx context.Context, letterID int64) (Feedback, error) {
	var f Feedback
	err := s.db.GetContext(ctx, &f, s.q(`SELECT letter_id, tag, suggested, note, tagged_by, tagged_at
		FROM feedback_tags WHERE letter_id = ?`), letterID)
	if errors.Is(err, sql.ErrNoRows) {
		return Feedback{}, fmt.Errorf("%w: feedback tag of letter %d", ErrNotFound, letterID)
	}
	if err != nil {
		return Feedback{}, fmt.Errorf("store: feedback: %w", err)
	}
	f.TaggedAt = f.TaggedAt.UTC()
	return f, nil
}

// FeedbackRow is one line of the monthly report: letters received in Month
// (YYYY-MM, UTC) tagged Tag.
type FeedbackRow struct {
	Month   string      `json:"month"`
	Tag     FeedbackTag `json:"tag"`
	Letters int         `json:"letters"`
}

// FeedbackReport counts tagged letters by the month they were received
// (UTC) and tag, for months from..to inclusive (YYYY-MM; "" leaves that
// end open). Every month in the range that has any tagged letter gets a
// row for every tag (zero included); rows are ordered by month, then tag
// (praise, complaint, suggestion).
func (s *Store) FeedbackReport(ctx context.Context, from, to string) ([]FeedbackRow, error) {
	where := ""
	var args []any
	if from != "" {
		t, err := time.Parse("2006-01", from)
		if err != nil {
			return nil, fmt.Errorf("%w: month %q (want YYYY-MM)", ErrInvalid, from)
		}
		where += ` AND l.received_at >= ?`
		args = append(args, s.t(t))
	}
	if to != "" {
		t, err := time.Parse("2006-01", to)
		if err != nil {
			return nil, fmt.Errorf("%w: month %q (want YYYY-MM)", ErrInvalid, to)
		}
		where += ` AND l.received_at < ?`
		args = append(args, s.t(t.AddDate(0, 1, 0)))
	}
	var rows []struct {
		ReceivedAt time.Time `db:"received_at"`
		Tag        string    `db:"tag"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT l.received_at, f.tag FROM feedback_tags f
		JOIN letters l ON l.id = f.letter_id WHERE 1 = 1`+where), args...); err != nil {
		return nil, fmt.Errorf("store: feedback report: %w", err)
	}
	counts := map[string]map[FeedbackTag]int{}
	for _, r := range rows {
		m := r.ReceivedAt.UTC().Format("2006-01")
		if counts[m] == nil {
			counts[m] = map[FeedbackTag]int{}
		}
		counts[m][FeedbackTag(r.Tag)]++
	}
	months := make([]string, 0, len(counts))
	for m := range counts {
		months = append(months, m)
	}
	sort.Strings(months)
	out := []FeedbackRow{}
	for _, m := range months {
		for _, tag := range FeedbackTags {
			out = append(out, FeedbackRow{Month: m, Tag: tag, Letters: counts[m][tag]})
		}
	}
	return out, nil
}
