package xmldsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const xmlsecTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<root xmlns="urn:a" xmlns:x="urn:x" xml:lang="lv">
  <!-- a comment -->
  <x:data Id="d1" b="2" a="v &amp; w">text &lt; more</x:data>
  <other Id="o1">other</other>
  <wrap xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <ds:Signature Id="s1">
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="C14N"/>
      <ds:SignatureMethod Algorithm="SIGM"/>
      <ds:Reference URI="">
        <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="C14N"/></ds:Transforms>
        <ds:DigestMethod Algorithm="DIGM"/><ds:DigestValue/>
      </ds:Reference>
      <ds:Reference URI="#d1">
        <ds:DigestMethod Algorithm="DIGM"/><ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
    <ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
  </ds:Signature>
  </wrap>
</root>
`

func writeKey(t *testing.T, dir string, key crypto.Signer) (keyPath, certPath string, cert *x509.Certificate) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "xmlsec test"},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, certPath = filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), 0o600)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return keyPath, certPath, cert
}

// TestXMLSec1 verifies signatures made by an independent implementation
// (xmlsec1) with every canonicalisation method, RSA and ECDSA, an
// enveloped signature nested in an element whose namespaces come from its
// ancestors, and a same-document "#id" reference.
func TestXMLSec1(t *testing.T) {
	bin, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Skip("xmlsec1 not installed (apt-get install -y xmlsec1)")
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keys := []struct {
		name string
		key  crypto.Signer
		sigm string
	}{
		{"rsa", rsaKey, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"},
		{"ecdsa", ecKey, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"},
	}
	c14ns := []string{C14N10, C14N10WithComments, C14N11, C14N11WithComments, ExcC14N, ExcC14NWithComments}
	for _, k := range keys {
		dir := t.TempDir()
		keyPath, certPath, cert := writeKey(t, dir, k.key)
		for _, c := range c14ns {
			for _, dig := range []string{"http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#sha384"} {
				name := k.name + "/" + c[strings.LastIndex(c, "/")+1:] + "/" + dig[strings.LastIndex(dig, "#")+1:]
				tmpl := strings.NewReplacer("C14N", c, "SIGM", k.sigm, "DIGM", dig).Replace(xmlsecTemplate)
				in, out := filepath.Join(dir, "in.xml"), filepath.Join(dir, "out.xml")
				os.WriteFile(in, []byte(tmpl), 0o600)
				cmd := exec.Command(bin, "--sign", "--privkey-pem", keyPath+","+certPath, "--id-attr:Id", "urn:x:data", "--output", out, in)
				if b, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: xmlsec1: %v\n%s", name, err, b)
				}
				signed, _ := os.ReadFile(out)
				t.Run("ok/"+name, func(t *testing.T) {
					doc, err := Parse(signed, Limits{})
					if err != nil {
						t.Fatal(err)
					}
					sig := doc.FindElement("//Signature")
					res, err := Verify(doc, sig, Options{Keys: []crypto.PublicKey{cert.PublicKey}})
					if err != nil {
						t.Fatalf("verify: %v", err)
					}
					if !res.Covers(doc.Root()) || !res.Covers(doc.FindElement("//data")) || res.Covers(doc.FindElement("//other")) {
						t.Fatal("coverage wrong")
					}
					if len(res.KeyInfo) != 1 {
						t.Fatalf("KeyInfo certificates: %d", len(res.KeyInfo))
					}
				})
				t.Run("fail/"+name+"/content-changed", func(t *testing.T) {
					doc, _ := Parse([]byte(strings.Replace(string(signed), "<other Id=\"o1\">other<", "<other Id=\"o1\">changed<", 1)), Limits{})
					_, err := Verify(doc, doc.FindElement("//Signature"), Options{Keys: []crypto.PublicKey{cert.PublicKey}})
					if !errors.Is(err, ErrDigest) {
						t.Fatalf("err = %v", err)
					}
				})
				t.Run("fail/"+name+"/wrong-key", func(t *testing.T) {
					doc, _ := Parse(signed, Limits{})
					other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
					_, err := Verify(doc, doc.FindElement("//Signature"), Options{Keys: []crypto.PublicKey{other.Public()}})
					if !errors.Is(err, ErrSignatureBad) && !errors.Is(err, ErrUnsupported) {
						t.Fatalf("err = %v", err)
					}
				})
				t.Run("fail/"+name+"/duplicate-id", func(t *testing.T) {
					// The wrapping attack: a second element with Id="d1"
					// placed first, so a naive lookup would return it.
					wrapped := strings.Replace(string(signed), "<x:data Id=\"d1\"", "<x:data Id=\"d1\">evil</x:data><x:data Id=\"d1\"", 1)
					doc, _ := Parse([]byte(wrapped), Limits{})
					_, err := Verify(doc, doc.FindElement("//Signature"), Options{Keys: []crypto.PublicKey{cert.PublicKey}})
					if !errors.Is(err, ErrDuplicateID) {
						t.Fatalf("err = %v", err)
					}
				})
			}
		}
	}
}
