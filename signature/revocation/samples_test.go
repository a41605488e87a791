package revocation_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"github.com/sigintake/sigintake/internal/testshared"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

// sample is what one XAdES signatures file of a container embeds.
type sample struct {
	name  string
	certs []*pki.Certificate // X509Certificate and EncapsulatedX509Certificate
	ocsp  [][]byte           // EncapsulatedOCSPValue
	crls  [][]byte           // EncapsulatedCRLValue
}

// loadSamples reads the Latvian containers in shared/trust/samples-lv,
// skipping the test when they are missing.
func loadSamples(t testing.TB) []sample {
	t.Helper()
	out := loadSamplesIfAny(t)
	if len(out) == 0 {
		t.Skipf("no Latvian samples in %s (set SIGINTAKE_SHARED)", filepath.Join(sharedDir(t), "trust", "samples-lv"))
	}
	return out
}

// loadSamplesIfAny is loadSamples without the skip.
func loadSamplesIfAny(t testing.TB) []sample {
	t.Helper()
	dir := filepath.Join(sharedDir(t), "trust", "samples-lv")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out []sample
	for _, fn := range files {
		zr, err := zip.OpenReader(fn)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		for _, zf := range zr.File {
			if !strings.HasPrefix(zf.Name, "META-INF/") || !strings.Contains(zf.Name, "signatures") || !strings.HasSuffix(zf.Name, ".xml") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			s := sample{name: filepath.Base(fn) + "/" + zf.Name}
			dec := xml.NewDecoder(bytes.NewReader(b))
			var cur string
			for {
				tok, err := dec.Token()
				if err != nil {
					break
				}
				switch tk := tok.(type) {
				case xml.StartElement:
					cur = tk.Name.Local
				case xml.EndElement:
					cur = ""
				case xml.CharData:
					switch cur {
					case "X509Certificate", "EncapsulatedX509Certificate", "EncapsulatedOCSPValue", "EncapsulatedCRLValue":
						der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(tk)), ""))
						if err != nil {
							t.Fatalf("%s %s: %v", s.name, cur, err)
						}
						if cur == "EncapsulatedOCSPValue" {
							s.ocsp = append(s.ocsp, der)
						} else if cur == "EncapsulatedCRLValue" {
							s.crls = append(s.crls, der)
						} else if c, err := pki.ParseCertificate(der); err == nil {
							s.certs = append(s.certs, c)
						}
					}
				}
			}
			out = append(out, s)
		}
		zr.Close()
	}
	return out
}

// trustCerts reads every certificate under shared/trust/certs.
func trustCerts(t testing.TB) []*pki.Certificate {
	t.Helper()
	var out []*pki.Certificate
	seen := map[[32]byte]bool{}
	add := func(c *pki.Certificate) {
		if !seen[c.SHA256] {
			seen[c.SHA256] = true
			out = append(out, c)
		}
	}
	filepath.WalkDir(filepath.Join(sharedDir(t), "trust", "certs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch filepath.Ext(p) {
		case ".pem", ".cer", ".crt":
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if !bytes.Contains(b, []byte("-----BEGIN")) {
			if c, err := pki.ParseCertificate(b); err == nil {
				add(c)
			}
			return nil
		}
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if c, err := pki.ParseCertificate(blk.Bytes); err == nil {
				add(c)
			}
		}
		return nil
	})
	return out
}

// TestRealEmbeddedOCSP verifies the OCSP responses that real Latvian
// containers embed, against the signer certificate and its issuer from
// the trusted-list certificates.
func TestRealEmbeddedOCSP(t *testing.T) {
	samples := loadSamples(t)
	pool := trustCerts(t)
	verified := map[string]int{}
	for _, s := range samples {
		seen := map[[32]byte]bool{}
		var cands []*pki.Certificate
		for _, c := range append(append([]*pki.Certificate{}, pool...), s.certs...) {
			if !seen[c.SHA256] {
				seen[c.SHA256] = true
				cands = append(cands, c)
			}
		}
		for _, der := range s.ocsp {
			found := false
			for _, c := range s.certs {
				for _, iss := range cands {
					if c.Equal(iss) || !pki.NamesEqual(iss.RawSubject, c.RawIssuer) || c.CheckSignatureFrom(iss) != nil {
						continue
					}
					r, err := revocation.CheckOCSP(der, c, iss, s.certs)
					if errors.Is(err, revocation.ErrNoStatus) {
						continue
					}
					found = true
					if skResponder(der, s.certs) {
						// SK's "SK OCSP RESPONDER 2011" is issued by the EE
						// root, not by the certificate's issuer (ESTEID-SK,
						// the Lithuanian NSC, E-ME): a trusted responder by
						// local configuration (RFC 6960 §4.2.2.2, first
						// case), which this package does not accept.
						if !errors.Is(err, revocation.ErrUnauthorized) {
							t.Errorf("%s: SK OCSP 2011 for %q: err = %v, want ErrUnauthorized", s.name, c.IssuerString(), err)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s: OCSP for %q: %v", s.name, c.SubjectString(), err)
						continue
					}
					verified[s.name]++
					t.Logf("%s: %q %s, producedAt %s, signed by %q", s.name, c.CommonName(), r.Status, r.ProducedAt.UTC().Format("2006-01-02T15:04:05Z"), r.Signer.CommonName())
					if r.Status != revocation.Good {
						t.Errorf("%s: status %s, want good", s.name, r.Status)
					}
				}
			}
			if !found {
				t.Logf("%s: an embedded OCSP response names no certificate whose issuer we have", s.name)
			}
		}
	}
	// test+test.edoc is a real LV eID signature of 2021 with embedded OCSP
	// whose issuer (LV eID ICA 2017) is in the 2023 list.
	for _, name := range []string{
		"test+test.edoc/META-INF/edoc-signatures-S1.xml",
		"edoc2_lv-eId_sha256.edoc/META-INF/edoc-signatures-S1.xml",
		"latvian_signed_container.edoc/META-INF/edoc-signatures-S1.xml",
		"latvian_LT_signature_with_22h_difference_between_TS_and_OCSP.asice/META-INF/signatures2.xml",
	} {
		if verified[name] == 0 {
			t.Errorf("no embedded OCSP response verified in %s (verified: %v)", name, verified)
		}
	}
}

// skResponder reports an OCSP response that carries, or whose signature
// carries, SK's 2011 responder certificate.
func skResponder(der []byte, extra []*pki.Certificate) bool {
	r, err := revocation.ParseOCSP(der)
	if err != nil {
		return false
	}
	for _, c := range append(r.Certs, extra...) {
		if c.CommonName() == "SK OCSP RESPONDER 2011" {
			return true
		}
	}
	return false
}

// TestRealEmbeddedCRL checks the CRLs real Latvian eDocs embed for every
// certificate of the signature whose issuer signed them.
func TestRealEmbeddedCRL(t *testing.T) {
	samples := loadSamples(t)
	pool := trustCerts(t)
	checked, rollover := 0, 0
	for _, s := range samples {
		seen := map[[32]byte]bool{}
		var cands []*pki.Certificate
		for _, c := range append(append([]*pki.Certificate{}, pool...), s.certs...) {
			if !seen[c.SHA256] {
				seen[c.SHA256] = true
				cands = append(cands, c)
			}
		}
		for i, der := range s.crls {
			for _, c := range s.certs {
				for _, iss := range cands {
					if c.Equal(iss) || !pki.NamesEqual(iss.RawSubject, c.RawIssuer) || c.CheckSignatureFrom(iss) != nil {
						continue
					}
					r, err := revocation.CheckCRL(der, c, iss)
					if errors.Is(err, revocation.ErrUnauthorized) {
						continue // a CRL of another issuer
					}
					if errors.Is(err, revocation.ErrSignature) {
						// Is it signed by another key of the same CA name (a
						// key rollover, RFC 5280 §6.3.3 (f) second case)?
						// CheckCRL requires the certificate issuer's key.
						for _, o := range cands {
							if !o.Equal(iss) && pki.NamesEqual(o.RawSubject, iss.RawSubject) {
								if _, err2 := revocation.CheckCRL(der, c, o); err2 == nil {
									rollover++
									t.Logf("%s CRL %d for %q: signed by another key of %q (rollover): refused: %v", s.name, i, c.CommonName(), iss.CommonName(), err)
									err = nil
									break
								}
							}
						}
						if err == nil {
							continue
						}
					}
					if err != nil {
						t.Errorf("%s CRL %d for %q: %v", s.name, i, c.CommonName(), err)
						continue
					}
					checked++
					t.Logf("%s CRL %d (%d bytes): %q %s, thisUpdate %s nextUpdate %s", s.name, i, len(der), c.CommonName(), r.Status,
						r.ThisUpdate.UTC().Format(time.RFC3339), r.NextUpdate.UTC().Format(time.RFC3339))
					if r.Status == revocation.Unknown || r.ThisUpdate.IsZero() {
						t.Errorf("%s: status %s thisUpdate %v", s.name, r.Status, r.ThisUpdate)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no embedded CRL was checked")
	}
	t.Logf("%d (certificate, CRL) pairs verified, %d refused as signed by a rolled-over CA key", checked, rollover)
}
