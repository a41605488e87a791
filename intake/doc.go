// Package intake is sigintake's pipeline: it takes every new letter from the
// configured IMAP mailboxes, stores it before anything else happens to it,
// classifies it, validates its signatures, decides by the mailbox's policy,
// records the outcome in one store transaction, moves the message to its
// folder on the server, and sends the reply through an outbox.
//
// The flow per mailbox (Loop):
//
//	connect -> lease -> SyncUIDValidity -> FetchSince(last UID) -> SaveRawLetters (durable)
//	  -> Process each pending letter: Parse, Classify, Validate, Decide, RecordOutcome (one tx)
//	  -> Move on the server (after the commit; retried from LettersToMove) -> WaitForNew (IDLE/poll)
//
// Exactly once comes from the store: a letter is keyed by (mailbox,
// UIDVALIDITY, UID) and by its SHA-256, RecordOutcome decides a letter at
// most once, and each reply is one outbox row with a Message-ID generated
// once and reused by every send attempt.
//
// Classification (Classify): our own replies (From one of our addresses, or a
// Message-ID we generated), bounces and DSNs (null return path,
// multipart/report; delivery-status, mailer-daemon senders), auto-replies
// (RFC 3834 Auto-Submitted other than "no", and the common vendor headers),
// list mail (RFC 2919 List-Id, Precedence bulk|list|junk), follow-ups of a
// case (its number in the subject, or In-Reply-To/References naming one of
// our Message-IDs or a letter of the case), and new letters. Automated mail
// is recorded as ignored and never answered.
//
// Policy (Decide), per DESIGN.md: on an ekase mailbox a letter is accepted
// when at least one signed part is accepted and none is in review or
// rejected; rejected when nothing is signed or every signed part is
// rejected; otherwise review. On a pasts mailbox unsigned letters are filed.
// A format the signature layer does not validate yet is review, never a
// guess. A temporary failure (revocation or timestamp service unreachable:
// INDETERMINATE/TRY_LATER, or the store down) postpones the letter for up to
// Limits.RetryFor; after that it goes to review, never to rejection. A panic
// while processing one letter sends that letter to review and the loop goes on.
//
// What it does not do: it renders no web pages, keeps no state outside the
// store, and does not fetch EU trusted lists itself (the signature Options
// it is given carry the trust source).
package intake
