package pades_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

type env struct {
	p    *sigtest.PKI
	leaf *sigtest.Leaf
	opts signature.Options
}

func newEnv(t testing.TB) *env {
	p := sigtest.New(t)
	return &env{p: p, leaf: p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()}), opts: signature.Options{
		Time:    sigtest.Now,
		Trust:   p.Trust(),
		Fetcher: &revocation.HTTPFetcher{Timeout: 2 * time.Second},
	}}
}

func (e *env) sign(p *padestest.PDF, o padestest.SignOptions) *padestest.PDF {
	if o.Leaf == nil && !o.DocTimestamp {
		o.Leaf = e.leaf
	}
	o.PKI = e.p
	return p.Sign(o)
}

// want is the expected outcome of one signature.
type want struct {
	ind   signature.Indication
	sub   signature.SubIndication
	level string
	// errHas / warnHas must occur in the first error / some warning.
	errHas, warnHas string
}

func check(t *testing.T, s signature.Report, w want) {
	t.Helper()
	if s.Indication != w.ind || s.SubIndication != w.sub {
		t.Fatalf("%s: got %s/%s, want %s/%s\nerrors: %q\nwarnings: %q", s.ID, s.Indication, s.SubIndication, w.ind, w.sub, s.Errors, s.Warnings)
	}
	if w.level != "" && s.Level != w.level {
		t.Errorf("%s: level %s, want %s", s.ID, s.Level, w.level)
	}
	if w.errHas != "" && (len(s.Errors) == 0 || !strings.Contains(s.Errors[0], w.errHas)) {
		t.Errorf("%s: first error %q does not name %q", s.ID, s.Errors, w.errHas)
	}
	if w.warnHas != "" && !strings.Contains(strings.Join(s.Warnings, "\n"), w.warnHas) {
		t.Errorf("%s: warnings %q do not name %q", s.ID, s.Warnings, w.warnHas)
	}
}

var (
	passed = want{ind: signature.TotalPassed}
	format = func(has string) want {
		return want{ind: signature.TotalFailed, sub: signature.FormatFailure, errHas: has}
	}
)

func TestValidateTable(t *testing.T) {
	e := newEnv(t)
	base := padestest.New(padestest.Options{Pages: []string{"Iesniegums", "Pielikums"}, TextField: "Vards"})
	signed := e.sign(base, padestest.SignOptions{})
	page1, content1 := signed.Page(0)
	certP1 := e.sign(base, padestest.SignOptions{DocMDP: 1})
	certP2 := e.sign(base, padestest.SignOptions{DocMDP: 2})
	certP3 := e.sign(base, padestest.SignOptions{DocMDP: 3})
	locked := e.sign(base, padestest.SignOptions{LockAll: true})
	tsSigned := e.sign(base, padestest.SignOptions{CMS: sigtest.CMSOptions{SignatureTimestamp: true}})
	lt := tsSigned.DSS([][]byte{e.leaf.Issuer.Cert.Raw}, [][]byte{e.leaf.Issuer.OCSPResponse(e.leaf.Cert)}, nil)
	lta := e.sign(lt, padestest.SignOptions{DocTimestamp: true})

	flip := func(p *padestest.PDF, at int) []byte {
		b := append([]byte(nil), p.Data...)
		b[at] ^= 0x01
		return b
	}

	cases := []struct {
		name    string
		data    []byte
		offline bool
		sigs    []want
		verdict signature.Verdict
	}{
		{name: "ok/signed", data: signed.Data, sigs: []want{{ind: signature.TotalPassed, level: "PAdES-BASELINE-B"}}, verdict: signature.Accepted},
		{name: "ok/adbe.pkcs7.detached", data: e.sign(base, padestest.SignOptions{SubFilter: "adbe.pkcs7.detached"}).Data, sigs: []want{{ind: signature.TotalPassed, level: "PKCS7-B"}}},
		{name: "ok/timestamped", data: tsSigned.Data, sigs: []want{{ind: signature.TotalPassed, level: "PAdES-BASELINE-T"}}},
		{name: "ok/lt-offline", data: lt.Data, offline: true, sigs: []want{{ind: signature.TotalPassed, level: "PAdES-BASELINE-LT", warnHas: "DSS"}}},
		{name: "ok/lta-offline", data: lta.Data, offline: true, sigs: []want{{ind: signature.TotalPassed, level: "PAdES-BASELINE-LTA", warnHas: "document timestamp"}}},
		{name: "ok/annotation-added", data: signed.AddAnnotation("Saņemts").Data, sigs: []want{{ind: signature.TotalPassed, warnHas: "annotation"}}},
		{name: "ok/form-filled", data: signed.FillField("Vards", "Jānis").Data, sigs: []want{{ind: signature.TotalPassed, warnHas: "form filling"}}},
		{name: "ok/second-signature", data: e.sign(signed, padestest.SignOptions{}).Data, sigs: []want{{ind: signature.TotalPassed, warnHas: "signature"}, passed}, verdict: signature.Accepted},
		{name: "ok/docmdp-p2-form-filled", data: certP2.FillField("Vards", "Jānis").Data, sigs: []want{{ind: signature.TotalPassed, warnHas: "form filling"}}},
		{name: "ok/docmdp-p2-second-signature", data: e.sign(certP2, padestest.SignOptions{}).Data, sigs: []want{passed, passed}},
		{name: "ok/docmdp-p3-annotation", data: certP3.AddAnnotation("x").Data, sigs: []want{{ind: signature.TotalPassed, warnHas: "annotation"}}},
		{name: "ok/docmdp-p1-dss-and-timestamp", data: e.sign(certP1.DSS(nil, [][]byte{e.leaf.Issuer.OCSPResponse(e.leaf.Cert)}, nil), padestest.SignOptions{DocTimestamp: true}).Data, sigs: []want{passed}},
		{name: "ok/trailing-newline", data: append(append([]byte(nil), signed.Data...), "\r\n"...), sigs: []want{passed}},

		{name: "fail/page-added", data: signed.AddPage("Jauna lapa").Data, sigs: []want{format("pages were added or removed")}, verdict: signature.Rejected},
		{name: "fail/content-replaced", data: signed.ReplaceContent(0, "Cits teksts").Data, sigs: []want{format("used by the content of page 1")}},
		{name: "fail/font-overridden", data: signed.Update(map[int]string{signed.Font(): "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"}).Data, sigs: []want{format("used by the content of page 1")}},
		{name: "fail/object-overridden", data: signed.Update(map[int]string{signed.Unused(): "<< /Unused false >>"}).Data, sigs: []want{format("replaced in a later update")}},
		{name: "fail/page-dictionary-changed", data: signed.Update(map[int]string{page1: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " + itoa(content1) + " 0 R >>"}).Data, sigs: []want{format("page 1 was changed")}},
		{name: "fail/docmdp-p1-form-filled", data: certP1.FillField("Vards", "Jānis").Data, sigs: []want{format("DocMDP P=1")}},
		{name: "fail/docmdp-p1-second-signature", data: e.sign(certP1, padestest.SignOptions{}).Data, sigs: []want{format("DocMDP P=1"), passed}},
		{name: "fail/docmdp-p2-annotation", data: certP2.AddAnnotation("x").Data, sigs: []want{format("DocMDP P=2")}},
		{name: "fail/fieldmdp-locked-field-filled", data: locked.FillField("Vards", "Jānis").Data, sigs: []want{format("locked by this signature")}},
		{name: "fail/byte-in-first-range", data: flip(signed, 200), sigs: []want{{ind: signature.TotalFailed, sub: signature.HashFailure}}},
		{name: "fail/byte-in-second-range", data: flip(signed, len(signed.Data)-30), sigs: []want{{ind: signature.TotalFailed, sub: signature.HashFailure}}},
		{name: "fail/signature-flipped", data: e.sign(base, padestest.SignOptions{CMS: sigtest.CMSOptions{FlipSignature: true}}).Data, sigs: []want{{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}}},
		{name: "fail/garbage-appended", data: append(append([]byte(nil), signed.Data...), "1 0 obj\n<< /Type /Catalog >>\nendobj\n"...), sigs: []want{format("not part of any incremental update")}},
		{name: "fail/contents-not-hex", data: []byte(strings.Replace(string(signed.Data), "/Contents <", "/Contents (", 1)), sigs: []want{{ind: signature.TotalFailed, sub: signature.FormatFailure}}},
		{name: "fail/byterange-shifted", data: shiftByteRange(signed.Data), sigs: []want{format("byte range is invalid")}},
		// A SignedData with certificates but no signerInfos: signature/cms
		// panics on it; it is a malformed signature, nothing more.
		{name: "fail/cms-without-signerinfos", data: e.sign(base, padestest.SignOptions{Contents: []byte{
			0x30, 0x1c, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
			0xa0, 0x0f, 0x30, 0x0d, 0x02, 0x01, 0x01, 0x31, 0x00, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03, 0xa0, 0x00}}).Data,
			sigs: []want{format("CMS SignedData")}},
		{name: "indet/offline-no-revocation", data: signed.Data, offline: true, sigs: []want{{ind: signature.Indeterminate, sub: signature.TryLater}}, verdict: signature.Review},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := e.opts
			if c.offline {
				o.Fetcher = nil
			}
			res, err := pades.Validate(context.Background(), c.data, pades.Limits{}, o)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if len(res.Signatures) != len(c.sigs) {
				for _, s := range res.Signatures {
					t.Logf("%s %s %s %q", s.ID, s.Indication, s.SubIndication, s.Errors)
				}
				t.Fatalf("%d signatures, want %d", len(res.Signatures), len(c.sigs))
			}
			for i, w := range c.sigs {
				check(t, res.Signatures[i], w)
			}
			if c.verdict != "" {
				if v := signature.VerdictOf(res.Signatures); v != c.verdict {
					t.Errorf("verdict %s, want %s", v, c.verdict)
				}
			}
			s := res.Signatures[0]
			if s.Indication == signature.TotalPassed && (len(s.Covered) != 1 || !strings.Contains(s.Covered[0], "2 page(s)")) {
				t.Errorf("covered %q", s.Covered)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// shiftByteRange moves the gap of the last /ByteRange by one byte.
func shiftByteRange(data []byte) []byte {
	s := string(data)
	i := strings.LastIndex(s, "/ByteRange [0 ")
	j := i + len("/ByteRange [0 ")
	old := s[j : j+10]
	n := 0
	for _, c := range old {
		n = n*10 + int(c-'0')
	}
	repl := []byte(s)
	copy(repl[j:], []byte(pad10(n+1)))
	return repl
}

func pad10(n int) string { return fmt.Sprintf("%010d", n) }
