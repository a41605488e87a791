package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
)

// CheckSigningUsage checks that c may make electronic signatures or seals:
// when the keyUsage extension is present it must assert nonRepudiation
// (contentCommitment) or digitalSignature (EN 319 412-2 §4.3.2,
// EN 319 412-3 §4.3.2). A certificate without keyUsage passes.
func CheckSigningUsage(c *Certificate) error {
	if !hasExtension(c, oidExtKeyUsage) {
		return nil
	}
	if c.KeyUsage&(x509.KeyUsageContentCommitment|x509.KeyUsageDigitalSignature) == 0 {
		return fmt.Errorf("%w: keyUsage %#x has neither nonRepudiation nor digitalSignature", ErrKeyUsage, int(c.KeyUsage))
	}
	return nil
}

// CheckTimestampingUsage checks a TSA certificate (RFC 3161 §2.3): the
// extendedKeyUsage extension is critical and holds exactly id-kp-timeStamping.
// When keyUsage is present it must allow digitalSignature or nonRepudiation.
func CheckTimestampingUsage(c *Certificate) error {
	crit, ok := extensionCritical(c, oidExtExtKeyUsage)
	if !ok {
		return fmt.Errorf("%w: no extendedKeyUsage (RFC 3161 §2.3 requires id-kp-timeStamping)", ErrKeyUsage)
	}
	if !crit {
		return fmt.Errorf("%w: extendedKeyUsage not critical (RFC 3161 §2.3)", ErrKeyUsage)
	}
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) != 0 {
		return fmt.Errorf("%w: extendedKeyUsage must be id-kp-timeStamping only", ErrKeyUsage)
	}
	if hasExtension(c, oidExtKeyUsage) && c.KeyUsage&(x509.KeyUsageContentCommitment|x509.KeyUsageDigitalSignature) == 0 {
		return fmt.Errorf("%w: keyUsage %#x does not allow signing", ErrKeyUsage, int(c.KeyUsage))
	}
	return nil
}

// CheckOCSPSigningUsage checks a delegated OCSP responder certificate
// (RFC 6960 §4.2.2.2): extendedKeyUsage holds id-kp-OCSPSigning and, when
// keyUsage is present, it allows digitalSignature or nonRepudiation.
func CheckOCSPSigningUsage(c *Certificate) error {
	ok := false
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageOCSPSigning {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("%w: no id-kp-OCSPSigning (RFC 6960 §4.2.2.2)", ErrKeyUsage)
	}
	if hasExtension(c, oidExtKeyUsage) && c.KeyUsage&(x509.KeyUsageContentCommitment|x509.KeyUsageDigitalSignature) == 0 {
		return fmt.Errorf("%w: keyUsage %#x does not allow signing", ErrKeyUsage, int(c.KeyUsage))
	}
	return nil
}

// CheckCRLSigningUsage checks that a CRL issuer's keyUsage, when present,
// asserts cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)).
func CheckCRLSigningUsage(c *Certificate) error {
	if hasExtension(c, oidExtKeyUsage) && c.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return fmt.Errorf("%w: keyUsage %#x lacks cRLSign", ErrKeyUsage, int(c.KeyUsage))
	}
	return nil
}

// HasOCSPNoCheck reports the id-pkix-ocsp-nocheck extension (RFC 6960 §4.2.2.2.1).
func (c *Certificate) HasOCSPNoCheck() bool { return hasExtension(c, oidExtOCSPNoCheck) }

func hasExtension(c *Certificate, o asn1.ObjectIdentifier) bool {
	_, ok := extensionCritical(c, o)
	return ok
}

func extensionCritical(c *Certificate, o asn1.ObjectIdentifier) (critical, present bool) {
	for _, e := range c.Extensions {
		if o.Equal(e.Id) {
			return e.Critical, true
		}
	}
	return false, false
}
