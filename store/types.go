package store

import (
	"encoding/json"
	"time"
)

// OutcomeKind is what happened to a letter. Stored as the string.
type OutcomeKind string

const (
	Pending  OutcomeKind = "pending"
	Accepted OutcomeKind = "accepted"
	Rejected OutcomeKind = "rejected"
	Review   OutcomeKind = "review"
	Ignored  OutcomeKind = "ignored"
)

func (o OutcomeKind) valid() bool {
	switch o {
	case Pending, Accepted, Rejected, Review, Ignored:
		return true
	}
	return false
}

// ReplyKind is the kind of an outgoing message.
type ReplyKind string

const (
	ReplyAck      ReplyKind = "ack"
	ReplyReject   ReplyKind = "reject"
	ReplyInfo     ReplyKind = "info"
	ReplyRedirect ReplyKind = "redirect"
)

func (k ReplyKind) valid() bool {
	switch k {
	case ReplyAck, ReplyReject, ReplyInfo, ReplyRedirect:
		return true
	}
	return false
}

// OutboxStatus is the state of an outbox row.
type OutboxStatus string

const (
	OutboxQueued  OutboxStatus = "queued"
	OutboxSending OutboxStatus = "sending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed"
)

// ReplyState summarises a letter's reply for listings.
type ReplyState string

const (
	ReplyNone   ReplyState = "none"
	ReplyQueued ReplyState = "queued" // queued, being sent, or waiting to retry
	ReplySent   ReplyState = "sent"
	ReplyFailed ReplyState = "failed" // failed permanently
)

// CaseStatus is the state of a case.
type CaseStatus string

const (
	CaseOpen       CaseStatus = "open"
	CaseClosed     CaseStatus = "closed"
	CaseRedirected CaseStatus = "redirected"
)

// Role is a web desk user's role.
type Role string

const (
	RoleClerk   Role = "clerk"
	RoleAuditor Role = "auditor"
	RoleAdmin   Role = "admin"
)

// Reason is one machine-readable reason for an outcome; Code keys the reply
// and UI catalogue, File names the attachment it concerns.
type Reason struct {
	Code   string `json:"code"`
	File   string `json:"file,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// RawLetter is a message as fetched from IMAP, before anything else
// happens to it. MessageID, From and Subject are optional here (the
// decoded header values, for listings).
type RawLetter struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	MessageID   string
	From        string
	Subject     string
	ReceivedAt  time.Time // IMAP INTERNALDATE; zero means now
	Raw         []byte
}

// Saved reports what SaveRawLetter did.
type Saved struct {
	ID     int64
	SHA256 string
	// Created is false when (mailbox, UIDVALIDITY, UID) was already stored
	// or the letter was rebound after a UIDVALIDITY change.
	Created bool
	// Rebound is true when a letter with the same bytes stored under an
	// older UIDVALIDITY now answers to this UID: it keeps its outcome, case
	// and replies, and is marked not moved (it is in the inbox again).
	Rebound bool
	// DuplicateOf is the first letter in the same mailbox with the same
	// bytes (a duplicate delivery), or 0.
	DuplicateOf int64
	Outcome     OutcomeKind
}

// Letter is a stored letter with its processing state.
type Letter struct {
	ID             int64       `json:"id"`
	Mailbox        string      `json:"mailbox"`
	UIDValidity    uint32      `json:"uidvalidity"`
	UID            uint32      `json:"uid"`
	MessageID      string      `json:"message_id"`
	From           string      `json:"from"`
	Subject        string      `json:"subject"`
	ReceivedAt     time.Time   `json:"received_at"`
	StoredAt       time.Time   `json:"stored_at"`
	SHA256         string      `json:"sha256"`
	Size           int64       `json:"size"`
	DuplicateOf    int64       `json:"duplicate_of,omitempty"`
	Outcome        OutcomeKind `json:"outcome"`
	Reasons        []Reason    `json:"reasons"`
	Classification string      `json:"classification,omitempty"`
	CaseID         int64       `json:"case_id,omitempty"`
	Case           string      `json:"case"` // case number or ""
	Reply          ReplyState  `json:"reply"`
	DecidedAt      time.Time   `json:"decided_at,omitzero"`
	Attempts       int         `json:"attempts"`
	NextAttemptAt  time.Time   `json:"next_attempt_at,omitzero"`
	LastError      string      `json:"last_error,omitempty"`
	Moved          bool        `json:"moved"`
	MovedTo        string      `json:"moved_to,omitempty"`
	MovedAt        time.Time   `json:"moved_at,omitzero"`
	PurgedAt       time.Time   `json:"purged_at,omitzero"`
}

// Attachment is one part of a letter that was validated or listed. On input
// to RecordOutcome, Data (when not nil) is stored as a blob and SHA256 and
// Size are computed from it; otherwise SHA256 and Size are recorded as given
// (the bytes stay inside the raw letter at PartPath).
type Attachment struct {
	ID          int64  `json:"id" db:"id"`
	LetterID    int64  `json:"letter_id" db:"letter_id"`
	PartPath    string `json:"part_path" db:"part_path"` // e.g. "1.2", unique per letter
	Name        string `json:"name" db:"name"`
	ContentType string `json:"content_type" db:"content_type"`
	Size        int64  `json:"size" db:"size"`
	SHA256      string `json:"sha256" db:"sha256"`
	Data        []byte `json:"-" db:"-"`
}

// Report is one signature's validation result: the queryable columns and
// the validator's full JSON. Reports are only ever added: re-verification
// adds rows with a later ValidatedAt and never changes a past decision.
type Report struct {
	ID       int64 `json:"id"`
	LetterID int64 `json:"letter_id"`
	// AttachmentID is 0 for the message's own (S/MIME) signature. On input,
	// AttachmentPart names the attachment by its PartPath instead.
	AttachmentID      int64           `json:"attachment_id,omitempty"`
	AttachmentPart    string          `json:"attachment_part,omitempty"`
	FileName          string          `json:"file_name"`
	Format            string          `json:"format"`
	Indication        string          `json:"indication"`
	SubIndication     string          `json:"subindication,omitempty"`
	Qualification     string          `json:"qualification"`
	Level             string          `json:"level,omitempty"`
	SignerSubject     string          `json:"signer_subject"`
	SignerSerial      string          `json:"signer_serial,omitempty"`
	SignerOrg         string          `json:"signer_org,omitempty"`
	Issuer            string          `json:"issuer"`
	CertSHA256        string          `json:"cert_sha256"`
	CertSerial        string          `json:"cert_serial"`
	SigningTime       time.Time       `json:"signing_time,omitzero"`
	BestSignatureTime time.Time       `json:"best_signature_time,omitzero"`
	Verdict           string          `json:"verdict"`
	JSON              json.RawMessage `json:"report"`
	ValidatedAt       time.Time       `json:"validated_at"`
	ValidatorVersion  string          `json:"validator_version"`
	// Set by SearchReports.
	Mailbox   string `json:"mailbox,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// Case is a filed matter with a number.
type Case struct {
	ID            int64      `json:"id"`
	Number        string     `json:"number"`
	Mailbox       string     `json:"mailbox"`
	Status        CaseStatus `json:"status"`
	OpenedAt      time.Time  `json:"opened_at"`
	ClosedAt      time.Time  `json:"closed_at,omitzero"`
	Subject       string     `json:"subject"`
	ClientAddress string     `json:"client_address"`
	LetterID      int64      `json:"letter_id"` // the letter that opened it
}

// CaseEvent is one entry in a case's timeline.
type CaseEvent struct {
	ID       int64           `json:"id"`
	CaseID   int64           `json:"case_id"`
	At       time.Time       `json:"at"`
	Kind     string          `json:"kind"` // opened, letter_received, reply_queued, reply_sent, clerk_action, ...
	LetterID int64           `json:"letter_id,omitempty"`
	OutboxID int64           `json:"outbox_id,omitempty"`
	Actor    string          `json:"actor"`
	Details  json.RawMessage `json:"details"`
}

// MailboxState is what the store keeps per IMAP mailbox.
type MailboxState struct {
	Name           string    `json:"name"`
	UIDValidity    uint32    `json:"uidvalidity"`
	LastUID        uint32    `json:"last_uid"`
	LeaseOwner     string    `json:"lease_owner"`
	LeaseExpiresAt time.Time `json:"lease_expires_at,omitzero"`
	LastPollAt     time.Time `json:"last_poll_at,omitzero"`
}

// OutboxMessage is a queued reply with its delivery state.
type OutboxMessage struct {
	ID            int64        `json:"id"`
	LetterID      int64        `json:"letter_id,omitempty"`
	CaseID        int64        `json:"case_id,omitempty"`
	Kind          ReplyKind    `json:"kind"`
	Recipient     string       `json:"recipient"`
	MessageID     string       `json:"message_id"`
	Raw           []byte       `json:"-"`
	Status        OutboxStatus `json:"status"`
	Attempts      int          `json:"attempts"`
	NextAttemptAt time.Time    `json:"next_attempt_at"`
	ClaimedBy     string       `json:"claimed_by,omitempty"`
	ClaimedUntil  time.Time    `json:"claimed_until,omitzero"`
	LastError     string       `json:"last_error,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	SentAt        time.Time    `json:"sent_at,omitzero"`
}

// ReviewItem is a letter waiting for (or decided by) a clerk.
type ReviewItem struct {
	ID        int64     `json:"id"`
	LetterID  int64     `json:"letter_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	ClaimedBy string    `json:"claimed_by,omitempty"`
	ClaimedAt time.Time `json:"claimed_at,omitzero"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	Decision  string    `json:"decision,omitempty"`
	Comment   string    `json:"comment,omitempty"`
}

// AuditEntry is one record of the append-only, hash-chained audit log.
// Hash = SHA-256 over the JSON array [id, at, actor, action, object,
// details, prev_hash]; PrevHash is the previous entry's Hash ("" for the
// first).
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Object   string          `json:"object"`
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

// User is a web desk account.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// Session is a web desk login. ID is what the store keys it by: store a
// hash of the cookie value, not the value.
type Session struct {
	ID        string    `json:"-"`
	UserID    int64     `json:"user_id"`
	CSRF      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}
