// Package trust reads EU trusted lists and decides whether a certificate is
// qualified.
//
// Trusted lists follow ETSI TS 119 612 v2.x (XML schema version 5): the EU
// list of trusted lists (LOTL) points to national lists; each list names
// trust service providers and their services (type, status and status
// history, Sie qualification extensions, AdditionalServiceInformation,
// digital identities). [Load] reads lists from files or URLs (conditional
// GET with ETag/Last-Modified, on-disk cache, last good copy kept), checks
// each list's enveloped XML signature (XML-DSig 1.1, through
// signature/xmldsig) against the certificates allowed to sign it — for the
// LOTL the configured ones (those published in the Official Journal of the
// EU) and the ones announced by pivot LOTLs, for a national list those the
// LOTL's pointer for its territory names — and marks a list past its
// NextUpdate or failing its signature with a status and reason. Such a list
// is never silently trusted: results that depend on it are INDETERMINATE.
// One broken list never breaks the others.
//
// [Lists.Qualify] implements the qualification procedure of ETSI TS 119 615
// §4 as the EU's DSS applies it: the CA/QC service whose digital identity
// matches a certificate of the path (by key or subject key identifier,
// never by name), its status at the certificate's issuance and at the
// given time from the status history, the Sie qualifiers (TS 119 612
// §5.5.9.2) overruling or completing the certificate's own QCStatements
// (ETSI EN 319 412-5), and AdditionalServiceInformation (ForeSignatures,
// ForeSeals, ForWebSiteAuthentication) give QESig, QESeal, AdESig-QC,
// AdESeal-QC, AdESig, AdESeal, NA or an INDETERMINATE form, with reasons.
// [Lists.QualifiedTSA] says whether a time-stamping unit belongs to a
// granted TSA/QTST service at a time.
//
// Key changes of the LOTL: LOTL files (and, for a fetched LOTL, the pivot
// LOTLs named in its SchemeInformationURI) are taken oldest first; each
// one that verifies with the configured keys or with the keys announced by
// the previous one announces, in its own EUlistofthelists pointer, the
// keys for the next. The configured (Official Journal) keys stay valid;
// DSS's extra check of the OJ URL in SchemeInformationURI is not made.
// National lists are verified against the newest verified LOTL's pointer
// for their territory, or against the configured keys when no verified
// LOTL names the territory (a single list with a configured signer).
//
// Services are matched by the SHA-256 of a path certificate's
// SubjectPublicKeyInfo or by subject key identifier (the extension, or
// RFC 5280 method 1), and by the leaf's authority key identifier; never by
// X509SubjectName. Qualify assumes the path was built and verified by
// signature/pki: it does not check signatures between its certificates.
//
// Time is always an input: nothing here calls time.Now. The package does
// not build or validate certificate paths (signature/pki does), does not
// check revocation, does not validate the lists against the XML schema,
// and does not apply the EU LOTL's mutual-recognition (third country)
// lists.
//
// Fuzzing: go test -run X -fuzz FuzzParseList -fuzztime 10s
// -fuzzminimizetime 1s (without the last flag the engine spends its time
// minimising and seems stuck).
// Trust service types other than CA/QC, TSA/QTST (and their pre-eIDAS
// forms) are parsed and shown but not used for decisions; OCSP/QC and
// CRL/QC services are not consulted.
package trust
