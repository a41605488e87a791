package pades_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/pades/padestest"
	"github.com/sigintake/sigintake/signature/pades/pdf"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// pdfsigSigner signs PDFs with poppler's pdfsig from an NSS database that
// holds a qualified leaf of the test PKI: files made by another
// implementation than ours.
type pdfsigSigner struct {
	dir, nick string
	leaf      *sigtest.Leaf
}

func newPdfsig(t *testing.T, p *sigtest.PKI) *pdfsigSigner {
	t.Helper()
	for _, tool := range []string{"pdfsig", "certutil", "pk12util", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install -y poppler-utils libnss3-tools openssl)", tool)
		}
	}
	dir := t.TempDir()
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified(), CommonName: "Pdfsig Signer"})
	certPath, keyPath := leaf.WriteFiles(dir, "signer")
	chain := filepath.Join(dir, "chain.pem")
	var pemChain []byte
	for _, c := range leaf.Chain()[1:] {
		pemChain = append(pemChain, sigtest.PEMBlock("CERTIFICATE", c.Raw)...)
	}
	if err := os.WriteFile(chain, pemChain, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	p12 := filepath.Join(dir, "signer.p12")
	run("openssl", "pkcs12", "-export", "-in", certPath, "-inkey", keyPath, "-certfile", chain, "-name", "signer", "-out", p12, "-passout", "pass:test")
	nss := filepath.Join(dir, "nss")
	os.Mkdir(nss, 0o700)
	run("certutil", "-N", "-d", "sql:"+nss, "--empty-password")
	run("pk12util", "-i", p12, "-d", "sql:"+nss, "-W", "test")
	return &pdfsigSigner{dir: nss, nick: "signer", leaf: leaf}
}

func (s *pdfsigSigner) sign(t *testing.T, in []byte, etsi bool) []byte {
	t.Helper()
	dir := t.TempDir()
	inPath, outPath := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		t.Fatal(err)
	}
	// pdfsig 22.12 refuses -etsi with -add-signature: an ETSI.CAdES.detached
	// signature goes into an existing empty field.
	args := []string{"-add-signature", "-nssdir", "sql:" + s.dir, "-nick", s.nick, "-reason", "test"}
	if etsi {
		args = []string{"-sign", "Paraksts", "-etsi", "-nssdir", "sql:" + s.dir, "-nick", s.nick, "-reason", "test"}
	}
	args = append(args, inPath, outPath)
	out, err := exec.Command("pdfsig", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig %v: %v\n%s", args, err, out)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appendUpdate writes an incremental update holding objs after data, with
// a classic cross-reference section chained by /Prev.
func appendUpdate(t *testing.T, data []byte, objs map[int]string) []byte {
	t.Helper()
	d, err := pdf.Open(data, pdf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	size, _ := d.Trailer.Int("Size")
	root := d.Trailer["Root"].(pdf.Ref)
	out := append([]byte(nil), data...)
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	nums := make([]int, 0, len(objs))
	for n := range objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	off := map[int]int{}
	for _, n := range nums {
		off[n] = len(out)
		out = fmt.Appendf(out, "%d 0 obj\n%s\nendobj\n", n, objs[n])
		if int64(n) >= size {
			size = int64(n) + 1
		}
	}
	x := len(out)
	out = append(out, "xref\n"...)
	for _, n := range nums {
		out = fmt.Appendf(out, "%d 1\n%010d 00000 n\r\n", n, off[n])
	}
	out = fmt.Appendf(out, "trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", size, root.Num, pdf.StartXref(data), x)
	return out
}

// TestPdfsig validates PDFs signed by poppler's pdfsig (adbe.pkcs7.detached
// and ETSI.CAdES.detached), unchanged and modified after signing.
func TestPdfsig(t *testing.T) {
	p := sigtest.New(t)
	s := newPdfsig(t, p)
	// pdfsig signs with the real clock: validate after it (the test PKI's
	// certificates are valid until sigtest.Now+2y).
	at := time.Now().UTC().Add(time.Hour)
	if at.Before(sigtest.Now) {
		at = sigtest.Now
	}
	p.SetClock(at)
	o := signature.Options{Time: at, Trust: p.Trust(), Fetcher: &revocation.HTTPFetcher{Timeout: 2 * time.Second}}
	base := padestest.New(padestest.Options{Pages: []string{"Iesniegums", "Pielikums"}, EmptySignatureField: "Paraksts"})
	_, content := base.Page(0)
	page2, _ := base.Page(1)

	for _, etsi := range []bool{false, true} {
		signed := s.sign(t, base.Data, etsi)
		// pdfsig 22.12 writes adbe.pkcs7.detached even with -etsi when it
		// signs an existing field.
		level := "PKCS7-B"
		if bytes.Contains(signed, []byte("/SubFilter /ETSI.CAdES.detached")) {
			level = "PAdES-BASELINE-B"
		}
		d, err := pdf.Open(signed, pdf.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		annotPage := d.Dict(pdf.Ref{Num: page2})
		cases := []struct {
			name string
			data []byte
			w    want
		}{
			{"ok/signed", signed, want{ind: signature.TotalPassed, level: level}},
			{"ok/annotation-on-page-2", appendUpdate(t, signed, map[int]string{
				900:   "<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (note) >>",
				page2: fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %v /Annots [900 0 R] >>", annotPage["Contents"]),
			}), want{ind: signature.TotalPassed, warnHas: "annotation"}},
			{"fail/content-replaced", appendUpdate(t, signed, map[int]string{
				content: "<< /Length 44 >>\nstream\nBT /F1 18 Tf 72 720 Td (Cits teksts) Tj ET\nendstream",
			}), format("used by the content of page 1")},
			{"fail/font-replaced", appendUpdate(t, signed, map[int]string{
				3: "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
			}), format("changed after signing")},
			{"fail/content-byte-flipped", flipAt(signed, bytes.Index(signed, []byte("(Iesniegums)"))+3), want{ind: signature.TotalFailed, sub: signature.HashFailure}},
		}
		for _, c := range cases {
			name := fmt.Sprintf("etsi=%v/%s", etsi, c.name)
			t.Run(name, func(t *testing.T) {
				res, err := pades.Validate(context.Background(), c.data, pades.Limits{}, o)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Signatures) != 1 {
					t.Fatalf("%d signatures", len(res.Signatures))
				}
				check(t, res.Signatures[0], c.w)
				if c.w.ind == signature.TotalPassed {
					if q := res.Signatures[0].Qualification; q != signature.QESig {
						t.Errorf("qualification %s", q)
					}
					if !strings.Contains(res.Signatures[0].Signer.CommonName, "Pdfsig Signer") {
						t.Errorf("signer %+v", res.Signatures[0].Signer)
					}
				}
			})
		}
	}
}

func flipAt(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

// TestPdfsigVerifiesOurs checks the other direction: pdfsig finds the
// signature our test signer wrote intact (its certificate check is off: the
// test PKI is not in its NSS trust store).
func TestPdfsigVerifiesOurs(t *testing.T) {
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Skip("pdfsig not installed")
	}
	e := newEnv(t)
	signed := e.sign(padestest.New(padestest.Options{}), padestest.SignOptions{})
	path := filepath.Join(t.TempDir(), "ours.pdf")
	if err := os.WriteFile(path, signed.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", "-nocert", "-no-ocsp", path).CombinedOutput()
	if !strings.Contains(string(out), "Signature Validation: Signature is Valid") {
		t.Fatalf("pdfsig does not find our signature valid:\n%s", out)
	}
	if !strings.Contains(string(out), "Total document signed") {
		t.Errorf("pdfsig does not see the whole document signed:\n%s", out)
	}
}
