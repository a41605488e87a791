package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// AuditChainError says where the audit chain breaks.
type AuditChainError struct {
	ID     int64  // the first entry that does not verify
	Reason string // what is wrong with it
}

func (e *AuditChainError) Error() string {
	return fmt.Sprintf("store: audit chain broken at entry %d: %s", e.ID, e.Reason)
}

func (e *AuditChainError) Unwrap() error { return ErrAuditChain }

// auditHash is SHA-256 over the JSON array [id, at, actor, action, object,
// details, prev_hash], at in RFC 3339 UTC with microseconds.
func auditHash(e AuditEntry) string {
	b, _ := json.Marshal([]any{e.ID, e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), e.Actor, e.Action, e.Object,
		string(e.Details), e.PrevHash})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// appendAudit appends e inside tx. It locks the chain head (FOR UPDATE on
// PostgreSQL; SQLite transactions are already exclusive), so call it last
// in a transaction to keep the lock short and the lock order fixed.
func (s *Store) appendAudit(ctx context.Context, tx *sqlx.Tx, e AuditEntry) (AuditEntry, error) {
	if e.Actor == "" || e.Action == "" {
		return AuditEntry{}, fmt.Errorf("%w: audit entry needs actor and action", ErrInvalid)
	}
	if len(e.Details) == 0 {
		e.Details = json.RawMessage("{}")
	}
	if !json.Valid(e.Details) {
		return AuditEntry{}, fmt.Errorf("%w: audit details are not JSON", ErrInvalid)
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var head struct {
		LastID int64  `db:"last_id"`
		Hash   string `db:"hash"`
	}
	if err := s.tget(ctx, tx, &head, `SELECT last_id, hash FROM audit_head WHERE one = 1`+lock); err != nil {
		return AuditEntry{}, fmt.Errorf("store: audit head: %w", err)
	}
	e.ID, e.PrevHash = head.LastID+1, head.Hash
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Hash = auditHash(e)
	if _, err := s.texec(ctx, tx, `INSERT INTO audit_log (id, at, actor, action, object, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, s.t(e.At), e.Actor, e.Action, e.Object, string(e.Details), e.PrevHash, e.Hash); err != nil {
		return AuditEntry{}, fmt.Errorf("store: audit append: %w", err)
	}
	if _, err := s.texec(ctx, tx, `UPDATE audit_head SET last_id = ?, hash = ? WHERE one = 1`, e.ID, e.Hash); err != nil {
		return AuditEntry{}, fmt.Errorf("store: audit head: %w", err)
	}
	return e, nil
}

// AppendAudit appends one entry (a clerk or admin action) to the audit log.
// ID, At (unless set), PrevHash and Hash are filled in.
func (s *Store) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	var out AuditEntry
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.appendAudit(ctx, tx, e)
		return err
	})
	return out, err
}

type auditRow struct {
	ID       int64     `db:"id"`
	At       time.Time `db:"at"`
	Actor    string    `db:"actor"`
	Action   string    `db:"action"`
	Object   string    `db:"object"`
	Details  string    `db:"details"`
	PrevHash string    `db:"prev_hash"`
	Hash     string    `db:"hash"`
}

func (r auditRow) entry() AuditEntry {
	return AuditEntry{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Object: r.Object,
		Details: json.RawMessage(r.Details), PrevHash: r.PrevHash, Hash: r.Hash}
}

// AuditLog returns up to limit entries with id > afterID, in order.
// object filters by object when not "".
func (s *Store) AuditLog(ctx context.Context, object string, afterID int64, limit int) ([]AuditEntry, error) {
	var rows []auditRow
	q := `SELECT id, at, actor, action, object, details, prev_hash, hash FROM audit_log WHERE id > ?`
	args := []any{afterID}
	if object != "" {
		q += ` AND object = ?`
		args = append(args, object)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, clampLimit(limit))
	if err := s.db.SelectContext(ctx, &rows, s.q(q), args...); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// VerifyAuditChain recomputes every entry's hash and checks that ids run
// 1..n without gaps, that each entry names its predecessor's hash, and that
// the head row names the last entry (so a truncated tail is found too). It
// returns the number of entries checked; a break is an *AuditChainError
// (errors.Is ErrAuditChain).
func (s *Store) VerifyAuditChain(ctx context.Context) (int64, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT id, at, actor, action, object, details, prev_hash, hash FROM audit_log ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	var n int64
	prev := ""
	for rows.Next() {
		var r auditRow
		if err := rows.StructScan(&r); err != nil {
			return n, fmt.Errorf("store: verify audit: %w", err)
		}
		e := r.entry()
		switch {
		case e.ID != n+1:
			return n, &AuditChainError{ID: n + 1, Reason: fmt.Sprintf("missing; next entry is %d", e.ID)}
		case e.PrevHash != prev:
			return n, &AuditChainError{ID: e.ID, Reason: "prev_hash does not match the previous entry"}
		case auditHash(e) != e.Hash:
			return n, &AuditChainError{ID: e.ID, Reason: "content does not match its hash"}
		}
		prev = e.Hash
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: verify audit: %w", err)
	}
	var head struct {
		LastID int64  `db:"last_id"`
		Hash   string `db:"hash"`
	}
	if err := s.db.GetContext(ctx, &head, `SELECT last_id, hash FROM audit_head WHERE one = 1`); err != nil {
		return n, fmt.Errorf("store: verify audit: %w", err)
	}
	if head.LastID != n || head.Hash != prev {
		return n, &AuditChainError{ID: head.LastID, Reason: fmt.Sprintf("head names entry %d but the log ends at %d", head.LastID, n)}
	}
	return n, nil
}

// lockAuditHead takes the audit chain's lock at the start of a transaction
// that will append to it (PostgreSQL; SQLite transactions are exclusive).
// The head stays locked until commit in any case, so taking it first costs
// no concurrency and fixes the lock order (head, then letter rows, review
// items, case counters): writers queue instead of deadlocking.
func (s *Store) lockAuditHead(ctx context.Context, tx *sqlx.Tx) error {
	if s.dialect != Postgres {
		return nil
	}
	_, err := s.texec(ctx, tx, `SELECT last_id FROM audit_head WHERE one = 1 FOR UPDATE`)
	return err
}
