package xmldsig

// Algorithms come from signature/algo: SignatureMethod and DigestMethod URIs
// (RFC 6931) and verification, including brainpool curves and the r||s
// ECDSA encoding of XML-DSig 1.1 §6.4.3.

import (
	"crypto"
	"fmt"

	"github.com/sigintake/sigintake/signature/algo"
)

func digestFromURI(uri string) (crypto.Hash, error) {
	h, err := algo.HashFromXMLURI(uri)
	if err != nil || !h.Available() || h == crypto.MD5 {
		return 0, fmt.Errorf("%w: digest method %q", ErrUnsupported, uri)
	}
	return h, nil
}

func methodFromURI(uri string) (algo.Signature, error) {
	s, err := algo.FromXMLURI(uri)
	if err != nil {
		return s, fmt.Errorf("%w: signature method %q", ErrUnsupported, uri)
	}
	return s, nil
}

func verifyValue(s algo.Signature, pub crypto.PublicKey, signed, sig []byte) error {
	return algo.Verify(pub, s, signed, sig)
}
