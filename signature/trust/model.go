package trust

import (
	"time"

	"github.com/sigintake/sigintake/signature/pki"
)

// URIs of TS 119 612 used in decisions.
const (
	TSLTypeLOTL       = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
	TSLTypeGeneric    = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric"
	SvcTypeCAQC       = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
	SvcTypeCAPKC      = "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC"
	SvcTypeQTST       = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
	SvcTypeTSSQC      = "http://uri.etsi.org/TrstSvc/Svctype/TSA/TSS-QC"
	SvcTypeTSSAdESQC  = "http://uri.etsi.org/TrstSvc/Svctype/TSA/TSS-AdESQCandQES"
	SvcTypeNationalCA = "http://uri.etsi.org/TrstSvc/Svctype/NationalRootCA-QC"

	statusPrefix  = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
	StatusGranted = statusPrefix + "granted"
	// DefaultLOTLURL is where the European Commission publishes the LOTL.
	// Its signing certificates are published in the Official Journal of the
	// EU (OJ C 276, 16.8.2019; OJ C/2026/1944) and must be configured as
	// LoadOptions.Signers.
	DefaultLOTLURL = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"

	sieURI = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
	asiURI = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
)

// Sie qualifiers (TS 119 612 §5.5.9.2.3) and AdditionalServiceInformation
// URIs (§5.5.9.4), by their last path element.
const (
	QCWithSSCD            = "QCWithSSCD"
	QCNoSSCD              = "QCNoSSCD"
	QCSSCDStatusAsInCert  = "QCSSCDStatusAsInCert"
	QCWithQSCD            = "QCWithQSCD"
	QCNoQSCD              = "QCNoQSCD"
	QCQSCDStatusAsInCert  = "QCQSCDStatusAsInCert"
	QCQSCDManagedOnBehalf = "QCQSCDManagedOnBehalf"
	QCStatement           = "QCStatement"
	NotQualified          = "NotQualified"
	QCForLegalPerson      = "QCForLegalPerson"
	QCForESig             = "QCForESig"
	QCForESeal            = "QCForESeal"
	QCForWSA              = "QCForWSA"
	ForeSignatures        = "ForeSignatures"
	ForeSeals             = "ForeSeals"
	ForWebSiteAuth        = "ForWebSiteAuthentication"
)

// List is one parsed trusted list (LOTL or national list).
type List struct {
	Territory      string
	Type           string // TSLType URI
	SequenceNumber int
	Version        int
	Operator       string
	IssueDate      time.Time
	NextUpdate     time.Time // zero when the list is closed
	Pointers       []Pointer
	// SchemeInformationURIs include, in a LOTL, the pivot LOTL URLs.
	SchemeInformationURIs []string
	TSPs                  []TSP
}

// IsLOTL reports whether l is a list of trusted lists.
func (l *List) IsLOTL() bool { return l.Type == TSLTypeLOTL }

// Pointer is an OtherTSLPointer: where another list is and who may sign it.
type Pointer struct {
	Location  string
	Territory string
	Type      string
	MimeType  string
	Signers   []*pki.Certificate
}

// TSP is a trust service provider.
type TSP struct {
	Name      string
	TradeName string
	Services  []*Service
}

// Service is a trust service with its current information and history.
type Service struct {
	TSP  string
	Name string
	// Identities are the service digital identities of the current
	// information and of every history instance.
	Identity Identity
	// Versions holds the current information first, then the history
	// instances in document order (TS 119 612 §5.5 and §5.6).
	Versions []Version
	list     *loadedList
}

// Identity is a service digital identity (TS 119 612 §5.5.3).
type Identity struct {
	Certificates []*pki.Certificate
	SKIs         [][]byte
	SubjectNames []string
}

// Version is the service information in force from StatusStart on.
type Version struct {
	Type        string // service type identifier URI
	Name        string
	Status      string // status URI
	StatusStart time.Time
	// Qualifications are the Sie extension's qualification elements.
	Qualifications []Qualification
	// AdditionalInfo holds AdditionalServiceInformation URIs.
	AdditionalInfo []string
	// ExpiredCertsRevocationInfo, when not zero, is the date from which
	// revocation information is kept for expired certificates.
	ExpiredCertsRevocationInfo time.Time
}

// Qualification is one Sie QualificationElement: qualifiers that apply to
// the certificates matching Criteria.
type Qualification struct {
	Qualifiers []string // full URIs
	Criteria   Criteria
}

// Criteria is a CriteriaList (TS 119 612 §5.5.9.2.2).
type Criteria struct {
	Assert    string // "all" (default), "atLeastOne", "none"
	KeyUsages []map[string]bool
	Policies  [][]string // each set: dotted OIDs, all required
	EKUs      [][]string // otherCriteriaList ExtendedKeyUsage (dotted OIDs)
	Subject   [][]string // otherCriteriaList CertSubjectDNAttribute (dotted OIDs)
	Nested    []Criteria
	// Unknown counts criteria this package does not interpret; they never
	// match.
	Unknown int
}
