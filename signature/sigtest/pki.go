package sigtest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Now is the pinned "present" of every sigtest PKI: certificates default to
// Now-1y .. Now+2y and the PKI's clock starts here. Tests validate at times
// relative to it.
var Now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// PKI is a test certification hierarchy with its trust services (OCSP, CRL,
// caIssuers, TSA) served over HTTP on 127.0.0.1. Make one with New; it is
// safe for concurrent use.
type PKI struct {
	// Root is the trust anchor "Sigtest Root CA" (RSA-2048, self-signed).
	Root *Issuer
	// Intermediate is "Sigtest Qualified CA" (RSA-2048) under Root; Issue
	// uses it unless LeafOptions.Issuer says otherwise.
	Intermediate *Issuer
	// IntermediateEC is "Sigtest Qualified CA EC" (ECDSA P-384) under Root.
	IntermediateEC *Issuer
	// Rogue is "Sigtest Rogue CA", a self-signed CA that is NOT in
	// RootPool: the "another CA" for unauthorised OCSP responders, wrongly
	// signed CRLs and untrusted timestamping units.
	Rogue *Issuer
	// TSA is the default RFC 3161 timestamping unit, issued by
	// Intermediate (trusted through Root).
	TSA *TSA

	tb  testing.TB
	srv *httptest.Server
	// closing is closed before the server shuts down so that hanging
	// handlers return.
	closing chan struct{}

	mu       sync.Mutex
	clock    time.Time
	issuers  map[string]*Issuer // by slug
	tsas     map[string]*TSA    // by slug
	revoked  map[string]revocation
	issued   map[string]bool // certKey of every certificate made here
	rsaNext  int             // next index into rsaPool
	counters counters
}

type revocation struct {
	at     time.Time
	reason int
}

// CRL reasons (RFC 5280 §5.3.1) for Revoke.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
)

// New makes a PKI: Root, Intermediate, IntermediateEC, Rogue, TSA, and the
// HTTP server behind their URLs, closed by tb.Cleanup.
//
// CA keys are fresh for every PKI. RSA keys of leaves and TSAs come from a
// pool shared by the test binary: distinct within a PKI, but the n-th RSA
// leaf of every PKI has the same key (LeafOptions.FreshKey opts out). Do
// not let a test's verdict depend on two PKIs' leaf keys differing.
func New(tb testing.TB) *PKI {
	tb.Helper()
	p := &PKI{
		tb:      tb,
		closing: make(chan struct{}),
		clock:   Now,
		issuers: map[string]*Issuer{},
		tsas:    map[string]*TSA{},
		revoked: map[string]revocation{},
		issued:  map[string]bool{},
	}
	p.srv = httptest.NewServer(p.handler())
	tb.Cleanup(func() {
		close(p.closing)
		p.srv.Close()
	})
	p.Root = p.NewRoot(IssuerOptions{CommonName: "Sigtest Root CA"})
	p.Intermediate = p.NewIntermediate(IssuerOptions{CommonName: "Sigtest Qualified CA"})
	p.IntermediateEC = p.NewIntermediate(IssuerOptions{CommonName: "Sigtest Qualified CA EC", KeyType: ECDSAP384})
	p.Rogue = p.NewRoot(IssuerOptions{CommonName: "Sigtest Rogue CA", KeyType: ECDSAP256})
	p.TSA = p.NewTSA(TSAOptions{})
	return p
}

// URL is the base URL of the PKI's HTTP server (http://127.0.0.1:port).
func (p *PKI) URL() string { return p.srv.URL }

// SetClock sets the PKI's clock: OCSP producedAt/thisUpdate, CRL
// thisUpdate, TSA genTime and the default CMS signing-time follow it.
// Revocations dated after the clock are not yet visible.
func (p *PKI) SetClock(t time.Time) {
	p.mu.Lock()
	p.clock = t.UTC()
	p.mu.Unlock()
}

// Clock returns the PKI's clock (Now unless SetClock changed it).
func (p *PKI) Clock() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clock
}

// RootPool returns a new pool holding only Root.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// IntermediatePool returns a new pool holding Intermediate and IntermediateEC.
func (p *PKI) IntermediatePool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Intermediate.Cert)
	pool.AddCert(p.IntermediateEC.Cert)
	return pool
}

// Revoke records cert as revoked at time at with the RFC 5280 reason code.
// OCSP and CRL answers produced at a clock before at still say good.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revoked[certKey(cert.RawIssuer, cert.SerialNumber)] = revocation{at: at.UTC(), reason: reason}
}

// status reports what the PKI knows of (issuer, serial) at its clock.
func (p *PKI) status(rawIssuer []byte, serial *big.Int) (known bool, rev *revocation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := certKey(rawIssuer, serial)
	if !p.issued[k] {
		return false, nil
	}
	if r, ok := p.revoked[k]; ok && !r.at.After(p.clock) {
		return true, &r
	}
	return true, nil
}

func (p *PKI) revokedAt(rawIssuer []byte) []x509.RevocationListEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []x509.RevocationListEntry
	for k, r := range p.revoked {
		iss, serial, _ := strings.Cut(k, "|")
		if iss != string(rawIssuer) || r.at.After(p.clock) {
			continue
		}
		n, _ := new(big.Int).SetString(serial, 10)
		out = append(out, x509.RevocationListEntry{SerialNumber: n, RevocationTime: r.at, ReasonCode: r.reason})
	}
	return out
}

func certKey(rawIssuer []byte, serial *big.Int) string {
	return string(rawIssuer) + "|" + serial.String()
}

// Issuer is a certification authority of the PKI.
type Issuer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
	// Parent is the issuing CA, nil for a self-signed root.
	Parent *Issuer
	// Responder is the delegated OCSP responder (id-kp-OCSPSigning,
	// id-pkix-ocsp-nocheck) this CA issued for its own OCSP service.
	Responder *Leaf

	noEKUResponder *Leaf
	pki            *PKI
	slug           string

	mu       sync.Mutex
	ocspMode OCSPMode
	crlMode  CRLMode
}

// Chain returns the CA's certificate followed by its parents up to the root.
func (i *Issuer) Chain() []*x509.Certificate {
	var out []*x509.Certificate
	for c := i; c != nil; c = c.Parent {
		out = append(out, c.Cert)
	}
	return out
}

// OCSPURL, CRLURL and CAIssuersURL are where the PKI serves this CA's OCSP
// responder, its CRL and its certificate.
func (i *Issuer) OCSPURL() string      { return i.pki.srv.URL + "/ocsp/" + i.slug }
func (i *Issuer) CRLURL() string       { return i.pki.srv.URL + "/crl/" + i.slug + ".crl" }
func (i *Issuer) CAIssuersURL() string { return i.pki.srv.URL + "/ca/" + i.slug + ".cer" }

// IssuerOptions describe a CA certificate. The zero value is an RSA-2048 CA
// under Root valid Now-5y .. Now+10y with keyCertSign|cRLSign and no path
// length limit.
type IssuerOptions struct {
	CommonName string
	// Parent issues the CA; nil means Root (ignored by NewRoot).
	Parent  *Issuer
	KeyType KeyType
	// PathLenZero sets basicConstraints pathLenConstraint 0.
	PathLenZero bool
	// NoKeyCertSign leaves keyCertSign out of keyUsage (digitalSignature|cRLSign).
	NoKeyCertSign bool
	// NoBasicConstraints omits the basicConstraints extension entirely.
	NoBasicConstraints bool
	// NotCA writes basicConstraints with cA FALSE.
	NotCA               bool
	NotBefore, NotAfter time.Time
	Policies            []asn1.ObjectIdentifier
	// NoURLs leaves the AIA and CRL distribution points out.
	NoURLs bool
}

// NewRoot makes a self-signed CA. It is not added to RootPool.
func (p *PKI) NewRoot(o IssuerOptions) *Issuer {
	o.Parent = nil
	return p.newIssuer(o, true)
}

// NewIntermediate makes a CA under o.Parent (default Root). Use PathLenZero,
// NoKeyCertSign, NoBasicConstraints or NotCA to build constraint failures.
func (p *PKI) NewIntermediate(o IssuerOptions) *Issuer {
	if o.Parent == nil {
		o.Parent = p.Root
	}
	return p.newIssuer(o, false)
}

func (p *PKI) newIssuer(o IssuerOptions, self bool) *Issuer {
	p.tb.Helper()
	if o.CommonName == "" {
		o.CommonName = fmt.Sprintf("Sigtest CA %d", len(p.issuers)+1)
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = Now.AddDate(-5, 0, 0)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = Now.AddDate(10, 0, 0)
	}
	key := newKey(o.KeyType)
	iss := &Issuer{Key: key, Parent: o.Parent, pki: p, slug: p.slugFor(o.CommonName)}
	tmpl := &x509.Certificate{
		SerialNumber: newSerial(),
		Subject: pkix.Name{
			CommonName:   o.CommonName,
			Organization: []string{"Sigtest"},
			Country:      []string{"LV"},
		},
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: !o.NoBasicConstraints,
		IsCA:                  !o.NotCA && !o.NoBasicConstraints,
		MaxPathLen:            -1,
		SubjectKeyId:          subjectKeyID(key.Public()),
		Policies:              toOIDs(o.Policies),
	}
	if o.NoKeyCertSign {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign
	}
	if o.PathLenZero {
		tmpl.MaxPathLen, tmpl.MaxPathLenZero = 0, true
	}
	if !tmpl.IsCA {
		tmpl.MaxPathLen = -1
	}
	parent, signer := tmpl, key
	if !self {
		parent, signer = o.Parent.asParent(), o.Parent.Key
		if !o.NoURLs {
			o.Parent.addURLs(tmpl)
		}
	}
	tmpl.SignatureAlgorithm = certSigAlg(signer, o.KeyType == RSAPSS)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		p.tb.Fatalf("sigtest: create CA %q: %v", o.CommonName, err)
	}
	iss.DER = der
	iss.Cert = mustParse(p.tb, der)
	p.register(iss.Cert)
	p.mu.Lock()
	p.issuers[iss.slug] = iss
	p.mu.Unlock()
	iss.Responder = p.newResponder(iss, true)
	iss.noEKUResponder = p.newResponder(iss, false)
	return iss
}

// asParent returns the CA's certificate as a parent template for
// x509.CreateCertificate. crypto/x509 refuses to sign under a parent that
// lacks keyCertSign or cA; the constraint-failure CAs still have to issue,
// so they are presented with those bits set (the issued certificate only
// takes the parent's subject and key identifier).
func (i *Issuer) asParent() *x509.Certificate {
	c := *i.Cert
	c.BasicConstraintsValid, c.IsCA = true, true
	c.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	return &c
}

func (i *Issuer) addURLs(tmpl *x509.Certificate) {
	tmpl.OCSPServer = []string{i.OCSPURL()}
	tmpl.IssuingCertificateURL = []string{i.CAIssuersURL()}
	tmpl.CRLDistributionPoints = []string{i.CRLURL()}
}

func (p *PKI) slugFor(cn string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, cn)
	p.mu.Lock()
	defer p.mu.Unlock()
	base := s
	for n := 2; p.issuers[s] != nil || p.tsas[s] != nil; n++ {
		s = fmt.Sprintf("%s-%d", base, n)
	}
	return s
}

func (p *PKI) register(c *x509.Certificate) {
	p.mu.Lock()
	p.issued[certKey(c.RawIssuer, c.SerialNumber)] = true
	p.mu.Unlock()
}

func mustParse(tb testing.TB, der []byte) *x509.Certificate {
	tb.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("sigtest: parse own certificate: %v", err)
	}
	return c
}

func toOIDs(ids []asn1.ObjectIdentifier) []x509.OID {
	var out []x509.OID
	for _, id := range ids {
		u := make([]uint64, len(id))
		for i, v := range id {
			u[i] = uint64(v)
		}
		o, err := x509.OIDFromInts(u)
		if err != nil {
			panic("sigtest: bad policy OID " + id.String())
		}
		out = append(out, o)
	}
	return out
}
