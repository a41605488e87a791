-- sigintake store schema, version 1.
-- Portable SQL: {{ID}}, {{BLOB}}, {{TIME}} and {{BOOL}} are replaced per
-- dialect by migrate.go. Times are written by the store (UTC, microseconds),
-- never by SQL defaults, so that time stays an input.

-- Content-addressed bytes: raw letters and attachments. sha256 is the hex
-- SHA-256 of the plaintext. enc/key_id/nonce are reserved for encryption
-- at rest (enc '' = plaintext; issue 9). Rows may be deleted by a future
-- purge; nothing references blobs with a foreign key for that reason.
CREATE TABLE blobs (
	sha256     TEXT PRIMARY KEY,
	size       BIGINT NOT NULL,
	enc        TEXT NOT NULL DEFAULT '',
	key_id     TEXT NOT NULL DEFAULT '',
	nonce      {{BLOB}},
	data       {{BLOB}} NOT NULL,
	created_at {{TIME}} NOT NULL
);

CREATE TABLE mailboxes (
	name             TEXT PRIMARY KEY,
	uidvalidity      BIGINT NOT NULL DEFAULT 0,
	last_uid         BIGINT NOT NULL DEFAULT 0,
	lease_owner      TEXT NOT NULL DEFAULT '',
	lease_expires_at {{TIME}},
	last_poll_at     {{TIME}},
	updated_at       {{TIME}} NOT NULL
);

CREATE TABLE case_counters (
	series TEXT NOT NULL,
	year   INTEGER NOT NULL,
	last   BIGINT NOT NULL,
	PRIMARY KEY (series, year)
);

CREATE TABLE cases (
	id             {{ID}},
	number         TEXT NOT NULL UNIQUE,
	mailbox        TEXT NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('open', 'closed', 'redirected')),
	opened_at      {{TIME}} NOT NULL,
	closed_at      {{TIME}},
	subject        TEXT NOT NULL DEFAULT '',
	client_address TEXT NOT NULL DEFAULT '',
	letter_id      BIGINT UNIQUE
);
CREATE INDEX cases_opened ON cases (opened_at);
CREATE INDEX cases_mailbox_status ON cases (mailbox, status);

CREATE TABLE letters (
	id              {{ID}},
	mailbox         TEXT NOT NULL,
	uidvalidity     BIGINT NOT NULL,
	uid             BIGINT NOT NULL,
	message_id      TEXT NOT NULL DEFAULT '',
	from_addr       TEXT NOT NULL DEFAULT '',
	subject         TEXT NOT NULL DEFAULT '',
	received_at     {{TIME}} NOT NULL,
	stored_at       {{TIME}} NOT NULL,
	sha256          TEXT NOT NULL,
	size            BIGINT NOT NULL,
	duplicate_of    BIGINT REFERENCES letters (id),
	outcome         TEXT NOT NULL DEFAULT 'pending'
	                CHECK (outcome IN ('pending', 'accepted', 'rejected', 'review', 'ignored')),
	reasons         TEXT NOT NULL DEFAULT '[]',
	classification  TEXT NOT NULL DEFAULT '',
	case_id         BIGINT REFERENCES cases (id),
	decided_at      {{TIME}},
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{TIME}},
	last_error      TEXT NOT NULL DEFAULT '',
	moved           {{BOOL}} NOT NULL DEFAULT FALSE,
	moved_to        TEXT NOT NULL DEFAULT '',
	moved_at        {{TIME}},
	purged_at       {{TIME}},
	UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX letters_todo ON letters (mailbox, outcome, next_attempt_at);
CREATE INDEX letters_message_id ON letters (message_id);
CREATE INDEX letters_sha256 ON letters (mailbox, sha256);
CREATE INDEX letters_received ON letters (received_at);
CREATE INDEX letters_case ON letters (case_id);

CREATE TABLE attachments (
	id           {{ID}},
	letter_id    BIGINT NOT NULL REFERENCES letters (id),
	part_path    TEXT NOT NULL,
	name         TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT '',
	size         BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	UNIQUE (letter_id, part_path)
);

CREATE TABLE signature_reports (
	id                  {{ID}},
	letter_id           BIGINT NOT NULL REFERENCES letters (id),
	attachment_id       BIGINT REFERENCES attachments (id),
	file_name           TEXT NOT NULL DEFAULT '',
	format              TEXT NOT NULL DEFAULT '',
	indication          TEXT NOT NULL DEFAULT '',
	subindication       TEXT NOT NULL DEFAULT '',
	qualification       TEXT NOT NULL DEFAULT '',
	level               TEXT NOT NULL DEFAULT '',
	signer_subject      TEXT NOT NULL DEFAULT '',
	signer_serial       TEXT NOT NULL DEFAULT '',
	signer_org          TEXT NOT NULL DEFAULT '',
	issuer              TEXT NOT NULL DEFAULT '',
	cert_sha256         TEXT NOT NULL DEFAULT '',
	cert_serial         TEXT NOT NULL DEFAULT '',
	signing_time        {{TIME}},
	best_signature_time {{TIME}},
	verdict             TEXT NOT NULL DEFAULT '',
	report_json         {{BLOB}} NOT NULL,
	validated_at        {{TIME}} NOT NULL,
	validator_version   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reports_letter ON signature_reports (letter_id);
CREATE INDEX reports_validated ON signature_reports (validated_at);
CREATE INDEX reports_signer_serial ON signature_reports (signer_serial);
CREATE INDEX reports_cert ON signature_reports (cert_sha256);

CREATE TABLE case_events (
	id        {{ID}},
	case_id   BIGINT NOT NULL REFERENCES cases (id),
	at        {{TIME}} NOT NULL,
	kind      TEXT NOT NULL,
	letter_id BIGINT REFERENCES letters (id),
	outbox_id BIGINT,
	actor     TEXT NOT NULL DEFAULT '',
	details   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events (case_id, at);

CREATE TABLE review_items (
	id         {{ID}},
	letter_id  BIGINT NOT NULL UNIQUE REFERENCES letters (id),
	reason     TEXT NOT NULL,
	created_at {{TIME}} NOT NULL,
	claimed_by TEXT NOT NULL DEFAULT '',
	claimed_at {{TIME}},
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at {{TIME}},
	decision   TEXT NOT NULL DEFAULT '',
	comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_open ON review_items (decided_at, created_at);

CREATE TABLE outbox (
	id              {{ID}},
	letter_id       BIGINT REFERENCES letters (id),
	case_id         BIGINT REFERENCES cases (id),
	kind            TEXT NOT NULL CHECK (kind IN ('ack', 'reject', 'info', 'redirect')),
	recipient       TEXT NOT NULL,
	message_id      TEXT NOT NULL UNIQUE,
	raw             {{BLOB}} NOT NULL,
	status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{TIME}} NOT NULL,
	claimed_by      TEXT NOT NULL DEFAULT '',
	claimed_until   {{TIME}},
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      {{TIME}} NOT NULL,
	sent_at         {{TIME}},
	UNIQUE (letter_id, kind)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE reply_counts (
	recipient TEXT NOT NULL,
	day       TEXT NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (recipient, day)
);

-- Append-only, hash-chained. audit_head holds the last id and hash; every
-- append locks it, so the chain never forks under concurrent writers.
CREATE TABLE audit_log (
	id        BIGINT PRIMARY KEY,
	at        {{TIME}} NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL DEFAULT '',
	details   TEXT NOT NULL DEFAULT '{}',
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
	one     INTEGER PRIMARY KEY CHECK (one = 1),
	last_id BIGINT NOT NULL,
	hash    TEXT NOT NULL
);
INSERT INTO audit_head (one, last_id, hash) VALUES (1, 0, '');

CREATE TABLE users (
	id            {{ID}},
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('clerk', 'auditor', 'admin')),
	password_hash TEXT NOT NULL,
	disabled      {{BOOL}} NOT NULL DEFAULT FALSE,
	created_at    {{TIME}} NOT NULL
);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id),
	csrf       TEXT NOT NULL,
	created_at {{TIME}} NOT NULL,
	expires_at {{TIME}} NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
