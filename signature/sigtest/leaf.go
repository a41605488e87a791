package sigtest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"time"
)

// Kind is the kind of subject a leaf certificate names.
type Kind int

const (
	// NaturalPerson: a signer (CN, surname, given name, serialNumber PNOLV-...).
	NaturalPerson Kind = iota
	// LegalPerson: a seal creator (CN = O, organizationIdentifier NTRLV-...).
	LegalPerson
)

// LeafOptions describe an end-entity certificate. The zero value is a
// natural person "Jānis Bērziņš", PNOLV-010101-11111, RSA-2048, issued by
// Intermediate, valid Now-1y .. Now+2y, keyUsage digitalSignature |
// nonRepudiation, with OCSP, caIssuers and CRL URLs, and no QCStatements.
type LeafOptions struct {
	// Issuer issues the certificate; nil means PKI.Intermediate.
	Issuer *Issuer
	Kind   Kind

	CommonName string
	Surname    string
	GivenName  string
	// SerialNumber is the subject serialNumber attribute (2.5.4.5), e.g.
	// "PNOLV-010101-11111"; "-" omits it.
	SerialNumber string
	Organization string
	// OrganizationIdentifier is 2.5.4.97, e.g. "NTRLV-90000000000".
	OrganizationIdentifier string
	Country                string
	// Email goes in subjectAltName rfc822Name.
	Email string

	// QC, when non-nil, adds the QCStatements extension (EN 319 412-5).
	QC *QCOptions

	KeyType KeyType
	// Key, when set, is used instead of a new key of KeyType (a renewed
	// certificate, or one key certified twice); KeyType must match it.
	Key crypto.Signer
	// FreshKey generates a new RSA key instead of taking the next one from
	// the pool shared by all PKIs of the test binary (see New).
	FreshKey bool

	NotBefore, NotAfter time.Time
	// Expired sets the validity to Now-3y .. Now-1d; NotYetValid to
	// Now+1d .. Now+3y. They override NotBefore/NotAfter.
	Expired, NotYetValid bool

	// KeyUsage replaces the default digitalSignature|nonRepudiation
	// (e.g. x509.KeyUsageKeyEncipherment to test a wrong key usage).
	KeyUsage    x509.KeyUsage
	ExtKeyUsage []x509.ExtKeyUsage
	// Policies are certificatePolicies OIDs; nil with QC set means the
	// matching EN 319 411-2 policy (QCP-n-qscd or QCP-l-qscd).
	Policies []asn1.ObjectIdentifier
	// NoPolicies suppresses the default policies.
	NoPolicies bool

	// NoOCSPURL, NoCRLURL and NoCAIssuers leave those URLs out.
	NoOCSPURL, NoCRLURL, NoCAIssuers bool
	// ExtraExtensions are appended verbatim.
	ExtraExtensions []pkix.Extension
}

// Leaf is an end-entity certificate and its private key.
type Leaf struct {
	Cert   *x509.Certificate
	Key    crypto.Signer
	DER    []byte
	Issuer *Issuer
	// KeyType is how SignCMS uses Key (RSAPSS: RSASSA-PSS).
	KeyType KeyType
}

// Chain returns the leaf certificate followed by its issuers up to the root.
func (l *Leaf) Chain() []*x509.Certificate {
	return append([]*x509.Certificate{l.Cert}, l.Issuer.Chain()...)
}

// Policy OIDs of ETSI EN 319 411-2.
var (
	OIDPolicyQCPnQSCD = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 2}
	OIDPolicyQCPlQSCD = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 3}
	OIDPolicyQCPn     = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 0}
	OIDPolicyQCPl     = asn1.ObjectIdentifier{0, 4, 0, 194112, 1, 1}
)

var (
	oidSurname                = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidGivenName              = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidOCSPNoCheck            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

// Issue makes an end-entity certificate as o describes.
func (p *PKI) Issue(o LeafOptions) *Leaf {
	p.tb.Helper()
	iss := o.Issuer
	if iss == nil {
		iss = p.Intermediate
	}
	name := pkix.Name{Country: []string{"LV"}}
	if o.Country != "" {
		name.Country = []string{o.Country}
	}
	switch o.Kind {
	case LegalPerson:
		if o.Organization == "" {
			o.Organization = "Sigtest SIA"
		}
		if o.OrganizationIdentifier == "" {
			o.OrganizationIdentifier = "NTRLV-90000000000"
		}
		if o.CommonName == "" {
			o.CommonName = o.Organization
		}
	default:
		if o.GivenName == "" && o.Surname == "" && o.CommonName == "" {
			o.GivenName, o.Surname = "Jānis", "Bērziņš"
		}
		if o.CommonName == "" {
			o.CommonName = o.GivenName + " " + o.Surname
		}
		if o.SerialNumber == "" {
			o.SerialNumber = "PNOLV-010101-11111"
		}
	}
	name.CommonName = o.CommonName
	if o.SerialNumber != "-" {
		name.SerialNumber = o.SerialNumber
	}
	if o.Organization != "" {
		name.Organization = []string{o.Organization}
	}
	if o.Surname != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidSurname, Value: o.Surname})
	}
	if o.GivenName != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidGivenName, Value: o.GivenName})
	}
	if o.OrganizationIdentifier != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidOrganizationIdentifier, Value: o.OrganizationIdentifier})
	}

	nb, na := o.NotBefore, o.NotAfter
	if nb.IsZero() {
		nb = Now.AddDate(-1, 0, 0)
	}
	if na.IsZero() {
		na = Now.AddDate(2, 0, 0)
	}
	switch {
	case o.Expired:
		nb, na = Now.AddDate(-3, 0, 0), Now.AddDate(0, 0, -1)
	case o.NotYetValid:
		nb, na = Now.AddDate(0, 0, 1), Now.AddDate(3, 0, 0)
	}
	ku := o.KeyUsage
	if ku == 0 {
		ku = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	key := o.Key
	if key == nil {
		key = p.leafKey(o.KeyType, o.FreshKey)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    newSerial(),
		Subject:         name,
		NotBefore:       nb,
		NotAfter:        na,
		KeyUsage:        ku,
		ExtKeyUsage:     o.ExtKeyUsage,
		SubjectKeyId:    subjectKeyID(key.Public()),
		ExtraExtensions: o.ExtraExtensions,
	}
	if o.Email != "" {
		tmpl.EmailAddresses = []string{o.Email}
	}
	pol := o.Policies
	if pol == nil && o.QC != nil && !o.NoPolicies {
		if o.Kind == LegalPerson {
			pol = []asn1.ObjectIdentifier{OIDPolicyQCPlQSCD}
		} else {
			pol = []asn1.ObjectIdentifier{OIDPolicyQCPnQSCD}
		}
	}
	if !o.NoPolicies {
		tmpl.Policies = toOIDs(pol)
	}
	if o.QC != nil {
		qc := *o.QC
		if qc.Type == QcTypeDefault {
			if o.Kind == LegalPerson {
				qc.Type = QcTypeESeal
			} else {
				qc.Type = QcTypeESign
			}
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, qc.Extension())
	}
	if !o.NoOCSPURL {
		tmpl.OCSPServer = []string{iss.OCSPURL()}
	}
	if !o.NoCAIssuers {
		tmpl.IssuingCertificateURL = []string{iss.CAIssuersURL()}
	}
	if !o.NoCRLURL {
		tmpl.CRLDistributionPoints = []string{iss.CRLURL()}
	}
	return p.sign(tmpl, key, iss, o.KeyType)
}

func (p *PKI) sign(tmpl *x509.Certificate, key crypto.Signer, iss *Issuer, kt KeyType) *Leaf {
	p.tb.Helper()
	tmpl.SignatureAlgorithm = certSigAlg(iss.Key, kt == RSAPSS)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, iss.asParent(), key.Public(), iss.Key)
	if err != nil {
		p.tb.Fatalf("sigtest: issue %q: %v", tmpl.Subject.CommonName, err)
	}
	l := &Leaf{Cert: mustParse(p.tb, der), Key: key, DER: der, Issuer: iss, KeyType: kt}
	p.register(l.Cert)
	return l
}

// newResponder issues iss's delegated OCSP responder (RFC 6960 §4.2.2.2),
// or without eku a look-alike lacking id-kp-OCSPSigning and nocheck.
func (p *PKI) newResponder(iss *Issuer, eku bool) *Leaf {
	key := newKey(ECDSAP256)
	tmpl := &x509.Certificate{
		SerialNumber: newSerial(),
		Subject: pkix.Name{
			CommonName:   iss.Cert.Subject.CommonName + " OCSP Responder",
			Organization: []string{"Sigtest"},
			Country:      []string{"LV"},
		},
		NotBefore:    Now.AddDate(-1, 0, 0),
		NotAfter:     Now.AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		SubjectKeyId: subjectKeyID(key.Public()),
		ExtraExtensions: []pkix.Extension{
			{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}},
		},
	}
	if !eku {
		tmpl.Subject.CommonName = iss.Cert.Subject.CommonName + " Not A Responder"
		tmpl.ExtKeyUsage, tmpl.ExtraExtensions = nil, nil
	}
	return p.sign(tmpl, key, iss, ECDSAP256)
}
