package algo

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
)

// KeyType is the public-key family of a signature algorithm.
type KeyType int

// Key types.
const (
	KeyUnknown KeyType = iota
	RSA                // RSASSA-PKCS1-v1_5
	RSAPSS             // RSASSA-PSS
	ECDSA
	Ed25519
)

func (k KeyType) String() string {
	switch k {
	case RSA:
		return "RSA"
	case RSAPSS:
		return "RSASSA-PSS"
	case ECDSA:
		return "ECDSA"
	case Ed25519:
		return "Ed25519"
	}
	return "unknown"
}

// PSSParams are the RSASSA-PSS parameters (RFC 4055 §3.1).
type PSSParams struct {
	Hash         crypto.Hash
	MGFHash      crypto.Hash
	SaltLength   int
	TrailerField int
}

// Signature identifies a signature algorithm: key family and the hash
// signed. For CMS with a bare rsaEncryption/id-ecPublicKey, Hash comes from
// the digest algorithm.
type Signature struct {
	Name       string // DSS-style name, e.g. "RSA_SHA256", "PLAIN_ECDSA_SHA256"
	Key        KeyType
	Hash       crypto.Hash
	PSS        *PSSParams
	PlainECDSA bool // ECDSA value is r||s (BSI TR-03111, XML-DSig), not DER
}

// String returns Name, or a description when Name is empty.
func (s Signature) String() string {
	if s.Name != "" {
		return s.Name
	}
	return name(s)
}

func hashName(h crypto.Hash) string {
	// "SHA-256" -> "SHA256", "SHA3-256" stays
	n := h.String()
	if strings.HasPrefix(n, "SHA-") {
		n = "SHA" + n[4:]
	}
	return strings.ReplaceAll(n, "-", "_")
}

func name(s Signature) string {
	h := hashName(s.Hash)
	switch s.Key {
	case RSA:
		return "RSA_" + h
	case RSAPSS:
		n := "RSA_SSA_PSS_" + h + "_MGF1"
		if s.PSS != nil && s.PSS.MGFHash != s.Hash {
			n += "_" + hashName(s.PSS.MGFHash)
		}
		return n
	case ECDSA:
		if s.PlainECDSA {
			return "PLAIN_ECDSA_" + h
		}
		return "ECDSA_" + h
	case Ed25519:
		return "ED25519"
	}
	return "UNKNOWN"
}

func mk(k KeyType, h crypto.Hash, plain bool) Signature {
	s := Signature{Key: k, Hash: h, PlainECDSA: plain}
	s.Name = name(s)
	return s
}

var sigOIDs = []struct {
	oid asn1.ObjectIdentifier
	key KeyType
	h   crypto.Hash
}{
	{OIDMD5WithRSA, RSA, crypto.MD5},
	{OIDSHA1WithRSA, RSA, crypto.SHA1},
	{OIDSHA224WithRSA, RSA, crypto.SHA224},
	{OIDSHA256WithRSA, RSA, crypto.SHA256},
	{OIDSHA384WithRSA, RSA, crypto.SHA384},
	{OIDSHA512WithRSA, RSA, crypto.SHA512},
	{OIDRSASHA3_224, RSA, crypto.SHA3_224},
	{OIDRSASHA3_256, RSA, crypto.SHA3_256},
	{OIDRSASHA3_384, RSA, crypto.SHA3_384},
	{OIDRSASHA3_512, RSA, crypto.SHA3_512},
	{OIDECDSAWithSHA1, ECDSA, crypto.SHA1},
	{OIDECDSAWithSHA224, ECDSA, crypto.SHA224},
	{OIDECDSAWithSHA256, ECDSA, crypto.SHA256},
	{OIDECDSAWithSHA384, ECDSA, crypto.SHA384},
	{OIDECDSAWithSHA512, ECDSA, crypto.SHA512},
	{OIDECDSASHA3_224, ECDSA, crypto.SHA3_224},
	{OIDECDSASHA3_256, ECDSA, crypto.SHA3_256},
	{OIDECDSASHA3_384, ECDSA, crypto.SHA3_384},
	{OIDECDSASHA3_512, ECDSA, crypto.SHA3_512},
}

// plainECDSAHashes maps the last arc under OIDPlainECDSA to the hash
// (BSI TR-03111 §5.2.1).
var plainECDSAHashes = map[int]crypto.Hash{
	1:  crypto.SHA1,
	2:  crypto.SHA224,
	3:  crypto.SHA256,
	4:  crypto.SHA384,
	5:  crypto.SHA512,
	8:  crypto.SHA3_224,
	9:  crypto.SHA3_256,
	10: crypto.SHA3_384,
	11: crypto.SHA3_512,
}

// ParseAlgorithm identifies the signature algorithm of a CMS SignerInfo or
// X.509 structure. digestAlg is the CMS digestAlgorithm; it supplies the
// hash when sigAlg names only the key (rsaEncryption, id-ecPublicKey) and
// may be nil otherwise.
func ParseAlgorithm(sigAlg pkix.AlgorithmIdentifier, digestAlg *pkix.AlgorithmIdentifier) (Signature, error) {
	oid := sigAlg.Algorithm
	for _, e := range sigOIDs {
		if e.oid.Equal(oid) {
			if !hasNoParams(sigAlg.Parameters) && e.key == ECDSA {
				return Signature{}, fmt.Errorf("%w: %s must have absent parameters", ErrMalformed, oid)
			}
			return mk(e.key, e.h, false), nil
		}
	}
	switch {
	case oid.Equal(OIDRSAEncryption), oid.Equal(OIDECPublicKey):
		if digestAlg == nil {
			return Signature{}, fmt.Errorf("%w: %s without a digest algorithm", ErrUnsupported, oid)
		}
		h, err := HashFromOID(digestAlg.Algorithm)
		if err != nil {
			return Signature{}, err
		}
		if oid.Equal(OIDRSAEncryption) {
			return mk(RSA, h, false), nil
		}
		return mk(ECDSA, h, false), nil
	case oid.Equal(OIDRSASSAPSS):
		p, err := parsePSSParams(sigAlg.Parameters.FullBytes)
		if err != nil {
			return Signature{}, err
		}
		s := Signature{Key: RSAPSS, Hash: p.Hash, PSS: p}
		s.Name = name(s)
		return s, nil
	case oid.Equal(OIDEd25519):
		return mk(Ed25519, crypto.SHA512, false), nil
	case len(oid) == len(OIDPlainECDSA)+1 && oid[:len(OIDPlainECDSA)].Equal(OIDPlainECDSA):
		h, ok := plainECDSAHashes[oid[len(oid)-1]]
		if !ok {
			return Signature{}, fmt.Errorf("%w: plain-ECDSA %s", ErrUnsupported, oid)
		}
		return mk(ECDSA, h, true), nil
	}
	return Signature{}, fmt.Errorf("%w: signature algorithm %s", ErrUnsupported, oid)
}

func hasNoParams(p asn1.RawValue) bool {
	return len(p.FullBytes) == 0
}

type pssParamsASN1 struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// parsePSSParams reads RSASSA-PSS-params (RFC 4055 §3.1), applying the
// SHA-1 / MGF1-SHA-1 / 20 / 1 defaults.
func parsePSSParams(der []byte) (*PSSParams, error) {
	p := &PSSParams{Hash: crypto.SHA1, MGFHash: crypto.SHA1, SaltLength: 20, TrailerField: 1}
	if len(der) == 0 || (len(der) == 2 && der[0] == 0x05 && der[1] == 0) {
		return p, nil // absent: all defaults
	}
	var a pssParamsASN1
	rest, err := asn1.Unmarshal(der, &a)
	if err != nil {
		return nil, fmt.Errorf("%w: RSASSA-PSS parameters: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: RSASSA-PSS parameters: trailing data", ErrMalformed)
	}
	if len(a.Hash.Algorithm) > 0 {
		if p.Hash, err = HashFromOID(a.Hash.Algorithm); err != nil {
			return nil, err
		}
	}
	if len(a.MGF.Algorithm) > 0 {
		if !a.MGF.Algorithm.Equal(OIDMGF1) {
			return nil, fmt.Errorf("%w: PSS mask generation %s", ErrUnsupported, a.MGF.Algorithm)
		}
		var mh pkix.AlgorithmIdentifier
		if rest, err := asn1.Unmarshal(a.MGF.Parameters.FullBytes, &mh); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: MGF1 parameters", ErrMalformed)
		}
		if p.MGFHash, err = HashFromOID(mh.Algorithm); err != nil {
			return nil, err
		}
	}
	if a.SaltLength < 0 {
		return nil, fmt.Errorf("%w: negative PSS salt length", ErrMalformed)
	}
	p.SaltLength = a.SaltLength
	if a.TrailerField != 1 {
		return nil, fmt.Errorf("%w: PSS trailer field %d", ErrUnsupported, a.TrailerField)
	}
	p.TrailerField = a.TrailerField
	return p, nil
}
