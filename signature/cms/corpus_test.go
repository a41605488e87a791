package cms

import (
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature/algo"
)

// corpusExpect is what each corpus file must give (MANIFEST.tsv, checked
// against our own analysis where noted).
var corpusExpect = map[string]struct {
	want     error // nil: Verify passes
	detached string
	note     string
}{
	"dss__BER_reordered_prova.txt.p7m":                     {note: "signed attrs sent out of DER order; signature is over the DER form (DSS-667)"},
	"dss__DER_reordered_prova.txt.p7m":                     {note: "byte-identical to the BER_reordered file"},
	"dss__CAdES-BpB-att-SHA256-SHA3_256withRSAandMGF1.p7m": {note: "RSASSA-PSS with SHA3-256"},
	"dss__CAdES-BpB_revoked_signingCertificate.p7m":        {note: "crypto intact; revocation is not our concern"},
	"dss__CAdES-BpLTA_modified_ats_hash_element.p7m":       {note: "signature intact; the archive timestamp is what is broken"},
	"dss__Signature-C-B-LTA-10.p7m":                        {},
	"dss__Signature-C-DE_CRY-4.p7m": {want: ErrNonDERSignedAttrs,
		note: "DSS: not intact; the signature verifies only over the non-DER attributes as received"},
	"dss__cades-enveloping-broken.pkcs7":          {want: ErrDigestMismatch},
	"dss__cades-enveloping.pkcs7":                 {},
	"dss__cms-no-sign-cert.p7m":                   {want: ErrNoSigningCertificate},
	"dss__screenshot.png.signed_qes_detached.p7s": {detached: "dss__screenshot.png"},
	"tb__alice.dsig.SHA256.multipart.eml":         {},
	"tb__alice.sig.SHA256.opaque.eml":             {},
	"tb__alice.sig.SHA1.opaque.eml":               {note: "intact; SHA-1 fails the crypto policy (checked below)"},
	"tb__alice.dsig.SHA256.multipart.bad.eml":     {want: ErrDigestMismatch},
	"tb__alice.dsig.SHA256.multipart.mismatch-econtent.eml": {want: ErrDigestMismatch,
		note: "the MIME body is not the embedded eContent that was signed"},
}

// corpusCMS returns name -> (CMS DER, detached content) for every CMS file
// of the shared corpus.
func corpusCMS(t testing.TB) map[string][2][]byte {
	dir := filepath.Join(sharedDir(t), "corpus", "cms")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Skipf("no corpus files in %s", dir)
	}
	out := map[string][2][]byte{}
	for _, f := range files {
		name := filepath.Base(f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, ".eml"):
			der, det := smimeParts(t, raw)
			out[name] = [2][]byte{der, det}
		case strings.HasSuffix(name, ".p7m"), strings.HasSuffix(name, ".p7s"), strings.HasSuffix(name, ".pkcs7"):
			out[name] = [2][]byte{raw, nil}
		}
	}
	return out
}

func TestCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "cms")
	files := corpusCMS(t)
	for name := range corpusExpect {
		if _, ok := files[name]; !ok {
			t.Errorf("corpus file %s missing", name)
		}
	}
	for name, f := range files {
		exp, known := corpusExpect[name]
		t.Run(name, func(t *testing.T) {
			if !known {
				t.Fatalf("new corpus file without an expectation")
			}
			sd, err := Parse(f[0])
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			content := sd.Content
			if f[1] != nil {
				content = f[1]
			}
			if exp.detached != "" {
				if content, err = os.ReadFile(filepath.Join(dir, exp.detached)); err != nil {
					t.Fatal(err)
				}
			}
			if len(sd.SignerInfos) == 0 {
				t.Fatal("no SignerInfo")
			}
			for _, si := range sd.SignerInfos {
				err := verifyCorpusSigner(t, sd, si, content)
				if exp.want == nil && err != nil {
					t.Fatalf("Verify: %v (%s)", err, exp.note)
				}
				if exp.want != nil && !errors.Is(err, exp.want) {
					t.Fatalf("Verify: %v, want %v (%s)", err, exp.want, exp.note)
				}
			}
		})
	}
}

// verifyCorpusSigner finds the signer certificate, parses its key with
// algo.ParsePublicKey (Go's x509 refuses some of these certificates),
// checks the ESS signing-certificate binding when present, and verifies.
func verifyCorpusSigner(t *testing.T, sd *SignedData, si *SignerInfo, content []byte) error {
	cert, err := sd.SignerCertificate(si, nil)
	if err != nil {
		return err
	}
	spki, err := CertificatePublicKeyInfo(cert)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := algo.ParsePublicKey(spki)
	if err != nil {
		t.Fatalf("ParsePublicKey: %v", err)
	}
	if ess, err := si.SigningCertificate(); err != nil {
		t.Fatalf("SigningCertificate: %v", err)
	} else if ess != nil {
		if err := ess.Matches(cert); err != nil {
			t.Fatalf("ESS binding: %v", err)
		}
	}
	return si.Verify(pub, sd.EContentType, content)
}

func TestCorpusDetails(t *testing.T) {
	files := corpusCMS(t)
	get := func(name string) *SignedData {
		t.Helper()
		sd, err := Parse(files[name][0])
		if err != nil {
			t.Fatal(err)
		}
		return sd
	}
	t.Run("sha3-pss", func(t *testing.T) {
		a, err := get("dss__CAdES-BpB-att-SHA256-SHA3_256withRSAandMGF1.p7m").SignerInfos[0].Algorithm()
		if err != nil || a.Key != algo.RSAPSS || a.Hash != crypto.SHA3_256 {
			t.Fatalf("%v %v", a, err)
		}
	})
	t.Run("sha1-policy", func(t *testing.T) {
		sd := get("tb__alice.sig.SHA1.opaque.eml")
		si := sd.SignerInfos[0]
		a, _ := si.Algorithm()
		st, ok, err := si.SigningTime()
		if err != nil || !ok {
			t.Fatal("no signing time")
		}
		cert, _ := sd.SignerCertificate(si, nil)
		spki, _ := CertificatePublicKeyInfo(cert)
		pub, _ := algo.ParsePublicKey(spki)
		if err := algo.DefaultPolicy().CheckSignature(a, pub, st); !errors.Is(err, algo.ErrConstraint) {
			t.Fatalf("SHA-1 in 2026 passed the policy: %v", err)
		}
	})
	t.Run("lta-attributes", func(t *testing.T) {
		si := get("dss__Signature-C-B-LTA-10.p7m").SignerInfos[0]
		if n := len(si.SignatureTimeStampTokens()); n != 1 {
			t.Fatalf("%d signature timestamps", n)
		}
		if n := len(si.ArchiveTimeStamps()); n != 2 {
			t.Fatalf("%d archive timestamps", n)
		}
		certs, err := si.CertificateValues()
		if err != nil || len(certs) == 0 {
			t.Fatalf("certificate values: %d %v", len(certs), err)
		}
		crls, ocsps, err := si.RevocationValues()
		if err != nil || len(crls)+len(ocsps) == 0 {
			t.Fatalf("revocation values: %d %d %v", len(crls), len(ocsps), err)
		}
		if !si.HasCompleteCertificateRefs() || !si.HasCompleteRevocationRefs() {
			t.Fatal("CAdES-C references not seen")
		}
	})
	t.Run("cades-c-detached", func(t *testing.T) {
		si := get("dss__screenshot.png.signed_qes_detached.p7s").SignerInfos[0]
		if !si.HasCompleteCertificateRefs() {
			t.Fatal("complete-certificate-refs missing")
		}
	})
	t.Run("no-sign-cert-ski", func(t *testing.T) {
		sd := get("dss__cms-no-sign-cert.p7m")
		si := sd.SignerInfos[0]
		// The file's sid is an empty [0] subjectKeyIdentifier.
		if si.Version != 3 || si.SID.SubjectKeyIdentifier == nil || si.SID.IssuerAndSerial != nil {
			t.Fatalf("sid %+v", si.SID)
		}
	})
	t.Run("counter-signatures-parse", func(t *testing.T) {
		for name, f := range files {
			sd, _ := Parse(f[0])
			for _, si := range sd.SignerInfos {
				if _, err := si.CounterSignatures(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if _, err := si.SignaturePolicyID(); err != nil {
					t.Fatalf("%s: policy: %v", name, err)
				}
			}
		}
	})
}
