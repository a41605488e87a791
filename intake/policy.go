package intake

import (
	"strings"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

// Reason codes: they key the reply and UI catalogue (store.Reason.Code).
const (
	ReasonNoSignature       = "no-signature"
	ReasonSignatureInvalid  = "signature-invalid"
	ReasonNotQualified      = "not-qualified"
	ReasonUnsupportedFormat = "unsupported-format"
	ReasonTooLarge          = "too-large"
	ReasonIndeterminate     = "indeterminate"
	ReasonTemporary         = "temporary-failure"
	ReasonInternal          = "internal-error"
	ReasonAmbiguous         = "ambiguous-structure"
	ReasonEncrypted         = "encrypted"
	ReasonAutomated         = "automated"
	ReasonDuplicate         = "duplicate"
	ReasonUnsigned          = "unsigned"
	ReasonSignedOK          = "signed"
)

// Part is one signed part of a letter and its validation: an attachment,
// a detached .p7s together with the file it covers, or the message's own
// S/MIME signature.
type Part struct {
	Name   string // file name as a mail client shows it ("" for the message itself)
	Path   string // MIME path of the attachment ("" for the message's own signature)
	Covers string // for a detached signature: the file it covers
	SMIME  bool   // the message's own S/MIME signature
	Report signature.FileReport
}

// Verdict is the part's verdict.
func (p Part) Verdict() signature.Verdict { return p.Report.Verdict }

// Facts are what Decide needs about a letter besides its signed parts.
type Facts struct {
	Unsigned  []string // attachments that carry no signature (names)
	TooLarge  []string // parts (or "message") cut off by a size limit
	Ambiguous bool     // clients may show the letter's files differently
	Encrypted bool     // an S/MIME encrypted part could not be read
}

// Decision is the policy's outcome with its reasons.
type Decision struct {
	Outcome store.OutcomeKind
	Reasons []store.Reason
}

// Decide applies the mailbox policy (DESIGN.md "Policy") to a letter's signed
// parts. It is a pure function of its inputs.
func Decide(policy config.Policy, parts []Part, f Facts) Decision {
	var d Decision
	var nAcc, nRej, nRev int
	for _, p := range parts {
		switch p.Verdict() {
		case signature.Accepted:
			nAcc++
			d.Reasons = append(d.Reasons, store.Reason{Code: ReasonSignedOK, File: p.label(), Detail: signers(p.Report)})
		case signature.Rejected:
			nRej++
			d.Reasons = append(d.Reasons, rejectReason(p))
		default:
			nRev++
			d.Reasons = append(d.Reasons, reviewReason(p))
		}
	}
	for _, n := range f.Unsigned {
		d.Reasons = append(d.Reasons, store.Reason{Code: ReasonUnsigned, File: n})
	}
	// Conditions that stop any automatic decision but size.
	if len(f.TooLarge) > 0 {
		for _, n := range f.TooLarge {
			d.Reasons = append(d.Reasons, store.Reason{Code: ReasonTooLarge, File: n})
		}
		if policy == config.PolicyEkase {
			d.Outcome = store.Rejected
		} else {
			d.Outcome = store.Review
		}
		return d
	}
	if f.Encrypted {
		d.Reasons = append(d.Reasons, store.Reason{Code: ReasonEncrypted, Detail: "an S/MIME encrypted part cannot be read"})
		d.Outcome = store.Review
		return d
	}
	if f.Ambiguous {
		d.Reasons = append(d.Reasons, store.Reason{Code: ReasonAmbiguous, Detail: "mail clients may show this letter's files differently"})
		d.Outcome = store.Review
		return d
	}
	switch policy {
	case config.PolicyPasts:
		switch {
		case nRej == 0 && nRev == 0:
			d.Outcome = store.Accepted
		default:
			d.Outcome = store.Review
		}
	default: // ekase
		switch {
		case len(parts) == 0:
			d.Outcome = store.Rejected
			d.Reasons = append([]store.Reason{{Code: ReasonNoSignature}}, d.Reasons...)
		case nAcc > 0 && nRej == 0 && nRev == 0:
			d.Outcome = store.Accepted
		case nAcc == 0 && nRev == 0:
			d.Outcome = store.Rejected
		default:
			d.Outcome = store.Review
		}
	}
	return d
}

func (p Part) label() string {
	if p.SMIME {
		return "(e-pasta vēstule / the e-mail message)"
	}
	if p.Covers != "" {
		return p.Name + " (" + p.Covers + ")"
	}
	return p.Name
}

// signers lists who signed a file: common names (or subjects), with
// organisation for seals.
func signers(fr signature.FileReport) string {
	var out []string
	for _, s := range fr.Signatures {
		n := s.Signer.CommonName
		if n == "" {
			n = s.Signer.Subject
		}
		if s.Signer.Organization != "" && !strings.Contains(n, s.Signer.Organization) {
			n += " (" + s.Signer.Organization + ")"
		}
		out = append(out, n)
	}
	return strings.Join(out, "; ")
}

func firstReason(fr signature.FileReport) string {
	if len(fr.Reasons) > 0 {
		return fr.Reasons[0]
	}
	return ""
}

func rejectReason(p Part) store.Reason {
	return store.Reason{Code: ReasonSignatureInvalid, File: p.label(), Detail: firstReason(p.Report)}
}

// SubIndicationOf is the ETSI sub-indication that best explains a rejected
// file to its sender: that of its first failed signature, FORMAT_FAILURE
// when it holds no readable signature.
func SubIndicationOf(fr signature.FileReport) string {
	for _, s := range fr.Signatures {
		if s.Indication != signature.TotalPassed && s.SubIndication != "" {
			return string(s.SubIndication)
		}
	}
	return string(signature.FormatFailure)
}

func reviewReason(p Part) store.Reason {
	fr := p.Report
	for _, r := range fr.Reasons {
		if strings.HasPrefix(r, "format not yet supported") {
			return store.Reason{Code: ReasonUnsupportedFormat, File: p.label(), Detail: r}
		}
	}
	if TemporaryReport(fr) {
		return store.Reason{Code: ReasonTemporary, File: p.label(), Detail: firstReason(fr)}
	}
	allPassed := len(fr.Signatures) > 0
	for _, s := range fr.Signatures {
		if s.Indication != signature.TotalPassed {
			allPassed = false
		}
	}
	if allPassed {
		return store.Reason{Code: ReasonNotQualified, File: p.label(), Detail: firstReason(fr)}
	}
	return store.Reason{Code: ReasonIndeterminate, File: p.label(), Detail: firstReason(fr)}
}

// TemporaryReport reports whether a file's verdict comes from a service we
// could not reach (INDETERMINATE / TRY_LATER): the letter should wait and be
// validated again rather than be decided now.
func TemporaryReport(fr signature.FileReport) bool {
	for _, s := range fr.Signatures {
		if s.Indication == signature.Indeterminate && s.SubIndication == signature.TryLater {
			return true
		}
	}
	return false
}
