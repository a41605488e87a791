package cms

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func encodeB64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(s) > 64 {
		sb.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	sb.WriteString(s)
	return sb.String()
}

// fuzzSeeds returns the corpus CMS files (DER, and the .eml CMS parts) and
// the raw attack e-mails; it skips when ../shared is missing.
func fuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, v := range corpusCMS(f) {
		out = append(out, v[0])
	}
	attacks := filepath.Join(sharedDir(f), "attacks", "email")
	_ = filepath.WalkDir(attacks, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				out = append(out, b)
			}
		}
		return nil
	})
	return out
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			return
		}
		for _, si := range sd.SignerInfos {
			_, _ = si.Algorithm()
			_, _, _ = si.SigningTime()
			_, _ = si.SigningCertificate()
			_, _ = si.CounterSignatures()
			_, _ = si.CertificateValues()
			_, _, _ = si.RevocationValues()
			_, _ = si.SignaturePolicyID()
			_, _ = si.DERSignedAttrs()
			_ = si.CheckSignedAttributes(sd.EContentType, nil)
			_, _ = sd.SignerCertificate(si, nil)
		}
		for _, c := range sd.Certificates {
			_, _, _, _ = CertificateID(c)
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		f.Add([]byte(encodeB64(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Decode(data)
		if err != nil {
			return
		}
		if len(out) == 0 || out[0] != 0x30 {
			t.Fatalf("Decode returned %x", out[:min(len(out), 4)])
		}
		_, _ = Parse(out)
	})
}
