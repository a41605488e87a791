// Package smime validates the S/MIME signature of a whole e-mail message
// (RFC 8551): multipart/signed with a detached CMS signature
// (application/pkcs7-signature) and application/pkcs7-mime signed-data.
//
// The signed part is taken exactly as received and brought to canonical
// form (CRLF line ends) before it is hashed; nothing is re-encoded. The
// report says what was signed (the whole body, or only one nested part), and
// compares the message's From address with the e-mail address in the signing
// certificate and the Date header with the claimed signing time: a mismatch
// is a warning, because the signer is who the certificate names, not who the
// header claims.
//
// What it does not do: decrypt enveloped messages, or judge a signature
// inside an attachment (package verify does that per attachment).
package smime
