package intake

import (
	"testing"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

func part(name string, v signature.Verdict, sigs ...signature.Report) Part {
	return Part{Name: name, Path: "2", Report: signature.FileReport{File: name, Verdict: v, Signatures: sigs, Reasons: []string{"r"}}}
}

var (
	passedQES = signature.Report{Indication: signature.TotalPassed, Qualification: signature.QESig, Signer: signature.Signer{CommonName: "Anna Kalniņa"}}
	passedAdv = signature.Report{Indication: signature.TotalPassed, Qualification: signature.AdESig}
	failed    = signature.Report{Indication: signature.TotalFailed, SubIndication: signature.HashFailure}
	tryLater  = signature.Report{Indication: signature.Indeterminate, SubIndication: signature.TryLater}
)

func TestDecide(t *testing.T) {
	acc := part("a.pdf.p7s", signature.Accepted, passedQES)
	rej := part("b.p7m", signature.Rejected, failed)
	adv := part("c.p7m", signature.Review, passedAdv)
	pdf := Part{Name: "d.pdf", Path: "3", Report: signature.FileReport{Verdict: signature.Review, Reasons: []string{"format not yet supported: PDF (PAdES) signatures are not validated by this version"}}}
	tmp := part("e.p7s", signature.Review, tryLater)
	for _, tc := range []struct {
		name   string
		policy config.Policy
		parts  []Part
		facts  Facts
		want   store.OutcomeKind
		code   string // a reason code that must be present
	}{
		{"ekase/ok/one-qes", config.PolicyEkase, []Part{acc}, Facts{}, store.Accepted, ReasonSignedOK},
		{"ekase/ok/qes-plus-unsigned-photo", config.PolicyEkase, []Part{acc}, Facts{Unsigned: []string{"foto.jpg"}}, store.Accepted, ReasonUnsigned},
		{"ekase/fail/nothing-signed", config.PolicyEkase, nil, Facts{Unsigned: []string{"x.docx"}}, store.Rejected, ReasonNoSignature},
		{"ekase/fail/all-rejected", config.PolicyEkase, []Part{rej, rej}, Facts{}, store.Rejected, ReasonSignatureInvalid},
		{"ekase/review/accepted-and-rejected", config.PolicyEkase, []Part{acc, rej}, Facts{}, store.Review, ReasonSignatureInvalid},
		{"ekase/review/not-qualified", config.PolicyEkase, []Part{adv}, Facts{}, store.Review, ReasonNotQualified},
		{"ekase/review/unsupported-format", config.PolicyEkase, []Part{pdf}, Facts{}, store.Review, ReasonUnsupportedFormat},
		{"ekase/review/unsupported-with-accepted", config.PolicyEkase, []Part{acc, pdf}, Facts{}, store.Review, ReasonUnsupportedFormat},
		{"ekase/review/temporary", config.PolicyEkase, []Part{tmp}, Facts{}, store.Review, ReasonTemporary},
		{"ekase/review/ambiguous", config.PolicyEkase, []Part{acc}, Facts{Ambiguous: true}, store.Review, ReasonAmbiguous},
		{"ekase/review/encrypted", config.PolicyEkase, nil, Facts{Encrypted: true}, store.Review, ReasonEncrypted},
		{"ekase/fail/too-large", config.PolicyEkase, []Part{acc}, Facts{TooLarge: []string{"big.edoc"}}, store.Rejected, ReasonTooLarge},
		{"pasts/ok/unsigned-feedback", config.PolicyPasts, nil, Facts{}, store.Accepted, ""},
		{"pasts/ok/signed", config.PolicyPasts, []Part{acc}, Facts{}, store.Accepted, ReasonSignedOK},
		{"pasts/review/bad-signature", config.PolicyPasts, []Part{rej}, Facts{}, store.Review, ReasonSignatureInvalid},
		{"pasts/review/too-large", config.PolicyPasts, nil, Facts{TooLarge: []string{"m"}}, store.Review, ReasonTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.policy, tc.parts, tc.facts)
			if d.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (reasons %+v)", d.Outcome, tc.want, d.Reasons)
			}
			if tc.code == "" {
				return
			}
			for _, r := range d.Reasons {
				if r.Code == tc.code {
					return
				}
			}
			t.Fatalf("no reason %q in %+v", tc.code, d.Reasons)
		})
	}
}
