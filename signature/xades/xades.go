package xades

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// Options control how one XAdES signature is read.
type Options struct {
	// Resolver supplies the octets of references that are neither "" nor
	// "#id" (the data files of an ASiC container, a detached file). Nil:
	// such references are SIGNED_DATA_NOT_FOUND.
	Resolver xmldsig.Resolver
	// MediaTypes, when not nil, maps a reference URI (as written in the
	// signature) to the media type the container's manifest declares; a
	// DataObjectFormat MimeType that disagrees is reported.
	MediaTypes map[string]string
	// Limits bound XML that a transform must parse.
	Limits xmldsig.Limits
}

// Details is what the container needs beyond the report: which external
// references were digested and matched.
type Details struct {
	SignatureID string
	// External lists the references to data outside the XML document, in
	// SignedInfo order, with whether their digest matched.
	External []ExternalRef
	// MediaTypeMismatch names the URIs whose DataObjectFormat MimeType
	// differs from Options.MediaTypes.
	MediaTypeMismatch []string
	// TimeMark is true for a BDOC time-mark signature whose OCSP nonce
	// binds it to the signature value.
	TimeMark bool
}

// ExternalRef is one reference resolved through Options.Resolver.
type ExternalRef struct {
	URI string
	OK  bool
}

// Evidence reads the ds:Signature element sig of doc as a XAdES signature
// (EN 319 132-1) and returns what signature.Validate needs. It verifies
// the XML-DSig core (through signature/xmldsig), the binding of the signed
// properties, of the signing certificate and of the timestamps. It never
// returns nil.
func Evidence(doc *etree.Document, sig *etree.Element, xo Options) (*signature.Evidence, *Details) {
	ev := &signature.Evidence{Format: signature.FormatXAdES}
	d := &Details{SignatureID: sig.SelectAttrValue("Id", "")}
	r := &reader{doc: doc, sig: sig, xo: xo, ev: ev, d: d}
	r.run()
	return ev, d
}

type reader struct {
	doc *etree.Document
	sig *etree.Element
	xo  Options
	ev  *signature.Evidence
	d   *Details

	qp, sp, usp *etree.Element
	props       *signedProps
	certs       []*pki.Certificate // KeyInfo + CertificateValues, deduplicated
	res         *xmldsig.Result
	sigValue    []byte
}

func (r *reader) formatErr(err error) {
	if r.ev.FormatErr == nil {
		r.ev.FormatErr = err
	}
}

func (r *reader) run() {
	ev := r.ev
	if err := r.findProperties(); err != nil {
		r.formatErr(err)
	}
	r.collectCertificates()

	// Keys: the certificates the SigningCertificate property names come
	// first, then the others (so that a mismatch is reported as such
	// rather than as a bad signature value).
	var ordered []*pki.Certificate
	xo := xmldsig.Options{Resolver: r.xo.Resolver, Limits: r.xo.Limits,
		KeyFunc: func(keyInfo [][]byte) ([]crypto.PublicKey, error) {
			for _, der := range keyInfo {
				if c, err := pki.ParseCertificate(der); err == nil {
					r.addCert(c)
				}
			}
			ordered = r.orderCandidates()
			keys := make([]crypto.PublicKey, len(ordered))
			for i, c := range ordered {
				keys[i] = c.Key
			}
			return keys, nil
		}}
	res, err := xmldsig.Verify(r.doc, r.sig, xo)
	r.res = res
	if res == nil {
		r.formatErr(err)
		ev.Level = "XML-DSig"
		return
	}
	if a, aerr := algo.FromXMLURI(res.SignatureMethod); aerr != nil {
		ev.AlgorithmErr = aerr
	} else {
		ev.Algorithm = a
	}
	if res.KeyIndex >= 0 && res.KeyIndex < len(ordered) {
		ev.SigningCert = ordered[res.KeyIndex]
	}
	r.classify(err)
	r.checkSignedProperties()
	r.checkSigningCertificate()
	r.covered()
	r.unsigned()
	r.level()
}

// findProperties locates xades:QualifyingProperties (exactly one, in a
// ds:Object of this signature, targeting it) and its parts.
func (r *reader) findProperties() error {
	var qps []*etree.Element
	for _, obj := range children(r.sig, isDS, "Object") {
		qps = append(qps, children(obj, isXAdESNS, "QualifyingProperties")...)
	}
	switch len(qps) {
	case 0:
		return fmt.Errorf("%w: no QualifyingProperties: an XML-DSig signature, not XAdES", ErrFormat)
	case 1:
	default:
		return fmt.Errorf("%w: %d QualifyingProperties elements", ErrFormat, len(qps))
	}
	r.qp = qps[0]
	id := r.sig.SelectAttrValue("Id", "")
	if t := r.qp.SelectAttrValue("Target", ""); id == "" || t != "#"+id {
		return fmt.Errorf("%w: QualifyingProperties Target %q does not name this signature (Id %q)", ErrFormat, t, id)
	}
	sp, err := child(r.qp, isXAdESNS, "SignedProperties")
	if err != nil {
		return err
	}
	if sp == nil {
		return fmt.Errorf("%w: no SignedProperties", ErrFormat)
	}
	r.sp = sp
	if up, err := child(r.qp, isXAdESNS, "UnsignedProperties"); err != nil {
		return err
	} else if up != nil {
		if r.usp, err = child(up, isXAdESNS, "UnsignedSignatureProperties"); err != nil {
			return err
		}
	}
	// The properties are read only after the reference check proves
	// that this SignedProperties element is the one that was digested.
	return nil
}

func (r *reader) addCert(c *pki.Certificate) {
	for _, o := range r.certs {
		if o.SHA256 == c.SHA256 {
			return
		}
	}
	r.certs = append(r.certs, c)
}

// collectCertificates reads CertificateValues (and the certificates of
// TimeStampValidationData): unsigned, usable as candidates and for path
// building; the signed SigningCertificate digest decides which one signed.
func (r *reader) collectCertificates() {
	if r.usp == nil {
		return
	}
	for _, el := range r.usp.FindElements(".//EncapsulatedX509Certificate") {
		if !isAnyXAdES(el.NamespaceURI()) {
			continue
		}
		der, err := decodeB64(el.Text())
		if err != nil {
			r.ev.Warnings = append(r.ev.Warnings, "An embedded certificate is not base64: "+err.Error())
			continue
		}
		if c, err := pki.ParseCertificate(der); err == nil {
			r.addCert(c)
		} else {
			r.ev.Warnings = append(r.ev.Warnings, "An embedded certificate is unreadable: "+err.Error())
		}
	}
}

// signedCertRefs parses SigningCertificate(V2) from the SignedProperties
// element without trusting it yet (used only to order candidate keys).
func (r *reader) orderCandidates() []*pki.Certificate {
	var refs []certRef
	if r.sp != nil {
		if p, err := parseSignedProps(r.sp); err == nil {
			refs = p.CertRefs
		}
	}
	var first, rest []*pki.Certificate
	for _, c := range r.certs {
		if matchRef(refs, c) >= 0 {
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	return append(first, rest...)
}

// matchRef returns the index of the certRef whose digest is c's, or -1.
func matchRef(refs []certRef, c *pki.Certificate) int {
	for i, ref := range refs {
		if ref.HashErr != nil || !ref.Hash.Available() {
			continue
		}
		h := ref.Hash.New()
		h.Write(c.Raw)
		if bytes.Equal(h.Sum(nil), ref.Digest) {
			return i
		}
	}
	return -1
}

// classify sorts the XML-DSig outcome into the evidence fields.
func (r *reader) classify(err error) {
	ev, res := r.ev, r.res
	if err == nil {
		return
	}
	if !res.SignatureOK {
		switch {
		case errors.Is(err, xmldsig.ErrSignatureBad):
			ev.SignatureErr = err
		case errors.Is(err, xmldsig.ErrNoKey):
			if ev.SigningCertErr == nil {
				ev.SigningCertErr = fmt.Errorf("%w: no certificate in KeyInfo or CertificateValues", ErrSigningCert)
			}
		case errors.Is(err, xmldsig.ErrUnsupported) && ev.AlgorithmErr == nil:
			ev.AlgorithmErr = err
		case ev.AlgorithmErr == nil:
			r.formatErr(err)
		}
	}
	for _, ref := range res.References {
		switch {
		case ref.Err == nil:
		case errors.Is(ref.Err, xmldsig.ErrDigest):
			if ev.DigestErr == nil {
				ev.DigestErr = ref.Err
			}
		case errors.Is(ref.Err, xmldsig.ErrDuplicateID):
			// Two elements with the same ID: a wrapping attempt.
			r.formatErr(ref.Err)
		case errors.Is(ref.Err, xmldsig.ErrNotFound), errors.Is(ref.Err, xmldsig.ErrResolver),
			errors.Is(ref.Err, xmldsig.ErrUnsupported):
			// DSS: the referenced data object was not found (or cannot
			// be determined, e.g. behind an XPath transform).
			if ev.SignedDataErr == nil {
				ev.SignedDataErr = ref.Err
			}
		default:
			r.formatErr(ref.Err)
		}
	}
	if len(res.References) == 0 && res.SignatureOK {
		r.formatErr(err)
	}
}

// checkSignedProperties enforces EN 319 132-1 §6.3 (f): exactly one
// reference with the SignedProperties type, and it is this signature's
// SignedProperties element. Only then are the properties read.
func (r *reader) checkSignedProperties() {
	var spRefs []xmldsig.Reference
	for _, ref := range r.res.References {
		if ref.Type == TypeSignedProperties || ref.Type == NS111+"SignedProperties" {
			spRefs = append(spRefs, ref)
		}
	}
	switch {
	case r.sp == nil:
		return
	case r.ev.SignatureErr != nil:
		// The SignedInfo was altered: the signature value failing is the
		// decisive reason (DSS: SIG_CRYPTO_FAILURE).
		return
	case len(spRefs) == 0:
		r.formatErr(fmt.Errorf("%w: SignedInfo has no reference of type SignedProperties: the qualifying properties are not signed", ErrFormat))
		return
	case len(spRefs) > 1:
		r.formatErr(fmt.Errorf("%w: %d references of type SignedProperties", ErrFormat, len(spRefs)))
		return
	}
	ref := spRefs[0]
	if ref.Err != nil {
		return // reported by classify
	}
	if ref.Element != r.sp || ref.Enveloped || ref.Whole {
		r.formatErr(fmt.Errorf("%w: the SignedProperties reference %q does not point at this signature's SignedProperties", ErrFormat, ref.URI))
		return
	}
	p, err := parseSignedProps(r.sp)
	if err != nil {
		r.formatErr(err)
		return
	}
	r.props = p
	if p.SigningTimeErr != nil {
		r.formatErr(p.SigningTimeErr)
	}
	r.ev.ClaimedSigningTime = p.SigningTime
	// DataObjectFormat against the manifest (EN 319 162-1 §A.1, EN 319
	// 132-1 §5.2.4).
	if r.xo.MediaTypes != nil {
		for _, dref := range r.res.References {
			mt, ok := p.DataObjectFormats[dref.ID]
			if !ok || dref.ID == "" {
				continue
			}
			if want, ok := r.xo.MediaTypes[dref.URI]; ok && !sameMediaType(want, mt) {
				r.d.MediaTypeMismatch = append(r.d.MediaTypeMismatch, dref.URI)
				r.ev.Warnings = append(r.ev.Warnings, fmt.Sprintf("The signed media type of %q (%s) differs from the container manifest's (%s).", dref.URI, mt, want))
			}
		}
	}
}

// checkSigningCertificate binds the signing certificate to the signed
// SigningCertificate(V2) property (EN 319 132-1 §5.2.2): digest, and
// issuer and serial number. DSS: NO_SIGNING_CERTIFICATE_FOUND.
func (r *reader) checkSigningCertificate() {
	ev := r.ev
	ev.Certificates = r.certs
	if ev.SigningCert == nil {
		if ev.SigningCertErr == nil && ev.SignatureErr == nil && r.res.SignatureOK {
			ev.SigningCertErr = fmt.Errorf("%w: no key verified the signature value", ErrSigningCert)
		}
		if ev.SignatureErr != nil && len(r.certs) > 0 {
			// Report the signer the signature claims: the named certificate.
			ordered := r.orderCandidates()
			ev.SigningCert = ordered[0]
		}
		return
	}
	if r.props == nil {
		return // unsigned properties: the format error says so
	}
	if !r.props.HasCertRefs {
		ev.SigningCertErr = fmt.Errorf("%w: no SigningCertificate or SigningCertificateV2 property", ErrSigningCert)
		return
	}
	i := matchRef(r.props.CertRefs, ev.SigningCert)
	if i < 0 {
		ev.SigningCertErr = fmt.Errorf("%w: the SigningCertificate digest does not match the certificate whose key verifies the signature", ErrSigningCert)
		return
	}
	ref := r.props.CertRefs[i]
	c := ev.SigningCert
	if ref.Serial != nil {
		if ref.Serial.Cmp(c.SerialNumber) != 0 {
			ev.SigningCertErr = fmt.Errorf("%w: IssuerSerial serial number %s is not the certificate's %s", ErrSigningCert, ref.Serial, c.SerialNumber)
			return
		}
		ok, err := dnMatches(ref.IssuerName, c.RawIssuer)
		switch {
		case err != nil:
			ev.Warnings = append(ev.Warnings, "The X509IssuerName of SigningCertificate could not be compared: "+err.Error())
		case !ok:
			ev.SigningCertErr = fmt.Errorf("%w: IssuerSerial issuer %q is not the certificate's issuer %q", ErrSigningCert, ref.IssuerName, c.IssuerString())
			return
		}
	}
	if ref.IssuerSerialV2 != nil {
		var is issuerSerial
		if rest, err := asn1.Unmarshal(ref.IssuerSerialV2, &is); err != nil || len(rest) > 0 {
			ev.SigningCertErr = fmt.Errorf("%w: IssuerSerialV2 is not a DER IssuerSerial", ErrSigningCert)
			return
		}
		if is.Serial == nil || is.Serial.Cmp(c.SerialNumber) != 0 {
			ev.SigningCertErr = fmt.Errorf("%w: IssuerSerialV2 serial number does not match", ErrSigningCert)
			return
		}
		matched := false
		for _, gn := range is.Issuer {
			if gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 && pki.NamesEqual(gn.Bytes, c.RawIssuer) {
				matched = true
			}
		}
		if !matched {
			ev.SigningCertErr = fmt.Errorf("%w: IssuerSerialV2 issuer does not match", ErrSigningCert)
			return
		}
	}
}

// covered lists what the signature covers, as digested.
func (r *reader) covered() {
	for _, ref := range r.res.References {
		if ref.Type == TypeSignedProperties || ref.Type == NS111+"SignedProperties" {
			continue
		}
		switch {
		case ref.Whole:
			what := "the whole XML document"
			if ref.Enveloped {
				what += " (enveloped signature)"
			}
			if ref.DigestOK {
				r.ev.Covered = append(r.ev.Covered, what)
			}
		case ref.Element != nil:
			if ref.DigestOK {
				r.ev.Covered = append(r.ev.Covered, fmt.Sprintf("XML element <%s> %s", ref.Element.Tag, ref.URI))
			}
		default:
			r.d.External = append(r.d.External, ExternalRef{URI: ref.URI, OK: ref.DigestOK && ref.Err == nil})
		}
	}
}

// unsigned reads the unsigned signature properties: timestamps (T, LTA)
// and validation data (LT).
func (r *reader) unsigned() {
	sv := r.sigValueElement()
	if sv != nil {
		r.sigValue, _ = decodeB64(sv.Text())
	}
	if r.usp == nil {
		return
	}
	ev := r.ev
	for i, p := range r.usp.ChildElements() {
		ns := p.NamespaceURI()
		switch {
		case p.Tag == "SignatureTimeStamp" && isAnyXAdES(ns):
			for _, tok := range r.tokens(p) {
				te := signature.TimestampEvidence{Type: "signature", Token: tok}
				alg, pl := tsC14N(p)
				if sv == nil {
					te.ImprintErr = fmt.Errorf("%w: no SignatureValue", ErrFormat)
				} else if c, err := xmldsig.Canonicalize(sv, alg, pl); err != nil {
					te.ImprintErr = err
				} else {
					te.Imprinted = c
				}
				ev.Timestamps = append(ev.Timestamps, te)
			}
		case p.Tag == "ArchiveTimeStamp" && isAnyXAdES(ns):
			for _, tok := range r.tokens(p) {
				ev.Timestamps = append(ev.Timestamps, r.archiveTimestamp(p, i, tok))
			}
		case p.Tag == "RevocationValues" && isAnyXAdES(ns), p.Tag == "TimeStampValidationData" && ns == NS141:
			for _, el := range p.FindElements(".//EncapsulatedOCSPValue") {
				if der, err := decodeB64(el.Text()); err == nil {
					ev.OCSP = append(ev.OCSP, der)
				} else {
					ev.Warnings = append(ev.Warnings, "An embedded OCSP response is not base64.")
				}
			}
			for _, el := range p.FindElements(".//EncapsulatedCRLValue") {
				if der, err := decodeB64(el.Text()); err == nil {
					ev.CRLs = append(ev.CRLs, der)
				} else {
					ev.Warnings = append(ev.Warnings, "An embedded CRL is not base64.")
				}
			}
		}
	}
}

func (r *reader) sigValueElement() *etree.Element {
	sv, _ := child(r.sig, isDS, "SignatureValue")
	return sv
}

// tokens returns the EncapsulatedTimeStamp tokens of a timestamp property.
func (r *reader) tokens(p *etree.Element) [][]byte {
	var out [][]byte
	for _, et := range children(p, isAnyXAdES, "EncapsulatedTimeStamp") {
		der, err := decodeB64(et.Text())
		if err != nil {
			r.ev.Warnings = append(r.ev.Warnings, "A timestamp token is not base64: "+err.Error())
			continue
		}
		out = append(out, der)
	}
	if len(out) == 0 {
		r.ev.Warnings = append(r.ev.Warnings, fmt.Sprintf("The %s property holds no EncapsulatedTimeStamp (XML timestamps are not supported).", p.Tag))
	}
	return out
}

// tsC14N is the canonicalisation of a timestamp property: its
// ds:CanonicalizationMethod, by default C14N 1.0 (EN 319 132-1 §5.1.4.1).
func tsC14N(p *etree.Element) (alg, prefixList string) {
	alg = xmldsig.C14N10
	if cm, _ := child(p, isDS, "CanonicalizationMethod"); cm != nil {
		alg = cm.SelectAttrValue("Algorithm", alg)
		if in := cm.FindElement("./InclusiveNamespaces"); in != nil {
			prefixList = in.SelectAttrValue("PrefixList", "")
		}
	}
	return alg, prefixList
}

// level names the baseline level (EN 319 132-1 §6) the signature reaches.
func (r *reader) level() {
	ev := r.ev
	if r.props == nil {
		ev.Level = "XML-DSig"
		return
	}
	hasT, hasLTA := false, false
	for _, t := range ev.Timestamps {
		hasT = hasT || t.Type == "signature"
		hasLTA = hasLTA || t.Type == "archive"
	}
	hasLT := len(ev.OCSP)+len(ev.CRLs) > 0
	tm := r.props.PolicyID == PolicyBDOCTimeMark
	if tm && !hasT {
		r.timeMark()
	}
	switch {
	case hasT && hasLT && hasLTA:
		ev.Level = "XAdES-BASELINE-LTA"
	case hasT && hasLT:
		ev.Level = "XAdES-BASELINE-LT"
	case tm && r.d.TimeMark:
		ev.Level = "XAdES-BASELINE-LT-TM (BDOC time-mark)"
	case hasT:
		ev.Level = "XAdES-BASELINE-T"
	default:
		ev.Level = "XAdES-BASELINE-B"
	}
}

type digestInfo struct {
	Alg    asn1.RawValue
	Digest []byte
}

// timeMark checks the BDOC 2.1 time-mark (BDOC 2.1.2 §6.1, as libdigidocpp
// does): an embedded OCSP response whose nonce is a DigestInfo of the hash
// of the decoded SignatureValue. Such a response proves that the signature
// existed at its producedAt.
func (r *reader) timeMark() {
	if len(r.sigValue) == 0 {
		return
	}
	for _, raw := range r.ev.OCSP {
		resp, err := revocation.ParseOCSP(raw)
		if err != nil || len(resp.Nonce) == 0 {
			continue
		}
		nonce := resp.Nonce
		var inner []byte
		if rest, err := asn1.Unmarshal(nonce, &inner); err == nil && len(rest) == 0 {
			nonce = inner
		}
		var di digestInfo
		if rest, err := asn1.Unmarshal(nonce, &di); err != nil || len(rest) > 0 {
			continue
		}
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.SHA224, crypto.SHA1} {
			hh := h.New()
			hh.Write(r.sigValue)
			if bytes.Equal(hh.Sum(nil), di.Digest) {
				r.d.TimeMark = true
				r.ev.TimeMarks = append(r.ev.TimeMarks, raw)
				r.ev.Infos = append(r.ev.Infos, fmt.Sprintf("BDOC time-mark: the OCSP response produced at %s carries a nonce bound to this signature value; once verified it proves the signature existed then.",
					resp.ProducedAt.UTC().Format("2006-01-02T15:04:05Z")))
				return
			}
		}
	}
	r.ev.Warnings = append(r.ev.Warnings, "BDOC time-mark policy, but no embedded OCSP response carries a nonce bound to the signature value.")
}

// sameMediaType compares media types; application/octet-stream (the
// generic type many producers write) matches anything.
func sameMediaType(a, b string) bool {
	norm := func(s string) string {
		s, _, _ = strings.Cut(s, ";")
		return strings.ToLower(strings.TrimSpace(s))
	}
	a, b = norm(a), norm(b)
	return a == b || a == "application/octet-stream" || b == "application/octet-stream"
}
