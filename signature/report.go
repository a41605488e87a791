package signature

import "time"

// Indication is the main status of a validation, ETSI EN 319 102-1 §5.1.3.
type Indication string

const (
	TotalPassed   Indication = "TOTAL_PASSED"
	TotalFailed   Indication = "TOTAL_FAILED"
	Indeterminate Indication = "INDETERMINATE"
)

// SubIndication explains an indication other than TOTAL_PASSED,
// ETSI EN 319 102-1 §5.1.3 table 5.
type SubIndication string

const (
	// TOTAL_FAILED sub-indications.
	FormatFailure      SubIndication = "FORMAT_FAILURE"
	HashFailure        SubIndication = "HASH_FAILURE"
	SigCryptoFailure   SubIndication = "SIG_CRYPTO_FAILURE"
	Revoked            SubIndication = "REVOKED"
	ExpiredNoPOE       SubIndication = "EXPIRED" // used when the certificate expired before the best signature time
	NotYetValid        SubIndication = "NOT_YET_VALID"
	SigConstraintsFail SubIndication = "SIG_CONSTRAINTS_FAILURE"

	// INDETERMINATE sub-indications.
	SignedDataNotFound        SubIndication = "SIGNED_DATA_NOT_FOUND"
	NoSigningCertificateFound SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"
	NoCertificateChainFound   SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"
	ChainConstraintsFailure   SubIndication = "CHAIN_CONSTRAINTS_FAILURE"
	CertificateChainGeneral   SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
	CryptoConstraintsFailure  SubIndication = "CRYPTO_CONSTRAINTS_FAILURE"
	CryptoConstraintsNoPOE    SubIndication = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	TryLater                  SubIndication = "TRY_LATER"
	OutOfBoundsNoPOE          SubIndication = "OUT_OF_BOUNDS_NO_POE"
	OutOfBoundsNotRevoked     SubIndication = "OUT_OF_BOUNDS_NOT_REVOKED"
	RevokedNoPOE              SubIndication = "REVOKED_NO_POE"
	RevokedCAnoPOE            SubIndication = "REVOKED_CA_NO_POE"
	NoPOE                     SubIndication = "NO_POE"
	TimestampOrderFailure     SubIndication = "TIMESTAMP_ORDER_FAILURE"
	SigningCertNotValid       SubIndication = "SIGNING_CERTIFICATE_NOT_VALID" // reserved
	FormatFailureIndet        SubIndication = "FORMAT_FAILURE_INDETERMINATE"  // reserved
)

// Qualification of a signature per ETSI TS 119 615 / TS 119 172-4, as DSS
// reports it.
type Qualification string

const (
	QESig          Qualification = "QESig"
	QESeal         Qualification = "QESeal"
	AdESigQC       Qualification = "AdESig-QC"
	AdESealQC      Qualification = "AdESeal-QC"
	AdESig         Qualification = "AdESig"
	AdESeal        Qualification = "AdESeal"
	QualNA         Qualification = "NA"
	IndetQESig     Qualification = "INDETERMINATE_QESig"
	IndetQESeal    Qualification = "INDETERMINATE_QESeal"
	IndetAdESigQC  Qualification = "INDETERMINATE_AdESig-QC"
	IndetAdESealQC Qualification = "INDETERMINATE_AdESeal-QC"
	IndetAdESig    Qualification = "INDETERMINATE_AdESig"
	IndetAdESeal   Qualification = "INDETERMINATE_AdESeal"
)

// Qualified reports whether q is a qualified electronic signature or seal.
func (q Qualification) Qualified() bool { return q == QESig || q == QESeal }

// Format names a signature format family as reports show it.
type Format string

const (
	FormatCAdES   Format = "CAdES"
	FormatCMS     Format = "CMS" // PKCS#7/CMS without CAdES attributes
	FormatSMIME   Format = "S/MIME"
	FormatPAdES   Format = "PAdES"
	FormatXAdES   Format = "XAdES"
	FormatASiCE   Format = "ASiC-E"
	FormatASiCS   Format = "ASiC-S"
	FormatUnknown Format = "unknown"
)

// Verdict is what a file's signatures mean for the intake policy.
type Verdict string

const (
	// Accepted: every signature TOTAL_PASSED and at least one QESig or QESeal.
	Accepted Verdict = "accepted"
	// Rejected: no signature found, or every signature TOTAL_FAILED.
	Rejected Verdict = "rejected"
	// Review: anything else; a clerk decides.
	Review Verdict = "review"
)

// RevocationSource says where the revocation status used came from.
type RevocationSource string

const (
	RevocationNone     RevocationSource = "none"
	RevocationEmbedded RevocationSource = "embedded"
	RevocationOCSP     RevocationSource = "ocsp"
	RevocationCRL      RevocationSource = "crl"
)

// RevocationStatus is the status of the signing certificate.
type RevocationStatus string

const (
	StatusGood    RevocationStatus = "good"
	StatusRevoked RevocationStatus = "revoked"
	StatusUnknown RevocationStatus = "unknown" // the responder does not know the certificate
	StatusNoCheck RevocationStatus = "not_checked"
)

// FileReport is the result for one file: the contract of `sigintake verify --json`.
type FileReport struct {
	File       string   `json:"file"`
	Format     Format   `json:"format"`
	Verdict    Verdict  `json:"verdict"`
	Reasons    []string `json:"reasons"`
	Signatures []Report `json:"signatures"`
}

// Report is the validation result of one signature (or one document
// timestamp), modelled on DSS's simple report.
type Report struct {
	ID                string           `json:"id"`
	Format            Format           `json:"format,omitempty"`
	Indication        Indication       `json:"indication"`
	SubIndication     SubIndication    `json:"subindication,omitempty"`
	Qualification     Qualification    `json:"qualification"`
	Level             string           `json:"level,omitempty"`
	Signer            Signer           `json:"signer"`
	Issuer            string           `json:"issuer,omitempty"`
	CertificateSHA256 string           `json:"certificate_sha256,omitempty"`
	SigningTime       *time.Time       `json:"signing_time,omitempty"`
	BestSignatureTime time.Time        `json:"best_signature_time"`
	Timestamps        []Timestamp      `json:"timestamps"`
	Revocation        RevocationReport `json:"revocation"`
	Covered           []string         `json:"covered"`
	// Chain lists the certificate path from signer to anchor by subject.
	Chain             []string `json:"chain,omitempty"`
	CounterSignatures []Report `json:"counter_signatures,omitempty"`
	Errors            []string `json:"errors"`
	Warnings          []string `json:"warnings"`
	// Infos carries facts that are neither errors nor warnings, e.g. the
	// digest and signature algorithms used.
	Infos []string `json:"infos,omitempty"`
}

// Signer identifies the signing certificate's subject.
type Signer struct {
	Subject      string `json:"subject"`
	CommonName   string `json:"common_name,omitempty"`
	SerialNumber string `json:"serial_number,omitempty"` // subject serialNumber attribute, e.g. PNOLV-...
	Organization string `json:"organization,omitempty"`
	Email        string `json:"email,omitempty"`
	// CertificateSerial is the certificate's serial number in hex.
	CertificateSerial string `json:"certificate_serial,omitempty"`
}

// Timestamp reports one time-stamp token attached to a signature.
type Timestamp struct {
	Type          string        `json:"type"` // signature, archive, content, document
	Time          time.Time     `json:"time"`
	TSA           string        `json:"tsa"`
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subindication,omitempty"`
	Qualified     bool          `json:"qualified"`
	Errors        []string      `json:"errors,omitempty"`
}

// RevocationReport says how the signing certificate's revocation was checked.
type RevocationReport struct {
	Source     RevocationSource `json:"source"`
	Status     RevocationStatus `json:"status"`
	ProducedAt *time.Time       `json:"produced_at,omitempty"`
	RevokedAt  *time.Time       `json:"revoked_at,omitempty"`
	Reason     string           `json:"reason,omitempty"`
}

// Passed reports whether the signature is TOTAL_PASSED.
func (r *Report) Passed() bool { return r.Indication == TotalPassed }

// Verdict computes the file verdict from its signatures, as the contract of
// `sigintake verify` states: accepted when every signature is TOTAL_PASSED
// and at least one is QESig or QESeal; rejected when there is none or every
// one is TOTAL_FAILED; review otherwise.
func VerdictOf(sigs []Report) Verdict {
	if len(sigs) == 0 {
		return Rejected
	}
	allPassed, allFailed, qualified := true, true, false
	for i := range sigs {
		s := &sigs[i]
		if s.Indication != TotalPassed {
			allPassed = false
		}
		if s.Indication != TotalFailed {
			allFailed = false
		}
		if s.Indication == TotalPassed && s.Qualification.Qualified() {
			qualified = true
		}
	}
	switch {
	case allPassed && qualified:
		return Accepted
	case allFailed:
		return Rejected
	default:
		return Review
	}
}

// QualificationResult is what a trust source concludes about a signature's
// qualification (ETSI TS 119 615), with the reasons a clerk can read.
type QualificationResult struct {
	Qualification Qualification
	// Reasons explain the outcome (service status, QCStatements used or
	// overruled, QSCD), in English.
	Reasons []string
	// Warnings are doubts that did not change the outcome (e.g. a list near
	// its NextUpdate).
	Warnings []string
	// Source names the trusted list and service used, e.g. "LV: LVRTC / eParaksts ICA 2021".
	Source string
}
