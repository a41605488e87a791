package sigtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sync"
)

// KeyType selects the key (and, for RSAPSS, the signature scheme) of a
// certificate made by the PKI.
type KeyType int

const (
	// RSA2048 is an rsaEncryption key used with PKCS #1 v1.5 (the default).
	RSA2048 KeyType = iota
	// RSAPSS is an rsaEncryption key whose certificate is signed with
	// RSASSA-PSS and which SignCMS uses with RSASSA-PSS (RFC 4056).
	RSAPSS
	// ECDSAP256 is an ECDSA key on NIST P-256.
	ECDSAP256
	// ECDSAP384 is an ECDSA key on NIST P-384.
	ECDSAP384
)

func (k KeyType) String() string {
	switch k {
	case RSA2048:
		return "RSA2048"
	case RSAPSS:
		return "RSAPSS"
	case ECDSAP256:
		return "ECDSAP256"
	case ECDSAP384:
		return "ECDSAP384"
	}
	return fmt.Sprintf("KeyType(%d)", int(k))
}

// newKey makes a fresh key.
func newKey(k KeyType) crypto.Signer {
	var (
		key crypto.Signer
		err error
	)
	switch k {
	case RSA2048, RSAPSS:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case ECDSAP256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		panic(fmt.Sprintf("sigtest: unknown key type %v", k))
	}
	if err != nil {
		panic("sigtest: key generation: " + err.Error())
	}
	return key
}

// rsaPool holds the RSA keys of end-entity certificates, shared by every
// PKI of the test binary: the n-th RSA leaf key of each PKI is the same
// key, so only the first PKI pays for generation (~50-100 ms a key under
// -race). Within one PKI all keys are distinct, and CA keys are never
// pooled, so no chain or signature crosses from one PKI to another through
// its CAs.
var rsaPool struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

// leafKey returns a key for a leaf: pooled for RSA unless fresh is set.
func (p *PKI) leafKey(k KeyType, fresh bool) crypto.Signer {
	if fresh || (k != RSA2048 && k != RSAPSS) {
		return newKey(k)
	}
	p.mu.Lock()
	i := p.rsaNext
	p.rsaNext++
	p.mu.Unlock()
	rsaPool.Lock()
	defer rsaPool.Unlock()
	for len(rsaPool.keys) <= i {
		rsaPool.keys = append(rsaPool.keys, newKey(RSA2048).(*rsa.PrivateKey))
	}
	return rsaPool.keys[i]
}

// subjectKeyID is RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
func subjectKeyID(pub crypto.PublicKey) []byte {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("sigtest: marshal public key: " + err.Error())
	}
	var info struct {
		Algo      asn1.RawValue
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		panic("sigtest: parse public key: " + err.Error())
	}
	h := sha1.Sum(info.PublicKey.Bytes)
	return h[:]
}

// newSerial returns a positive random 127-bit serial number.
func newSerial() *big.Int {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[0] &= 0x7f
	b[0] |= 0x01
	return new(big.Int).SetBytes(b)
}

// certSigAlg is the x509 signature algorithm an issuer with key uses to sign
// a certificate, PSS when the subject asked for it.
func certSigAlg(key crypto.Signer, pss bool) x509.SignatureAlgorithm {
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		if pss {
			return x509.SHA256WithRSAPSS
		}
		return x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P384() {
			return x509.ECDSAWithSHA384
		}
		return x509.ECDSAWithSHA256
	}
	return x509.UnknownSignatureAlgorithm
}
