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
// Time is always an input: nothing here calls time.Now. The package does
// not build or validate certificate paths (signature/pki does), does not
// check revocation, and does not validate the lists against the XML schema.
// Trust service types other than CA/QC, TSA/QTST (and their pre-eIDAS
// forms) are parsed and shown but not used for decisions; OCSP/QC and
// CRL/QC services are not consulted.
package trust
