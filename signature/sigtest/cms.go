package sigtest

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"time"
)

// CMS and CAdES identifiers (RFC 5652, RFC 5035, RFC 3161, EN 319 122-1).
var (
	OIDData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDAttrContentType      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrCounterSignature = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}
	OIDAttrSigningCert      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDAttrSigningCertV2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDAttrTimeStampToken   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDAttrCertValues       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 23}
	OIDAttrRevocationValues = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 24}
	OIDRevInfoOCSPResponse  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}
)

// ESSMode selects the ESS signing-certificate attribute (RFC 5035).
type ESSMode int

const (
	// ESSv2: signing-certificate-v2 with SHA-256 (default; EN 319 122-1).
	ESSv2 ESSMode = iota
	// ESSv1: signing-certificate with SHA-1 (RFC 2634).
	ESSv1
	// ESSNone: no signing-certificate attribute.
	ESSNone
)

// CertsMode selects the certificates SignedData.certificates carries.
type CertsMode int

const (
	// CertsChain: the signer and its intermediate CAs, not the root (default).
	CertsChain CertsMode = iota
	// CertsSigner: only the signer's certificate.
	CertsSigner
	// CertsNone: no certificates field.
	CertsNone
	// CertsAll: signer, intermediates and root.
	CertsAll
)

// Attribute is a CMS attribute with DER-encoded values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// RevocationValues is the content of CAdES id-aa-ets-revocationValues.
type RevocationValues struct {
	CRLs [][]byte // DER CertificateList
	OCSP [][]byte // DER BasicOCSPResponse
}

// CMSOptions control SignCMS. The zero value is an attached, DER,
// CAdES-BASELINE-B SignedData: SHA-256, content-type, message-digest,
// signing-time (the PKI clock) and signing-certificate-v2 signed
// attributes, issuerAndSerialNumber, certificates = signer + intermediates.
type CMSOptions struct {
	Detached bool
	// Hash: SHA1, SHA256 (default), SHA384, SHA512, SHA3_256/384/512.
	Hash crypto.Hash
	// ContentType is the eContentType (default id-data).
	ContentType asn1.ObjectIdentifier

	NoSignedAttrs     bool
	OmitContentType   bool
	OmitMessageDigest bool
	OmitSigningTime   bool
	// SigningTime is the signing-time attribute (zero: the PKI clock).
	SigningTime time.Time
	SigningCert ESSMode
	// SigningCertFor makes the ESS attribute name this certificate instead
	// of the signer's (a wrong binding).
	SigningCertFor *x509.Certificate
	// SubjectKeyID identifies the signer by subjectKeyIdentifier (v3).
	SubjectKeyID bool
	// RSAWithHashOID writes shaNWithRSAEncryption as signatureAlgorithm
	// instead of rsaEncryption.
	RSAWithHashOID bool

	Certs      CertsMode
	ExtraCerts []*x509.Certificate

	// SignatureTimestamp adds id-aa-signatureTimeStampToken over the
	// signature value from TSA (default the PKI's TSA): CAdES-BASELINE-T.
	SignatureTimestamp bool
	TSA                *TSA
	// RevocationValues and CertValues add the CAdES LT attributes.
	RevocationValues *RevocationValues
	CertValues       []*x509.Certificate
	// CRLs go in SignedData.crls (RevocationInfoChoices); OCSPResponses
	// (DER OCSPResponse) go there too as id-ri-ocsp-response (RFC 5940),
	// which makes the SignedData version 5.
	CRLs          [][]byte
	OCSPResponses [][]byte

	// CoSigners sign the same content in further SignerInfos.
	CoSigners []*Leaf
	// CounterSigner countersigns (RFC 5652 §11.4) the first signature.
	CounterSigner *Leaf

	ExtraSignedAttrs   []Attribute
	ExtraUnsignedAttrs []Attribute

	// Deliberate defects.
	WrongContentType    bool // content-type attribute says id-signedData
	WrongMessageDigest  bool // message-digest of other bytes
	FlipSignature       bool // a byte of the signature value flipped
	ChangeContent       bool // embedded content altered after signing (attached only)
	DigestInfoNoNULL    bool // PKCS #1 v1.5 DigestInfo without NULL parameters
	BER                 bool // indefinite lengths, constructed eContent OCTET STRING
	UnsortedSignedAttrs bool // SignedAttributes SET not in DER order
}

// SignCMS signs content with l (and o.CoSigners) and returns a DER (or
// BER) ContentInfo holding SignedData (RFC 5652 §5, EN 319 122-1).
func SignCMS(content []byte, l *Leaf, o CMSOptions) []byte {
	p := l.Issuer.pki
	p.tb.Helper()
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	if o.ContentType == nil {
		o.ContentType = OIDData
	}
	if o.ChangeContent && o.Detached {
		p.tb.Fatalf("sigtest: ChangeContent needs attached content; pass other bytes to the verifier instead")
	}
	if o.SigningTime.IsZero() {
		o.SigningTime = p.Clock()
	}
	leaves := append([]*Leaf{l}, o.CoSigners...)
	var (
		sis      []*node
		algs     []*node
		seenAlg  = map[crypto.Hash]bool{}
		v3       = o.SubjectKeyID || !o.ContentType.Equal(OIDData)
		certs    []*x509.Certificate
		haveCert = map[string]bool{}
	)
	addCert := func(c *x509.Certificate) {
		if !haveCert[string(c.Raw)] {
			haveCert[string(c.Raw)] = true
			certs = append(certs, c)
		}
	}
	for n, s := range leaves {
		if !seenAlg[o.Hash] {
			seenAlg[o.Hash] = true
			algs = append(algs, digestAlg(o.Hash))
		}
		chain := s.Chain()
		switch o.Certs {
		case CertsChain:
			chain = chain[:len(chain)-1]
		case CertsSigner:
			chain = chain[:1]
		case CertsNone:
			chain = nil
		}
		for _, c := range chain {
			addCert(c)
		}
		si, sig := signerInfo(content, s, o)
		var unsigned []*node
		if n == 0 {
			if o.SignatureTimestamp {
				tsa := o.TSA
				if tsa == nil {
					tsa = p.TSA
				}
				tok := tsa.Timestamp(o.Hash, digest(o.Hash, sig))
				unsigned = append(unsigned, attr(OIDAttrTimeStampToken, raw(tok)))
			}
			if o.CertValues != nil {
				var cs []*node
				for _, c := range o.CertValues {
					cs = append(cs, raw(c.Raw))
				}
				unsigned = append(unsigned, attr(OIDAttrCertValues, seq(cs...)))
			}
			if rv := o.RevocationValues; rv != nil {
				v := seq()
				if len(rv.CRLs) > 0 {
					v.kids = append(v.kids, explicit(0, seq(raws(rv.CRLs)...)))
				}
				if len(rv.OCSP) > 0 {
					v.kids = append(v.kids, explicit(1, seq(raws(rv.OCSP)...)))
				}
				unsigned = append(unsigned, attr(OIDAttrRevocationValues, v))
			}
			if o.CounterSigner != nil {
				cs := counterSignerInfo(sig, o.CounterSigner, o)
				unsigned = append(unsigned, attr(OIDAttrCounterSignature, cs))
				addCert(o.CounterSigner.Cert)
			}
			for _, a := range o.ExtraUnsignedAttrs {
				unsigned = append(unsigned, attr(a.Type, raws(a.Values)...))
			}
		}
		if len(unsigned) > 0 {
			si.kids = append(si.kids, implicitSet(1, unsigned...))
		}
		sis = append(sis, si)
	}
	for _, c := range o.ExtraCerts {
		addCert(c)
	}

	econtent := content
	if o.ChangeContent {
		econtent = append([]byte(nil), content...)
		if len(econtent) == 0 {
			econtent = []byte{0}
		} else {
			econtent[len(econtent)-1] ^= 0x01
		}
	}
	encap := seq(oid(o.ContentType))
	if !o.Detached {
		oc := octets(econtent)
		oc.chunk = true
		encap.kids = append(encap.kids, explicit(0, oc))
	}
	version := int64(1)
	if v3 {
		version = 3
	}
	if len(o.OCSPResponses) > 0 {
		version = 5
	}
	sd := seq(integer(version), setOf(algs...), encap)
	if len(certs) > 0 {
		var cs []*node
		for _, c := range certs {
			cs = append(cs, raw(c.Raw))
		}
		// Kept in the order added (signer first), as common tools do;
		// SignedData need not be DER.
		sd.kids = append(sd.kids, &node{tag: 0xa0, cons: true, kids: cs})
	}
	if len(o.CRLs) > 0 || len(o.OCSPResponses) > 0 {
		ri := implicitSet(1, raws(o.CRLs)...)
		for _, r := range o.OCSPResponses {
			ri.kids = append(ri.kids, &node{tag: 0xa1, cons: true, kids: []*node{oid(OIDRevInfoOCSPResponse), raw(r)}})
		}
		sd.kids = append(sd.kids, ri)
	}
	// SignerInfos stay in the order given: SignerInfos[0] is l.
	sd.kids = append(sd.kids, setUnsorted(sis...))
	return seq(oid(OIDSignedData), explicit(0, sd)).encode(o.BER)
}

// RevocationValues returns what a CAdES-LT signature by l embeds: the
// BasicOCSPResponse of l's issuer for l and the CRL of each CA above it for
// the CA certificates in between, as the PKI answers at its clock now.
func (l *Leaf) RevocationValues() *RevocationValues {
	rv := &RevocationValues{OCSP: [][]byte{l.Issuer.BasicOCSPResponse(l.Cert)}}
	for i := l.Issuer; i.Parent != nil; i = i.Parent {
		rv.CRLs = append(rv.CRLs, i.Parent.CRL())
	}
	return rv
}

func raws(bs [][]byte) []*node {
	var out []*node
	for _, b := range bs {
		out = append(out, raw(b))
	}
	return out
}

func attr(t asn1.ObjectIdentifier, vals ...*node) *node {
	return seq(oid(t), setOf(vals...))
}

func sid(c *x509.Certificate, ski bool) *node {
	if ski {
		return &node{tag: 0x80, val: c.SubjectKeyId}
	}
	return seq(raw(c.RawIssuer), bigInt(c.SerialNumber))
}

// essAttr is the signing-certificate(-v2) attribute naming c.
func essAttr(mode ESSMode, c *x509.Certificate) *node {
	issuerSerial := seq(seq(explicit(4, raw(c.RawIssuer))), bigInt(c.SerialNumber))
	if mode == ESSv1 {
		h := sha1.Sum(c.Raw)
		return attr(OIDAttrSigningCert, seq(seq(seq(octets(h[:]), issuerSerial))))
	}
	h := sha256.Sum256(c.Raw)
	return attr(OIDAttrSigningCertV2, seq(seq(seq(octets(h[:]), issuerSerial))))
}

// signerInfo builds the SignerInfo of s over content (no unsigned attributes)
// and returns it with its signature value.
func signerInfo(content []byte, s *Leaf, o CMSOptions) (*node, []byte) {
	sp := sigParams{hash: o.Hash, pss: s.KeyType == RSAPSS, rsaEncryption: !o.RSAWithHashOID, digestInfoNoNULL: o.DigestInfoNoNULL}
	version := int64(1)
	if o.SubjectKeyID {
		version = 3
	}
	si := seq(integer(version), sid(s.Cert, o.SubjectKeyID), digestAlg(o.Hash))
	var sig []byte
	if o.NoSignedAttrs {
		sig = signData(s.Key, content, sp)
	} else {
		var attrs []*node
		if !o.OmitContentType {
			ct := o.ContentType
			if o.WrongContentType {
				ct = OIDSignedData
			}
			attrs = append(attrs, attr(OIDAttrContentType, oid(ct)))
		}
		if !o.OmitSigningTime {
			attrs = append(attrs, attr(OIDAttrSigningTime, cmsTime(o.SigningTime)))
		}
		if !o.OmitMessageDigest {
			md := digest(o.Hash, content)
			if o.WrongMessageDigest {
				md = digest(o.Hash, append([]byte("not the content"), content...))
			}
			attrs = append(attrs, attr(OIDAttrMessageDigest, octets(md)))
		}
		if o.SigningCert != ESSNone {
			c := s.Cert
			if o.SigningCertFor != nil {
				c = o.SigningCertFor
			}
			attrs = append(attrs, essAttr(o.SigningCert, c))
		}
		for _, a := range o.ExtraSignedAttrs {
			attrs = append(attrs, attr(a.Type, raws(a.Values)...))
		}
		signed := signedAttrs(attrs, o.UnsortedSignedAttrs)
		sig = signData(s.Key, signed, sp)
		si.kids = append(si.kids, raw(append([]byte{0xa0}, signed[1:]...)))
	}
	if o.FlipSignature {
		sig = append([]byte(nil), sig...)
		sig[len(sig)/2] ^= 0x01
	}
	si.kids = append(si.kids, signatureAlg(s.Key, sp), octets(sig))
	return si, sig
}

// signedAttrs returns the DER of the SignedAttributes as a SET (tag 0x31),
// the bytes the signature covers (RFC 5652 §5.4). unsorted reverses the
// DER order.
func signedAttrs(attrs []*node, unsorted bool) []byte {
	der := setOf(attrs...).der()
	if !unsorted || len(attrs) < 2 {
		return der
	}
	// Re-read the sorted elements and emit them reversed.
	var parts [][]byte
	var outer asn1.RawValue
	asn1.Unmarshal(der, &outer)
	body := outer.Bytes
	for len(body) > 0 {
		var rv asn1.RawValue
		body, _ = asn1.Unmarshal(body, &rv)
		parts = append(parts, rv.FullBytes)
	}
	var rev []*node
	for i := len(parts) - 1; i >= 0; i-- {
		rev = append(rev, raw(parts[i]))
	}
	return setUnsorted(rev...).der()
}

// cmsTime is UTCTime for 1950..2049 and GeneralizedTime otherwise (RFC 5652 §11.3).
func cmsTime(t time.Time) *node {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		return utcTime(t)
	}
	return genTime(t)
}

// counterSignerInfo countersigns the signature value sig (RFC 5652 §11.4):
// no content-type attribute, message-digest over the signature octets.
func counterSignerInfo(sig []byte, s *Leaf, o CMSOptions) *node {
	co := CMSOptions{Hash: o.Hash, SigningTime: o.SigningTime, OmitContentType: true, RSAWithHashOID: o.RSAWithHashOID}
	si, _ := signerInfo(sig, s, co)
	return si
}
