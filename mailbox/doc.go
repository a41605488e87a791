// Package mailbox is sigintake's mail I/O layer: it takes letters in over
// IMAP, sends replies over SMTP, and parses a raw RFC 5322 message into a
// Letter. It knows nothing of signatures, cases, policy or databases.
//
// IMAP (go-imap v2, RFC 3501/9051): Dial logs in, proves the session works
// with a NOOP (Dovecot says OK to LOGIN and then BYE when its mail process
// fails), reads the capabilities (IDLE RFC 2177, MOVE RFC 6851, UIDPLUS
// RFC 4315) and selects the mailbox, reporting UIDVALIDITY and UIDNEXT.
// FetchSince fetches by UID with BODY.PEEK[] so \Seen is never set and a
// letter already read by someone else is still taken; a message over the
// size limit comes back Truncated with its first bytes. Move (one UID) and
// MoveMany (a set of UIDs in one command) are idempotent (MOVE, else COPY +
// STORE \Deleted + UID EXPUNGE). WaitForNew uses IDLE,
// restarted before 29 minutes, and falls back to polling with NOOP.
// go-imap has no context: every operation closes the connection when its
// context ends or its command timeout passes.
//
// SMTP (go-smtp, RFC 5321/6409): SMTPSender.Send submits a complete
// message with implicit TLS, STARTTLS, or plain text to loopback only,
// with AUTH PLAIN (RFC 4954) when a user is configured.
//
// Parsing (RFC 5322, MIME RFC 2045-2049): Parse never fails and never
// panics; it walks every part and lists what it could not take in
// Letter.Problems. Header fields are decoded (RFC 2047 with any charset
// golang.org/x/text knows, including windows-1257 and ISO-8859-13 with
// the aliases latin7 and iso_8859-13); text/plain and text/html bodies are
// decoded to UTF-8 separately; every other leaf part is an Attachment with
// its decoded bytes, SHA-256, IMAP part path and message/rfc822 nesting
// depth. Attachment names are what a mail client shows: filename from
// Content-Disposition, else name from Content-Type, after RFC 2231
// continuations and charsets and RFC 2047 words. Parameters are read by
// this package's own strict RFC 2045 §5.1 tokenizer so that constructions
// clients read differently (duplicate fields or parameters, filename vs
// name, plain vs RFC 2231 forms that disagree, gaps or reordering in
// continuations, stray quotes or spaces, UTF-16 names, bidi controls) set
// Attachment.NameAmbiguous instead of being guessed at. S/MIME
// (RFC 8551 §3.5) is detected, not verified: multipart/signed with an
// application/(x-)pkcs7-signature part and application/(x-)pkcs7-mime
// bodies are reported in Letter.SMIME with the signed bytes exactly as
// received and the decoded CMS; SMIME.Whole says whether the signature
// covers the whole letter. multipart/report (RFC 6522) is reported in
// Letter.Reports. Limits (message, header, parts, depth, decoded size)
// bound the work; the algorithm is linear in size times depth.
//
// Classification helpers (IsAutoReply, IsBounce, IsList and their
// *Reason forms, Letter.MessageIDs) are pure functions of a Letter that
// report evidence (RFC 3834, RFC 3464, RFC 2919); what to do about it is
// the pipeline's policy.
//
// Every I/O error matches ErrTemporary (network, timeouts, server faults:
// retry, never reject a letter for it) or ErrPermanent (bad credentials,
// ErrAuth; bad configuration, ErrConfig; SMTP 5xx).
//
// What it does not do: it keeps no state (the caller stores the last UID
// and UIDVALIDITY and resynchronises when UIDVALIDITY changes), logs
// nothing, retries nothing, and validates no signature. It does not open
// S/MIME signed-data or encrypted bodies (the attachments inside an opaque
// signed-data message are visible only after the signature layer extracts
// the content, which can be passed to Parse again), does not decode
// TNEF (winmail.dat stays one attachment), uuencode or BinHex, and does
// not sanitise attachment names for use as file paths.
package mailbox
