package cms

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
)

func TestCounterSignature(t *testing.T) {
	s := newSigner(t)
	content := []byte("x")
	// Build the outer signature first to learn its signature value, then a
	// countersignature over that value, then attach it.
	first, err := Parse(s.build(t, content, buildOpts{}))
	if err != nil {
		t.Fatal(err)
	}
	sigVal := first.SignerInfos[0].Signature
	d := sha256.Sum256(sigVal)
	csSD, err := Parse(s.build(t, sigVal, buildOpts{detached: true, attrs: [][]byte{
		attr(t, OIDAttrMessageDigest, octs(d[:])),
	}}))
	if err != nil {
		t.Fatal(err)
	}
	csRaw := csSD.SignerInfos[0].Raw
	withCS := s.build(t, content, buildOpts{unsigned: [][]byte{attr(t, OIDAttrCounterSig, csRaw)}})
	sd, err := Parse(withCS)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	if string(si.Signature) != string(sigVal) {
		t.Fatal("outer signature changed; RSA PKCS#1 v1.5 is deterministic")
	}
	css, err := si.CounterSignatures()
	if err != nil || len(css) != 1 {
		t.Fatalf("%d %v", len(css), err)
	}
	c, _ := x509.ParseCertificate(s.cert)
	if err := si.VerifyCounterSignature(css[0], c.PublicKey); err != nil {
		t.Fatal(err)
	}
	other := *si
	other.Signature = append([]byte{1}, si.Signature[1:]...)
	if err := other.VerifyCounterSignature(css[0], c.PublicKey); !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("err = %v", err)
	}
	// A countersignature with content-type is refused.
	bad, _ := Parse(s.build(t, sigVal, buildOpts{detached: true}))
	if err := si.VerifyCounterSignature(bad.SignerInfos[0], c.PublicKey); !errors.Is(err, ErrContentTypeMismatch) {
		t.Fatalf("err = %v", err)
	}
}
