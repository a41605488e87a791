package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Retention and purge (issue 9). A purge removes the bytes of raw letters
// and stored attachments once their retention has run out, and keeps a
// minimal record that the letter existed and what was decided:
//
//   - letters: the row stays with mailbox, UIDVALIDITY/UID, Message-ID,
//     received/decided times, sha256, size, outcome, reasons (codes),
//     classification and case; from_addr, subject and last_error are
//     cleared and purged_at is set.
//   - blobs: the raw letter's and its attachments' blobs are deleted unless
//     a letter that is not purged (or one of its attachments) still names the
//     same bytes (content addressing shares blobs between duplicates).
//   - attachments: rows stay (part, content type, size, sha256); file names
//     are cleared.
//   - signature reports: rows stay with format, indication, sub-indication,
//     qualification, level, issuer, certificate hash and serial, times and
//     verdict; the signer's name, serialNumber (personal code) and
//     organisation are cleared and the validator's full JSON is replaced by
//     {"purged_at": ...}. (This is the one update of report rows.)
//   - cases opened by a purged letter: subject and client address cleared.
//   - outbox rows of a purged letter or its case that are sent or failed:
//     the message bytes and recipient are cleared. A letter with a reply still
//     queued or being sent is not purged yet.
//   - review items, case events, feedback tags and the audit log are kept.
//
// Each batch is one transaction ending with an audit entry "purge.run"
// naming the letters it purged.

// ErrPurged is wrapped by a *PurgedError.
var ErrPurged = errors.New("store: letter purged")

// PurgedError says that a letter's bytes were removed by a purge.
type PurgedError struct {
	LetterID int64
	At       time.Time
}

func (e *PurgedError) Error() string {
	return fmt.Sprintf("store: letter %d was purged on %s", e.LetterID, e.At.UTC().Format("2006-01-02 15:04 MST"))
}

func (e *PurgedError) Unwrap() error { return ErrPurged }

// LetterOriginal is RawLetterBytes for a desk: for a purged letter it
// returns the letter and a *PurgedError (errors.Is ErrPurged) instead of
// ErrNotFound, so the page can say "purged on ...".
func (s *Store) LetterOriginal(ctx context.Context, id int64) ([]byte, Letter, error) {
	l, err := s.Letter(ctx, id)
	if err != nil {
		return nil, Letter{}, err
	}
	if !l.PurgedAt.IsZero() {
		return nil, l, &PurgedError{LetterID: id, At: l.PurgedAt}
	}
	b, err := s.Blob(ctx, l.SHA256)
	return b, l, err
}

// LetterAttachment returns the stored bytes of one attachment of a letter:
// a *PurgedError when the letter was purged, ErrNotFound when the
// attachment has no blob of its own (its bytes are inside the raw letter).
func (s *Store) LetterAttachment(ctx context.Context, letterID, attachmentID int64) ([]byte, Attachment, error) {
	l, err := s.Letter(ctx, letterID)
	if err != nil {
		return nil, Attachment{}, err
	}
	var a Attachment
	err = s.db.GetContext(ctx, &a, s.q(`SELECT id, letter_id, part_path, name, content_type, size, sha256
		FROM attachments WHERE id = ? AND letter_id = ?`), attachmentID, letterID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, a, fmt.Errorf("%w: attachment %d of letter %d", ErrNotFound, attachmentID, letterID)
	}
	if err != nil {
		return nil, a, fmt.Errorf("store: attachment: %w", err)
	}
	if !l.PurgedAt.IsZero() {
		return nil, a, &PurgedError{LetterID: letterID, At: l.PurgedAt}
	}
	b, err := s.Blob(ctx, a.SHA256)
	return b, a, err
}

// RetentionPolicy is how long letters' bytes are kept, per outcome; zero
// keeps them forever. Pending letters, letters in review without a clerk's
// decision, accepted letters of an open case and letters with a reply not
// yet sent are never purged.
type RetentionPolicy struct {
	Rejected time.Duration // from the decision (decided_at)
	Ignored  time.Duration // automatic mail, from the decision
	Accepted time.Duration // from the closing of the letter's case (from the decision without a case)
	Review   time.Duration // outcome review (e.g. redirected from review), from the clerk's decision
}

func (p RetentionPolicy) days() map[string]int {
	d := func(v time.Duration) int { return int(v / (24 * time.Hour)) }
	return map[string]int{"rejected": d(p.Rejected), "ignored": d(p.Ignored), "accepted": d(p.Accepted), "review": d(p.Review)}
}

// PurgeItem is one letter due for purging.
type PurgeItem struct {
	LetterID        int64       `json:"letter_id" db:"id"`
	Mailbox         string      `json:"mailbox" db:"mailbox"`
	Outcome         OutcomeKind `json:"outcome" db:"outcome"`
	Case            string      `json:"case,omitempty" db:"case_number"`
	ReceivedAt      time.Time   `json:"received_at" db:"received_at"`
	Since           time.Time   `json:"since" db:"-"` // the time retention counts from
	Size            int64       `json:"size" db:"size"`
	Attachments     int         `json:"attachments" db:"-"`      // attachments with bytes of their own
	AttachmentBytes int64       `json:"attachment_bytes" db:"-"` // their size
	SHA256          string      `json:"sha256" db:"sha256"`
}

// PurgeResult reports a purge run (dry or applied).
type PurgeResult struct {
	Applied bool        `json:"applied"`
	At      time.Time   `json:"at"`
	Run     string      `json:"run"` // id of the run, in its audit entries
	Items   []PurgeItem `json:"items"`
	Letters int         `json:"letters"`
	Bytes   int64       `json:"bytes"` // raw letters and attachments listed (shared bytes counted per letter)
	// Applied runs only:
	BlobsDeleted int64   `json:"blobs_deleted"`
	BlobBytes    int64   `json:"blob_bytes"` // plaintext bytes of the deleted blobs
	AuditIDs     []int64 `json:"audit_ids,omitempty"`
}

type purgeRow struct {
	PurgeItem
	DecidedAt       sql.NullTime   `db:"decided_at"`
	CaseStatus      sql.NullString `db:"case_status"`
	CaseClosedAt    sql.NullTime   `db:"case_closed_at"`
	ReviewDecidedAt sql.NullTime   `db:"review_decided_at"`
}

// purgeCandidates selects up to limit letters with id > afterID due at now
// under p, by id.
func (s *Store) purgeCandidates(ctx context.Context, q sqlx.QueryerContext, p RetentionPolicy, now time.Time, afterID int64, limit int) ([]PurgeItem, error) {
	var ors []string
	var args []any
	if p.Rejected > 0 {
		ors = append(ors, `(l.outcome = 'rejected' AND COALESCE(l.decided_at, l.received_at) <= ?)`)
		args = append(args, s.t(now.Add(-p.Rejected)))
	}
	if p.Ignored > 0 {
		ors = append(ors, `(l.outcome = 'ignored' AND COALESCE(l.decided_at, l.received_at) <= ?)`)
		args = append(args, s.t(now.Add(-p.Ignored)))
	}
	if p.Accepted > 0 {
		cut := s.t(now.Add(-p.Accepted))
		ors = append(ors, `(l.outcome = 'accepted' AND ((c.id IS NOT NULL AND c.status <> 'open' AND c.closed_at <= ?)
			OR (c.id IS NULL AND COALESCE(l.decided_at, l.received_at) <= ?)))`)
		args = append(args, cut, cut)
	}
	if p.Review > 0 {
		ors = append(ors, `(l.outcome = 'review' AND r.decided_at IS NOT NULL AND r.decided_at <= ?)`)
		args = append(args, s.t(now.Add(-p.Review)))
	}
	if len(ors) == 0 {
		return nil, nil
	}
	var rows []purgeRow
	err := sqlx.SelectContext(ctx, q, &rows, s.q(`SELECT l.id, l.mailbox, l.outcome, COALESCE(c.number, '') AS case_number, l.received_at,
		l.size, l.sha256, l.decided_at, c.status AS case_status, c.closed_at AS case_closed_at, r.decided_at AS review_decided_at
		FROM letters l LEFT JOIN cases c ON c.id = l.case_id LEFT JOIN review_items r ON r.letter_id = l.id
		WHERE l.purged_at IS NULL AND l.id > ? AND (`+strings.Join(ors, " OR ")+`)
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.letter_id = l.id AND o.status IN ('queued', 'sending'))
		ORDER BY l.id LIMIT ?`), append(append([]any{afterID}, args...), clampLimit(limit))...)
	if err != nil {
		return nil, fmt.Errorf("store: purge candidates: %w", err)
	}
	out := make([]PurgeItem, len(rows))
	byID := map[int64]int{}
	ids := make([]any, len(rows))
	for i, r := range rows {
		it := r.PurgeItem
		it.ReceivedAt = it.ReceivedAt.UTC()
		it.Since = nt(r.DecidedAt)
		switch {
		case it.Outcome == Accepted && r.CaseClosedAt.Valid:
			it.Since = nt(r.CaseClosedAt)
		case it.Outcome == Review:
			it.Since = nt(r.ReviewDecidedAt)
		case it.Since.IsZero():
			it.Since = it.ReceivedAt
		}
		out[i] = it
		byID[it.LetterID] = i
		ids[i] = it.LetterID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var atts []struct {
		LetterID int64 `db:"letter_id"`
		N        int   `db:"n"`
		Bytes    int64 `db:"bytes"`
	}
	if err := sqlx.SelectContext(ctx, q, &atts, s.q(`SELECT a.letter_id, COUNT(*) AS n, COALESCE(SUM(a.size), 0) AS bytes
		FROM attachments a WHERE a.letter_id IN (`+placeholders(len(ids))+`)
		AND EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256) GROUP BY a.letter_id`), ids...); err != nil {
		return nil, fmt.Errorf("store: purge candidates: %w", err)
	}
	for _, a := range atts {
		out[byID[a.LetterID]].Attachments, out[byID[a.LetterID]].AttachmentBytes = a.N, a.Bytes
	}
	return out, nil
}

func placeholders(n int) string {
	return "?" + strings.Repeat(", ?", n-1)
}

// PurgeBatch is how many letters one purge transaction handles.
const PurgeBatch = 500

// Purge lists (apply false: a dry run that changes nothing) or purges
// (apply true) every letter whose retention under p has run out at the
// store's clock. Applied, it works in batches of PurgeBatch letters, each
// one transaction with its audit entry ("purge.run" by actor, object
// "purge", details: run id, batch, policy in days, letter ids, blobs and
// bytes deleted). See the top of purge.go for what is kept.
func (s *Store) Purge(ctx context.Context, p RetentionPolicy, apply bool, actor string) (PurgeResult, error) {
	now := s.now()
	run := make([]byte, 6)
	rand.Read(run)
	res := PurgeResult{Applied: apply, At: now, Run: hex.EncodeToString(run), Items: []PurgeItem{}}
	if actor == "" {
		actor = "purge"
	}
	if !apply {
		for after := int64(0); ; {
			// Paged by id: candidates are ordered by id.
			items, err := s.purgeCandidates(ctx, s.db, p, now, after, PurgeBatch)
			if err != nil {
				return res, err
			}
			if len(items) == 0 {
				break
			}
			res.add(items)
			after = items[len(items)-1].LetterID
		}
		return res, nil
	}
	for batch := 1; ; batch++ {
		var items []PurgeItem
		var blobs, bytes, auditID int64
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			if err := s.lockAuditHead(ctx, tx); err != nil {
				return err
			}
			var err error
			items, err = s.purgeCandidates(ctx, tx, p, now, 0, PurgeBatch)
			if err != nil || len(items) == 0 {
				return err
			}
			blobs, bytes, auditID, err = s.purgeTx(ctx, tx, items, now, actor, res.Run, batch, p)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("store: purge: %w", err)
		}
		if len(items) == 0 {
			return res, nil
		}
		res.add(items)
		res.BlobsDeleted += blobs
		res.BlobBytes += bytes
		res.AuditIDs = append(res.AuditIDs, auditID)
	}
}

func (r *PurgeResult) add(items []PurgeItem) {
	r.Items = append(r.Items, items...)
	r.Letters += len(items)
	for _, it := range items {
		r.Bytes += it.Size + it.AttachmentBytes
	}
}

func (s *Store) purgeTx(ctx context.Context, tx *sqlx.Tx, items []PurgeItem, now time.Time, actor, run string, batch int,
	p RetentionPolicy) (blobs, bytes, auditID int64, err error) {
	ids := make([]any, len(items))
	idList := make([]int64, len(items))
	sums := []string{}
	for i, it := range items {
		ids[i], idList[i] = it.LetterID, it.LetterID
		sums = append(sums, it.SHA256)
	}
	in := `(` + placeholders(len(ids)) + `)`
	exec := func(what, q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	if err := exec("letters", `UPDATE letters SET purged_at = ?, from_addr = '', subject = '', last_error = ''
		WHERE purged_at IS NULL AND id IN `+in, append([]any{s.t(now)}, ids...)...); err != nil {
		return 0, 0, 0, err
	}
	var attSums []string
	if err := tx.SelectContext(ctx, &attSums, s.q(`SELECT DISTINCT sha256 FROM attachments WHERE letter_id IN `+in), ids...); err != nil {
		return 0, 0, 0, fmt.Errorf("attachments: %w", err)
	}
	sums = append(sums, attSums...)
	if err := exec("attachments", `UPDATE attachments SET name = '' WHERE letter_id IN `+in, ids...); err != nil {
		return 0, 0, 0, err
	}
	stub, _ := json.Marshal(map[string]string{"purged_at": now.Format(time.RFC3339)})
	if err := exec("reports", `UPDATE signature_reports SET signer_subject = '', signer_serial = '', signer_org = '',
		report_json = ? WHERE letter_id IN `+in, append([]any{stub}, ids...)...); err != nil {
		return 0, 0, 0, err
	}
	if err := exec("outbox", `UPDATE outbox SET raw = ?, recipient = '' WHERE status IN ('sent', 'failed')
		AND (letter_id IN `+in+` OR (letter_id IS NULL AND case_id IN (SELECT id FROM cases WHERE letter_id IN `+in+`)))`,
		append(append([]any{[]byte{}}, ids...), ids...)...); err != nil {
		return 0, 0, 0, err
	}
	if err := exec("cases", `UPDATE cases SET subject = '', client_address = '' WHERE letter_id IN `+in, ids...); err != nil {
		return 0, 0, 0, err
	}
	blobs, bytes, err = s.deleteBlobs(ctx, tx, dedupe(sums))
	if err != nil {
		return 0, 0, 0, err
	}
	details, err := json.Marshal(map[string]any{"run": run, "batch": batch, "policy_days": p.days(), "letters": idList,
		"blobs_deleted": blobs, "bytes_deleted": bytes})
	if err != nil {
		return 0, 0, 0, err
	}
	e, err := s.appendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "purge.run", Object: "purge", At: now, Details: details})
	if err != nil {
		return 0, 0, 0, err
	}
	return blobs, bytes, e.ID, nil
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
