package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

func (s *Store) insertReport(ctx context.Context, tx *sqlx.Tx, r Report, now time.Time) error {
	if r.ValidatedAt.IsZero() {
		r.ValidatedAt = now
	}
	js := []byte(r.JSON)
	if len(js) == 0 {
		js = []byte("{}")
	}
	if !json.Valid(js) {
		return fmt.Errorf("%w: report JSON of %q is not JSON", ErrInvalid, r.FileName)
	}
	_, err := s.texec(ctx, tx, `INSERT INTO signature_reports (letter_id, attachment_id, file_name, format,
		indication, subindication, qualification, level, signer_subject, signer_serial, signer_org, issuer,
		cert_sha256, cert_serial, signing_time, best_signature_time, verdict, report_json, validated_at, validator_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.LetterID, nullID(r.AttachmentID), r.FileName, r.Format, r.Indication, r.SubIndication, r.Qualification,
		r.Level, r.SignerSubject, r.SignerSerial, r.SignerOrg, r.Issuer, r.CertSHA256, r.CertSerial,
		s.tn(r.SigningTime), s.tn(r.BestSignatureTime), r.Verdict, js, s.t(r.ValidatedAt), r.ValidatorVersion)
	if err != nil {
		return fmt.Errorf("signature report: %w", err)
	}
	return nil
}

// AddReports appends reports of a re-verification to a letter. Past
// reports and the letter's outcome are not changed. AttachmentID links a
// report to an attachment (AttachmentPart is resolved too).
func (s *Store) AddReports(ctx context.Context, letterID int64, reports []Report, actor string) error {
	if actor == "" {
		actor = "intake"
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		now := s.now()
		for _, r := range reports {
			r.LetterID = letterID
			if r.AttachmentID == 0 && r.AttachmentPart != "" {
				if err := s.tget(ctx, tx, &r.AttachmentID, `SELECT id FROM attachments WHERE letter_id = ? AND part_path = ?`,
					letterID, r.AttachmentPart); err != nil {
					return fmt.Errorf("store: attachment %q of letter %d: %w", r.AttachmentPart, letterID, err)
				}
			}
			if err := s.insertReport(ctx, tx, r, now); err != nil {
				return err
			}
		}
		d, _ := json.Marshal(map[string]any{"reports": len(reports)})
		_, err := s.appendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "letter.reverified",
			Object: fmt.Sprintf("letter:%d", letterID), Details: d})
		return err
	})
}

type reportRow struct {
	ID                int64          `db:"id"`
	LetterID          int64          `db:"letter_id"`
	AttachmentID      sql.NullInt64  `db:"attachment_id"`
	AttachmentPart    sql.NullString `db:"part_path"`
	FileName          string         `db:"file_name"`
	Format            string         `db:"format"`
	Indication        string         `db:"indication"`
	SubIndication     string         `db:"subindication"`
	Qualification     string         `db:"qualification"`
	Level             string         `db:"level"`
	SignerSubject     string         `db:"signer_subject"`
	SignerSerial      string         `db:"signer_serial"`
	SignerOrg         string         `db:"signer_org"`
	Issuer            string         `db:"issuer"`
	CertSHA256        string         `db:"cert_sha256"`
	CertSerial        string         `db:"cert_serial"`
	SigningTime       sql.NullTime   `db:"signing_time"`
	BestSignatureTime sql.NullTime   `db:"best_signature_time"`
	Verdict           string         `db:"verdict"`
	JSON              []byte         `db:"report_json"`
	ValidatedAt       time.Time      `db:"validated_at"`
	ValidatorVersion  string         `db:"validator_version"`
	Mailbox           string         `db:"mailbox"`
	MessageID         string         `db:"message_id"`
}

func (r reportRow) report() Report {
	return Report{ID: r.ID, LetterID: r.LetterID, AttachmentID: r.AttachmentID.Int64, AttachmentPart: r.AttachmentPart.String,
		FileName: r.FileName, Format: r.Format, Indication: r.Indication, SubIndication: r.SubIndication,
		Qualification: r.Qualification, Level: r.Level, SignerSubject: r.SignerSubject, SignerSerial: r.SignerSerial,
		SignerOrg: r.SignerOrg, Issuer: r.Issuer, CertSHA256: r.CertSHA256, CertSerial: r.CertSerial,
		SigningTime: nt(r.SigningTime), BestSignatureTime: nt(r.BestSignatureTime), Verdict: r.Verdict,
		JSON: json.RawMessage(r.JSON), ValidatedAt: r.ValidatedAt.UTC(), ValidatorVersion: r.ValidatorVersion,
		Mailbox: r.Mailbox, MessageID: r.MessageID}
}

const reportCols = `r.id, r.letter_id, r.attachment_id, a.part_path, r.file_name, r.format, r.indication, r.subindication,
	r.qualification, r.level, r.signer_subject, r.signer_serial, r.signer_org, r.issuer, r.cert_sha256, r.cert_serial,
	r.signing_time, r.best_signature_time, r.verdict, r.report_json, r.validated_at, r.validator_version,
	l.mailbox, l.message_id
	FROM signature_reports r JOIN letters l ON l.id = r.letter_id LEFT JOIN attachments a ON a.id = r.attachment_id`

func (s *Store) reports(ctx context.Context, where string, args ...any) ([]Report, error) {
	var rows []reportRow
	if err := s.db.SelectContext(ctx, &rows, s.q(`SELECT `+reportCols+` `+where), args...); err != nil {
		return nil, fmt.Errorf("store: reports: %w", err)
	}
	out := make([]Report, len(rows))
	for i, r := range rows {
		out[i] = r.report()
	}
	return out, nil
}

// LetterReports returns every report of a letter, oldest first.
func (s *Store) LetterReports(ctx context.Context, letterID int64) ([]Report, error) {
	return s.reports(ctx, `WHERE r.letter_id = ? ORDER BY r.id`, letterID)
}

// ReportFilter selects signature reports for auditors. Zero fields do not
// filter. Signer matches a substring of the signer's subject or
// organisation, or the exact serial number (PNOLV-...), case-insensitively;
// Issuer matches a substring. Since/Until bound ValidatedAt.
type ReportFilter struct {
	Since, Until  time.Time
	Mailbox       string
	Signer        string
	Issuer        string
	Format        string
	Indication    string
	SubIndication string
	Qualification string
	Verdict       string
	Offset        int
	Limit         int // default 100, at most 10000
}

// SearchReports returns one page of matching reports, newest first, and the
// total number of matches.
func (s *Store) SearchReports(ctx context.Context, f ReportFilter) ([]Report, int, error) {
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if !f.Since.IsZero() {
		add("r.validated_at >= ?", s.t(f.Since))
	}
	if !f.Until.IsZero() {
		add("r.validated_at < ?", s.t(f.Until))
	}
	if f.Mailbox != "" {
		add("l.mailbox = ?", f.Mailbox)
	}
	if f.Signer != "" {
		like := "%" + likeEscape(strings.ToLower(f.Signer)) + "%"
		add(`(LOWER(r.signer_subject) LIKE ? ESCAPE '\' OR LOWER(r.signer_org) LIKE ? ESCAPE '\' OR LOWER(r.signer_serial) = ?)`,
			like, like, strings.ToLower(f.Signer))
	}
	if f.Issuer != "" {
		add(`LOWER(r.issuer) LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(f.Issuer))+"%")
	}
	for col, v := range map[string]string{"r.format": f.Format, "r.indication": f.Indication,
		"r.subindication": f.SubIndication, "r.qualification": f.Qualification, "r.verdict": f.Verdict} {
		if v != "" {
			add(col+" = ?", v)
		}
	}
	w := "WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.db.GetContext(ctx, &total, s.q(`SELECT COUNT(*) FROM signature_reports r JOIN letters l ON l.id = r.letter_id `+w), args...); err != nil {
		return nil, 0, fmt.Errorf("store: count reports: %w", err)
	}
	off := f.Offset
	if off < 0 {
		off = 0
	}
	rs, err := s.reports(ctx, w+` ORDER BY r.validated_at DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, clampLimit(f.Limit), off)...)
	return rs, total, err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
