package pades_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/verify"
)

// TestVerifyFile runs signed PDFs through verify.File, as the intake does:
// the PDF branch, the verdict and the file-level problems.
func TestVerifyFile(t *testing.T) {
	e := newEnv(t)
	signed := e.sign(padestest.New(padestest.Options{}), padestest.SignOptions{})
	withAttachment := e.sign(padestest.New(padestest.Options{EmbeddedFile: "cits.pdf"}), padestest.SignOptions{})
	onlyTimestamp := e.sign(padestest.New(padestest.Options{}), padestest.SignOptions{DocTimestamp: true})
	cases := []struct {
		name    string
		data    []byte
		verdict signature.Verdict
		reason  string
	}{
		{"ok/qualified", signed.Data, signature.Accepted, ""},
		{"review/embedded-file", withAttachment.Data, signature.Review, "embedded files"},
		{"review/document-timestamp-only", onlyTimestamp.Data, signature.Review, ""},
		{"rejected/page-added", signed.AddPage("x").Data, signature.Rejected, "pages were added"},
		{"rejected/unsigned", padestest.New(padestest.Options{}).Data, signature.Rejected, "no signature found"},
		{"rejected/not-a-pdf", []byte("%PDF-1.7\nnothing else"), signature.Rejected, "could not be read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fr := verify.File(context.Background(), verify.Input{Name: "iesniegums.pdf", Data: c.data}, e.opts)
			if fr.Format != signature.FormatPAdES {
				t.Errorf("format %s", fr.Format)
			}
			if fr.Verdict != c.verdict {
				t.Fatalf("verdict %s, want %s; reasons %q", fr.Verdict, c.verdict, fr.Reasons)
			}
			if c.reason != "" && !strings.Contains(strings.Join(fr.Reasons, "\n"), c.reason) {
				t.Errorf("reasons %q do not say %q", fr.Reasons, c.reason)
			}
			if c.name == "review/document-timestamp-only" {
				if len(fr.Signatures) != 1 || fr.Signatures[0].ID != "DT1" || fr.Signatures[0].Level != "DocTimeStamp" || fr.Signatures[0].Indication == signature.TotalFailed || fr.Signatures[0].Qualification != signature.QualNA {
					t.Errorf("document timestamp report %+v", fr.Signatures)
				}
			}
		})
	}
}
