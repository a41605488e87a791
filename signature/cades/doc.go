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
// What it does not do: verify the imprint of archive timestamps
// (CAdES-A/LTA ATSv2/ATSv3): their tokens are validated and reported, but
// they are not used as proof of existence.
package cades
