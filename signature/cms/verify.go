package cms

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"fmt"

	"github.com/sigintake/sigintake/signature/algo"
)

// Attribute types (RFC 5652 §11, RFC 5035, EN 319 122-1).
var (
	OIDAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrCounterSig    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
)

// DigestHash returns the hash named by the SignerInfo's digestAlgorithm.
func (si *SignerInfo) DigestHash() (crypto.Hash, error) {
	return algo.HashFromOID(si.DigestAlgorithm.Algorithm)
}

// Verify checks the SignerInfo against content (the eContent, or the
// detached data) per RFC 5652 §5.4 and §5.6 with the signer's public key.
// Errors: ErrMissingAttribute, ErrDuplicateAttribute,
// ErrContentTypeMismatch, ErrDigestMismatch, or one wrapping
// algo.ErrVerification when the signature value is wrong.
func (si *SignerInfo) Verify(pub crypto.PublicKey, eContentType asn1.ObjectIdentifier, content []byte) error {
	if !si.hasSignedAttrs {
		s, err := si.Algorithm()
		if err != nil {
			return err
		}
		if err := algo.Verify(pub, s, content, si.Signature); err != nil {
			return fmt.Errorf("cms: signature over content: %w", err)
		}
		return nil
	}
	h, err := si.DigestHash()
	if err != nil {
		return err
	}
	d, err := algo.Digest(h, content)
	if err != nil {
		return err
	}
	return si.VerifyDigest(pub, eContentType, d)
}

// VerifyDigest is Verify given digest = H(content) computed with the
// digestAlgorithm (DigestHash), for streaming large detached content.
// Without signed attributes the signature must be over that same digest
// (not possible for Ed25519).
func (si *SignerInfo) VerifyDigest(pub crypto.PublicKey, eContentType asn1.ObjectIdentifier, digest []byte) error {
	s, err := si.Algorithm()
	if err != nil {
		return err
	}
	if !si.hasSignedAttrs {
		h, err := si.DigestHash()
		if err != nil {
			return err
		}
		if s.Hash != h || s.Key == algo.Ed25519 {
			return fmt.Errorf("cms: %w: signature without signed attributes needs the content itself for %s", algo.ErrUnsupported, s)
		}
		if err := algo.VerifyDigest(pub, s, digest, si.Signature); err != nil {
			return fmt.Errorf("cms: signature over content digest: %w", err)
		}
		return nil
	}
	if err := si.CheckSignedAttributes(eContentType, digest); err != nil {
		return err
	}
	return si.verifySignedAttrs(pub, s)
}

// verifySignedAttrs checks the signature over the signed attributes.
// RFC 5652 §5.3/§5.4: the signature covers the DER encoding of
// SignedAttrs. When the received bytes are DER (the normal case) that is
// what is hashed. When they are not, the DER re-encoding is tried (the
// signer signed DER and the attributes were re-ordered in transit, DSS
// issue 667); if only the bytes as received verify, the error is
// ErrNonDERSignedAttrs (wrapping algo.ErrVerification): the value is
// cryptographically sound but the encoding violates §5.3, and DSS reports
// such signatures as not intact.
func (si *SignerInfo) verifySignedAttrs(pub crypto.PublicKey, s algo.Signature) error {
	der, derErr := si.DERSignedAttrs()
	if derErr == nil && bytes.Equal(der, si.RawSignedAttrs) {
		if err := algo.Verify(pub, s, si.RawSignedAttrs, si.Signature); err != nil {
			return fmt.Errorf("cms: signature over signed attributes: %w", err)
		}
		return nil
	}
	if derErr == nil && algo.Verify(pub, s, der, si.Signature) == nil {
		return nil
	}
	if err := algo.Verify(pub, s, si.RawSignedAttrs, si.Signature); err != nil {
		return fmt.Errorf("cms: signature over signed attributes: %w", err)
	}
	return fmt.Errorf("%w (%w)", ErrNonDERSignedAttrs, algo.ErrVerification)
}

// singleInstance are the signed attributes that may occur only once:
// content-type, message-digest, signing-time (RFC 5652 §11.1-11.3) and the
// ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3).
var singleInstance = []asn1.ObjectIdentifier{
	OIDAttrContentType, OIDAttrMessageDigest, OIDAttrSigningTime,
	OIDAttrSigningCertificate, OIDAttrSigningCertificateV2,
}

// CheckSignedAttributes applies RFC 5652 §5.3/§11.1-11.3: content-type
// present once with one value equal to eContentType, message-digest present
// once with one value equal to digest, no repeated single-instance
// attribute. Other attribute types may repeat: a real qualified signature
// of the corpus (TeleSec, DSS: valid) repeats a vendor attribute.
func (si *SignerInfo) CheckSignedAttributes(eContentType asn1.ObjectIdentifier, digest []byte) error {
	for _, t := range singleInstance {
		n := 0
		for _, a := range si.SignedAttrs {
			if a.Type.Equal(t) {
				n++
			}
		}
		if n > 1 {
			return fmt.Errorf("%w: %s", ErrDuplicateAttribute, t)
		}
	}
	ct, err := si.singleSigned(OIDAttrContentType, "content-type")
	if err != nil {
		return err
	}
	n, err := parseBER(ct.FullBytes, DefaultLimits)
	if err != nil {
		return err
	}
	got, err := parseOID(n, "content-type attribute")
	if err != nil {
		return err
	}
	if !got.Equal(eContentType) {
		return fmt.Errorf("%w: attribute %s, eContentType %s", ErrContentTypeMismatch, got, eContentType)
	}
	md, err := si.MessageDigest()
	if err != nil {
		return err
	}
	if !bytes.Equal(md, digest) {
		return fmt.Errorf("%w: attribute %x, content %x", ErrDigestMismatch, md, digest)
	}
	return nil
}

func (si *SignerInfo) singleSigned(t asn1.ObjectIdentifier, name string) (asn1.RawValue, error) {
	var found *Attribute
	for i := range si.SignedAttrs {
		if si.SignedAttrs[i].Type.Equal(t) {
			if found != nil {
				return asn1.RawValue{}, fmt.Errorf("%w: %s", ErrDuplicateAttribute, name)
			}
			found = &si.SignedAttrs[i]
		}
	}
	if found == nil {
		return asn1.RawValue{}, fmt.Errorf("%w: %s", ErrMissingAttribute, name)
	}
	if len(found.Values) != 1 {
		return asn1.RawValue{}, fmt.Errorf("%w: %s has %d values, want exactly one", ErrMissingAttribute, name, len(found.Values))
	}
	return found.Values[0], nil
}

// MessageDigest returns the value of the message-digest signed attribute.
func (si *SignerInfo) MessageDigest() ([]byte, error) {
	v, err := si.singleSigned(OIDAttrMessageDigest, "message-digest")
	if err != nil {
		return nil, err
	}
	n, err := parseBER(v.FullBytes, DefaultLimits)
	if err != nil {
		return nil, err
	}
	if err := expect(n, classUniversal, tagOctetString, "message-digest"); err != nil {
		return nil, err
	}
	return n.octets()
}
