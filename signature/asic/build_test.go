package asic

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// A test builder of XAdES signatures in ASiC-E containers, written from
// EN 319 132-1 and EN 319 162-1 with string templates. It canonicalises
// with xmldsig.Canonicalize (goxmldsig's canonicalisers); the corpus tests
// check the verifier against files made by other producers.

type dataFile struct {
	Name, MediaType string
	Data            []byte
}

type buildOpts struct {
	Level string // "B" (default), "T", "LT", "LTA"
	// SigningTime defaults to the PKI clock.
	SigningTime time.Time
	// Defects.
	WrongCertDigest   bool   // SigningCertificateV2 digest of another certificate
	WrongSerial       bool   // IssuerSerial with another serial
	AlterSigningTime  bool   // SigningTime changed after signing
	NoSignedPropsType bool   // SignedProperties reference without Type
	IDWrap            bool   // a second element with the SignedProperties Id
	DOFMediaType      string // DataObjectFormat MimeType override
	TSDigestOf        []byte // the signature timestamp covers these bytes instead
}

const (
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES = "http://uri.etsi.org/01903/v1.3.2#"
	excC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
	sha256U = "http://www.w3.org/2001/04/xmlenc#sha256"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// signXAdES returns META-INF/signatures0.xml content signing files by l.
func signXAdES(t testing.TB, p *sigtest.PKI, l *sigtest.Leaf, files []dataFile, o buildOpts) []byte {
	t.Helper()
	st := o.SigningTime
	if st.IsZero() {
		st = p.Clock()
	}
	var refs, dofs strings.Builder
	for i, f := range files {
		uri := (&url.URL{Path: f.Name}).EscapedPath()
		fmt.Fprintf(&refs, `<ds:Reference Id="r%d" URI="%s"><ds:DigestMethod Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></ds:Reference>`, i, uri, sha256U, b64(sum(f.Data)))
		mt := f.MediaType
		if o.DOFMediaType != "" {
			mt = o.DOFMediaType
		}
		fmt.Fprintf(&dofs, `<xades:DataObjectFormat ObjectReference="#r%d"><xades:MimeType>%s</xades:MimeType></xades:DataObjectFormat>`, i, mt)
	}
	certDigest := sum(l.DER)
	if o.WrongCertDigest {
		certDigest = sum(l.Issuer.DER)
	}
	serial := l.Cert.SerialNumber.String()
	if o.WrongSerial {
		serial = "12345"
	}
	spType := ` Type="http://uri.etsi.org/01903#SignedProperties"`
	if o.NoSignedPropsType {
		spType = ""
	}
	wrap := ""
	if o.IDWrap {
		wrap = `<ds:Object><xades:SignedProperties Id="S1-SP"><xades:SignedSignatureProperties><xades:SigningTime>2001-01-01T00:00:00Z</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></ds:Object>`
	}
	sigAlg := "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	if _, ok := l.Key.Public().(interface{ Size() int }); !ok {
		sigAlg = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	}
	doc := `<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="` + nsDS + `" xmlns:xades="` + nsXAdES + `">` +
		`<ds:Signature Id="S1"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="` + excC14N + `"/><ds:SignatureMethod Algorithm="` + sigAlg + `"/>` +
		refs.String() +
		`<ds:Reference Id="r-sp"` + spType + ` URI="#S1-SP"><ds:Transforms><ds:Transform Algorithm="` + excC14N + `"/></ds:Transforms><ds:DigestMethod Algorithm="` + sha256U + `"/><ds:DigestValue>SPDIGEST</ds:DigestValue></ds:Reference>` +
		`</ds:SignedInfo><ds:SignatureValue Id="S1-SV">SIGVALUE</ds:SignatureValue>` +
		`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + b64(l.DER) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
		`<ds:Object><xades:QualifyingProperties Target="#S1"><xades:SignedProperties Id="S1-SP"><xades:SignedSignatureProperties>` +
		`<xades:SigningTime>` + st.UTC().Format(time.RFC3339) + `</xades:SigningTime>` +
		`<xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="` + sha256U + `"/><ds:DigestValue>` + b64(certDigest) + `</ds:DigestValue></xades:CertDigest>` +
		`<xades:IssuerSerial><ds:X509IssuerName>` + l.Issuer.Cert.Subject.String() + `</ds:X509IssuerName><ds:X509SerialNumber>` + serial + `</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>` +
		`</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` + dofs.String() + `</xades:SignedDataObjectProperties></xades:SignedProperties>UNSIGNED</xades:QualifyingProperties></ds:Object>` + wrap +
		`</ds:Signature></asic:XAdESSignatures>`

	// 1. SignedProperties digest.
	d := parse(t, strings.Replace(doc, "UNSIGNED", "", 1))
	sp := d.FindElement("//SignedProperties[@Id='S1-SP']")
	c, err := xmldsig.Canonicalize(sp, excC14N, "")
	if err != nil {
		t.Fatal(err)
	}
	doc = strings.Replace(doc, "SPDIGEST", b64(sum(c)), 1)
	// 2. SignatureValue over the canonical SignedInfo.
	d = parse(t, strings.Replace(doc, "UNSIGNED", "", 1))
	si, err := xmldsig.Canonicalize(d.FindElement("//SignedInfo"), excC14N, "")
	if err != nil {
		t.Fatal(err)
	}
	sv := signRaw(t, l, si)
	doc = strings.Replace(doc, "SIGVALUE", b64(sv), 1)
	// 3. Unsigned properties.
	var usp strings.Builder
	if o.Level == "T" || o.Level == "LT" || o.Level == "LTA" {
		d = parse(t, strings.Replace(doc, "UNSIGNED", "", 1))
		svc, err := xmldsig.Canonicalize(d.FindElement("//SignatureValue"), excC14N, "")
		if err != nil {
			t.Fatal(err)
		}
		if o.TSDigestOf != nil {
			svc = o.TSDigestOf
		}
		tok := p.Timestamp(crypto.SHA256, sum(svc))
		fmt.Fprintf(&usp, `<xades:SignatureTimeStamp Id="TS1"><ds:CanonicalizationMethod Algorithm="%s"/><xades:EncapsulatedTimeStamp>%s</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>`, excC14N, b64(tok))
	}
	if o.Level == "LT" || o.Level == "LTA" {
		usp.WriteString(`<xades:CertificateValues>`)
		for _, c := range l.Chain()[1:] {
			fmt.Fprintf(&usp, `<xades:EncapsulatedX509Certificate>%s</xades:EncapsulatedX509Certificate>`, b64(c.Raw))
		}
		usp.WriteString(`</xades:CertificateValues><xades:RevocationValues><xades:OCSPValues>`)
		rv := l.RevocationValues()
		for _, o := range rv.OCSP {
			fmt.Fprintf(&usp, `<xades:EncapsulatedOCSPValue>%s</xades:EncapsulatedOCSPValue>`, b64(o))
		}
		usp.WriteString(`</xades:OCSPValues><xades:CRLValues>`)
		for _, c := range rv.CRLs {
			fmt.Fprintf(&usp, `<xades:EncapsulatedCRLValue>%s</xades:EncapsulatedCRLValue>`, b64(c))
		}
		usp.WriteString(`</xades:CRLValues></xades:RevocationValues>`)
	}
	if usp.Len() > 0 {
		doc = strings.Replace(doc, "UNSIGNED", `<xades:UnsignedProperties><xades:UnsignedSignatureProperties>`+usp.String()+`</xades:UnsignedSignatureProperties></xades:UnsignedProperties>`, 1)
	} else {
		doc = strings.Replace(doc, "UNSIGNED", "", 1)
	}
	if o.AlterSigningTime {
		i := strings.Index(doc, "<xades:SigningTime>") + len("<xades:SigningTime>")
		doc = doc[:i] + st.Add(-48*time.Hour).UTC().Format(time.RFC3339) + doc[i+20:]
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>` + doc)
}

func parse(t testing.TB, s string) *etree.Document {
	t.Helper()
	d, err := xmldsig.Parse([]byte(s), xmldsig.Limits{})
	if err != nil {
		t.Fatalf("builder: %v\n%s", err, s)
	}
	return d
}

func signRaw(t testing.TB, l *sigtest.Leaf, msg []byte) []byte {
	t.Helper()
	h := sha256.Sum256(msg)
	sig, err := l.Key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Key.Public().(interface{ Size() int }); ok {
		return sig
	}
	return derToRS(t, sig, 32)
}

type zipEntry struct {
	Name string
	Data []byte
	// Deflate compresses the entry.
	Deflate bool
}

// makeZip writes the entries in order; a mimetype entry is stored.
func makeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := zip.Store
		if e.Deflate {
			m = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func manifestXML(files []dataFile) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="` + MediaTypeASiCE + `"/>`)
	for _, f := range files {
		fmt.Fprintf(&b, `<manifest:file-entry manifest:full-path="%s" manifest:media-type="%s"/>`, f.Name, f.MediaType)
	}
	b.WriteString(`</manifest:manifest>`)
	return []byte(b.String())
}

// container makes an ASiC-E with files, the manifest and sig.
func container(t testing.TB, files []dataFile, sig []byte) []byte {
	entries := []zipEntry{{Name: "mimetype", Data: []byte(MediaTypeASiCE)}}
	for _, f := range files {
		entries = append(entries, zipEntry{Name: f.Name, Data: f.Data, Deflate: true})
	}
	entries = append(entries, zipEntry{Name: "META-INF/manifest.xml", Data: manifestXML(files), Deflate: true},
		zipEntry{Name: "META-INF/signatures0.xml", Data: sig, Deflate: true})
	return makeZip(t, entries)
}

// derToRS converts an ASN.1 ECDSA signature to XML's r||s.
func derToRS(t testing.TB, der []byte, size int) []byte {
	var v struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 2*size)
	v.R.FillBytes(out[:size])
	v.S.FillBytes(out[size:])
	return out
}
