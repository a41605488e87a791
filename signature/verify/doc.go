// Package verify detects the format of a signed file and validates it with
// the right format package, giving one signature.FileReport with its
// verdict.
//
// Formats: CMS/CAdES (.p7m attached, .p7s detached, DER, BER, PEM, bare
// base64) and S/MIME messages (.eml). Formats not yet validated (PDF,
// ASiC/eDoc, XML) are reported with verdict review and exactly that reason,
// never accepted or rejected on a guess.
package verify
