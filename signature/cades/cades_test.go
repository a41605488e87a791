package cades_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cades"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

type env struct {
	p    *sigtest.PKI
	opts signature.Options
}

func newEnv(t *testing.T) *env {
	p := sigtest.New(t)
	return &env{p: p, opts: signature.Options{
		Time:    sigtest.Now,
		Trust:   p.Trust(),
		Fetcher: newFetcher(),
	}}
}

func (e *env) qualified(o sigtest.LeafOptions) *sigtest.Leaf {
	o.QC = sigtest.Qualified()
	return e.p.Issue(o)
}

var content = []byte("Labdien! Lūdzu pieņemt šo iesniegumu.\r\n")

func TestValidateTable(t *testing.T) {
	e := newEnv(t)
	good := e.qualified(sigtest.LeafOptions{})
	ecLeaf := e.qualified(sigtest.LeafOptions{KeyType: sigtest.ECDSAP256, Issuer: e.p.IntermediateEC})
	p384 := e.qualified(sigtest.LeafOptions{KeyType: sigtest.ECDSAP384})
	pss := e.qualified(sigtest.LeafOptions{KeyType: sigtest.RSAPSS})
	seal := e.qualified(sigtest.LeafOptions{Kind: sigtest.LegalPerson, CommonName: "SIA Paraugs", Organization: "SIA Paraugs", OrganizationIdentifier: "NTRLV-40000000000"})
	plain := e.p.Issue(sigtest.LeafOptions{CommonName: "Advanced Only"})
	expired := e.qualified(sigtest.LeafOptions{Expired: true})
	notYet := e.qualified(sigtest.LeafOptions{NotYetValid: true})
	wrongKU := e.qualified(sigtest.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment})
	shortCA := e.p.NewIntermediate(sigtest.IssuerOptions{PathLenZero: true})
	subCA := e.p.NewIntermediate(sigtest.IssuerOptions{Parent: shortCA})
	tooDeep := e.qualified(sigtest.LeafOptions{Issuer: subCA})
	rogue := e.qualified(sigtest.LeafOptions{Issuer: e.p.Rogue})
	revokedEarly := e.qualified(sigtest.LeafOptions{CommonName: "Revoked Early"})
	e.p.Revoke(revokedEarly.Cert, sigtest.Now.Add(-48*time.Hour), sigtest.ReasonKeyCompromise)
	revokedLate := e.qualified(sigtest.LeafOptions{CommonName: "Revoked Late"})
	e.p.Revoke(revokedLate.Cert, sigtest.Now.Add(-time.Hour), sigtest.ReasonKeyCompromise)
	cosigner := e.qualified(sigtest.LeafOptions{CommonName: "Anna Ozola", SerialNumber: "PNOLV-020202-22222"})

	type tc struct {
		name     string
		leaf     *sigtest.Leaf
		opts     sigtest.CMSOptions
		detached []byte // content given separately
		offline  bool
		at       time.Time
		clock    time.Time // the PKI's clock while signing (TSA genTime)
		ind      signature.Indication
		sub      signature.SubIndication
		qual     signature.Qualification
		verdict  signature.Verdict
		level    string
	}
	hourAgo := sigtest.Now.Add(-time.Hour)
	cases := []tc{
		{name: "ok/attached", leaf: good, ind: signature.TotalPassed, qual: signature.QESig, verdict: signature.Accepted, level: "CAdES-BASELINE-B"},
		{name: "ok/detached", leaf: good, opts: sigtest.CMSOptions{Detached: true}, detached: content, ind: signature.TotalPassed, qual: signature.QESig, verdict: signature.Accepted},
		{name: "ok/ecdsa-p256", leaf: ecLeaf, ind: signature.TotalPassed, qual: signature.QESig},
		{name: "ok/ecdsa-p384", leaf: p384, opts: sigtest.CMSOptions{Hash: crypto.SHA384}, ind: signature.TotalPassed, qual: signature.QESig},
		{name: "ok/rsa-pss", leaf: pss, ind: signature.TotalPassed, qual: signature.QESig},
		{name: "ok/sha3-256", leaf: good, opts: sigtest.CMSOptions{Hash: crypto.SHA3_256}, ind: signature.TotalPassed},
		{name: "ok/sha512-rsa-oid", leaf: good, opts: sigtest.CMSOptions{Hash: crypto.SHA512, RSAWithHashOID: true}, ind: signature.TotalPassed},
		{name: "ok/digestinfo-without-null", leaf: good, opts: sigtest.CMSOptions{DigestInfoNoNULL: true}, ind: signature.TotalPassed},
		{name: "ok/ber", leaf: good, opts: sigtest.CMSOptions{BER: true}, ind: signature.TotalPassed},
		// RFC 5652 §5.4 asks for the DER encoding; DSS refuses a signature made
		// over the attributes in another order (the corpus' DE_CRY-4 file).
		{name: "fail/signed-over-unsorted-attrs", leaf: good, opts: sigtest.CMSOptions{UnsortedSignedAttrs: true}, ind: signature.TotalFailed, sub: signature.SigCryptoFailure},
		{name: "ok/subject-key-id", leaf: good, opts: sigtest.CMSOptions{SubjectKeyID: true}, ind: signature.TotalPassed},
		{name: "ok/no-signed-attrs", leaf: good, opts: sigtest.CMSOptions{NoSignedAttrs: true}, ind: signature.TotalPassed, level: "CMS"},
		{name: "ok/eseal", leaf: seal, ind: signature.TotalPassed, qual: signature.QESeal, verdict: signature.Accepted},
		{name: "ok/timestamp", leaf: good, opts: sigtest.CMSOptions{SignatureTimestamp: true}, ind: signature.TotalPassed, level: "CAdES-BASELINE-T"},
		{name: "ok/lt-offline", leaf: good, opts: sigtest.CMSOptions{SignatureTimestamp: true, RevocationValues: &sigtest.RevocationValues{OCSP: [][]byte{good.Issuer.BasicOCSPResponse(good.Cert)}}}, offline: true, ind: signature.TotalPassed, level: "CAdES-BASELINE-LT"},
		{name: "ok/crl-in-signeddata-offline", leaf: good, opts: sigtest.CMSOptions{CRLs: [][]byte{good.Issuer.CRL()}}, offline: true, ind: signature.TotalPassed},
		{name: "ok/revoked-after-timestamp", leaf: revokedLate, clock: hourAgo.Add(-time.Hour), opts: sigtest.CMSOptions{SignatureTimestamp: true}, ind: signature.TotalPassed},
		{name: "review/advanced-only", leaf: plain, ind: signature.TotalPassed, qual: signature.AdESig, verdict: signature.Review},

		{name: "fail/content-changed", leaf: good, opts: sigtest.CMSOptions{ChangeContent: true}, ind: signature.TotalFailed, sub: signature.HashFailure, verdict: signature.Rejected},
		{name: "fail/wrong-message-digest", leaf: good, opts: sigtest.CMSOptions{WrongMessageDigest: true}, ind: signature.TotalFailed, sub: signature.HashFailure},
		{name: "fail/detached-other-file", leaf: good, opts: sigtest.CMSOptions{Detached: true}, detached: []byte("other"), ind: signature.TotalFailed, sub: signature.HashFailure},
		{name: "fail/signature-flipped", leaf: good, opts: sigtest.CMSOptions{FlipSignature: true}, ind: signature.TotalFailed, sub: signature.SigCryptoFailure, verdict: signature.Rejected},
		{name: "fail/wrong-content-type", leaf: good, opts: sigtest.CMSOptions{WrongContentType: true}, ind: signature.TotalFailed, sub: signature.FormatFailure},
		{name: "fail/no-message-digest", leaf: good, opts: sigtest.CMSOptions{OmitMessageDigest: true}, ind: signature.TotalFailed, sub: signature.FormatFailure},
		{name: "fail/not-yet-valid", leaf: notYet, opts: sigtest.CMSOptions{SigningTime: hourAgo}, ind: signature.TotalFailed, sub: signature.NotYetValid},
		{name: "fail/expired-before-signing", leaf: expired, ind: signature.TotalFailed, sub: signature.ExpiredNoPOE},
		{name: "fail/revoked-before-signing", leaf: revokedEarly, ind: signature.TotalFailed, sub: signature.Revoked},

		{name: "indet/detached-without-file", leaf: good, opts: sigtest.CMSOptions{Detached: true}, ind: signature.Indeterminate, sub: signature.SignedDataNotFound},
		{name: "indet/no-certificate", leaf: good, opts: sigtest.CMSOptions{Certs: sigtest.CertsNone}, ind: signature.Indeterminate, sub: signature.NoSigningCertificateFound},
		{name: "indet/ess-binding-wrong", leaf: good, opts: sigtest.CMSOptions{SigningCertFor: cosigner.Cert}, ind: signature.Indeterminate, sub: signature.NoSigningCertificateFound},
		{name: "indet/untrusted-root", leaf: rogue, ind: signature.Indeterminate, sub: signature.NoCertificateChainFound},
		{name: "indet/path-length", leaf: tooDeep, opts: sigtest.CMSOptions{ExtraCerts: []*x509.Certificate{subCA.Cert, shortCA.Cert}}, ind: signature.Indeterminate, sub: signature.ChainConstraintsFailure},
		{name: "indet/key-usage", leaf: wrongKU, ind: signature.Indeterminate, sub: signature.ChainConstraintsFailure},
		{name: "indet/expired-no-poe", leaf: expired, opts: sigtest.CMSOptions{SigningTime: expired.Cert.NotAfter.Add(-time.Hour)}, ind: signature.Indeterminate, sub: signature.OutOfBoundsNoPOE},
		{name: "indet/revoked-no-poe", leaf: revokedLate, opts: sigtest.CMSOptions{SigningTime: hourAgo.Add(-time.Hour)}, ind: signature.Indeterminate, sub: signature.RevokedNoPOE},
		{name: "indet/offline-no-revocation", leaf: good, offline: true, ind: signature.Indeterminate, sub: signature.TryLater, verdict: signature.Review},
		{name: "indet/sha1", leaf: good, opts: sigtest.CMSOptions{Hash: crypto.SHA1}, ind: signature.Indeterminate, sub: signature.CryptoConstraintsNoPOE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !c.clock.IsZero() {
				e.p.SetClock(c.clock)
			}
			der := sigtest.SignCMS(content, c.leaf, c.opts)
			e.p.SetClock(sigtest.Now)
			o := e.opts
			if c.offline {
				o.Fetcher = nil
			}
			if !c.at.IsZero() {
				o.Time = c.at
			}
			var det *cades.Content
			if c.detached != nil {
				det = &cades.Content{Name: "iesniegums.txt", Data: c.detached}
			}
			res, err := cades.Validate(context.Background(), der, det, o)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if len(res.Signatures) != 1 {
				t.Fatalf("got %d signatures, want 1", len(res.Signatures))
			}
			s := res.Signatures[0]
			if s.Indication != c.ind || s.SubIndication != c.sub {
				t.Fatalf("got %s/%s, want %s/%s\nerrors: %q\nwarnings: %q", s.Indication, s.SubIndication, c.ind, c.sub, s.Errors, s.Warnings)
			}
			if c.qual != "" && s.Qualification != c.qual {
				t.Errorf("qualification %s, want %s", s.Qualification, c.qual)
			}
			if c.verdict != "" {
				if v := signature.VerdictOf(res.Signatures); v != c.verdict {
					t.Errorf("verdict %s, want %s", v, c.verdict)
				}
			}
			if c.level != "" && s.Level != c.level {
				t.Errorf("level %s, want %s", s.Level, c.level)
			}
			if s.Indication == signature.TotalPassed && s.Revocation.Status != signature.StatusGood &&
				!(s.Revocation.Status == signature.StatusRevoked && s.Revocation.RevokedAt.After(s.BestSignatureTime)) {
				t.Errorf("passed with revocation status %q", s.Revocation.Status)
			}
		})
	}
}

func TestSignerDetails(t *testing.T) {
	e := newEnv(t)
	l := e.qualified(sigtest.LeafOptions{})
	res, err := cades.Validate(context.Background(), sigtest.SignCMS(content, l, sigtest.CMSOptions{SignatureTimestamp: true}), nil, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Signatures[0]
	if s.Signer.SerialNumber != "PNOLV-010101-11111" || !strings.Contains(s.Signer.Subject, "Bērziņš") {
		t.Errorf("signer %+v", s.Signer)
	}
	if len(s.Timestamps) != 1 || s.Timestamps[0].Indication != signature.TotalPassed {
		t.Fatalf("timestamps %+v", s.Timestamps)
	}
	if !s.BestSignatureTime.Equal(s.Timestamps[0].Time) {
		t.Errorf("best signature time %v, timestamp %v", s.BestSignatureTime, s.Timestamps[0].Time)
	}
	if s.Revocation.Source != signature.RevocationOCSP {
		t.Errorf("revocation source %s", s.Revocation.Source)
	}
	if s.CertificateSHA256 == "" || s.Issuer == "" || len(s.Chain) != 3 {
		t.Errorf("certificate fields: sha %q issuer %q chain %q", s.CertificateSHA256, s.Issuer, s.Chain)
	}
}

func TestMultipleSignersAndCounterSignature(t *testing.T) {
	e := newEnv(t)
	a := e.qualified(sigtest.LeafOptions{})
	b := e.qualified(sigtest.LeafOptions{CommonName: "Anna Ozola", SerialNumber: "PNOLV-020202-22222"})
	c := e.qualified(sigtest.LeafOptions{CommonName: "Notārs", SerialNumber: "PNOLV-030303-33333"})
	der := sigtest.SignCMS(content, a, sigtest.CMSOptions{CoSigners: []*sigtest.Leaf{b}, CounterSigner: c})
	res, err := cades.Validate(context.Background(), der, nil, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signatures) != 2 {
		t.Fatalf("%d signatures", len(res.Signatures))
	}
	for _, s := range res.Signatures {
		if s.Indication != signature.TotalPassed {
			t.Errorf("%s: %s %s %q", s.ID, s.Indication, s.SubIndication, s.Errors)
		}
	}
	cs := res.Signatures[0].CounterSignatures
	if len(cs) != 1 || cs[0].Indication != signature.TotalPassed || cs[0].Signer.SerialNumber != "PNOLV-030303-33333" {
		t.Fatalf("counter-signatures: %+v", cs)
	}
}

func TestGarbage(t *testing.T) {
	e := newEnv(t)
	for _, in := range [][]byte{nil, {0x30}, {0x30, 0x80}, []byte("hello"), {0x30, 0x84, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := cades.Validate(context.Background(), in, nil, e.opts); err == nil {
			t.Errorf("Validate(%x) succeeded", in)
		}
	}
}

func newFetcher() revocation.Fetcher {
	return &revocation.HTTPFetcher{Timeout: 2 * time.Second}
}

// TestAdobeRevocationArchive validates offline with the revocation data of
// the adbe-revocationInfoArchival signed attribute, as PDF signers embed it.
func TestAdobeRevocationArchive(t *testing.T) {
	e := newEnv(t)
	l := e.qualified(sigtest.LeafOptions{})
	ocspSeq, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: l.Issuer.OCSPResponse(l.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	field, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: ocspSeq})
	if err != nil {
		t.Fatal(err)
	}
	archive, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: field})
	if err != nil {
		t.Fatal(err)
	}
	der := sigtest.SignCMS(content, l, sigtest.CMSOptions{ExtraSignedAttrs: []sigtest.Attribute{
		{Type: cms.OIDAttrAdobeRevocationInfoArchival, Values: [][]byte{archive}}}})
	o := e.opts
	o.Fetcher = nil
	res, err := cades.Validate(context.Background(), der, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Signatures[0]
	if s.Indication != signature.TotalPassed || s.Revocation.Source != signature.RevocationEmbedded {
		t.Fatalf("%s %s revocation %+v errors %q", s.Indication, s.SubIndication, s.Revocation, s.Errors)
	}
}
