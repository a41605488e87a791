package trust

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// quickCA makes a throwaway self-signed ECDSA CA certificate (DER).
func quickCA(tb testing.TB, n int) []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(n + 1)), Subject: pkix.Name{CommonName: fmt.Sprintf("Bench CA %d", n), Country: []string{"LV"}},
		NotBefore: longAgo, NotAfter: sigtest.Now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// BenchmarkLoadLargeList parses and verifies a signed national list of
// about 5 MB (2,000 services with certificates and a status history each).
func BenchmarkLoadLargeList(b *testing.B) {
	p := sigtest.New(b)
	op := p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "Bench Operator"})
	// Every service has its own certificate, as in real lists.
	cas := make([][]byte, 2200)
	for i := range cas {
		cas[i] = quickCA(b, i)
	}
	g := genList{territory: "LV", seq: 1, issue: sigtest.Now.AddDate(0, -1, 0), nextUpdate: sigtest.Now.AddDate(0, 5, 0)}
	for i := 0; len(g.xml()) < 5<<20 && i < 100000; i += 100 {
		for j := 0; j < 100; j++ {
			g.services = append(g.services, genService{name: fmt.Sprintf("Service %d", i+j), certDER: cas[(i+j)%len(cas)], versions: []genVersion{
				{typ: SvcTypeCAQC, status: "granted", start: longAgo.AddDate(1, 0, 0), qualifiers: []string{QCWithQSCD}, asi: []string{ForeSignatures}},
				{typ: SvcTypeCAQC, status: "undersupervision", start: longAgo}}})
		}
	}
	data := signList(b, g.xml(), op.Key, op.DER)
	path := writeTemp(b, "big.xml", data)
	signer := []*pki.Certificate{toPKI(b, op.DER)}
	b.SetBytes(int64(len(data)))
	b.ReportMetric(float64(len(data))/(1<<20), "MB")
	for b.Loop() {
		ls, err := Load(context.Background(), LoadOptions{Files: []string{path}, Signers: signer, At: sigtest.Now})
		if err != nil || ls.Summaries()[0].Status != StatusOK {
			b.Fatalf("%v %+v", err, ls.Summaries()[0])
		}
	}
}

// BenchmarkQualify40Lists looks a qualified certificate up in 40 loaded
// lists of 30 CA/QC services each.
func BenchmarkQualify40Lists(b *testing.B) {
	p := sigtest.New(b)
	op := p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "Bench Operator"})
	var files []string
	for l := 0; l < 40; l++ {
		g := genList{territory: fmt.Sprintf("T%d", l), seq: 1, issue: sigtest.Now.AddDate(0, -1, 0), nextUpdate: sigtest.Now.AddDate(0, 5, 0)}
		for s := 0; s < 30; s++ {
			der := quickCA(b, l*30+s)
			if l == 39 && s == 29 {
				der = p.Intermediate.DER
			}
			g.services = append(g.services, genService{name: fmt.Sprintf("CA %d/%d", l, s), certDER: der, versions: []genVersion{
				{typ: SvcTypeCAQC, status: "granted", start: longAgo.AddDate(1, 0, 0), qualifiers: []string{QCWithQSCD}, asi: []string{ForeSignatures}},
				{typ: SvcTypeCAQC, status: "undersupervision", start: longAgo}}})
		}
		files = append(files, writeTemp(b, fmt.Sprintf("l%d.xml", l), signList(b, g.xml(), op.Key, op.DER)))
	}
	ls, err := Load(context.Background(), LoadOptions{Files: files, Signers: []*pki.Certificate{toPKI(b, op.DER)}, At: sigtest.Now})
	if err != nil {
		b.Fatal(err)
	}
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	path := pathOf(b, leaf)
	at := sigtest.Now.Add(-time.Hour)
	if r := ls.Qualify(path, at); r.Qualification != signature.QESig {
		b.Fatalf("%s %q", r.Qualification, r.Reasons)
	}
	for b.Loop() {
		ls.Qualify(path, at)
	}
}

// BenchmarkVerifyRealLVList parses and verifies the real Latvian list
// (211 kB) with its signer.
func BenchmarkVerifyRealLVList(b *testing.B) {
	file := tl(b, "LV-TL-seq41-2023-09-12.xml")
	data, _ := os.ReadFile(file)
	// The signer of seq41 is the one LOTL 332's LV pointer names.
	oj := pemCerts(b, "trust/certs/lotl-signers-oj-2019-C276/*.cer")
	full, _ := Load(context.Background(), LoadOptions{
		LOTLFiles: []string{tl(b, "EU-LOTL-pivot-282.xml"), tl(b, "EU-LOTL-pivot-300.xml"), tl(b, "EU-LOTL-seq332-2023-09-27.xml")},
		Signers:   oj, At: at2023,
	})
	lvSigners := full.lotl.list.pointerSigners("LV")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ls, _ := Load(context.Background(), LoadOptions{Files: []string{file}, Signers: lvSigners, At: at2023})
		if ls.Summaries()[0].Status != StatusOK {
			b.Fatal(ls.Summaries()[0])
		}
	}
}
