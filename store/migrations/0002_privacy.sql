-- sigintake store schema, version 2 (issue 9): purge and feedback.

-- A purge deletes a blob only when no letter or attachment of a letter that
-- is not purged still names it: these indexes keep that check cheap.
CREATE INDEX letters_blob ON letters (sha256);
CREATE INDEX attachments_blob ON attachments (sha256);
CREATE INDEX letters_purge ON letters (purged_at, outcome);

-- Feedback on service quality: one tag per letter, set by a clerk (a
-- suggestion from the text rules is kept beside it, never applied alone).
CREATE TABLE feedback_tags (
	letter_id  BIGINT PRIMARY KEY REFERENCES letters (id),
	tag        TEXT NOT NULL CHECK (tag IN ('praise', 'complaint', 'suggestion')),
	suggested  TEXT NOT NULL DEFAULT '',
	note       TEXT NOT NULL DEFAULT '',
	tagged_by  TEXT NOT NULL,
	tagged_at  {{TIME}} NOT NULL
);
CREATE INDEX feedback_tagged ON feedback_tags (tag, tagged_at);
