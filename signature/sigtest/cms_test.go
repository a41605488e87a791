package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"os/exec"
	"strings"
	"testing"
)

// An independent reader of RFC 5652 SignedData (DER only), so the tests do
// not trust cms.go to check itself.
type tSignedData struct {
	Version    int
	DigestAlgs []asn1.RawValue `asn1:"set"`
	Encap      struct {
		Type    asn1.ObjectIdentifier
		Content []byte `asn1:"explicit,tag:0,optional"`
	}
	Certs       []asn1.RawValue `asn1:"tag:0,optional,set"`
	CRLs        []asn1.RawValue `asn1:"tag:1,optional,set"`
	SignerInfos []tSignerInfo   `asn1:"set"`
}

type tSignerInfo struct {
	Version   int
	SID       asn1.RawValue
	DigestAlg asn1.RawValue
	Signed    asn1.RawValue `asn1:"optional,tag:0"`
	SigAlg    struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	Signature []byte
	Unsigned  asn1.RawValue `asn1:"optional,tag:1"`
}

type tAttr struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

func parseSignedData(t *testing.T, der []byte) tSignedData {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) > 0 {
		t.Fatalf("ContentInfo: %v", err)
	}
	var sd tSignedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatalf("SignedData: %v", err)
	}
	return sd
}

// attrs decodes a [0]/[1] IMPLICIT SET OF Attribute, keeping the order.
func attrs(t *testing.T, rv asn1.RawValue) []tAttr {
	t.Helper()
	var out []tAttr
	for b := rv.Bytes; len(b) > 0; {
		var a tAttr
		var err error
		if b, err = asn1.Unmarshal(b, &a); err != nil {
			t.Fatalf("attribute: %v", err)
		}
		out = append(out, a)
	}
	return out
}

func attrVal(t *testing.T, as []tAttr, id asn1.ObjectIdentifier) []byte {
	t.Helper()
	for _, a := range as {
		if a.Type.Equal(id) {
			return a.Values[0].FullBytes
		}
	}
	return nil
}

// checkSig verifies si's signature with cert over the received signed
// attributes (tag set to SET) or over content.
func checkSig(t *testing.T, si tSignerInfo, cert *x509.Certificate, h crypto.Hash, content []byte) error {
	t.Helper()
	msg := content
	if len(si.Signed.FullBytes) > 0 {
		msg = append([]byte{0x31}, si.Signed.FullBytes[1:]...)
	}
	d := h.New()
	d.Write(msg)
	sum := d.Sum(nil)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if si.SigAlg.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}) {
			return rsa.VerifyPSS(pub, h, sum, si.Signature, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h})
		}
		return rsa.VerifyPKCS1v15(pub, h, sum, si.Signature)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, sum, si.Signature) {
			return errBadSig
		}
	}
	return nil
}

var errBadSig = asn1.SyntaxError{Msg: "bad signature"}

func opensslVerify(t *testing.T, sig, content []byte, root string, extra ...string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", writeTemp(t, dir, "sig.p7s", sig),
		"-CAfile", root, "-attime", attime, "-out", dir + "/out"}
	if content != nil {
		args = append(args, "-content", writeTemp(t, dir, "content", content))
	}
	return openssl(t, append(args, extra...)...)
}

func TestSignCMSOpenSSL(t *testing.T) {
	p := New(t)
	files := p.WriteFiles(t.TempDir())
	content := []byte("Iesniegums Valsts kasei.\r\n")
	rsaLeaf := p.Issue(LeafOptions{QC: Qualified()})
	pss := p.Issue(LeafOptions{KeyType: RSAPSS, QC: Qualified()})
	ec := p.Issue(LeafOptions{Issuer: p.IntermediateEC, KeyType: ECDSAP256})
	ec384 := p.Issue(LeafOptions{Issuer: p.IntermediateEC, KeyType: ECDSAP384})
	seal := p.Issue(LeafOptions{Kind: LegalPerson, QC: Qualified()})
	other := p.Issue(LeafOptions{})
	crl := p.Intermediate.CRL()

	for _, tc := range []struct {
		name     string
		leaf     *Leaf
		o        CMSOptions
		detached bool
		ok       bool
	}{
		{"ok/default", rsaLeaf, CMSOptions{}, false, true},
		{"ok/detached-sha384", rsaLeaf, CMSOptions{Detached: true, Hash: crypto.SHA384}, true, true},
		{"ok/sha512-with-hash-oid", rsaLeaf, CMSOptions{Hash: crypto.SHA512, RSAWithHashOID: true}, false, true},
		{"ok/sha1", rsaLeaf, CMSOptions{Hash: crypto.SHA1}, false, true},
		{"ok/sha3-256", rsaLeaf, CMSOptions{Hash: crypto.SHA3_256}, false, true},
		{"ok/pss", pss, CMSOptions{}, false, true},
		{"ok/ecdsa-p256", ec, CMSOptions{}, false, true},
		{"ok/ecdsa-p384-sha384", ec384, CMSOptions{Hash: crypto.SHA384}, false, true},
		{"ok/ski-sid", rsaLeaf, CMSOptions{SubjectKeyID: true}, false, true},
		{"ok/ess-v1", rsaLeaf, CMSOptions{SigningCert: ESSv1}, false, true},
		{"ok/no-signed-attrs", rsaLeaf, CMSOptions{NoSignedAttrs: true}, false, true},
		{"ok/certs-all", rsaLeaf, CMSOptions{Certs: CertsAll}, false, true},
		{"ok/two-signers", rsaLeaf, CMSOptions{CoSigners: []*Leaf{seal, ec}}, false, true},
		{"ok/countersigned", rsaLeaf, CMSOptions{CounterSigner: seal}, false, true},
		{"ok/lt", rsaLeaf, CMSOptions{SignatureTimestamp: true, CertValues: rsaLeaf.Chain(),
			RevocationValues: &RevocationValues{CRLs: [][]byte{crl}, OCSP: [][]byte{p.Intermediate.BasicOCSPResponse(rsaLeaf.Cert)}}}, false, true},
		{"ok/crls-in-signeddata", rsaLeaf, CMSOptions{CRLs: [][]byte{crl}}, false, true},
		{"ok/ber", rsaLeaf, CMSOptions{BER: true}, false, true},
		{"ok/ber-detached", rsaLeaf, CMSOptions{BER: true, Detached: true}, true, true},
		{"fail/flipped-signature", rsaLeaf, CMSOptions{FlipSignature: true}, false, false},
		{"fail/wrong-message-digest", rsaLeaf, CMSOptions{WrongMessageDigest: true}, false, false},
		{"fail/content-changed", rsaLeaf, CMSOptions{ChangeContent: true}, false, false},
		{"fail/no-certs", rsaLeaf, CMSOptions{Certs: CertsNone}, false, false},
		// openssl 3.0 cms -verify does not check the ESS binding (ts -verify does).
		{"ok/ess-other-cert-unchecked-by-openssl", rsaLeaf, CMSOptions{SigningCertFor: other.Cert}, false, true},
		{"fail/untrusted-signer", p.Issue(LeafOptions{Issuer: p.Rogue}), CMSOptions{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := SignCMS(content, tc.leaf, tc.o)
			var c []byte
			if tc.detached {
				c = content
			}
			out, err := opensslVerify(t, sig, c, files.Root)
			if tc.ok && (err != nil || !strings.Contains(out, "Verification successful")) {
				t.Fatalf("openssl cms -verify: %v\n%s", err, out)
			}
			if !tc.ok && err == nil {
				t.Fatalf("openssl accepted a broken signature:\n%s", out)
			}
		})
	}
	// An intermediate-only CAfile must not be enough: the root is the anchor.
	if _, err := opensslVerify(t, SignCMS(content, rsaLeaf, CMSOptions{}), nil, files.Rogue); err == nil {
		t.Errorf("openssl verified against the rogue root")
	}
}

func TestSignCMSStructure(t *testing.T) {
	p := New(t)
	content := []byte("saturs")
	l := p.Issue(LeafOptions{QC: Qualified()})
	seal := p.Issue(LeafOptions{Kind: LegalPerson})

	t.Run("ok/b-level-attributes", func(t *testing.T) {
		sd := parseSignedData(t, SignCMS(content, l, CMSOptions{}))
		if sd.Version != 1 || !sd.Encap.Type.Equal(OIDData) || !bytes.Equal(sd.Encap.Content, content) || len(sd.Certs) != 2 {
			t.Fatalf("SignedData v%d type %v certs %d", sd.Version, sd.Encap.Type, len(sd.Certs))
		}
		si := sd.SignerInfos[0]
		as := attrs(t, si.Signed)
		var st asn1.RawValue
		asn1.Unmarshal(attrVal(t, as, OIDAttrSigningTime), &st)
		if st.Tag != asn1.TagUTCTime || string(st.Bytes) != "260601120000Z" {
			t.Errorf("signing-time %q", st.Bytes)
		}
		var ess struct {
			Certs []struct {
				Hash   []byte
				Serial asn1.RawValue
			}
		}
		if _, err := asn1.Unmarshal(attrVal(t, as, OIDAttrSigningCertV2), &ess); err != nil || len(ess.Certs) != 1 {
			t.Fatalf("signing-certificate-v2: %v", err)
		}
		if h := sha256.Sum256(l.DER); !bytes.Equal(h[:], ess.Certs[0].Hash) {
			t.Errorf("ESS hash is not SHA-256 of the signer certificate")
		}
		if err := checkSig(t, si, l.Cert, crypto.SHA256, nil); err != nil {
			t.Errorf("signature: %v", err)
		}
	})
	t.Run("ok/unsorted-signed-attrs-hash-as-received", func(t *testing.T) {
		sd := parseSignedData(t, SignCMS(content, l, CMSOptions{UnsortedSignedAttrs: true}))
		si := sd.SignerInfos[0]
		var prev []byte
		sorted := true
		for b := si.Signed.Bytes; len(b) > 0; {
			var rv asn1.RawValue
			b, _ = asn1.Unmarshal(b, &rv)
			if prev != nil && bytes.Compare(prev, rv.FullBytes) > 0 {
				sorted = false
			}
			prev = rv.FullBytes
		}
		if sorted {
			t.Fatalf("signed attributes are in DER order")
		}
		if err := checkSig(t, si, l.Cert, crypto.SHA256, nil); err != nil {
			t.Errorf("signature over received bytes: %v", err)
		}
	})
	t.Run("ok/digestinfo-without-null", func(t *testing.T) {
		sd := parseSignedData(t, SignCMS(content, l, CMSOptions{DigestInfoNoNULL: true}))
		si := sd.SignerInfos[0]
		if checkSig(t, si, l.Cert, crypto.SHA256, nil) == nil {
			t.Fatalf("strict PKCS #1 v1.5 accepted a NULL-less DigestInfo")
		}
		// Raw RSA: EM = 00 01 FF.. 00 DigestInfo.
		pub := l.Cert.PublicKey.(*rsa.PublicKey)
		em := new(big.Int).Exp(new(big.Int).SetBytes(si.Signature), big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, pub.Size()))
		i := bytes.IndexByte(em[2:], 0) + 2
		var di struct {
			Alg struct {
				Algorithm asn1.ObjectIdentifier
				Params    asn1.RawValue `asn1:"optional"`
			}
			Digest []byte
		}
		if _, err := asn1.Unmarshal(em[i+1:], &di); err != nil || len(di.Alg.Params.FullBytes) != 0 || !di.Alg.Algorithm.Equal(oidSHA256) {
			t.Errorf("DigestInfo %x: %v", em[i+1:], err)
		}
		h := crypto.SHA256.New()
		h.Write(append([]byte{0x31}, si.Signed.FullBytes[1:]...))
		if !bytes.Equal(di.Digest, h.Sum(nil)) {
			t.Errorf("digest mismatch")
		}
	})
	t.Run("ok/timestamp-and-countersignature-cover-signature", func(t *testing.T) {
		sd := parseSignedData(t, SignCMS(content, l, CMSOptions{SignatureTimestamp: true, CounterSigner: seal}))
		si := sd.SignerInfos[0]
		un := attrs(t, si.Unsigned)
		sh := crypto.SHA256.New()
		sh.Write(si.Signature)
		info := parseToken(t, attrVal(t, un, OIDAttrTimeStampToken))
		if !bytes.Equal(info.MessageImprint.Hashed, sh.Sum(nil)) {
			t.Errorf("timestamp imprint is not over the signature value")
		}
		var cs tSignerInfo
		if _, err := asn1.Unmarshal(attrVal(t, un, OIDAttrCounterSignature), &cs); err != nil {
			t.Fatal(err)
		}
		ca := attrs(t, cs.Signed)
		var md []byte
		asn1.Unmarshal(attrVal(t, ca, OIDAttrMessageDigest), &md)
		if !bytes.Equal(md, sh.Sum(nil)) || attrVal(t, ca, OIDAttrContentType) != nil {
			t.Errorf("countersignature attributes wrong")
		}
		if err := checkSig(t, cs, seal.Cert, crypto.SHA256, nil); err != nil {
			t.Errorf("countersignature: %v", err)
		}
	})
	t.Run("ok/revocation-values", func(t *testing.T) {
		basic := p.Intermediate.BasicOCSPResponse(l.Cert)
		crl := p.Root.CRL()
		sd := parseSignedData(t, SignCMS(content, l, CMSOptions{
			RevocationValues: &RevocationValues{CRLs: [][]byte{crl}, OCSP: [][]byte{basic}},
			CertValues:       l.Chain(), CRLs: [][]byte{crl}, OCSPResponses: [][]byte{p.Intermediate.OCSPResponse(l.Cert)},
		}))
		if sd.Version != 5 || len(sd.CRLs) != 2 {
			t.Errorf("version %d crls %d", sd.Version, len(sd.CRLs))
		}
		un := attrs(t, sd.SignerInfos[0].Unsigned)
		var rv struct {
			CRLs []asn1.RawValue `asn1:"explicit,tag:0,optional"`
			OCSP []asn1.RawValue `asn1:"explicit,tag:1,optional"`
		}
		if _, err := asn1.Unmarshal(attrVal(t, un, OIDAttrRevocationValues), &rv); err != nil ||
			len(rv.CRLs) != 1 || !bytes.Equal(rv.OCSP[0].FullBytes, basic) || !bytes.Equal(rv.CRLs[0].FullBytes, crl) {
			t.Errorf("revocationValues: %v", err)
		}
		var cv []asn1.RawValue
		if _, err := asn1.Unmarshal(attrVal(t, un, OIDAttrCertValues), &cv); err != nil || len(cv) != 3 {
			t.Errorf("certValues: %v %d", err, len(cv))
		}
	})
	t.Run("fail/ess-other-cert", func(t *testing.T) {
		other := p.Issue(LeafOptions{})
		si := parseSignedData(t, SignCMS(content, l, CMSOptions{SigningCertFor: other.Cert, SigningCert: ESSv1})).SignerInfos[0]
		var ess struct{ Certs []struct{ Hash []byte } }
		asn1.Unmarshal(attrVal(t, attrs(t, si.Signed), OIDAttrSigningCert), &ess)
		if h := sha1.Sum(other.DER); len(ess.Certs) != 1 || !bytes.Equal(ess.Certs[0].Hash, h[:]) {
			t.Errorf("ESS v1 does not name the other certificate")
		}
	})
	t.Run("fail/content-type-attr", func(t *testing.T) {
		si := parseSignedData(t, SignCMS(content, l, CMSOptions{WrongContentType: true})).SignerInfos[0]
		var ct asn1.ObjectIdentifier
		asn1.Unmarshal(attrVal(t, attrs(t, si.Signed), OIDAttrContentType), &ct)
		if !ct.Equal(OIDSignedData) {
			t.Errorf("content-type attribute %v", ct)
		}
	})
	t.Run("ok/ber-has-indefinite-lengths", func(t *testing.T) {
		b := SignCMS(content, l, CMSOptions{BER: true})
		if b[1] != 0x80 || !bytes.Contains(b, []byte{0x24, 0x80, 0x04, byte(len(content))}) {
			t.Errorf("not BER: % x", b[:8])
		}
		// openssl re-encodes BER to DER: the same signature must come out.
		if _, err := exec.LookPath("openssl"); err == nil {
			dir := t.TempDir()
			out, err := openssl(t, "asn1parse", "-inform", "DER", "-in", writeTemp(t, dir, "b", b))
			if err != nil || !strings.Contains(out, "l=inf") {
				t.Errorf("asn1parse: %v\n%s", err, out)
			}
		}
	})
}
