// Package signature validates electronic signatures the way ETSI EN 319 102-1
// and the EU's reference validator (DSS) report them.
//
// It is a pure library: it knows nothing of mail, cases or databases. Given
// the bytes of a file (and its name), the format packages below it
// (signature/cades for CMS/CAdES and S/MIME, later PAdES and ASiC/XAdES)
// return one [Report] per signature; package signature/verify detects the
// format and computes the file's [Verdict].
//
// Time, trust anchors, trusted lists, the revocation fetcher and the crypto
// policy are inputs ([Options]); nothing in this package tree calls
// time.Now. A report's [Indication] is TOTAL_PASSED, TOTAL_FAILED or
// INDETERMINATE: "could not check" (no revocation answer, no chain to a
// trusted anchor) is INDETERMINATE, never TOTAL_FAILED and never a pass.
//
// What it does not do: it never fetches anything when Options.Fetcher is nil
// (offline), and qualification is NA unless Options.Trust can tell.
package signature
