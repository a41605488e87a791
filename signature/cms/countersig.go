package cms

import (
	"bytes"
	"crypto"
	"fmt"

	"github.com/sigintake/sigintake/signature/algo"
)

// VerifyCounterSignature checks cs, one of si.CounterSignatures(), with
// the counter-signer's key (RFC 5652 §11.4): the content is the value of
// si's signature field; signed attributes must hold exactly one
// message-digest of it and no content-type.
func (si *SignerInfo) VerifyCounterSignature(cs *SignerInfo, pub crypto.PublicKey) error {
	s, err := cs.Algorithm()
	if err != nil {
		return err
	}
	if !cs.hasSignedAttrs {
		if err := algo.Verify(pub, s, si.Signature, cs.Signature); err != nil {
			return fmt.Errorf("cms: countersignature: %w", err)
		}
		return nil
	}
	if HasAttribute(cs.SignedAttrs, OIDAttrContentType) {
		return fmt.Errorf("%w: content-type attribute in a countersignature (RFC 5652 §11.4)", ErrContentTypeMismatch)
	}
	for _, t := range singleInstance {
		n := 0
		for _, a := range cs.SignedAttrs {
			if a.Type.Equal(t) {
				n++
			}
		}
		if n > 1 {
			return fmt.Errorf("%w: %s", ErrDuplicateAttribute, t)
		}
	}
	h, err := cs.DigestHash()
	if err != nil {
		return err
	}
	d, err := algo.Digest(h, si.Signature)
	if err != nil {
		return err
	}
	md, err := cs.MessageDigest()
	if err != nil {
		return err
	}
	if !bytes.Equal(md, d) {
		return fmt.Errorf("%w: countersignature message-digest", ErrDigestMismatch)
	}
	return cs.verifySignedAttrs(pub, s)
}
