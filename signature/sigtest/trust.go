package sigtest

import (
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
)

// QCTrust is a stand-in for EU trusted lists in tests (a
// signature.TrustSource): its anchors are the PKI's root, and a signature is
// qualified when the signing certificate's own QCStatements say so
// (QcCompliance and QcSSCD), as a CA/QC service without Sie qualifiers
// decides. Every time-stamping unit counts as qualified.
type QCTrust struct {
	Roots []*pki.Certificate
}

// Trust returns a QCTrust anchored at the PKI's root.
func (p *PKI) Trust() QCTrust {
	c, err := pki.ParseCertificate(p.Root.DER)
	if err != nil {
		p.tb.Fatalf("sigtest: %v", err)
	}
	return QCTrust{Roots: []*pki.Certificate{c}}
}

// Anchors implements signature.TrustSource.
func (q QCTrust) Anchors() []*pki.Certificate { return q.Roots }

// Qualify implements signature.TrustSource.
func (q QCTrust) Qualify(path pki.Path, at time.Time) signature.QualificationResult {
	qc := path[0].QC
	switch {
	case qc.Compliance && qc.SSCD && qc.IsESeal():
		return signature.QualificationResult{Qualification: signature.QESeal, Reasons: []string{"qualified seal certificate on a QSCD (test trust)"}}
	case qc.Compliance && qc.SSCD:
		return signature.QualificationResult{Qualification: signature.QESig, Reasons: []string{"qualified certificate on a QSCD (test trust)"}}
	case qc.Compliance && qc.IsESeal():
		return signature.QualificationResult{Qualification: signature.AdESealQC}
	case qc.Compliance:
		return signature.QualificationResult{Qualification: signature.AdESigQC}
	case qc.IsESeal():
		return signature.QualificationResult{Qualification: signature.AdESeal}
	}
	return signature.QualificationResult{Qualification: signature.AdESig, Reasons: []string{"not a qualified certificate (test trust)"}}
}

// QualifiedTSA implements signature.TrustSource.
func (q QCTrust) QualifiedTSA(path pki.Path, at time.Time) bool { return true }
