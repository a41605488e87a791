package pades_test

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/pdf"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/verify"
)

// corpusTime is the validation time of the corpus tests: the test PKI's
// pinned clock; no trusted list, offline.
var corpusTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// intact is "VALID crypto" against no trusted list: INDETERMINATE, no
// chain to a trusted anchor, every crypto check passed.
var intact = want{ind: signature.Indeterminate, sub: signature.NoCertificateChainFound}

func lvl(w want, level string) want { w.level = level; return w }
func warn(w want, has string) want  { w.warnHas = has; return w }

// corpusExpect is the outcome of every file of ../shared/corpus/pades,
// signature by signature; CORPUS.md gives the MANIFEST's expectation next
// to it.
var corpusExpect = map[string][]want{
	"dd4j__hellopades-lt-b.pdf":                     {lvl(intact, "PAdES-BASELINE-LTA"), lvl(intact, "PAdES-BASELINE-B")},
	"dd4j__hellopades-pades-lt-sha256-sign.pdf":     {lvl(intact, "PAdES-BASELINE-LTA")},
	"dss__PAdES-BpB-att-SHA256-SHA3_256withRSA.pdf": {{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}},
	"dss__PAdES-LT.pdf":                             {lvl(intact, "PAdES-BASELINE-LT"), lvl(intact, "PAdES-BASELINE-LT"), lvl(intact, "PAdES-BASELINE-LT")},
	"dss__Signature-P-DE_SCI-4.pdf":                 {warn(lvl(intact, "PAdES-BASELINE-LTA"), "resources were extended")},
	"dss__Signature-P-HU_NET-2.pdf":                 {{ind: signature.Indeterminate, sub: signature.CryptoConstraintsFailure, errHas: "digest algorithm"}},
	"dss__Signature-P-SK-1__HASH_FAILURE_.pdf": {
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure, errHas: "non-DER"}, {ind: signature.TotalFailed, sub: signature.SigCryptoFailure},
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}, {ind: signature.TotalFailed, sub: signature.SigCryptoFailure},
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}},
	"dss__Signature-P-SK-6.pdf":                               {lvl(intact, "PAdES-BASELINE-LTA"), lvl(intact, "PAdES-BASELINE-LT")},
	"dss__TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf":          {lvl(intact, "PKCS7-B")},
	"dss__Test.signed_Certipost-2048-SHA512.extended-LTA.pdf": {lvl(intact, "PAdES-BASELINE-LTA")},
	"dss__certified-no-change-permitted.pdf":                  {lvl(intact, "PAdES-BASELINE-T")},
	"dss__doc-firmado-LT.pdf":                                 {lvl(intact, "PAdES-BASELINE-LT")},
	"dss__hello_signed_INCSAVE_signed_EDITED.pdf":             {intact, format("byte range is invalid")},
	"dss__pades-5-signatures-and-1-document-timestamp.pdf": {
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}, {ind: signature.TotalFailed, sub: signature.SigCryptoFailure},
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}, {ind: signature.TotalFailed, sub: signature.SigCryptoFailure},
		{ind: signature.TotalFailed, sub: signature.SigCryptoFailure}},
	"dss__pades-signed-annot-added.pdf":              {warn(intact, "annotation")},
	"dss__pades-signed-filled-form.pdf":              {warn(intact, "form filling")},
	"dss__pades-unsupported-signature-algorithm.pdf": {{ind: signature.Indeterminate, sub: signature.CryptoConstraintsFailure}},
	"dss__pdf-signed-added-page.pdf":                 {format("pages were added or removed")},
	"dss__pdf-signed-corrupted.pdf":                  {format("byte range is invalid")},
	"dss__pdf-signed-original.pdf":                   {lvl(intact, "PAdES-BASELINE-B")},
	"dss__pdf-signed-out-of-byteRange.pdf":           {format("byte range is invalid")},
	"dss__self-issued-qesig.pdf":                     {intact},
	"pdfsign__testfile30.pdf":                        {lvl(intact, "PKCS7-LT")},
}

func TestCorpus(t *testing.T) {
	dir := testshared.Path(t, "corpus", "pades")
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) == 0 {
		t.Skip("no corpus PDFs")
	}
	o := signature.Options{Time: corpusTime}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			exp, ok := corpusExpect[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it here and to CORPUS.md", name)
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := pades.Validate(context.Background(), data, pades.Limits{}, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signatures) != len(exp) {
				t.Fatalf("%d signatures, want %d", len(res.Signatures), len(exp))
			}
			for i, w := range exp {
				check(t, res.Signatures[i], w)
				if w == intact || w.ind == signature.Indeterminate && w.sub == signature.NoCertificateChainFound {
					if !strings.Contains(strings.Join(res.Signatures[i].Infos, " "), "intact") {
						t.Errorf("%s: crypto not reported intact: %q", res.Signatures[i].ID, res.Signatures[i].Infos)
					}
				}
			}
		})
	}
}

// attackClass is the reason class the attack MANIFEST names.
type attackClass int

const (
	classUnreadable  attackClass = iota // no readable PDF: rejected
	classNoSignature                    // an unsigned PDF (DoS and parser tests): rejected, no signature
	classByteRange                      // byte range invalid
	classChanged                        // content changed after signing
	classFormat                         // another format failure (bad CMS, encapsulated content)
	classControl                        // an intact control file: crypto passed, no chain to a trusted anchor
	classChain                          // the certificate chain is not acceptable
	classCertificate                    // the signing certificate cannot be read
	classProblem                        // a file-level problem keeps it from acceptance
)

var attackExpect = map[string]attackClass{
	"dss/BadEncodedCMS.pdf":                                                 classCertificate,
	"dss/dss-2236__hide.pdf":                                                classChanged,
	"dss/hello_signed_INCSAVE_signed.pdf":                                   classControl,
	"dss/malformed-pades.pdf":                                               classUnreadable,
	"dss/pades-enveloping-other-pdf.pdf":                                    classProblem,
	"dss/pades-spoofing-replaced-reason.pdf":                                classByteRange,
	"dss/pades_infinite_loop.pdf":                                           classByteRange,
	"dss/pdf-signed-added-page.pdf":                                         classChanged,
	"dss/pdf-signed-original.pdf":                                           classControl,
	"dss/self-issued-qesig.pdf":                                             classChain,
	"itext/isa-3.pdf":                                                       classChanged,
	"itext/siwa.pdf":                                                        classByteRange,
	"pyhanko/circular-page-tree.pdf":                                        classNoSignature,
	"pyhanko/coverage-anomalies__one-byterange.pdf":                         classByteRange,
	"pyhanko/coverage-anomalies__tail-uncovered.pdf":                        classByteRange,
	"pyhanko/form-update-ap-indirect-sneaky-trailer.pdf":                    classChanged,
	"pyhanko/form-update-override-appearance-stream-ap-indirect-sneaky.pdf": classChanged,
	"pyhanko/form-update-override-appearance-stream.pdf":                    classControl,
	"pyhanko/pdf-sig-with-econtent.pdf":                                     classFormat,
	"rub-shadow/hide-and-replace__variant-1_change_object_references__4_original-document-shadowed-signed-manipulated.pdf": classChanged,
	"rub-shadow/hide-and-replace__variant-2_change_objects_usage__4_original-document-shadowed-signed-manipulated.pdf":     classChanged,
	"rub-shadow/hide__variant-1_hide-via-referenced-object__4_original-document-shadowed-signed-manipulated_v1.pdf":        classChanged,
	"rub-shadow/hide__variant-2_hide-via-referenced-object__hide-form-via-form__3_original-document-shadowed-signed.pdf":   classControl,
	"rub-shadow/hide__variant-2_hide-via-referenced-object__hide-text-via-form__3_original-document-shadowed-signed.pdf":   classControl,
	"rub-shadow/replace__variant-1_replace-via-overlay__3_original-document-shadowed-signed.pdf":                           classControl,
	"rub-shadow/replace__variant-2_replace-via-overwrite__3_original-document-shadowed-signed.pdf":                         classControl,
}

// attackFiles returns every PDF (gunzipped, bounded) of ../shared/attacks/pdf.
func attackFiles(t *testing.T) map[string][]byte {
	dir := testshared.Path(t, "attacks", "pdf")
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case strings.HasSuffix(p, ".pdf"):
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.ToSlash(rel)] = b
		case strings.HasSuffix(p, ".pdf.gz"):
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			// One byte more than the intake accepts: the largest is refused.
			b, _ := io.ReadAll(io.LimitReader(zr, verify.MaxFileSize+1))
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	return out
}

// TestAttacks: no attack file is accepted, each is refused for the reason
// its MANIFEST names, in bounded time and memory. The files are validated
// as the intake does (verify.File) and with a trust source that trusts
// nothing, offline.
func TestAttacks(t *testing.T) {
	files := attackFiles(t)
	limit := time.Second
	if raceEnabled {
		limit = 10 * time.Second
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			class, ok := attackExpect[name]
			if !ok {
				switch {
				case strings.HasPrefix(name, "pdf101-"):
					class = classNoSignature
				default:
					t.Fatalf("no expectation for %s", name)
				}
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			start := time.Now()
			fr := verify.File(ctx, verify.Input{Name: filepath.Base(name), Data: data}, signature.Options{Time: corpusTime})
			el := time.Since(start)
			runtime.ReadMemStats(&after)
			if el > limit {
				t.Errorf("took %v, limit %v", el, limit)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			if fr.Verdict == signature.Accepted {
				t.Fatalf("accepted: %+v", fr)
			}
			all := strings.Join(fr.Reasons, "\n")
			first := func() signature.Report {
				if len(fr.Signatures) == 0 {
					t.Fatalf("no signature reported; reasons %q", fr.Reasons)
				}
				return fr.Signatures[0]
			}
			switch class {
			case classUnreadable:
				if fr.Verdict != signature.Rejected || !strings.Contains(all, "could not be read") && !strings.Contains(all, "larger than") {
					t.Errorf("verdict %s, reasons %q", fr.Verdict, fr.Reasons)
				}
			case classNoSignature:
				if fr.Verdict != signature.Rejected && !strings.Contains(all, "larger than") || len(fr.Signatures) != 0 {
					t.Errorf("verdict %s with %d signatures, reasons %q", fr.Verdict, len(fr.Signatures), fr.Reasons)
				}
			case classByteRange:
				check(t, first(), format("byte range is invalid"))
			case classChanged:
				s := first()
				if s.Indication != signature.TotalFailed || s.SubIndication != signature.FormatFailure ||
					!strings.Contains(s.Errors[0], "changed after signing") && !strings.Contains(s.Errors[0], "incremental update") {
					t.Errorf("got %s/%s %q", s.Indication, s.SubIndication, s.Errors)
				}
			case classFormat:
				check(t, first(), format(""))
			case classControl:
				s := first()
				check(t, s, intact)
				for _, s := range fr.Signatures {
					if s.Indication == signature.TotalFailed {
						t.Errorf("control file: %s %s %q", s.ID, s.SubIndication, s.Errors)
					}
				}
			case classChain:
				s := first()
				if s.Indication != signature.Indeterminate || !strings.Contains(string(s.SubIndication), "CHAIN") {
					t.Errorf("got %s/%s %q", s.Indication, s.SubIndication, s.Errors)
				}
			case classCertificate:
				check(t, first(), want{ind: signature.Indeterminate, sub: signature.NoSigningCertificateFound})
			case classProblem:
				if !strings.Contains(all, "embedded files") {
					t.Errorf("reasons %q do not name the embedded files", fr.Reasons)
				}
			}
		})
	}
}

// TestCorpusSelfIssuedWithAnchor gives the self-issued file the anchor
// DSS's test gives it (the end-entity certificate that issued the
// signer's): the chain is still refused, its issuer not being a CA.
func TestCorpusSelfIssuedWithAnchor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testshared.Path(t, "corpus", "pades"), "dss__self-issued-qesig.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	var anchor *pki.Certificate
	d, err := pdf.Open(data, pdf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range d.Numbers() {
		o, _ := d.Get(n)
		sd, ok := o.(pdf.Dict)
		if !ok || sd["ByteRange"] == nil {
			continue
		}
		c, _ := sd["Contents"].(pdf.String)
		el, _, err := cms.FirstElement(c.Value)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := cms.Parse(el)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range signed.Certificates {
			if cert, err := pki.ParseCertificate(raw); err == nil && strings.Contains(cert.SubjectString(), "Beliakov") {
				anchor = cert
			}
		}
	}
	if anchor == nil {
		t.Fatal("issuing certificate not found in the CMS")
	}
	res, err := pades.Validate(context.Background(), data, pades.Limits{}, signature.Options{Time: corpusTime, Anchors: []*pki.Certificate{anchor}})
	if err != nil {
		t.Fatal(err)
	}
	check(t, res.Signatures[0], want{ind: signature.Indeterminate, sub: signature.ChainConstraintsFailure, errHas: "not a CA"})
}
