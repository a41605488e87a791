package xmldsig

// Algorithm handling isolated here so that it can move to signature/algo
// (FromXMLURI, HashFromXMLURI, Verify) in one place.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "crypto/sha1" // register
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
	"fmt"
	"math/big"
)

var digestURIs = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":          crypto.SHA1,
	"http://www.w3.org/2001/04/xmldsig-more#sha224":   crypto.SHA224,
	"http://www.w3.org/2001/04/xmlenc#sha256":         crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384":   crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":         crypto.SHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-224": crypto.SHA3_224,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256": crypto.SHA3_256,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-384": crypto.SHA3_384,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-512": crypto.SHA3_512,
}

type sigMethod struct {
	key  string // "rsa", "pss", "ecdsa", "ed25519"
	hash crypto.Hash
}

var sigURIs = map[string]sigMethod{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":               {"rsa", crypto.SHA1},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224":        {"rsa", crypto.SHA224},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":        {"rsa", crypto.SHA256},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":        {"rsa", crypto.SHA384},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":        {"rsa", crypto.SHA512},
	"http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1":   {"pss", crypto.SHA224},
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1":   {"pss", crypto.SHA256},
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1":   {"pss", crypto.SHA384},
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1":   {"pss", crypto.SHA512},
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1": {"pss", crypto.SHA3_256},
	"http://www.w3.org/2007/05/xmldsig-more#sha3-384-rsa-MGF1": {"pss", crypto.SHA3_384},
	"http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa-MGF1": {"pss", crypto.SHA3_512},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1":        {"ecdsa", crypto.SHA1},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224":      {"ecdsa", crypto.SHA224},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":      {"ecdsa", crypto.SHA256},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":      {"ecdsa", crypto.SHA384},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":      {"ecdsa", crypto.SHA512},
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-256":    {"ecdsa", crypto.SHA3_256},
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-384":    {"ecdsa", crypto.SHA3_384},
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-512":    {"ecdsa", crypto.SHA3_512},
	"http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519":     {"ed25519", 0},
}

func digestFromURI(uri string) (crypto.Hash, error) {
	if h, ok := digestURIs[uri]; ok && h.Available() {
		return h, nil
	}
	return 0, fmt.Errorf("%w: digest method %q", ErrUnsupported, uri)
}

func methodFromURI(uri string) (sigMethod, error) {
	if m, ok := sigURIs[uri]; ok {
		return m, nil
	}
	return sigMethod{}, fmt.Errorf("%w: signature method %q", ErrUnsupported, uri)
}

// verifyValue checks sig over signed with pub. ECDSA values are r||s
// (XML-DSig 1.1 §6.4.3, RFC 4050).
func verifyValue(m sigMethod, pub crypto.PublicKey, signed, sig []byte) error {
	var digest []byte
	if m.hash != 0 {
		h := m.hash.New()
		h.Write(signed)
		digest = h.Sum(nil)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch m.key {
		case "rsa":
			return rsa.VerifyPKCS1v15(k, m.hash, digest, sig)
		case "pss":
			return rsa.VerifyPSS(k, m.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
	case *ecdsa.PublicKey:
		if m.key != "ecdsa" {
			break
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return fmt.Errorf("ECDSA value is %d bytes, want %d", len(sig), 2*n)
		}
		r := new(big.Int).SetBytes(sig[:n])
		s := new(big.Int).SetBytes(sig[n:])
		if !ecdsa.Verify(k, digest, r, s) {
			return fmt.Errorf("ECDSA verification failed")
		}
		return nil
	case ed25519.PublicKey:
		if m.key != "ed25519" {
			break
		}
		if !ed25519.Verify(k, signed, sig) {
			return fmt.Errorf("Ed25519 verification failed")
		}
		return nil
	}
	return fmt.Errorf("%w: key %T does not match signature method", ErrUnsupported, pub)
}
