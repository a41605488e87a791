package algo

import (
	"crypto"
	_ "crypto/md5" // registers crypto.MD5 (needed to recognise, not to accept)
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha3" // registers crypto.SHA3_224..SHA3_512
	_ "crypto/sha512"
	"encoding/asn1"
	"fmt"
)

var hashOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{OIDMD5, crypto.MD5},
	{OIDSHA1, crypto.SHA1},
	{OIDSHA224, crypto.SHA224},
	{OIDSHA256, crypto.SHA256},
	{OIDSHA384, crypto.SHA384},
	{OIDSHA512, crypto.SHA512},
	{OIDSHA3_224, crypto.SHA3_224},
	{OIDSHA3_256, crypto.SHA3_256},
	{OIDSHA3_384, crypto.SHA3_384},
	{OIDSHA3_512, crypto.SHA3_512},
}

// HashFromOID maps a digest AlgorithmIdentifier OID to a crypto.Hash.
func HashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	for _, h := range hashOIDs {
		if h.oid.Equal(oid) {
			if !h.hash.Available() {
				return 0, fmt.Errorf("%w: digest %s not linked", ErrUnsupported, h.hash)
			}
			return h.hash, nil
		}
	}
	return 0, fmt.Errorf("%w: digest algorithm %s", ErrUnsupported, oid)
}

// HashOID returns the OID of a digest algorithm.
func HashOID(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	for _, e := range hashOIDs {
		if e.hash == h {
			return e.oid, nil
		}
	}
	return nil, fmt.Errorf("%w: digest %s", ErrUnsupported, h)
}

// Digest hashes data with h.
func Digest(h crypto.Hash, data []byte) ([]byte, error) {
	if !h.Available() {
		return nil, fmt.Errorf("%w: digest %v", ErrUnsupported, h)
	}
	w := h.New()
	w.Write(data)
	return w.Sum(nil), nil
}
