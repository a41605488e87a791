package xmldsig

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const detachedTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="S1">
  <ds:SignedInfo>
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2006/12/xml-c14n11"/>
    <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"/>
    <ds:Reference URI="letter.txt">
      <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>
    </ds:Reference>
    <ds:Reference URI="data.xml">
      <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></ds:Transforms>
      <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/><ds:DigestValue/>
    </ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue/>
  <ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
</ds:Signature>
`

// TestDetachedReferences: references to other files (as in ASiC
// containers) go to the Resolver, with and without a C14N transform;
// signed by xmlsec1.
func TestDetachedReferences(t *testing.T) {
	bin, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Skip("xmlsec1 not installed (apt-get install -y xmlsec1)")
	}
	dir := t.TempDir()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	keyPath, certPath, cert := writeKey(t, dir, key)
	files := map[string][]byte{
		"letter.txt": []byte("Labdien!\r\nLūdzu ...\n"),
		"data.xml":   []byte("<?xml version=\"1.0\"?>\n<a   b='1' xmlns='urn:x'><c/></a>"),
	}
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "sig.tmpl"), []byte(detachedTemplate), 0o600)
	cmd := exec.Command(bin, "--sign", "--privkey-pem", keyPath+","+certPath, "--output", "sig.xml", "sig.tmpl")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xmlsec1: %v\n%s", err, b)
	}
	signed, _ := os.ReadFile(filepath.Join(dir, "sig.xml"))
	resolve := func(m map[string][]byte) Resolver {
		return ResolverFunc(func(uri string) ([]byte, error) {
			if b, ok := m[uri]; ok {
				return b, nil
			}
			return nil, os.ErrNotExist
		})
	}
	verify := func(o Options) (*Result, error) {
		doc, err := Parse(signed, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		o.Keys = []crypto.PublicKey{cert.PublicKey}
		return Verify(doc, doc.Root(), o)
	}
	t.Run("ok", func(t *testing.T) {
		res, err := verify(Options{Resolver: resolve(files)})
		if err != nil {
			t.Fatal(err)
		}
		if string(res.References[0].Data) != string(files["letter.txt"]) || res.References[0].Element != nil {
			t.Fatalf("reference 0 covered %q", res.References[0].Data)
		}
		if string(res.References[1].Data) != `<a xmlns="urn:x" b="1"><c></c></a>` {
			t.Fatalf("reference 1 covered %q", res.References[1].Data)
		}
	})
	t.Run("fail/changed-file", func(t *testing.T) {
		_, err := verify(Options{Resolver: resolve(map[string][]byte{"letter.txt": []byte("Labdien!\n"), "data.xml": files["data.xml"]})})
		if !errors.Is(err, ErrDigest) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/missing-file", func(t *testing.T) {
		_, err := verify(Options{Resolver: resolve(map[string][]byte{"data.xml": files["data.xml"]})})
		if !errors.Is(err, ErrResolver) || !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/no-resolver", func(t *testing.T) {
		_, err := verify(Options{})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/too-many-references", func(t *testing.T) {
		_, err := verify(Options{Resolver: resolve(files), MaxReferences: 1})
		if !errors.Is(err, ErrTooManyRefs) {
			t.Fatalf("err = %v", err)
		}
	})
}
