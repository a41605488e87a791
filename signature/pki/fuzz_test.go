package pki

import "testing"

func FuzzParseCertificate(f *testing.F) {
	if s := corpusSeeds(f); s != nil {
		for _, der := range s {
			f.Add(der)
		}
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCertificate(der)
		if err != nil {
			return
		}
		_ = c.SubjectString()
		_ = c.IssuerString()
		_ = c.QC.IsESign()
		_ = CheckSigningUsage(c)
		_ = c.CheckSignatureFrom(c)
		p := NewPool(c)
		_ = p.Issuers(c)
	})
}

// corpusSeeds returns real certificates for the fuzz corpus, or nil when
// the shared material or openssl is missing (then only the built-in seed
// is used rather than skipping the fuzz target).
func corpusSeeds(f *testing.F) (out [][]byte) {
	if !sharedAvailable() {
		return nil
	}
	m := corpusCertificates(f)
	for _, d := range m {
		out = append(out, d)
	}
	return out
}
