package cms

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/sigintake/sigintake/signature/algo"
)

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// firstPDFSignature is a test-only extraction of the first signature's CMS
// and signed bytes (ISO 32000-1 §12.8.1); the PAdES package owns real PDF
// parsing.
func firstPDFSignature(t *testing.T, pdf []byte) (cmsDER, signed []byte) {
	t.Helper()
	for _, m := range byteRangeRE.FindAllSubmatch(pdf, -1) {
		var v [4]int
		for i := range v {
			v[i], _ = strconv.Atoi(string(m[i+1]))
		}
		a, b, c, d := v[0], v[1], v[2], v[3]
		if a < 0 || a+b >= len(pdf) || c > len(pdf) || c+d > len(pdf) || pdf[a+b] != '<' {
			continue
		}
		raw, err := hex.DecodeString(string(bytes.TrimSpace(pdf[a+b+1 : c-1])))
		if err != nil {
			t.Fatal(err)
		}
		elem, rest, err := FirstElement(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.Trim(rest, "\x00")) != 0 {
			t.Fatal("non-zero bytes after the CMS in /Contents")
		}
		return elem, append(append([]byte{}, pdf[a:a+b]...), pdf[c:c+d]...)
	}
	t.Fatal("no signature found")
	return nil, nil
}

// TestPAdESCorpusCMS verifies the CMS of real PAdES files whose DSS
// expectation is about the CMS signature itself.
func TestPAdESCorpusCMS(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "pades")
	for name, want := range map[string]error{
		"dss__TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf": nil, // brainpool + plain-ECDSA, real QES
		"dss__Signature-P-DE_SCI-4.pdf":                  nil, // RSASSA-PSS
		"dss__PAdES-BpB-att-SHA256-SHA3_256withRSA.pdf":  algo.ErrVerification,
		"dss__Signature-P-SK-1__HASH_FAILURE_.pdf":       ErrNonDERSignedAttrs,
		"dss__Signature-P-HU_NET-2.pdf":                  algo.ErrUnsupported, // digestAlgorithm is a signature OID
		"dss__pades-unsupported-signature-algorithm.pdf": algo.ErrUnsupported,
	} {
		t.Run(name, func(t *testing.T) {
			pdf, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Skipf("corpus file missing: %v", err)
			}
			der, signed := firstPDFSignature(t, pdf)
			sd, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			si := sd.SignerInfos[0]
			cert, err := sd.SignerCertificate(si, nil)
			if err != nil {
				t.Fatal(err)
			}
			spki, err := CertificatePublicKeyInfo(cert)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := algo.ParsePublicKey(spki)
			if err != nil {
				t.Fatal(err)
			}
			err = si.Verify(pub, sd.EContentType, signed)
			if want == nil && err != nil || want != nil && !errors.Is(err, want) {
				t.Fatalf("Verify = %v, want %v", err, want)
			}
		})
	}
}
