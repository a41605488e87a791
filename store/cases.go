package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

type caseRow struct {
	ID            int64         `db:"id"`
	Number        string        `db:"number"`
	Mailbox       string        `db:"mailbox"`
	Status        string        `db:"status"`
	OpenedAt      time.Time     `db:"opened_at"`
	ClosedAt      sql.NullTime  `db:"closed_at"`
	Subject       string        `db:"subject"`
	ClientAddress string        `db:"client_address"`
	LetterID      sql.NullInt64 `db:"letter_id"`
}

func (r caseRow) caseValue() Case {
	return Case{ID: r.ID, Number: r.Number, Mailbox: r.Mailbox, Status: CaseStatus(r.Status), OpenedAt: r.OpenedAt.UTC(),
		ClosedAt: nt(r.ClosedAt), Subject: r.Subject, ClientAddress: r.ClientAddress, LetterID: r.LetterID.Int64}
}

const caseCols = `SELECT id, number, mailbox, status, opened_at, closed_at, subject, client_address, letter_id FROM cases `

func (s *Store) oneCase(ctx context.Context, what string, where string, arg any) (Case, error) {
	var r caseRow
	err := s.db.GetContext(ctx, &r, s.q(caseCols+where), arg)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, fmt.Errorf("%w: case %s", ErrNotFound, what)
	}
	if err != nil {
		return Case{}, fmt.Errorf("store: case %s: %w", what, err)
	}
	return r.caseValue(), nil
}

// Case returns a case by id.
func (s *Store) Case(ctx context.Context, id int64) (Case, error) {
	return s.oneCase(ctx, fmt.Sprint(id), `WHERE id = ?`, id)
}

// FindCaseByNumber returns the case with that number (exact, as issued).
func (s *Store) FindCaseByNumber(ctx context.Context, number string) (Case, error) {
	return s.oneCase(ctx, number, `WHERE number = ?`, strings.TrimSpace(number))
}

// CaseFilter selects cases for ListCases. Zero fields do not filter.
type CaseFilter struct {
	Mailbox string
	Status  CaseStatus
	Since   time.Time // opened at or after
	AfterID int64
	Limit   int
}

// ListCases lists cases by id, oldest first.
func (s *Store) ListCases(ctx context.Context, f CaseFilter) ([]Case, error) {
	where := []string{"id > ?"}
	args := []any{f.AfterID}
	if f.Mailbox != "" {
		where, args = append(where, "mailbox = ?"), append(args, f.Mailbox)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		where, args = append(where, "opened_at >= ?"), append(args, s.t(f.Since))
	}
	args = append(args, clampLimit(f.Limit))
	var rows []caseRow
	if err := s.db.SelectContext(ctx, &rows, s.q(caseCols+"WHERE "+strings.Join(where, " AND ")+" ORDER BY id LIMIT ?"), args...); err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	out := make([]Case, len(rows))
	for i, r := range rows {
		out[i] = r.caseValue()
	}
	return out, nil
}

// CaseEvents returns a case's timeline, oldest first.
func (s *Store) CaseEvents(ctx context.Context, caseID int64) ([]CaseEvent, error) {
	var rows []struct {
		ID       int64         `db:"id"`
		CaseID   int64         `db:"case_id"`
		At       time.Time     `db:"at"`
		Kind     string        `db:"kind"`
		LetterID sql.NullInt64 `db:"letter_id"`
		OutboxID sql.NullInt64 `db:"outbox_id"`
		Actor    string        `db:"actor"`
		Details  string        `db:"details"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT id, case_id, at, kind, letter_id, outbox_id, actor, details
		FROM case_events WHERE case_id = ? ORDER BY at, id`), caseID); err != nil {
		return nil, fmt.Errorf("store: case events: %w", err)
	}
	out := make([]CaseEvent, len(rows))
	for i, r := range rows {
		out[i] = CaseEvent{ID: r.ID, CaseID: r.CaseID, At: r.At.UTC(), Kind: r.Kind, LetterID: r.LetterID.Int64,
			OutboxID: r.OutboxID.Int64, Actor: r.Actor, Details: json.RawMessage(r.Details)}
	}
	return out, nil
}
