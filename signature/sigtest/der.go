package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// node is an ASN.1 element under construction. Building trees by hand
// (rather than with encoding/asn1 structs) lets the CMS signer emit what a
// verifier must survive: SETs out of DER order, indefinite lengths,
// constructed OCTET STRINGs.
type node struct {
	tag  byte   // identifier octet (low tag numbers only)
	val  []byte // primitive contents
	kids []*node
	raw  []byte // a complete pre-encoded element, emitted verbatim
	cons bool
	// sorted: a DER SET OF, children sorted by encoding.
	sorted bool
	// keepDER: stay definite-length in BER mode (signed attributes).
	keepDER bool
	// chunk: in BER mode, an OCTET STRING emitted constructed in pieces.
	chunk bool
}

func raw(b []byte) *node              { return &node{raw: b} }
func seq(kids ...*node) *node         { return &node{tag: 0x30, cons: true, kids: kids} }
func setOf(kids ...*node) *node       { return &node{tag: 0x31, cons: true, kids: kids, sorted: true} }
func setUnsorted(kids ...*node) *node { return &node{tag: 0x31, cons: true, kids: kids} }
func explicit(n int, kid *node) *node {
	return &node{tag: 0xa0 | byte(n), cons: true, kids: []*node{kid}}
}
func implicitSet(n int, kids ...*node) *node {
	return &node{tag: 0xa0 | byte(n), cons: true, kids: kids, sorted: true}
}
func octets(b []byte) *node { return &node{tag: 0x04, val: b} }
func null() *node           { return &node{tag: 0x05} }
func boolean(v bool) *node {
	if v {
		return &node{tag: 0x01, val: []byte{0xff}}
	}
	return &node{tag: 0x01, val: []byte{0}}
}

func marshal(v any, params ...string) *node {
	b, err := asn1.MarshalWithParams(v, append(params, "")[0])
	if err != nil {
		panic(fmt.Sprintf("sigtest: asn1 marshal %T: %v", v, err))
	}
	return raw(b)
}

func oid(o asn1.ObjectIdentifier) *node { return marshal(o) }
func integer(v int64) *node             { return marshal(v) }
func bigInt(v *big.Int) *node           { return marshal(v) }
func genTime(t time.Time) *node         { return marshal(t.UTC(), "generalized") }
func utcTime(t time.Time) *node         { return marshal(t.UTC(), "utc") }
func bitString(b []byte) *node {
	return &node{tag: 0x03, val: append([]byte{0}, b...)}
}

func (n *node) der() []byte { return n.encode(false) }

func (n *node) encode(ber bool) []byte {
	if n.raw != nil {
		return n.raw
	}
	if !n.cons {
		if ber && n.chunk && len(n.val) > 0 {
			var b bytes.Buffer
			b.Write([]byte{0x24, 0x80})
			for v := n.val; len(v) > 0; {
				k := min(len(v), 1000)
				b.Write(tlv(0x04, v[:k]))
				v = v[k:]
			}
			b.Write([]byte{0, 0})
			return b.Bytes()
		}
		return tlv(n.tag, n.val)
	}
	if n.keepDER {
		ber = false
	}
	parts := make([][]byte, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.encode(ber)
	}
	if n.sorted && !ber {
		slices.SortFunc(parts, bytes.Compare)
	}
	body := bytes.Join(parts, nil)
	if ber {
		return append(append([]byte{n.tag, 0x80}, body...), 0, 0)
	}
	return tlv(n.tag, body)
}

func tlv(tag byte, val []byte) []byte {
	out := []byte{tag}
	switch l := len(val); {
	case l < 0x80:
		out = append(out, byte(l))
	case l < 0x100:
		out = append(out, 0x81, byte(l))
	case l < 0x10000:
		out = append(out, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		out = append(out, 0x83, byte(l>>16), byte(l>>8), byte(l))
	default:
		out = append(out, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
	}
	return append(out, val...)
}

// Algorithm identifiers (RFC 5754, RFC 4055, RFC 5758, NIST CSOR for SHA-3).
var (
	oidSHA1       = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA3_256   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}
	oidSHA3_384   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}
	oidSHA3_512   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}
	oidRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidRSAWithSHA = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:     {1, 2, 840, 113549, 1, 1, 5},
		crypto.SHA256:   {1, 2, 840, 113549, 1, 1, 11},
		crypto.SHA384:   {1, 2, 840, 113549, 1, 1, 12},
		crypto.SHA512:   {1, 2, 840, 113549, 1, 1, 13},
		crypto.SHA3_256: {2, 16, 840, 1, 101, 3, 4, 3, 14},
		crypto.SHA3_384: {2, 16, 840, 1, 101, 3, 4, 3, 15},
		crypto.SHA3_512: {2, 16, 840, 1, 101, 3, 4, 3, 16},
	}
	oidECDSAWithSHA = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:     {1, 2, 840, 10045, 4, 1},
		crypto.SHA256:   {1, 2, 840, 10045, 4, 3, 2},
		crypto.SHA384:   {1, 2, 840, 10045, 4, 3, 3},
		crypto.SHA512:   {1, 2, 840, 10045, 4, 3, 4},
		crypto.SHA3_256: {2, 16, 840, 1, 101, 3, 4, 3, 10},
		crypto.SHA3_384: {2, 16, 840, 1, 101, 3, 4, 3, 11},
		crypto.SHA3_512: {2, 16, 840, 1, 101, 3, 4, 3, 12},
	}
)

func hashOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA1:
		return oidSHA1
	case crypto.SHA256:
		return oidSHA256
	case crypto.SHA384:
		return oidSHA384
	case crypto.SHA512:
		return oidSHA512
	case crypto.SHA3_256:
		return oidSHA3_256
	case crypto.SHA3_384:
		return oidSHA3_384
	case crypto.SHA3_512:
		return oidSHA3_512
	}
	panic(fmt.Sprintf("sigtest: unsupported hash %v", h))
}

// digestAlg is a DigestAlgorithmIdentifier with absent parameters (RFC 5754 §2).
func digestAlg(h crypto.Hash) *node { return seq(oid(hashOID(h))) }

// digestAlgNULL is the same with NULL parameters (as in DigestInfo and PSS params).
func digestAlgNULL(h crypto.Hash) *node { return seq(oid(hashOID(h)), null()) }

func digest(h crypto.Hash, b []byte) []byte {
	w := h.New()
	w.Write(b)
	return w.Sum(nil)
}

// sigParams says how signData signs.
type sigParams struct {
	hash crypto.Hash
	pss  bool
	// rsaEncryption writes the bare rsaEncryption OID as the signature
	// algorithm (common in CMS) instead of shaNWithRSAEncryption.
	rsaEncryption bool
	// digestInfoNoNULL omits the NULL parameters in the PKCS #1 v1.5 DigestInfo.
	digestInfoNoNULL bool
}

// signatureAlg is the AlgorithmIdentifier for a signature by key.
func signatureAlg(key crypto.Signer, sp sigParams) *node {
	switch key.Public().(type) {
	case *rsa.PublicKey:
		if sp.pss {
			return seq(oid(oidRSASSAPSS), seq(
				explicit(0, digestAlgNULL(sp.hash)),
				explicit(1, seq(oid(oidMGF1), digestAlgNULL(sp.hash))),
				explicit(2, integer(int64(sp.hash.Size()))),
			))
		}
		if sp.rsaEncryption {
			return seq(oid(oidRSA), null())
		}
		return seq(oid(oidRSAWithSHA[sp.hash]), null())
	case *ecdsa.PublicKey:
		return seq(oid(oidECDSAWithSHA[sp.hash]))
	}
	panic(fmt.Sprintf("sigtest: unsupported key %T", key))
}

// signData hashes data and signs it.
func signData(key crypto.Signer, data []byte, sp sigParams) []byte {
	d := digest(sp.hash, data)
	var (
		sig []byte
		err error
	)
	switch key.Public().(type) {
	case *rsa.PublicKey:
		if sp.pss {
			sig, err = key.Sign(rand.Reader, d, &rsa.PSSOptions{SaltLength: sp.hash.Size(), Hash: sp.hash})
			break
		}
		// PKCS #1 v1.5 over a DigestInfo built here (crypto.Hash(0) pads
		// the given bytes as they are), so that SHA-3 and the
		// NULL-less DigestInfo of some real Latvian files work alike.
		alg := digestAlgNULL(sp.hash)
		if sp.digestInfoNoNULL {
			alg = digestAlg(sp.hash)
		}
		sig, err = key.Sign(rand.Reader, seq(alg, octets(d)).der(), crypto.Hash(0))
	default:
		sig, err = key.Sign(rand.Reader, d, sp.hash)
	}
	if err != nil {
		panic("sigtest: sign: " + err.Error())
	}
	return sig
}
