// Package web is sigintake's desk in the browser: the clerks' review desk,
// the auditors' console, user administration and a JSON API mirroring the
// pages (routes in API.md). New returns one http.Handler that `sigintake
// serve`, `run` and `demo` mount.
//
// # Pages
//
// Server-rendered html/template pages with embedded templates and CSS, in
// Latvian (default) and English (?lang=en, kept in a cookie). No JavaScript:
// every action is a form; the CSP forbids scripts outright. Letters are
// shown safely: headers and the text part as escaped text, the HTML part as
// its escaped source inside a <pre> (never rendered, so nothing executes and
// nothing remote loads; the CSP also allows only same-origin loads).
// Attachments download with Content-Disposition: attachment,
// application/octet-stream, nosniff and a sandboxing CSP, after their bytes
// were checked against the recorded SHA-256. Each signature report is put in
// plain words (Lang.Plain) with the ETSI EN 319 102-1 indication and
// sub-indication and the TS 119 615 qualification beside it.
//
// # Roles and objects
//
// The route table (routes in web.go) names the roles allowed on every route;
// the check runs before the handler. clerk: review queue, letters in review
// or filed under a case, claim, decide, cases. auditor: read-only — signature
// search, CSV/JSON export, evidence (.eml with its SHA-256 re-checked on every
// read, full report JSON), audit log and its chain verification, letters and
// cases read-only. admin: accounts only. Objects are checked too: a clerk
// asking for a letter that never went to review and has no case, or for an
// attachment of another letter, gets 404, the same as for an id that does
// not exist.
//
// # Sessions
//
// Passwords are argon2id (RFC 9106; m=19 MiB, t=2, p=1, PHC string form;
// CheckPassword reads the parameters from the hash). A login creates a
// random 256-bit cookie value; the store keeps only its SHA-256, the CSRF
// token and the expiry. Cookies are HttpOnly, SameSite=Strict, and Secure
// under TLS or with Options.HTTPSProxy. Sessions end after IdleTimeout
// without use (the expiry slides on use) and AbsoluteTimeout after login, on
// logout, and when the account is disabled or its password changed. Every
// state change needs the session's CSRF token (form field csrf or header
// X-CSRF-Token) and, when the browser sends Origin, our own origin; the login
// form has its own double-submit token. Failed logins are counted per user
// name and per client address (in memory, per process): after
// MaxLoginFailures for a name (4× that for an address) within LoginWindow,
// logins are refused with 429 for LoginLockout. Logins, logouts and .eml
// downloads are audited. Optional single sign-on: ProxyUserHeader names an
// existing, enabled account, honoured only from TrustedProxies; off by
// default.
//
// # Decisions
//
// Clerks claim a review item (store.ClaimReview) so that two clerks do not
// act on one letter, then accept, reject (a reason from RejectReasons) or ask
// for more information (InfoReasons), each with a comment. The Decider
// records the decision; StoreDecider does it in one store transaction
// (store.DecideReview): the review item, the letter's outcome, a numbered
// case (accept), the queued reply and the audit entry. Replies come from a
// ReplyComposer: TemplateReplies uses the intake's templates (intake/reply),
// PlainReplies a short bilingual text. DeciderFromConfig builds the whole
// Decider from the intake configuration.
//
// # What it does not do
//
//   - Login throttling and its counters live in one process's memory; several
//     web servers behind a balancer each count on their own.
//   - No password reset by e-mail and no second factor (use the proxy header
//     with an SSO that has one).
//   - "Ask for more information" keeps the letter in review, claimed; the
//     client's answer arrives as a new letter (a follow-up if the intake
//     links it). Only one information request per letter (outbox unique on
//     letter and kind).
//   - The HTML part of a letter is never rendered, only shown as source.
//   - Exports stop at 100,000 reports per request.
package web
