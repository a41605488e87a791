package algo

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// Verify checks sig over message: it hashes message with s.Hash (Ed25519
// signs the message itself) and calls VerifyDigest.
func Verify(pub crypto.PublicKey, s Signature, message, sig []byte) error {
	if s.Key == Ed25519 {
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %w: Ed25519 signature, %T key", ErrVerification, ErrKeyMismatch, pub)
		}
		if !ed25519.Verify(k, message, sig) {
			return fmt.Errorf("%w: Ed25519", ErrVerification)
		}
		return nil
	}
	d, err := Digest(s.Hash, message)
	if err != nil {
		return err
	}
	return VerifyDigest(pub, s, d, sig)
}

// VerifyDigest checks sig over a precomputed digest made with s.Hash.
// Errors wrap ErrVerification when the value does not verify (or the key
// does not fit the algorithm), ErrUnsupported otherwise.
func VerifyDigest(pub crypto.PublicKey, s Signature, digest, sig []byte) error {
	if s.Hash == 0 || !s.Hash.Available() {
		return fmt.Errorf("%w: hash %v", ErrUnsupported, s.Hash)
	}
	if len(digest) != s.Hash.Size() {
		return fmt.Errorf("%w: digest of %d bytes for %v", ErrVerification, len(digest), s.Hash)
	}
	switch s.Key {
	case RSA, RSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %w: %s signature, %T key", ErrVerification, ErrKeyMismatch, s, pub)
		}
		if s.Key == RSA && rsa.VerifyPKCS1v15(k, s.Hash, digest, sig) == nil {
			// The usual case, by the standard library's faster arithmetic;
			// anything it refuses (a DigestInfo without NULL, keys it does
			// not take) is decided by our own check below.
			return nil
		}
		em, err := rsaPublic(k, sig)
		if err != nil {
			return err
		}
		if s.Key == RSA {
			return verifyPKCS1v15(em, s.Hash, digest)
		}
		p := s.PSS
		if p == nil {
			p = &PSSParams{Hash: s.Hash, MGFHash: s.Hash, SaltLength: s.Hash.Size(), TrailerField: 1}
		}
		return verifyPSS(em, k.N.BitLen()-1, digest, p)
	case ECDSA:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %w: %s signature, %T key", ErrVerification, ErrKeyMismatch, s, pub)
		}
		r, ss, err := ecdsaRS(k, sig, s.PlainECDSA)
		if err != nil {
			return err
		}
		if !ecdsa.Verify(k, digest, r, ss) {
			return fmt.Errorf("%w: %s", ErrVerification, s)
		}
		return nil
	case Ed25519:
		return fmt.Errorf("%w: Ed25519 signs the message, not a digest (use Verify)", ErrUnsupported)
	}
	return fmt.Errorf("%w: key type %v", ErrUnsupported, s.Key)
}

// rsaPublic computes sig^e mod n (RFC 8017 §5.2.2 RSAVP1) and returns it as
// a k-byte encoded message. Verification needs no constant time.
func rsaPublic(k *rsa.PublicKey, sig []byte) ([]byte, error) {
	size := (k.N.BitLen() + 7) / 8
	if len(sig) != size {
		return nil, fmt.Errorf("%w: RSA signature of %d bytes for a %d-byte modulus", ErrVerification, len(sig), size)
	}
	c := new(big.Int).SetBytes(sig)
	if c.Cmp(k.N) >= 0 {
		return nil, fmt.Errorf("%w: RSA signature representative out of range", ErrVerification)
	}
	m := new(big.Int).Exp(c, big.NewInt(int64(k.E)), k.N)
	return m.FillBytes(make([]byte, size)), nil
}

// verifyPKCS1v15 compares EM with EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2),
// accepting the DigestInfo with NULL parameters or with them absent
// (§9.2 note 2) and nothing else.
func verifyPKCS1v15(em []byte, h crypto.Hash, digest []byte) error {
	oid, err := HashOID(h)
	if err != nil {
		return err
	}
	for _, withNull := range []bool{true, false} {
		want, err := pkcs1Encode(len(em), oid, withNull, digest)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(em, want) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%w: RSA PKCS#1 v1.5 encoding does not match %v digest", ErrVerification, h)
}

type digestInfoAlg struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type digestInfo struct {
	Alg    digestInfoAlg
	Digest []byte
}

func pkcs1Encode(k int, oid asn1.ObjectIdentifier, withNull bool, digest []byte) ([]byte, error) {
	di := digestInfo{Alg: digestInfoAlg{Algorithm: oid}, Digest: digest}
	if withNull {
		di.Alg.Parameters = asn1.NullRawValue
	}
	t, err := asn1.Marshal(di)
	if err != nil {
		return nil, err
	}
	if k < len(t)+11 {
		return nil, fmt.Errorf("%w: RSA modulus too short for %d-byte DigestInfo", ErrVerification, len(t))
	}
	em := make([]byte, k)
	em[1] = 1
	for i := 2; i < k-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(t):], t)
	return em, nil
}

// verifyPSS is EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with an MGF1 hash that may
// differ from the message hash (RFC 4055 §3.1).
func verifyPSS(em []byte, emBits int, mHash []byte, p *PSSParams) error {
	fail := func(why string) error { return fmt.Errorf("%w: RSASSA-PSS: %s", ErrVerification, why) }
	if !p.Hash.Available() || !p.MGFHash.Available() {
		return fmt.Errorf("%w: PSS hash %v / MGF1 %v", ErrUnsupported, p.Hash, p.MGFHash)
	}
	if p.TrailerField != 1 {
		return fmt.Errorf("%w: PSS trailer field %d", ErrUnsupported, p.TrailerField)
	}
	emLen := (emBits + 7) / 8
	// em has k bytes; when emBits is a multiple of 8 the first byte must be 0.
	if len(em) > emLen {
		if em[0] != 0 {
			return fail("leading byte not zero")
		}
		em = em[len(em)-emLen:]
	}
	hLen, sLen := p.Hash.Size(), p.SaltLength
	if len(mHash) != hLen {
		return fail("digest length")
	}
	if emLen < hLen+sLen+2 {
		return fail("encoding too short")
	}
	if em[emLen-1] != 0xbc {
		return fail("trailer byte")
	}
	db := append([]byte(nil), em[:emLen-hLen-1]...)
	hh := em[emLen-hLen-1 : emLen-1]
	topBits := uint(8*emLen - emBits)
	if db[0]&^(0xff>>topBits) != 0 {
		return fail("top bits not zero")
	}
	mask := mgf1(p.MGFHash, hh, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> topBits
	ps := emLen - hLen - sLen - 2
	for i := 0; i < ps; i++ {
		if db[i] != 0 {
			return fail("padding not zero")
		}
	}
	if db[ps] != 1 {
		return fail("separator byte")
	}
	salt := db[len(db)-sLen:]
	w := p.Hash.New()
	w.Write(make([]byte, 8))
	w.Write(mHash)
	w.Write(salt)
	if !bytes.Equal(w.Sum(nil), hh) {
		return fail("hash mismatch")
	}
	return nil
}

func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	out := make([]byte, 0, n+h.Size())
	var ctr [4]byte
	for i := uint32(0); len(out) < n; i++ {
		ctr[0], ctr[1], ctr[2], ctr[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		w := h.New()
		w.Write(seed)
		w.Write(ctr[:])
		out = w.Sum(out)
	}
	return out[:n]
}

type ecdsaSig struct{ R, S *big.Int }

var errECDSAEncoding = errors.New("ECDSA signature encoding")

func ecdsaRS(k *ecdsa.PublicKey, sig []byte, plain bool) (*big.Int, *big.Int, error) {
	if plain {
		n := (k.Curve.Params().N.BitLen() + 7) / 8
		if len(sig) != 2*n {
			return nil, nil, fmt.Errorf("%w: %w: plain value of %d bytes, want %d", ErrVerification, errECDSAEncoding, len(sig), 2*n)
		}
		return new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:]), nil
	}
	var v ecdsaSig
	rest, err := asn1.Unmarshal(sig, &v)
	if err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: %w: not a DER Ecdsa-Sig-Value", ErrVerification, errECDSAEncoding)
	}
	if v.R.Sign() <= 0 || v.S.Sign() <= 0 {
		return nil, nil, fmt.Errorf("%w: %w: non-positive r or s", ErrVerification, errECDSAEncoding)
	}
	return v.R, v.S, nil
}
