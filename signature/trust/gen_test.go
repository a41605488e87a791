package trust

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// Test trusted lists written and signed by this test code (TS 119 612
// structure, enveloped XML-DSig with exclusive C14N and RSA-SHA256).

type genVersion struct {
	typ, status string
	start       time.Time
	qualifiers  []string // short names, applied with a nonRepudiation criterion
	asi         []string // short names
}

type genService struct {
	name     string
	certDER  []byte
	versions []genVersion // current first
}

type genList struct {
	territory  string
	seq        int
	issue      time.Time
	nextUpdate time.Time
	lotl       bool
	pointers   []genPointer
	services   []genService
}

type genPointer struct {
	territory string
	signerDER []byte
	lotl      bool
	location  string
}

func b64s(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func (g genList) xml() string {
	var b strings.Builder
	typ := TSLTypeGeneric
	if g.lotl {
		typ = TSLTypeLOTL
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ecc="http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#" Id="tsl" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <tsl:SchemeInformation>
    <tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>
    <tsl:TSLSequenceNumber>%d</tsl:TSLSequenceNumber>
    <tsl:TSLType>%s</tsl:TSLType>
    <tsl:SchemeOperatorName><tsl:Name xml:lang="en">Test operator &amp; co</tsl:Name></tsl:SchemeOperatorName>
    <tsl:SchemeTerritory>%s</tsl:SchemeTerritory>
    <tsl:ListIssueDateTime>%s</tsl:ListIssueDateTime>
    <tsl:NextUpdate><tsl:dateTime>%s</tsl:dateTime></tsl:NextUpdate>
`, g.seq, typ, g.territory, g.issue.Format(time.RFC3339), g.nextUpdate.Format(time.RFC3339))
	if len(g.pointers) > 0 {
		b.WriteString("    <tsl:PointersToOtherTSL>\n")
		for _, p := range g.pointers {
			pt := TSLTypeGeneric
			loc := p.location
			if loc == "" {
				loc = "https://tl.invalid/" + p.territory + ".xml"
			}
			if p.lotl {
				pt = TSLTypeLOTL
			}
			fmt.Fprintf(&b, `      <tsl:OtherTSLPointer><tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>%s</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities>
        <tsl:TSLLocation>%s</tsl:TSLLocation>
        <tsl:AdditionalInformation><tsl:OtherInformation><tsl:TSLType>%s</tsl:TSLType></tsl:OtherInformation><tsl:OtherInformation><tsl:SchemeTerritory>%s</tsl:SchemeTerritory></tsl:OtherInformation></tsl:AdditionalInformation>
      </tsl:OtherTSLPointer>
`, b64s(p.signerDER), loc, pt, p.territory)
		}
		b.WriteString("    </tsl:PointersToOtherTSL>\n")
	}
	b.WriteString("  </tsl:SchemeInformation>\n")
	if len(g.services) > 0 {
		b.WriteString(`  <tsl:TrustServiceProviderList><tsl:TrustServiceProvider><tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">Test TSP</tsl:Name></tsl:TSPName></tsl:TSPInformation><tsl:TSPServices>` + "\n")
		for _, s := range g.services {
			b.WriteString("    <tsl:TSPService>\n")
			for i, v := range s.versions {
				tag := "ServiceInformation"
				if i == 1 {
					b.WriteString("    <tsl:ServiceHistory>\n")
				}
				if i > 0 {
					tag = "ServiceHistoryInstance"
				}
				id := fmt.Sprintf("<tsl:X509Certificate>%s</tsl:X509Certificate>", b64s(s.certDER))
				if i > 0 { // history instances name the key by SKI, as real lists do
					c, _ := pki.ParseCertificate(s.certDER)
					id = fmt.Sprintf("<tsl:X509SKI>%s</tsl:X509SKI>", b64s(skiOf(c)))
				}
				fmt.Fprintf(&b, `      <tsl:%s><tsl:ServiceTypeIdentifier>%s</tsl:ServiceTypeIdentifier><tsl:ServiceName><tsl:Name xml:lang="en">%s</tsl:Name></tsl:ServiceName>
        <tsl:ServiceDigitalIdentity><tsl:DigitalId>%s</tsl:DigitalId></tsl:ServiceDigitalIdentity>
        <tsl:ServiceStatus>%s%s</tsl:ServiceStatus><tsl:StatusStartingTime>%s</tsl:StatusStartingTime>
        <tsl:ServiceInformationExtensions>`, tag, v.typ, s.name, id, statusPrefix, v.status, v.start.Format(time.RFC3339))
				if len(v.qualifiers) > 0 {
					b.WriteString(`<tsl:Extension Critical="true"><ecc:Qualifications><ecc:QualificationElement><ecc:Qualifiers>`)
					for _, q := range v.qualifiers {
						fmt.Fprintf(&b, `<ecc:Qualifier uri="%s%s"/>`, sieURI, q)
					}
					b.WriteString(`</ecc:Qualifiers><ecc:CriteriaList assert="atLeastOne"><ecc:KeyUsage><ecc:KeyUsageBit name="nonRepudiation">true</ecc:KeyUsageBit></ecc:KeyUsage></ecc:CriteriaList></ecc:QualificationElement></ecc:Qualifications></tsl:Extension>`)
				}
				for _, a := range v.asi {
					fmt.Fprintf(&b, `<tsl:Extension Critical="false"><tsl:AdditionalServiceInformation><tsl:URI xml:lang="en">%s%s</tsl:URI></tsl:AdditionalServiceInformation></tsl:Extension>`, asiURI, a)
				}
				fmt.Fprintf(&b, "</tsl:ServiceInformationExtensions></tsl:%s>\n", tag)
			}
			if len(s.versions) > 1 {
				b.WriteString("    </tsl:ServiceHistory>\n")
			}
			b.WriteString("    </tsl:TSPService>\n")
		}
		b.WriteString("  </tsl:TSPServices></tsl:TrustServiceProvider></tsl:TrustServiceProviderList>\n")
	}
	b.WriteString("</tsl:TrustServiceStatusList>\n")
	return b.String()
}

// signList adds an enveloped signature (URI="", enveloped-signature and
// exclusive C14N) made with key, whose certificate is certDER.
func signList(t testing.TB, xml string, key crypto.Signer, certDER []byte) []byte {
	doc, err := xmldsig.Parse([]byte(xml), xmldsig.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	body, err := xmldsig.Canonicalize(root, xmldsig.ExcC14N, "")
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(body)
	sig := root.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", xmldsig.Namespace)
	sig.CreateAttr("Id", "sig")
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", xmldsig.ExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "")
	tr := ref.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", xmldsig.EnvelopedSignature)
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", xmldsig.ExcC14N)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
	ref.CreateElement("ds:DigestValue").SetText(b64s(digest[:]))
	signed, err := xmldsig.Canonicalize(si, xmldsig.ExcC14N, "")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(signed)
	value, err := key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	sig.CreateElement("ds:SignatureValue").SetText(b64s(value))
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(b64s(certDER))
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeTemp(t testing.TB, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func toPKI(t testing.TB, der []byte) *pki.Certificate {
	c, err := pki.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pathOf(t testing.TB, l *sigtest.Leaf) pki.Path {
	var p pki.Path
	for _, c := range l.Chain() {
		p = append(p, toPKI(t, c.Raw))
	}
	return p
}

var _ = sigtest.Now
