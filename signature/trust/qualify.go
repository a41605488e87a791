package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
)

// eIDASDate is when Regulation (EU) No 910/2014 applied (TS 119 612
// §5.5.4: statuses before it are those of Directive 1999/93/EC).
var eIDASDate = time.Date(2016, 7, 1, 0, 0, 0, 0, time.UTC)

// grantedStatus reports whether a service status URI means "qualified"
// (granted, or one of the pre-eIDAS statuses that DSS and TS 119 615
// treat as such).
func grantedStatus(s string) bool {
	switch strings.TrimPrefix(s, statusPrefix) {
	case "granted", "undersupervision", "supervisionincessation", "accredited", "setbynationallaw":
		return true
	}
	return false
}

func short(uri string) string {
	if i := strings.LastIndex(uri, "/"); i >= 0 && i < len(uri)-1 {
		return uri[i+1:]
	}
	return uri
}

// versionAt returns the service information in force at t: the version
// with the latest StatusStart not after t.
func (s *Service) versionAt(t time.Time) (*Version, bool) {
	var best *Version
	for i := range s.Versions {
		v := &s.Versions[i]
		if v.StatusStart.After(t) {
			continue
		}
		if best == nil || v.StatusStart.After(best.StatusStart) {
			best = v
		}
	}
	return best, best != nil
}

// StatusAt returns the service type and status URIs in force at t.
func (s *Service) StatusAt(t time.Time) (typ, status string, since time.Time, ok bool) {
	v, ok := s.versionAt(t)
	if !ok {
		return "", "", time.Time{}, false
	}
	return v.Type, v.Status, v.StatusStart, true
}

type match struct {
	s   *Service
	via string
}

// lookup returns the services whose digital identity matches c by key
// (SHA-256 of SubjectPublicKeyInfo) or subject key identifier.
func (ls *Lists) lookup(c *pki.Certificate, out []match) []match {
	seen := func(s *Service) bool {
		for _, m := range out {
			if m.s == s {
				return true
			}
		}
		return false
	}
	k := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	for _, s := range ls.byKey[k] {
		if !seen(s) {
			out = append(out, match{s, "public key of " + c.Subject.CommonName})
		}
	}
	if ski := skiOf(c); len(ski) > 0 {
		for _, s := range ls.bySKI[string(ski)] {
			if !seen(s) {
				out = append(out, match{s, fmt.Sprintf("subject key identifier %X of %s", ski, c.Subject.CommonName)})
			}
		}
	}
	return out
}

// caMatches returns the services matching the issuers of path[0]: every
// CA certificate of the path, and the leaf's authority key identifier.
func (ls *Lists) caMatches(path pki.Path) []match {
	var out []match
	for _, c := range path[1:] {
		if c != nil {
			out = ls.lookup(c, out)
		}
	}
	if aki := path[0].AuthorityKeyId; len(aki) > 0 {
		for _, s := range ls.bySKI[string(aki)] {
			dup := false
			for _, m := range out {
				dup = dup || m.s == s
			}
			if !dup {
				out = append(out, match{s, fmt.Sprintf("the certificate's authority key identifier %X", aki)})
			}
		}
	}
	return out
}

type outcome struct {
	q        signature.Qualification
	reasons  []string
	warnings []string
	source   string
	usable   bool
}

func rank(q signature.Qualification) int {
	switch q {
	case signature.QESig, signature.QESeal:
		return 4
	case signature.AdESigQC, signature.AdESealQC:
		return 3
	case signature.AdESig, signature.AdESeal:
		return 2
	}
	return 1
}

func indeterminate(q signature.Qualification) signature.Qualification {
	switch q {
	case signature.QESig:
		return signature.IndetQESig
	case signature.QESeal:
		return signature.IndetQESeal
	case signature.AdESigQC:
		return signature.IndetAdESigQC
	case signature.AdESealQC:
		return signature.IndetAdESealQC
	case signature.AdESig:
		return signature.IndetAdESig
	case signature.AdESeal:
		return signature.IndetAdESeal
	}
	return q
}

// Qualify decides the qualification of the signer certificate path[0]
// (path leaf first, as pki builds it) at time at (the best signature
// time), following ETSI TS 119 615 §4 as DSS does.
func (ls *Lists) Qualify(path pki.Path, at time.Time) signature.QualificationResult {
	r, _ := ls.qualify(path, at, false)
	return r
}

// Explain returns, step by step in plain English, how the qualification
// of cert (with its path) at time at was decided.
func (ls *Lists) Explain(cert *pki.Certificate, path pki.Path, at time.Time) []string {
	if cert == nil && len(path) > 0 {
		cert = path[0]
	}
	if len(path) == 0 || path[0] != cert {
		path = append(pki.Path{cert}, path...)
	}
	_, steps := ls.qualify(path, at, true)
	return steps
}

func (ls *Lists) qualify(path pki.Path, at time.Time, explain bool) (signature.QualificationResult, []string) {
	var steps []string
	step := func(format string, a ...any) {
		if explain {
			steps = append(steps, fmt.Sprintf(format, a...))
		}
	}
	if len(path) == 0 || path[0] == nil {
		return signature.QualificationResult{Qualification: signature.QualNA, Reasons: []string{"no signing certificate"}}, []string{"no signing certificate"}
	}
	leaf := path[0]
	step("Certificate: %s, issued by %s, valid %s to %s.", leaf.SubjectString(), leaf.IssuerString(), day(leaf.NotBefore), day(leaf.NotAfter))
	step("Its QCStatements: %s.", describeQC(leaf))
	step("Time considered: %s (issuance: %s).", at.UTC().Format(time.RFC3339), leaf.NotBefore.UTC().Format(time.RFC3339))
	usable := 0
	for _, l := range ls.lists {
		if l.status.Usable() {
			usable++
		}
	}
	step("Trusted lists loaded: %d, usable: %d.", len(ls.lists), usable)

	ms := ls.caMatches(path)
	if len(ms) == 0 {
		country := ""
		if cs := leaf.Issuer.Country; len(cs) > 0 {
			country = cs[0]
		}
		for _, l := range ls.lists {
			if !l.status.Usable() && (l.list == nil || l.list.Territory == country) {
				why := fmt.Sprintf("no usable trusted list service matches the issuer; the list %s could not be used: %v", l.source, l.err)
				step("No service matches any certificate of the path; %s.", why)
				q := indeterminate(claimed(leaf))
				if q == signature.QualNA {
					q = signature.IndetAdESig
				}
				step("Result: %s.", q)
				return signature.QualificationResult{Qualification: q, Reasons: []string{why}}, steps
			}
		}
		why := "the issuer of the certificate is not a service of any loaded trusted list (matched by key and subject key identifier)"
		step("No service matches: %s.", why)
		step("Result: %s.", signature.QualNA)
		return signature.QualificationResult{Qualification: signature.QualNA, Reasons: []string{why}}, steps
	}

	var best, bestBad *outcome
	for _, m := range ms {
		step("Service %q of %s in the %s list matches by %s.", m.s.Name, m.s.TSP, m.s.list.list.Territory, m.via)
		o := evaluate(m.s, leaf, at, step)
		if !o.usable {
			step("  The %s list cannot be used (%s): %v.", m.s.list.list.Territory, m.s.list.status, m.s.list.err)
			if bestBad == nil || rank(o.q) > rank(bestBad.q) {
				bestBad = o
			}
			continue
		}
		step("  Outcome with this service: %s.", o.q)
		if best == nil || rank(o.q) > rank(best.q) {
			best = o
		} else if rank(o.q) != rank(best.q) {
			best.warnings = append(best.warnings, fmt.Sprintf("another matching service (%s) gives %s", o.source, o.q))
		}
	}
	var res signature.QualificationResult
	switch {
	case best != nil && (bestBad == nil || rank(bestBad.q) <= rank(best.q)):
		res = signature.QualificationResult{Qualification: best.q, Reasons: best.reasons, Warnings: best.warnings, Source: best.source}
	default:
		o := bestBad
		reasons := append([]string{fmt.Sprintf("the trusted list %s cannot be used (%s): %v", o.source, o.q, errString(ms, o))}, o.reasons...)
		res = signature.QualificationResult{Qualification: indeterminate(o.q), Reasons: reasons, Warnings: o.warnings, Source: o.source}
	}
	step("Result: %s.", res.Qualification)
	return res, steps
}

func errString(ms []match, o *outcome) string {
	for _, m := range ms {
		if !m.s.list.status.Usable() && sourceOf(m.s) == o.source {
			return fmt.Sprintf("%s: %v", m.s.list.status, m.s.list.err)
		}
	}
	return "unusable"
}

func sourceOf(s *Service) string {
	return fmt.Sprintf("%s: %s / %s", s.list.list.Territory, s.TSP, s.Name)
}

// claimed is what the certificate claims for itself, used when no list
// can tell.
func claimed(c *pki.Certificate) signature.Qualification {
	if !c.QC.Compliance {
		return signature.QualNA
	}
	seal := c.QC.IsESeal() && !c.QC.IsESign()
	switch {
	case c.QC.SSCD && seal:
		return signature.QESeal
	case c.QC.SSCD:
		return signature.QESig
	case seal:
		return signature.AdESealQC
	}
	return signature.AdESigQC
}

// evaluate applies one CA/QC service to the certificate (TS 119 615 §4.3-4.5).
func evaluate(s *Service, leaf *pki.Certificate, at time.Time, step func(string, ...any)) *outcome {
	o := &outcome{source: sourceOf(s), usable: s.list.status.Usable()}
	why := func(format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		o.reasons = append(o.reasons, msg)
		step("  %s", msg)
	}
	sealHint := leaf.QC.IsESeal() && !leaf.QC.IsESign()
	notQualified := func() *outcome {
		if sealHint {
			o.q = signature.AdESeal
		} else {
			o.q = signature.AdESig
		}
		return o
	}
	vT, okT := s.versionAt(at)
	if !okT {
		why("the service %q had no status yet at %s", s.Name, day(at))
		return notQualified()
	}
	if vT.Type != SvcTypeCAQC {
		why("at %s the service type was %s, not CA/QC", day(at), short(vT.Type))
		return notQualified()
	}
	if !grantedStatus(vT.Status) {
		why("at %s the service status was %s (since %s), not granted", day(at), short(vT.Status), day(vT.StatusStart))
		return notQualified()
	}
	why("at %s the service status was %s (since %s)", day(at), short(vT.Status), day(vT.StatusStart))
	issued := leaf.NotBefore
	vI, okI := s.versionAt(issued)
	switch {
	case !okI:
		why("the service had no status when the certificate was issued (%s)", day(issued))
		return notQualified()
	case vI.Type != SvcTypeCAQC || !grantedStatus(vI.Status):
		why("when the certificate was issued (%s) the service was %s with status %s, not a granted CA/QC", day(issued), short(vI.Type), short(vI.Status))
		return notQualified()
	}
	if vI != vT {
		why("when the certificate was issued (%s) the service status was %s", day(issued), short(vI.Status))
	}

	// QC (§4.4): the certificate's statements, overruled by the list.
	qc := leaf.QC.Compliance
	if qc {
		why("the certificate states that it is an EU qualified certificate (QcCompliance)")
	} else if issued.Before(eIDASDate) && hasPolicy(leaf, "0.4.0.1456.1.1", "0.4.0.1456.1.2") {
		qc = true
		why("the certificate has no QcCompliance statement but a QCP policy of Directive 1999/93/EC")
	} else {
		why("the certificate does not state that it is qualified (no QcCompliance)")
	}
	// The list may overrule the certificate, at issuance and at time at:
	// it must be qualified at both (TS 119 615 §4.4, as DSS does).
	qI := applicable(vI.Qualifications, leaf)
	qT := applicable(vT.Qualifications, leaf)
	certQC := qc
	for _, w := range []struct {
		q    map[string]bool
		when string
	}{{qI, "at issuance"}, {qT, "at " + day(at)}} {
		switch {
		case w.q[NotQualified]:
			why("the trusted list overrules the certificate %s: qualifier NotQualified", w.when)
			qc = false
		case w.q[QCStatement] && !certQC:
			why("the trusted list overrules the certificate %s: qualifier QCStatement makes it qualified", w.when)
		case !certQC:
			qc = false
		}
	}
	if !certQC && (qI[QCStatement] && qT[QCStatement]) && !qI[NotQualified] && !qT[NotQualified] {
		qc = true
	}

	// Type (§4.3): esig, eseal or web.
	typ := ""
	switch {
	case qT[QCForESig]:
		typ = "esig"
		why("the trusted list says the certificate is for electronic signatures (QCForESig)")
	case qT[QCForESeal]:
		typ = "eseal"
		why("the trusted list says the certificate is for electronic seals (QCForESeal)")
	case qT[QCForWSA]:
		typ = "web"
		why("the trusted list says the certificate is for website authentication (QCForWSA)")
	case qT[QCForLegalPerson] || qI[QCForLegalPerson]:
		typ = "eseal"
		why("the trusted list says the certificate was issued to a legal person (QCForLegalPerson): an electronic seal")
	case leaf.QC.IsESign() && leaf.QC.IsESeal():
		why("the certificate claims both esign and eseal types; treated as electronic signature")
		typ = "esig"
	case leaf.QC.IsESign():
		typ = "esig"
		why("the certificate's QcType is esign")
	case leaf.QC.IsESeal():
		typ = "eseal"
		why("the certificate's QcType is eseal")
	case leaf.QC.IsWeb():
		typ = "web"
		why("the certificate's QcType is web")
	default:
		typ = noQcType(leaf, vI, issued, why, o)
	}
	if typ == "web" {
		why("a certificate for website authentication does not make a signature or seal qualified")
		o.q = signature.QualNA
		return o
	}
	asi := map[string]bool{}
	for _, u := range vI.AdditionalInfo {
		asi[short(u)] = true
	}
	if qc && !issued.Before(eIDASDate) && len(asi) > 0 {
		need := map[string]string{"esig": ForeSignatures, "eseal": ForeSeals}[typ]
		if !asi[need] {
			why("the service is not granted for %s (AdditionalServiceInformation lists %s)", map[string]string{"esig": "electronic signatures", "eseal": "electronic seals"}[typ], keys(asi))
			qc = false
		}
	}

	// QSCD (§4.5), at time at.
	qscd := leaf.QC.SSCD
	src := "the certificate"
	switch {
	case qT[QCWithQSCD] || qT[QCWithSSCD]:
		qscd, src = true, "the trusted list (QCWithQSCD)"
	case qT[QCQSCDManagedOnBehalf]:
		qscd, src = true, "the trusted list (QCQSCDManagedOnBehalf)"
	case qT[QCNoQSCD] || qT[QCNoSSCD]:
		qscd, src = false, "the trusted list (QCNoQSCD)"
	case qT[QCQSCDStatusAsInCert] || qT[QCSSCDStatusAsInCert]:
		src = "the certificate, as the trusted list says (QCQSCDStatusAsInCert)"
	}
	if qscd {
		why("the private key is in a qualified signature creation device, according to %s", src)
	} else {
		why("the private key is not in a qualified signature creation device, according to %s", src)
	}
	seal := typ == "eseal"
	switch {
	case qc && qscd && seal:
		o.q = signature.QESeal
	case qc && qscd:
		o.q = signature.QESig
	case qc && seal:
		o.q = signature.AdESealQC
	case qc:
		o.q = signature.AdESigQC
	case seal:
		o.q = signature.AdESeal
	default:
		o.q = signature.AdESig
	}
	return o
}

func keys(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	return strings.Join(s, ", ")
}

// applicable returns the short names of the qualifiers whose criteria the
// certificate meets.
func applicable(qs []Qualification, c *pki.Certificate) map[string]bool {
	out := map[string]bool{}
	for _, q := range qs {
		if q.Criteria.match(c) {
			for _, u := range q.Qualifiers {
				out[short(u)] = true
			}
		}
	}
	return out
}

var keyUsageBits = map[string]x509.KeyUsage{
	"digitalSignature": x509.KeyUsageDigitalSignature,
	"nonRepudiation":   x509.KeyUsageContentCommitment,
	"keyEncipherment":  x509.KeyUsageKeyEncipherment,
	"dataEncipherment": x509.KeyUsageDataEncipherment,
	"keyAgreement":     x509.KeyUsageKeyAgreement,
	"keyCertSign":      x509.KeyUsageCertSign,
	"crlSign":          x509.KeyUsageCRLSign,
	"encipherOnly":     x509.KeyUsageEncipherOnly,
	"decipherOnly":     x509.KeyUsageDecipherOnly,
}

var ekuOIDs = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth:      "1.3.6.1.5.5.7.3.1",
	x509.ExtKeyUsageClientAuth:      "1.3.6.1.5.5.7.3.2",
	x509.ExtKeyUsageCodeSigning:     "1.3.6.1.5.5.7.3.3",
	x509.ExtKeyUsageEmailProtection: "1.3.6.1.5.5.7.3.4",
	x509.ExtKeyUsageTimeStamping:    "1.3.6.1.5.5.7.3.8",
	x509.ExtKeyUsageOCSPSigning:     "1.3.6.1.5.5.7.3.9",
}

func (cr Criteria) match(c *pki.Certificate) bool {
	var results []bool
	for _, ku := range cr.KeyUsages {
		ok := true
		for name, want := range ku {
			bit, known := keyUsageBits[name]
			if !known || (c.KeyUsage&bit != 0) != want {
				ok = false
			}
		}
		results = append(results, ok)
	}
	for _, set := range cr.Policies {
		results = append(results, hasPolicy(c, set...) && hasAllPolicies(c, set))
	}
	for _, set := range cr.EKUs {
		have := map[string]bool{}
		for _, e := range c.ExtKeyUsage {
			have[ekuOIDs[e]] = true
		}
		for _, o := range c.UnknownExtKeyUsage {
			have[o.String()] = true
		}
		ok := true
		for _, o := range set {
			ok = ok && have[o]
		}
		results = append(results, ok)
	}
	for _, set := range cr.Subject {
		have := map[string]bool{}
		for _, n := range c.Subject.Names {
			have[n.Type.String()] = true
		}
		ok := true
		for _, o := range set {
			ok = ok && have[o]
		}
		results = append(results, ok)
	}
	for _, n := range cr.Nested {
		results = append(results, n.match(c))
	}
	for i := 0; i < cr.Unknown; i++ {
		results = append(results, false)
	}
	n := 0
	for _, r := range results {
		if r {
			n++
		}
	}
	switch cr.Assert {
	case "atLeastOne":
		return n > 0
	case "none":
		return n == 0
	default: // "all"
		return n == len(results)
	}
}

func hasPolicy(c *pki.Certificate, oids ...string) bool {
	for _, p := range c.PolicyIdentifiers {
		for _, o := range oids {
			if p.String() == o {
				return true
			}
		}
	}
	return false
}

func hasAllPolicies(c *pki.Certificate, oids []string) bool {
	for _, o := range oids {
		if !hasPolicy(c, o) {
			return false
		}
	}
	return true
}

// QualifiedTSA reports whether a certificate of path (the time-stamping
// unit first) belongs to a TSA/QTST service granted at time at in a usable
// list (or, before eIDAS, an accredited or supervised TSA/TSS-QC or
// TSS-AdESQCandQES service).
func (ls *Lists) QualifiedTSA(path pki.Path, at time.Time) bool {
	var ms []match
	for _, c := range path {
		if c != nil {
			ms = ls.lookup(c, ms)
		}
	}
	for _, m := range ms {
		if !m.s.list.status.Usable() {
			continue
		}
		v, ok := m.s.versionAt(at)
		if !ok || !grantedStatus(v.Status) {
			continue
		}
		switch v.Type {
		case SvcTypeQTST:
			return true
		case SvcTypeTSSQC, SvcTypeTSSAdESQC:
			if at.Before(eIDASDate) {
				return true
			}
		}
	}
	return false
}

// Anchors returns the certificates of the CA/QC and TSA/QTST services (and
// their pre-eIDAS TSA forms) of the usable lists, usable as trust anchors
// for path building; qualification is decided separately by Qualify.
func (ls *Lists) Anchors() []*pki.Certificate {
	var out []*pki.Certificate
	seen := map[[32]byte]bool{}
	for _, l := range ls.lists {
		if l.list == nil || !l.status.Usable() {
			continue
		}
		for _, tsp := range l.list.TSPs {
			for _, s := range tsp.Services {
				use := false
				for _, v := range s.Versions {
					switch v.Type {
					case SvcTypeCAQC, SvcTypeQTST, SvcTypeTSSQC, SvcTypeTSSAdESQC:
						use = true
					}
				}
				if !use {
					continue
				}
				for _, c := range s.Identity.Certificates {
					if !seen[c.SHA256] {
						seen[c.SHA256] = true
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

func describeQC(c *pki.Certificate) string {
	q := c.QC
	if !q.Present {
		return "none"
	}
	var parts []string
	if q.Compliance {
		parts = append(parts, "QcCompliance")
	}
	if q.SSCD {
		parts = append(parts, "QcSSCD")
	}
	for _, t := range q.Types {
		parts = append(parts, "QcType "+map[string]string{"0.4.0.1862.1.6.1": "esign", "0.4.0.1862.1.6.2": "eseal", "0.4.0.1862.1.6.3": "web"}[t.String()])
	}
	if len(parts) == 0 {
		return "present, no qualified claims"
	}
	return strings.Join(parts, ", ")
}

// noQcType decides the type of a certificate without QcType statement:
// before eIDAS it is for signatures (EN 319 412-5 §4.2.3); after, the
// service's AdditionalServiceInformation decides when it names one type,
// then the legal-person semantics identifier; otherwise signatures, with a
// warning.
func noQcType(leaf *pki.Certificate, v *Version, issued time.Time, why func(string, ...any), o *outcome) string {
	if issued.Before(eIDASDate) {
		why("the certificate has no QcType and was issued before eIDAS: for electronic signatures (EN 319 412-5 §4.2.3)")
		return "esig"
	}
	asi := map[string]bool{}
	for _, u := range v.AdditionalInfo {
		asi[short(u)] = true
	}
	switch {
	case asi[ForeSignatures] && !asi[ForeSeals]:
		why("the certificate has no QcType; the service issues for electronic signatures only (ForeSignatures)")
		return "esig"
	case asi[ForeSeals] && !asi[ForeSignatures]:
		why("the certificate has no QcType; the service issues for electronic seals only (ForeSeals)")
		return "eseal"
	}
	for _, id := range leaf.QC.SemanticsIDs {
		if id.Equal(pki.OIDSemanticsLegal) {
			why("the certificate has no QcType; its semantics identifier is that of a legal person: electronic seal")
			return "eseal"
		}
	}
	why("the certificate has no QcType: taken as for electronic signatures")
	o.warnings = append(o.warnings, "the certificate states no QcType; its type (signature or seal) was assumed")
	return "esig"
}
