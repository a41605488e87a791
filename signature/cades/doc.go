// Package cades validates CMS (RFC 5652) and CAdES (ETSI EN 319 122-1)
// signatures: attached (.p7m) and detached (.p7s) SignedData in DER, BER,
// PEM or bare base64, with one or several signers and counter-signatures.
//
// For each SignerInfo it identifies the signing certificate (and checks the
// ESS signing-certificate(-v2) binding, RFC 5035), verifies the
// message-digest and content-type attributes and the signature value over
// the signed attributes as received (RFC 5652 §5.4), collects signature
// timestamps, certificate values and revocation values (CAdES-T/-LT), and
// hands the evidence to signature.Validate for the certificate path,
// revocation, time and qualification.
//
// Archive time-stamps (archive.go) have their message imprint checked here:
// archive-time-stamp-v3 per EN 319 122-1 §5.5.3 (eContentType, the content
// hash, the SignerInfo fields up to the signature value and the
// ats-hash-index(-v3) as received, DER re-encoding tried second), after
// checking that every hash of its ats-hash-index (TS 101 733) or
// ats-hash-index-v3 (§5.5.2) matches a distinct certificate,
// RevocationInfoChoice or unsigned attribute still present
// (ErrHashIndexMismatch otherwise; later additions may be absent from an
// older index); archive-time-stamp-v2 per RFC 5126 §6.4.1 / TS 101 733
// Annex K as DSS computes it (encapContentInfo, the detached content,
// certificates and crls fields, SignerInfo fields, unsigned attributes
// except archive time-stamps not older than this one, with and without
// their [1] tag and length; attributes preceding it in order as a second
// reading). A verified archive time-stamp is a proof of existence like a
// signature time-stamp.
//
// What it does not do: archive time-stamps of PAdES signatures (no
// content is passed to DetachedEvidence) fail their imprint check; the
// ats-hash-index's hashIndAlgorithm is not required to equal the token's
// imprint algorithm; the validation data of earlier archive time-stamps
// is not checked to be covered by later ones (only each imprint and index);
// ERS evidence records are not read.
package cades
