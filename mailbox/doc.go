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
// size limit comes back Truncated with its first bytes. Move is idempotent
// (MOVE, else COPY + STORE \Deleted + UID EXPUNGE). WaitForNew uses IDLE,
// restarted before 29 minutes, and falls back to polling with NOOP.
// go-imap has no context: every operation closes the connection when its
// context ends or its command timeout passes.
//
// Every I/O error matches ErrTemporary (network, timeouts, server faults:
// retry, never reject a letter for it) or ErrPermanent (bad credentials,
// ErrAuth; bad configuration, ErrConfig; SMTP 5xx).
//
// What it does not do: it keeps no state (the caller stores the last UID
// and UIDVALIDITY and resynchronises when UIDVALIDITY changes), logs
// nothing, retries nothing, and validates no signature.
package mailbox
