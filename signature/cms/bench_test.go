package cms

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"
)

// BenchmarkVerifyDetached1MB parses a detached .p7s, hashes 1 MB of content
// and verifies the RSA-2048 SignerInfo (target: ≤ 2 ms per op).
func BenchmarkVerifyDetached1MB(b *testing.B) {
	s := newSigner(b)
	content := make([]byte, 1<<20)
	if _, err := rand.Read(content); err != nil {
		b.Fatal(err)
	}
	p7s := s.build(b, content, buildOpts{detached: true})
	b.SetBytes(int64(len(content)))
	b.ResetTimer()
	for b.Loop() {
		sd, err := Parse(p7s)
		if err != nil {
			b.Fatal(err)
		}
		si := sd.SignerInfos[0]
		cert, err := sd.SignerCertificate(si, nil)
		if err != nil {
			b.Fatal(err)
		}
		c, err := x509.ParseCertificate(cert)
		if err != nil {
			b.Fatal(err)
		}
		d := sha256.Sum256(content)
		if err := si.VerifyDigest(c.PublicKey, sd.EContentType, d[:]); err != nil {
			b.Fatal(err)
		}
	}
}
