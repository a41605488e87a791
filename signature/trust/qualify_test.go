package trust

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

type fixture struct {
	p        *sigtest.PKI
	operator *sigtest.Leaf // signs the national test list
	lotlKey  *sigtest.Leaf // signs the test LOTL
	signing  time.Time     // best signature time of the scenarios
}

func newFixture(t *testing.T) *fixture {
	p := sigtest.New(t)
	return &fixture{
		p:        p,
		operator: p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "Test Scheme Operator"}),
		lotlKey:  p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "Test LOTL Operator"}),
		signing:  sigtest.Now.Add(-24 * time.Hour),
	}
}

func (f *fixture) caService(versions ...genVersion) genService {
	return genService{name: "Sigtest Qualified CA", certDER: f.p.Intermediate.DER, versions: versions}
}

func (f *fixture) tsaService(versions ...genVersion) genService {
	return genService{name: "Sigtest TSA", certDER: f.p.TSA.DER, versions: versions}
}

func (f *fixture) national(services ...genService) genList {
	return genList{territory: "LV", seq: 7, issue: sigtest.Now.AddDate(0, -1, 0), nextUpdate: sigtest.Now.AddDate(0, 5, 0), services: services}
}

// load signs the national list (with the operator key unless signer is
// set), puts it behind a test LOTL whose LV pointer names the operator, and
// loads both at sigtest.Now.
func (f *fixture) load(t *testing.T, g genList, mutate func([]byte) []byte) *Lists {
	t.Helper()
	nat := signList(t, g.xml(), f.operator.Key, f.operator.DER)
	if mutate != nil {
		nat = mutate(nat)
	}
	lotl := genList{territory: "EU", lotl: true, seq: 100, issue: sigtest.Now.AddDate(0, -1, 0), nextUpdate: sigtest.Now.AddDate(0, 5, 0),
		pointers: []genPointer{{territory: "EU", signerDER: f.lotlKey.DER, lotl: true}, {territory: "LV", signerDER: f.operator.DER}}}
	ls, err := Load(context.Background(), LoadOptions{
		LOTLFiles: []string{writeTemp(t, "lotl.xml", signList(t, lotl.xml(), f.lotlKey.Key, f.lotlKey.DER))},
		Files:     []string{writeTemp(t, "lv.xml", nat)},
		Signers:   []*pki.Certificate{toPKI(t, f.lotlKey.DER)},
		At:        sigtest.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := ls.Summaries()[0]; !s.LOTL || s.Status != StatusOK {
		t.Fatalf("test LOTL: %+v", s)
	}
	return ls
}

var longAgo = sigtest.Now.AddDate(-5, 0, 0)

func granted(q ...string) genVersion {
	return genVersion{typ: SvcTypeCAQC, status: "granted", start: longAgo, qualifiers: q}
}

func TestQualifyGeneratedLists(t *testing.T) {
	f := newFixture(t)
	qes := f.p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	noQSCD := f.p.Issue(sigtest.LeafOptions{QC: &sigtest.QCOptions{Compliance: true, Type: sigtest.QcTypeESign}})
	plain := f.p.Issue(sigtest.LeafOptions{})
	seal := f.p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "SIA Paraugs", QC: sigtest.Qualified()})
	sealNoType := f.p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "SIA Bez Tipa", QC: &sigtest.QCOptions{Compliance: true, SSCD: true, Type: sigtest.QcTypeNone}})
	web := f.p.Issue(sigtest.LeafOptions{QC: &sigtest.QCOptions{Compliance: true, SSCD: true, Type: sigtest.QcTypeWeb}})
	tsaPath := pki.Path{toPKI(t, f.p.TSA.DER)}

	cases := []struct {
		name     string
		leaf     *sigtest.Leaf
		services []genService
		mutate   func([]byte) []byte
		want     signature.Qualification
		tsa      bool
		reason   string // a word the reasons must contain
		warning  bool
	}{
		{name: "ok/granted", leaf: qes, services: []genService{f.caService(granted()), f.tsaService(genVersion{typ: SvcTypeQTST, status: "granted", start: longAgo})},
			want: signature.QESig, tsa: true, reason: "granted"},
		{name: "ok/withdrawn-after-signing", leaf: qes, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "withdrawn", start: f.signing.Add(time.Hour)}, granted())},
			want: signature.QESig},
		{name: "fail/withdrawn-before-signing", leaf: qes, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "withdrawn", start: f.signing.Add(-time.Hour)}, granted())},
			want: signature.AdESig, reason: "withdrawn"},
		{name: "fail/granted-after-issuance", leaf: qes, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "granted", start: f.signing.Add(-time.Hour)})},
			want: signature.AdESig, reason: "issued"},
		{name: "fail/no-qscd-in-cert", leaf: noQSCD, services: []genService{f.caService(granted())},
			want: signature.AdESigQC, reason: "not in a qualified signature creation device"},
		{name: "fail/no-qscd-by-list", leaf: qes, services: []genService{f.caService(granted(QCNoQSCD))},
			want: signature.AdESigQC, reason: "QCNoQSCD"},
		{name: "ok/qscd-by-list", leaf: noQSCD, services: []genService{f.caService(granted(QCWithQSCD))},
			want: signature.QESig, reason: "QCWithQSCD"},
		{name: "ok/qcstatements-overruled-qualified", leaf: plain, services: []genService{f.caService(granted(QCStatement, QCWithQSCD))},
			want: signature.QESig, reason: "QCStatement", warning: true},
		{name: "fail/qcstatements-overruled-not-qualified", leaf: qes, services: []genService{f.caService(granted(NotQualified))},
			want: signature.AdESig, reason: "NotQualified"},
		{name: "ok/legal-person", leaf: seal, services: []genService{f.caService(granted())},
			want: signature.QESeal, reason: "eseal"},
		{name: "ok/legal-person-by-list", leaf: sealNoType, services: []genService{f.caService(granted(QCForLegalPerson))},
			want: signature.QESeal, reason: "QCForLegalPerson"},
		{name: "ok/eseal-by-list", leaf: sealNoType, services: []genService{f.caService(granted(QCForESeal))},
			want: signature.QESeal, reason: "QCForESeal"},
		{name: "ok/no-qctype-seals-only-service", leaf: sealNoType, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "granted", start: longAgo, asi: []string{ForeSeals}})},
			want: signature.QESeal, reason: "ForeSeals"},
		{name: "ok/no-qctype-assumed-signature", leaf: sealNoType, services: []genService{f.caService(granted())},
			want: signature.QESig, reason: "no QcType", warning: true},
		{name: "fail/seal-from-signatures-only-service", leaf: seal, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "granted", start: longAgo, asi: []string{ForeSignatures}})},
			want: signature.AdESeal, reason: "not granted for electronic seals"},
		{name: "ok/signature-from-signatures-service", leaf: qes, services: []genService{f.caService(
			genVersion{typ: SvcTypeCAQC, status: "granted", start: longAgo, asi: []string{ForeSignatures}})},
			want: signature.QESig},
		{name: "fail/web-certificate", leaf: web, services: []genService{f.caService(granted())},
			want: signature.QualNA, reason: "website"},
		{name: "fail/ca-pkc", leaf: qes, services: []genService{f.caService(genVersion{typ: SvcTypeCAPKC, status: "granted", start: longAgo})},
			want: signature.AdESig, reason: "not CA/QC"},
		{name: "fail/tsa-not-qualified", leaf: qes, services: []genService{f.caService(granted()), f.tsaService(
			genVersion{typ: SvcTypeQTST, status: "withdrawn", start: f.signing.Add(-time.Hour)},
			genVersion{typ: SvcTypeQTST, status: "granted", start: longAgo})},
			want: signature.QESig, tsa: false},
		{name: "fail/not-in-list", leaf: qes, services: []genService{f.tsaService(genVersion{typ: SvcTypeQTST, status: "granted", start: longAgo})},
			want: signature.QualNA, tsa: true, reason: "not a service"},
		{name: "fail/bad-list-signature", leaf: qes, services: []genService{f.caService(granted())},
			mutate: func(b []byte) []byte { return []byte(strings.Replace(string(b), "Test TSP", "Evil TSP", 1)) },
			want:   signature.IndetQESig, reason: "signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ls := f.load(t, f.national(c.services...), c.mutate)
			r := ls.Qualify(pathOf(t, c.leaf), f.signing)
			if r.Qualification != c.want {
				t.Fatalf("qualification %s, want %s; reasons %q", r.Qualification, c.want, r.Reasons)
			}
			if c.reason != "" && !strings.Contains(strings.Join(r.Reasons, "; "), c.reason) {
				t.Errorf("reasons %q lack %q", r.Reasons, c.reason)
			}
			if (len(r.Warnings) > 0) != c.warning {
				t.Errorf("warnings %q", r.Warnings)
			}
			if got := ls.QualifiedTSA(tsaPath, f.signing); got != c.tsa {
				t.Errorf("QualifiedTSA = %v, want %v", got, c.tsa)
			}
		})
	}
}

func TestListStatusGenerated(t *testing.T) {
	f := newFixture(t)
	qes := f.p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	t.Run("fail/expired-list", func(t *testing.T) {
		g := f.national(f.caService(granted()))
		g.nextUpdate = sigtest.Now.Add(-time.Hour)
		ls := f.load(t, g, nil)
		s := ls.Summaries()[1]
		if s.Status != StatusExpired || s.SignatureStatus != "valid" || !errors.Is(ls.lists[1].err, ErrExpired) {
			t.Fatalf("%+v", s)
		}
		r := ls.Qualify(pathOf(t, qes), f.signing)
		if r.Qualification != signature.IndetQESig || !strings.Contains(r.Reasons[0], "expired") {
			t.Fatalf("%s %q", r.Qualification, r.Reasons)
		}
		if len(ls.Anchors()) != 0 {
			t.Fatal("anchors from an expired list")
		}
	})
	t.Run("fail/signer-not-named-by-lotl", func(t *testing.T) {
		other := f.p.Issue(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "Impostor"})
		g := f.national(f.caService(granted()))
		nat := signList(t, g.xml(), other.Key, other.DER)
		ls := f.load(t, g, func([]byte) []byte { return nat })
		if s := ls.Summaries()[1]; s.Status != StatusBadSig {
			t.Fatalf("%+v", s)
		}
	})
	t.Run("ok/anchors-and-summary", func(t *testing.T) {
		ls := f.load(t, f.national(f.caService(granted()), f.tsaService(genVersion{typ: SvcTypeQTST, status: "granted", start: longAgo})), nil)
		s := ls.Summaries()[1]
		if s.Territory != "LV" || s.SequenceNumber != 7 || s.Services != 2 || s.ServiceCounts[SvcTypeCAQC] != 1 || !strings.Contains(s.Signer, "Test Scheme Operator") {
			t.Fatalf("%+v", s)
		}
		if n := len(ls.Anchors()); n != 2 {
			t.Fatalf("anchors: %d", n)
		}
		steps := ls.Explain(toPKI(t, qes.DER), pathOf(t, qes)[1:], f.signing)
		if !strings.Contains(steps[len(steps)-1], "QESig") {
			t.Fatalf("%q", steps)
		}
	})
}
