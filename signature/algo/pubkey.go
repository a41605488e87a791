package algo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type rsaPublicKeyASN1 struct {
	N asn1.RawValue
	E asn1.RawValue
}

// ParsePublicKey parses a DER SubjectPublicKeyInfo. It returns
// *rsa.PublicKey (for rsaEncryption and id-RSASSA-PSS keys),
// *ecdsa.PublicKey (NIST and brainpool r1 curves) or ed25519.PublicKey.
// Unlike crypto/x509 it reads an RSA modulus encoded as a negative INTEGER
// as the unsigned number its octets spell.
func ParsePublicKey(der []byte) (crypto.PublicKey, error) {
	var k spki
	rest, err := asn1.Unmarshal(der, &k)
	if err != nil {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo: trailing data", ErrMalformed)
	}
	if k.PublicKey.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: public key bit string not octet aligned", ErrMalformed)
	}
	oid := k.Algorithm.Algorithm
	switch {
	case oid.Equal(OIDRSAEncryption), oid.Equal(OIDRSASSAPSS):
		return parseRSAKey(k.PublicKey.Bytes)
	case oid.Equal(OIDECPublicKey):
		var curveOID asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(k.Algorithm.Parameters.FullBytes, &curveOID); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("%w: EC key without a named curve (explicit parameters are not supported)", ErrUnsupported)
		}
		curve, err := CurveFromOID(curveOID)
		if err != nil {
			return nil, err
		}
		return parseECPoint(curve, k.PublicKey.Bytes)
	case oid.Equal(OIDEd25519):
		if len(k.Algorithm.Parameters.FullBytes) != 0 {
			return nil, fmt.Errorf("%w: Ed25519 key with parameters", ErrMalformed)
		}
		if len(k.PublicKey.Bytes) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key of %d bytes", ErrMalformed, len(k.PublicKey.Bytes))
		}
		return ed25519.PublicKey(append([]byte(nil), k.PublicKey.Bytes...)), nil
	}
	return nil, fmt.Errorf("%w: public key algorithm %s", ErrUnsupported, oid)
}

func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	var r rsaPublicKeyASN1
	rest, err := asn1.Unmarshal(b, &r)
	if err != nil {
		return nil, fmt.Errorf("%w: RSAPublicKey: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: RSAPublicKey: trailing data", ErrMalformed)
	}
	if r.N.Tag != asn1.TagInteger || r.E.Tag != asn1.TagInteger || r.N.Class != 0 || r.E.Class != 0 {
		return nil, fmt.Errorf("%w: RSAPublicKey fields are not INTEGERs", ErrMalformed)
	}
	n := new(big.Int).SetBytes(r.N.Bytes) // unsigned on purpose
	e := new(big.Int).SetBytes(r.E.Bytes)
	if n.BitLen() < 512 || n.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: RSA modulus of %d bits", ErrMalformed, n.BitLen())
	}
	if e.BitLen() > 31 || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, fmt.Errorf("%w: RSA exponent %s", ErrMalformed, e)
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// CurveFromOID maps a namedCurve OID to a curve.
func CurveFromOID(oid asn1.ObjectIdentifier) (elliptic.Curve, error) {
	switch {
	case oid.Equal(OIDCurveP224):
		return elliptic.P224(), nil
	case oid.Equal(OIDCurveP256):
		return elliptic.P256(), nil
	case oid.Equal(OIDCurveP384):
		return elliptic.P384(), nil
	case oid.Equal(OIDCurveP521):
		return elliptic.P521(), nil
	case oid.Equal(OIDBrainpoolP256r1):
		return BrainpoolP256r1(), nil
	case oid.Equal(OIDBrainpoolP384r1):
		return BrainpoolP384r1(), nil
	case oid.Equal(OIDBrainpoolP512r1):
		return BrainpoolP512r1(), nil
	}
	return nil, fmt.Errorf("%w: elliptic curve %s", ErrUnsupported, oid)
}

func parseECPoint(curve elliptic.Curve, b []byte) (*ecdsa.PublicKey, error) {
	if _, ok := curve.(*bpCurve); !ok {
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, b)
		if err != nil {
			return nil, fmt.Errorf("%w: EC point: %v", ErrMalformed, err)
		}
		return pub, nil
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(b) != 1+2*size || b[0] != 4 {
		return nil, fmt.Errorf("%w: EC point is not an uncompressed point of %s", ErrMalformed, curve.Params().Name)
	}
	x := new(big.Int).SetBytes(b[1 : 1+size])
	y := new(big.Int).SetBytes(b[1+size:])
	if !curve.IsOnCurve(x, y) {
		return nil, fmt.Errorf("%w: EC point not on %s", ErrMalformed, curve.Params().Name)
	}
	return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
}

// KeySize returns the size in bits that crypto policies use: the RSA
// modulus length, the EC field size, 256 for Ed25519.
func KeySize(pub crypto.PublicKey) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return 256
	}
	return 0
}
