package algo

import (
	"crypto"
	"fmt"
)

var xmlSigURIs = map[string]Signature{
	"http://www.w3.org/2000/09/xmldsig#rsa-sha1":            mk(RSA, crypto.SHA1, false),
	"http://www.w3.org/2001/04/xmldsig-more#rsa-md5":        mk(RSA, crypto.MD5, false),
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha224":     mk(RSA, crypto.SHA224, false),
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":     mk(RSA, crypto.SHA256, false),
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":     mk(RSA, crypto.SHA384, false),
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":     mk(RSA, crypto.SHA512, false),
	"http://www.w3.org/2007/05/xmldsig-more#sha3-224-rsa":   mk(RSA, crypto.SHA3_224, false),
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa":   mk(RSA, crypto.SHA3_256, false),
	"http://www.w3.org/2007/05/xmldsig-more#sha3-384-rsa":   mk(RSA, crypto.SHA3_384, false),
	"http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa":   mk(RSA, crypto.SHA3_512, false),
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1":     mk(ECDSA, crypto.SHA1, true),
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224":   mk(ECDSA, crypto.SHA224, true),
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":   mk(ECDSA, crypto.SHA256, true),
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":   mk(ECDSA, crypto.SHA384, true),
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":   mk(ECDSA, crypto.SHA512, true),
	"http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-224": mk(ECDSA, crypto.SHA3_224, true),
	"http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-256": mk(ECDSA, crypto.SHA3_256, true),
	"http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-384": mk(ECDSA, crypto.SHA3_384, true),
	"http://www.w3.org/2021/04/xmldsig-more#ecdsa-sha3-512": mk(ECDSA, crypto.SHA3_512, true),
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-256": mk(ECDSA, crypto.SHA3_256, true),
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-384": mk(ECDSA, crypto.SHA3_384, true),
	"http://www.w3.org/2007/05/xmldsig-more#ecdsa-sha3-512": mk(ECDSA, crypto.SHA3_512, true),
	"http://www.w3.org/2008/xmldsig-more#eddsa-ed25519":     mk(Ed25519, crypto.SHA512, false),
	"http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519":  mk(Ed25519, crypto.SHA512, false),
}

// pssURIs are RFC 6931 §2.3.10-11 RSASSA-PSS with MGF1 of the same hash
// and salt length equal to the hash length.
var pssURIs = map[string]crypto.Hash{
	"http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1":     crypto.SHA1,
	"http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1":   crypto.SHA224,
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1":   crypto.SHA256,
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1":   crypto.SHA384,
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1":   crypto.SHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-224-rsa-MGF1": crypto.SHA3_224,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1": crypto.SHA3_256,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-384-rsa-MGF1": crypto.SHA3_384,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa-MGF1": crypto.SHA3_512,
}

// URIRSAPSS is the RFC 6931 §2.3.10 generic RSASSA-PSS URI whose parameters
// are given in a child element; FromXMLURI returns the defaults of RFC 4055
// (SHA-256 assumed by XAdES profiles is not implied): callers that read
// <pss:RSAPSSParams> must override Signature.PSS.
const URIRSAPSS = "http://www.w3.org/2007/05/xmldsig-more#rsa-pss"

// FromXMLURI maps an XML-DSig SignatureMethod Algorithm URI (RFC 6931).
// ECDSA results have PlainECDSA set: XML carries r||s (RFC 4050 §3.3).
func FromXMLURI(uri string) (Signature, error) {
	if s, ok := xmlSigURIs[uri]; ok {
		return s, nil
	}
	if h, ok := pssURIs[uri]; ok {
		return pssSig(h, h, h.Size()), nil
	}
	if uri == URIRSAPSS || uri == "http://www.w3.org/2001/04/xmldsig-more#rsa-pss" {
		// RFC 6931 §2.3.10: DigestMethod default SHA-256, MGF1 with it,
		// salt length = hash length, unless RSAPSSParams override them.
		return pssSig(crypto.SHA256, crypto.SHA256, 32), nil
	}
	return Signature{}, fmt.Errorf("%w: XML signature method %q", ErrUnsupported, uri)
}

func pssSig(h, mgf crypto.Hash, salt int) Signature {
	s := Signature{Key: RSAPSS, Hash: h, PSS: &PSSParams{Hash: h, MGFHash: mgf, SaltLength: salt, TrailerField: 1}}
	s.Name = name(s)
	return s
}

var xmlHashURIs = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmldsig-more#md5":      crypto.MD5,
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

// HashFromXMLURI maps an XML-DSig DigestMethod URI (RFC 6931 §2.1).
func HashFromXMLURI(uri string) (crypto.Hash, error) {
	if h, ok := xmlHashURIs[uri]; ok {
		return h, nil
	}
	return 0, fmt.Errorf("%w: XML digest method %q", ErrUnsupported, uri)
}
