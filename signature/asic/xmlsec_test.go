package asic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// Interop with xmlsec1 (libxmlsec1 1.2.x, Debian package xmlsec1): the XAdES
// signature is made by xmlsec1, not by our code. The test writes an
// XAdES-BASELINE-B template whose SignedProperties (SigningTime,
// SigningCertificateV2, DataObjectFormat) it computes from the signer's
// certificate; xmlsec1 resolves both references (the data file by its
// relative URI, from its working directory; #xades-SP by the Id attribute declared
// with --id-attr), fills the DigestValues, the SignatureValue (RSA-SHA256
// over exclusive C14N) and the X509Certificate of KeyInfo.
//
// What xmlsec1 cannot do: it knows nothing of XAdES. It signs the
// SignedProperties only as an ordinary same-document reference the template
// provides; it cannot request a timestamp (SignatureTimeStamp, level T) nor
// embed CertificateValues/RevocationValues (LT) or archive timestamps (LTA):
// those are unsigned properties computed over its output, which only our code
// (or another XAdES tool) could add, and then the test would no longer be
// about a foreign producer. So the container is level B and revocation is
// checked online against the test PKI's OCSP responder.

// xmlsec1Path returns the xmlsec1 binary, or skips (fails with
// SIGINTAKE_REQUIRE_SERVICES=1).
func xmlsec1Path(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmlsec1")
	if err != nil {
		if os.Getenv("SIGINTAKE_REQUIRE_SERVICES") == "1" {
			t.Fatal("xmlsec1 not found (apt-get install -y xmlsec1) and SIGINTAKE_REQUIRE_SERVICES=1")
		}
		t.Skip("skipping xmlsec1 interop test: xmlsec1 not found (apt-get install -y xmlsec1; set SIGINTAKE_REQUIRE_SERVICES=1 to fail instead)")
	}
	return p
}

// issuerSerialV2 is the DER of IssuerSerial (RFC 5035 §4; EN 319 132-1
// §5.2.2.2): SEQUENCE { GeneralNames { directoryName [4] Name }, serial }.
func issuerSerialV2(t *testing.T, rawIssuer []byte, serial *big.Int) []byte {
	t.Helper()
	dn, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: rawIssuer})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		Names  asn1.RawValue
		Serial *big.Int
	}{asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: dn}, serial})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

const xmlsecTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"><ds:Signature Id="S0">
<ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
<ds:Reference Id="r-data" URI="{{FILE}}">
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue></ds:DigestValue>
</ds:Reference>
<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#xades-SP">
<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
<ds:DigestValue></ds:DigestValue>
</ds:Reference>
</ds:SignedInfo>
<ds:SignatureValue Id="S0-SV"></ds:SignatureValue>
<ds:KeyInfo><ds:X509Data><ds:X509Certificate></ds:X509Certificate></ds:X509Data></ds:KeyInfo>
<ds:Object><xades:QualifyingProperties Target="#S0"><xades:SignedProperties Id="xades-SP">
<xades:SignedSignatureProperties>
<xades:SigningTime>{{TIME}}</xades:SigningTime>
<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>{{CERTDIGEST}}</ds:DigestValue></xades:CertDigest><xades:IssuerSerialV2>{{ISSUERSERIAL}}</xades:IssuerSerialV2></xades:Cert></xades:SigningCertificateV2>
</xades:SignedSignatureProperties>
<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference="#r-data"><xades:MimeType>text/plain</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>
</xades:SignedProperties></xades:QualifyingProperties></ds:Object>
</ds:Signature></asic:XAdESSignatures>
`

func TestXmlsec1Interop(t *testing.T) {
	bin := xmlsec1Path(t)
	if out, err := exec.Command(bin, "--version").CombinedOutput(); err == nil {
		t.Logf("using %s", strings.TrimSpace(string(out)))
	}
	p := sigtest.New(t)
	dir := t.TempDir()
	files := p.WriteFiles(dir)
	leaf := files.Signer

	const name = "iesniegums.txt"
	doc := []byte("Iesniegums Valsts kasei: lūdzu atmaksāt pārmaksāto nodokli.\n")
	if err := os.WriteFile(filepath.Join(dir, name), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	signingTime := sigtest.Now.Add(-time.Hour).UTC()
	certDigest := sha256.Sum256(leaf.Cert.Raw)
	tmpl := strings.NewReplacer(
		"{{FILE}}", name,
		"{{TIME}}", signingTime.Format(time.RFC3339),
		"{{CERTDIGEST}}", b64(certDigest[:]),
		"{{ISSUERSERIAL}}", b64(issuerSerialV2(t, leaf.Cert.RawIssuer, leaf.Cert.SerialNumber)),
	).Replace(xmlsecTemplate)
	tmplPath := filepath.Join(dir, "template.xml")
	if err := os.WriteFile(tmplPath, []byte(tmpl), 0o600); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, "signatures0.xml")
	cmd := exec.Command(bin, "--sign",
		"--privkey-pem", files.SignerKey+","+files.SignerCert+","+files.Intermediate,
		"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
		"--output", outPath, tmplPath)
	// xmlsec1 1.2.37 opens a relative URI relative to its working
	// directory, not to the template: run it next to the data file.
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, out)
	}
	sig, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sig, []byte("<ds:DigestValue></ds:DigestValue>")) || bytes.Contains(sig, []byte(`<ds:SignatureValue Id="S0-SV"></ds:SignatureValue>`)) {
		t.Fatalf("xmlsec1 left the template unfilled:\n%s", sig)
	}
	// xmlsec1 checks its own output too (same Id declaration, same
	// working directory for the data file).
	xmlsecVerify := func(path string) ([]byte, error) {
		v := exec.Command(bin, "--verify", "--trusted-pem", files.Root,
			"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
			"--verification-time", sigtest.Now.Format("2006-01-02 15:04:05"), path)
		v.Dir = dir
		return v.CombinedOutput()
	}
	if out, err := xmlsecVerify(outPath); err != nil {
		t.Errorf("xmlsec1 --verify of its own signature: %v\n%s", err, out)
	}

	build := func(data, sig []byte) []byte {
		return container(t, []dataFile{{Name: name, MediaType: "text/plain", Data: data}}, sig)
	}
	run := func(t *testing.T, c []byte, o signature.Options) signature.Report {
		t.Helper()
		res, err := Validate(context.Background(), c, Limits{}, o)
		if err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if len(res.Signatures) != 1 {
			t.Fatalf("%d signatures, problems %q", len(res.Signatures), res.Problems)
		}
		s := res.Signatures[0]
		t.Logf("%s %s %s %s level=%s covered=%q rev=%+v problems=%q errors=%q warnings=%q",
			res.Format, s.Indication, s.SubIndication, s.Qualification, s.Level, s.Covered, s.Revocation, res.Problems, s.Errors, s.Warnings)
		return s
	}
	online := signature.Options{Time: sigtest.Now, Trust: p.Trust(), Fetcher: &revocation.HTTPFetcher{}}

	t.Run("valid", func(t *testing.T) {
		before := p.Requests().OCSP
		s := run(t, build(doc, sig), online)
		if s.Indication != signature.TotalPassed || s.Qualification != signature.QESig {
			t.Fatalf("want TOTAL_PASSED QESig, got %s %s %s: %q", s.Indication, s.SubIndication, s.Qualification, s.Errors)
		}
		if s.Level != "XAdES-BASELINE-B" || len(s.Covered) != 1 || s.Covered[0] != name {
			t.Fatalf("level %q covered %q", s.Level, s.Covered)
		}
		if s.SigningTime == nil || !s.SigningTime.Equal(signingTime) {
			t.Fatalf("signing time %v, want %s", s.SigningTime, signingTime)
		}
		if s.Revocation.Source != signature.RevocationOCSP || s.Revocation.Status != signature.StatusGood || p.Requests().OCSP == before {
			t.Fatalf("revocation %+v, OCSP requests %d -> %d", s.Revocation, before, p.Requests().OCSP)
		}
	})
	t.Run("valid-offline-no-revocation", func(t *testing.T) {
		// Level B offline: the crypto and the chain (xmlsec1 wrote the
		// signer and the intermediate into KeyInfo) are intact, the
		// revocation status cannot be known.
		s := run(t, build(doc, sig), signature.Options{Time: sigtest.Now, Trust: p.Trust()})
		if s.Indication != signature.Indeterminate || s.SubIndication != signature.TryLater {
			t.Fatalf("want INDETERMINATE TRY_LATER, got %s %s", s.Indication, s.SubIndication)
		}
	})
	t.Run("data-changed", func(t *testing.T) {
		changed := bytes.Replace(doc, []byte("atmaksāt"), []byte("ieturēt"), 1)
		s := run(t, build(changed, sig), online)
		if s.Indication != signature.TotalFailed || s.SubIndication != signature.HashFailure {
			t.Fatalf("want TOTAL_FAILED HASH_FAILURE, got %s %s: %q", s.Indication, s.SubIndication, s.Errors)
		}
	})
	t.Run("signing-time-changed", func(t *testing.T) {
		old := signingTime.Format(time.RFC3339)
		forged := bytes.Replace(sig, []byte(">"+old+"<"), []byte(">"+signingTime.Add(-48*time.Hour).Format(time.RFC3339)+"<"), 1)
		if bytes.Equal(forged, sig) {
			t.Fatal("SigningTime not found in xmlsec1's output")
		}
		forgedPath := filepath.Join(dir, "forged.xml")
		if err := os.WriteFile(forgedPath, forged, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := xmlsecVerify(forgedPath); err == nil {
			t.Errorf("xmlsec1 --verify accepts the changed SigningTime:\n%s", out)
		}
		s := run(t, build(doc, forged), online)
		if s.Indication != signature.TotalFailed {
			t.Fatalf("want TOTAL_FAILED, got %s %s: %q", s.Indication, s.SubIndication, s.Errors)
		}
		if s.SubIndication != signature.HashFailure && s.SubIndication != signature.SigCryptoFailure {
			t.Fatalf("want HASH_FAILURE or SIG_CRYPTO_FAILURE (signed properties digest), got %s", s.SubIndication)
		}
		if !strings.Contains(strings.ToLower(strings.Join(s.Errors, " ")), "signedproperties") &&
			!strings.Contains(strings.ToLower(strings.Join(s.Errors, " ")), "signed properties") &&
			!strings.Contains(strings.Join(s.Errors, " "), "xades-SP") {
			t.Errorf("the failure does not name the signed properties: %q", s.Errors)
		}
	})
}
