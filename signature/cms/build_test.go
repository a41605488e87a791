package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"
)

// A minimal DER encoder for test SignedData (RFC 5652 §5), independent of
// the parser except for derHeader.

func seq(parts ...[]byte) []byte { return derHeader(0, tagSequence, true, cat(parts...)) }
func set(parts ...[]byte) []byte { return derHeader(0, tagSet, true, cat(parts...)) }
func octs(b []byte) []byte       { return derHeader(0, tagOctetString, false, b) }
func explicit(tag int, b ...[]byte) []byte {
	return derHeader(classContext, tag, true, cat(b...))
}
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
func mustDER(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
func attr(t testing.TB, oid asn1.ObjectIdentifier, vals ...[]byte) []byte {
	return seq(mustDER(t, oid), set(vals...))
}

type testSigner struct {
	key  *rsa.PrivateKey
	cert []byte
	tmpl *x509.Certificate
}

var sharedTestKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func newSigner(t testing.TB) *testSigner {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x010203),
		Subject:      pkix.Name{CommonName: "Test Signer", Organization: []string{"Valsts kase"}},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		SubjectKeyId: []byte{1, 2, 3, 4, 5},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &sharedTestKey.PublicKey, sharedTestKey)
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{key: sharedTestKey, cert: der, tmpl: tmpl}
}

type buildOpts struct {
	detached   bool
	attrs      [][]byte // signed attributes, in this order; nil: defaults
	noAttrs    bool
	useSKI     bool
	eType      asn1.ObjectIdentifier
	serial     []byte // raw serial INTEGER content override
	unsigned   [][]byte
	noCerts    bool
	signedOver func([]byte) []byte // transform of the bytes signed
}

func sha256AlgID(t testing.TB) []byte {
	return mustDER(t, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, Parameters: asn1.NullRawValue})
}

func defaultAttrs(t testing.TB, content []byte, eType asn1.ObjectIdentifier) [][]byte {
	d := sha256.Sum256(content)
	return [][]byte{
		attr(t, OIDAttrContentType, mustDER(t, eType)),
		attr(t, OIDAttrSigningTime, mustDER(t, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))),
		attr(t, OIDAttrMessageDigest, octs(d[:])),
	}
}

func (s *testSigner) build(t testing.TB, content []byte, o buildOpts) []byte {
	t.Helper()
	if o.eType == nil {
		o.eType = OIDData
	}
	var sid []byte
	if o.useSKI {
		sid = derHeader(classContext, 0, false, s.tmpl.SubjectKeyId)
	} else {
		c, err := x509.ParseCertificate(s.cert)
		if err != nil {
			t.Fatal(err)
		}
		serial := mustDER(t, c.SerialNumber)
		if o.serial != nil {
			serial = derHeader(0, tagInteger, false, o.serial)
		}
		sid = seq(c.RawIssuer, serial)
	}
	version := []byte{2, 1, 1}
	if o.useSKI {
		version = []byte{2, 1, 3}
	}
	var signedAttrs, toSign []byte
	if o.noAttrs {
		toSign = content
	} else {
		if o.attrs == nil {
			o.attrs = defaultAttrs(t, content, o.eType)
		}
		body := cat(o.attrs...)
		signedAttrs = derHeader(classContext, 0, true, body)
		toSign = derHeader(0, tagSet, true, body)
	}
	if o.signedOver != nil {
		toSign = o.signedOver(toSign)
	}
	h := sha256.Sum256(toSign)
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	sigAlg := mustDER(t, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, Parameters: asn1.NullRawValue})
	si := cat(version, sid, sha256AlgID(t), signedAttrs, sigAlg, octs(sig))
	if o.unsigned != nil {
		si = cat(si, derHeader(classContext, 1, true, cat(o.unsigned...)))
	}
	encap := mustDER(t, o.eType)
	if !o.detached {
		encap = cat(encap, explicit(0, octs(content)))
	}
	var certs []byte
	if !o.noCerts {
		certs = derHeader(classContext, 0, true, s.cert)
	}
	sd := seq([]byte{2, 1, 1}, set(sha256AlgID(t)), seq(encap), certs, set(seq(si)))
	return seq(mustDER(t, OIDSignedData), explicit(0, sd))
}
