package pki

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// PathOptions are the inputs of BuildPaths. The zero value of each field is
// the safe default.
type PathOptions struct {
	// Anchors are the trust anchors (ETSI: the trust service certificates
	// of the trusted lists, or configured roots). A path ends at one.
	Anchors *Pool
	// Intermediates are other certificates that may be used (those the
	// signature carries, or a configured set). They are not trusted.
	Intermediates *Pool
	// FetchIssuer fetches the certificate(s) at an AIA caIssuers URL (DER,
	// or a PKCS#7 certs-only bundle is not supported: DER only). nil means
	// offline.
	FetchIssuer func(ctx context.Context, url string) ([]byte, error)
	// MaxDepth is the maximum number of certificates in a path; default 10.
	MaxDepth int
	// MaxCandidates bounds the candidate issuers tried per certificate;
	// default 16.
	MaxCandidates int
}

// Path is a certification path, leaf first, trust anchor last.
type Path []*Certificate

// Leaf returns the first certificate.
func (p Path) Leaf() *Certificate {
	if len(p) == 0 {
		return nil
	}
	return p[0]
}

// Anchor returns the last certificate.
func (p Path) Anchor() *Certificate {
	if len(p) == 0 {
		return nil
	}
	return p[len(p)-1]
}

// PathErrorKind classifies a path building failure.
type PathErrorKind int

const (
	// NoChain: no path to a trust anchor with valid signatures exists
	// (DSS NO_CERTIFICATE_CHAIN_FOUND).
	NoChain PathErrorKind = iota + 1
	// Constraints: a path exists but violates basic constraints, path
	// length, key usage, name constraints or has an unknown critical
	// extension (DSS CHAIN_CONSTRAINTS_FAILURE).
	Constraints
)

func (k PathErrorKind) String() string {
	switch k {
	case NoChain:
		return "no chain"
	case Constraints:
		return "constraints"
	}
	return fmt.Sprintf("PathErrorKind(%d)", int(k))
}

// PathError is the error of BuildPaths.
type PathError struct {
	Kind   PathErrorKind
	Detail string
	// Partial is the longest signature-valid chain found from the leaf
	// (for reports); for Constraints it is the offending path.
	Partial Path
}

func (e *PathError) Error() string { return "pki: " + e.Kind.String() + ": " + e.Detail }

// ValidityError reports a certificate outside its validity period.
type ValidityError struct {
	Cert        *Certificate
	Expired     bool
	NotYetValid bool
	At          time.Time
}

func (e *ValidityError) Error() string {
	what := "expired"
	if e.NotYetValid {
		what = "not yet valid"
	}
	return fmt.Sprintf("pki: certificate %q %s at %s (valid %s to %s)", e.Cert.SubjectString(), what,
		e.At.UTC().Format(time.RFC3339), e.Cert.NotBefore.UTC().Format(time.RFC3339), e.Cert.NotAfter.UTC().Format(time.RFC3339))
}

// CheckValidity checks every certificate of the path against at (RFC 5280
// §6.1.3 (a)(2)) and returns the first *ValidityError, leaf first.
func (p Path) CheckValidity(at time.Time) error {
	for _, c := range p {
		if at.Before(c.NotBefore) {
			return &ValidityError{Cert: c, NotYetValid: true, At: at}
		}
		if at.After(c.NotAfter) {
			return &ValidityError{Cert: c, Expired: true, At: at}
		}
	}
	return nil
}

// criticalOK are critical extensions that crypto/x509 does not process but
// that carry no constraint on path validation: qualified-certificate
// statements and attributes (EN 319 412-5, RFC 3739).
var criticalOK = []asn1.ObjectIdentifier{oidExtQCStatements, oidExtBiometricInfo, oidExtSubjectDirAttrs, oidExtPrivateKeyPeriod}

const maxFetchedPerBuild = 8

type builder struct {
	ctx       context.Context
	o         PathOptions
	sigCache  map[[64]byte]error
	fetched   *Pool
	fetches   int
	steps     int
	maxSteps  int
	paths     []Path
	partial   Path
	fetchErrs []string
}

// BuildPaths finds certification paths from leaf to a trust anchor
// (RFC 5280 §6, as EN 319 102-1 §5.2.6 uses it): depth first over the
// candidate issuers of the anchors and intermediates (and AIA caIssuers
// when FetchIssuer is set), verifying each signature, with loop detection
// and a bound on work. Each complete path is then checked for basic
// constraints, pathLenConstraint, keyCertSign, unknown critical extensions
// and name constraints. Validity periods are not checked (see
// Path.CheckValidity), nor certificate policies (§6.1.3 (d)-(f)).
//
// It returns the valid paths best first (shortest first), or a *PathError.
func BuildPaths(ctx context.Context, leaf *Certificate, o PathOptions) ([]Path, error) {
	if o.MaxDepth <= 0 {
		o.MaxDepth = 10
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = 16
	}
	b := &builder{ctx: ctx, o: o, sigCache: map[[64]byte]error{}, fetched: NewPool(), maxSteps: 64 * o.MaxCandidates}
	b.walk(Path{leaf})
	if err := ctx.Err(); err != nil && len(b.paths) == 0 {
		return nil, err
	}
	if len(b.paths) == 0 {
		d := fmt.Sprintf("no path from %q to a trust anchor", leaf.SubjectString())
		if len(b.partial) > 0 {
			d += fmt.Sprintf(" (chain ends at %q)", b.partial[len(b.partial)-1].SubjectString())
		}
		if len(b.fetchErrs) > 0 {
			d += "; AIA: " + strings.Join(b.fetchErrs, "; ")
		}
		return nil, &PathError{Kind: NoChain, Detail: d, Partial: b.partial}
	}
	var good []Path
	var firstErr error
	var bad Path
	for _, p := range b.paths {
		if err := checkConstraints(p); err != nil {
			if firstErr == nil {
				firstErr, bad = err, p
			}
			continue
		}
		good = append(good, p)
	}
	if len(good) == 0 {
		return nil, &PathError{Kind: Constraints, Detail: firstErr.Error(), Partial: bad}
	}
	sort.SliceStable(good, func(i, j int) bool { return len(good[i]) < len(good[j]) })
	return good, nil
}

func (b *builder) walk(p Path) {
	if b.steps >= b.maxSteps || b.ctx.Err() != nil || len(b.paths) >= 8 {
		return
	}
	b.steps++
	c := p[len(p)-1]
	if len(p) > len(b.partial) {
		b.partial = append(Path(nil), p...)
	}
	if b.o.Anchors.containsEntity(c) {
		b.paths = append(b.paths, append(Path(nil), p...))
		return
	}
	if len(p) >= b.o.MaxDepth {
		return
	}
	cands := b.candidates(c)
	tried := 0
	for _, cand := range cands {
		if tried >= b.o.MaxCandidates {
			break
		}
		if inPath(p, cand) {
			continue // loop
		}
		tried++
		if b.checkSig(c, cand) != nil {
			continue
		}
		b.walk(append(p, cand))
	}
}

func inPath(p Path, c *Certificate) bool {
	for _, x := range p {
		if x.SHA256 == c.SHA256 || x.SameKeyAndSubject(c) {
			return true
		}
	}
	return false
}

func (b *builder) checkSig(c, parent *Certificate) error {
	var k [64]byte
	copy(k[:32], c.SHA256[:])
	copy(k[32:], parent.SHA256[:])
	if err, ok := b.sigCache[k]; ok {
		return err
	}
	err := c.CheckSignatureFrom(parent)
	b.sigCache[k] = err
	return err
}

func (b *builder) candidates(c *Certificate) []*Certificate {
	cands := b.o.Anchors.Issuers(c)
	cands = append(cands, b.o.Intermediates.Issuers(c)...)
	cands = append(cands, b.fetched.Issuers(c)...)
	if len(cands) > 0 || b.o.FetchIssuer == nil {
		return cands
	}
	for _, url := range c.IssuingCertificateURL {
		if b.fetches >= maxFetchedPerBuild {
			break
		}
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			continue
		}
		b.fetches++
		der, err := b.o.FetchIssuer(b.ctx, url)
		if err != nil {
			b.fetchErrs = append(b.fetchErrs, fmt.Sprintf("%s: %v", url, err))
			continue
		}
		ic, err := ParseCertificate(der)
		if err != nil {
			b.fetchErrs = append(b.fetchErrs, fmt.Sprintf("%s: %v", url, err))
			continue
		}
		b.fetched.Add(ic)
	}
	return b.fetched.Issuers(c)
}

// checkConstraints applies RFC 5280 §6.1.3/§6.1.4 to a complete path.
func checkConstraints(p Path) error {
	n := len(p)
	for i, c := range p {
		for _, id := range c.UnhandledCriticalExtensions {
			if !hasOID(criticalOK, id) {
				return fmt.Errorf("certificate %q has unknown critical extension %s", c.SubjectString(), id)
			}
		}
		if i == 0 {
			continue
		}
		anchor := i == n-1
		// §6.1.4 (k): a CA certificate; a v1 trust anchor without
		// extensions is accepted as the anchor (it is trusted as configured).
		if !c.BasicConstraintsValid || !c.IsCA {
			if !(anchor && c.Version < 3 && len(c.Extensions) == 0) {
				return fmt.Errorf("issuer %q is not a CA (basicConstraints cA not set)", c.SubjectString())
			}
		}
		// §6.1.4 (n): keyCertSign
		if hasExtension(c, oidExtKeyUsage) && c.KeyUsage&x509.KeyUsageCertSign == 0 {
			return fmt.Errorf("issuer %q keyUsage lacks keyCertSign", c.SubjectString())
		}
		// §6.1.4 (l),(m): non-self-issued intermediates below c
		if c.BasicConstraintsValid && (c.MaxPathLen > 0 || (c.MaxPathLen == 0 && c.MaxPathLenZero)) {
			count := 0
			for j := 1; j < i; j++ {
				if !selfIssued(p[j]) {
					count++
				}
			}
			if count > c.MaxPathLen {
				return fmt.Errorf("pathLenConstraint %d of %q exceeded: %d intermediate CA(s) below it", c.MaxPathLen, c.SubjectString(), count)
			}
		}
		if c.nameConstr {
			if c.Fallback != "" {
				return fmt.Errorf("name constraints of %q cannot be evaluated (certificate parsed by fallback)", c.SubjectString())
			}
			for j := 0; j < i; j++ {
				if j > 0 && selfIssued(p[j]) {
					continue
				}
				if err := checkNameConstraints(c, p[j]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func selfIssued(c *Certificate) bool { return namesEqual(c.RawSubject, c.RawIssuer) }

// checkNameConstraints applies CA's name constraints (RFC 5280 §4.2.1.10)
// to the DNS names, e-mail addresses, IP addresses and URIs of c's
// subjectAltName and to e-mail addresses in its subject. Directory-name
// constraints are parsed by crypto/x509 only as unhandled; a critical
// nameConstraints extension with them is rejected as unknown critical.
func checkNameConstraints(ca, c *Certificate) error {
	fail := func(kind, name string) error {
		return fmt.Errorf("name %s %q of %q violates name constraints of %q", kind, name, c.SubjectString(), ca.SubjectString())
	}
	for _, d := range c.DNSNames {
		if !permitted(d, ca.PermittedDNSDomains, ca.ExcludedDNSDomains, matchDomain) {
			return fail("DNS", d)
		}
	}
	emails := append([]string(nil), c.EmailAddresses...)
	if c.Fallback == "" {
		for _, a := range c.Subject.Names {
			if a.Type.Equal(oidEmailAddress) {
				if s, ok := a.Value.(string); ok {
					emails = append(emails, s)
				}
			}
		}
	}
	for _, e := range emails {
		if !permitted(e, ca.PermittedEmailAddresses, ca.ExcludedEmailAddresses, matchEmail) {
			return fail("email", e)
		}
	}
	for _, u := range c.URIs {
		if !permitted(u.Hostname(), ca.PermittedURIDomains, ca.ExcludedURIDomains, matchDomain) {
			return fail("URI", u.String())
		}
	}
	for _, ip := range c.IPAddresses {
		okP := len(ca.PermittedIPRanges) == 0
		for _, r := range ca.PermittedIPRanges {
			if r.Contains(ip) {
				okP = true
			}
		}
		for _, r := range ca.ExcludedIPRanges {
			if r.Contains(ip) {
				okP = false
			}
		}
		if !okP {
			return fail("IP", net.IP(ip).String())
		}
	}
	return nil
}

func permitted(name string, perm, excl []string, match func(name, constraint string) bool) bool {
	for _, e := range excl {
		if match(name, e) {
			return false
		}
	}
	if len(perm) == 0 {
		return true
	}
	for _, p := range perm {
		if match(name, p) {
			return true
		}
	}
	return false
}

func matchDomain(name, constraint string) bool {
	name, constraint = strings.ToLower(name), strings.ToLower(constraint)
	if constraint == "" {
		return true
	}
	if strings.HasPrefix(constraint, ".") {
		return strings.HasSuffix(name, constraint)
	}
	return name == constraint || strings.HasSuffix(name, "."+constraint)
}

func matchEmail(addr, constraint string) bool {
	addr, constraint = strings.ToLower(addr), strings.ToLower(constraint)
	if strings.Contains(constraint, "@") {
		return addr == constraint
	}
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return false
	}
	return matchDomain(addr[at+1:], constraint)
}
