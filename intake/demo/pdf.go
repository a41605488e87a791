package demo

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/sigintake/sigintake/signature/sigtest"
)

// signedPDF writes a one-page PDF with a PAdES-BASELINE-B signature
// (EN 319 142-1: /SubFilter /ETSI.CAdES.detached, a detached CMS over the
// /ByteRange, no signing-time attribute) made by l.
func signedPDF(title string, l *sigtest.Leaf) []byte {
	const contentsLen = 16384 // hex digits reserved for the CMS
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R /Annots [4 0 R] >>")
	obj("<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V 5 0 R /T (Paraksts1) /F 132 /P 3 0 R >>")
	brPlaceholder := "/ByteRange [0 0000000000 0000000000 0000000000]"
	obj("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached " + brPlaceholder +
		" /Contents <" + string(bytes.Repeat([]byte("0"), contentsLen)) + "> /M (D:20260601120000Z) /Name (" + l.Cert.Subject.CommonName + ") >>")
	stream := "BT /F1 12 Tf 72 770 Td (" + title + ") Tj ET"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	pdf := b.Bytes()

	// Fill in the byte range around the /Contents hex string.
	lt := bytes.Index(pdf, []byte("/Contents <")) + len("/Contents ")
	gt := lt + 1 + contentsLen + 1
	br := fmt.Sprintf("/ByteRange [0 %010d %010d %010d]", lt, gt, len(pdf)-gt)
	i := bytes.Index(pdf, []byte(brPlaceholder))
	copy(pdf[i:], br)
	signed := append(append([]byte{}, pdf[:lt]...), pdf[gt:]...)
	cms := sigtest.SignCMS(signed, l, sigtest.CMSOptions{Detached: true, OmitSigningTime: true})
	h := hex.EncodeToString(cms)
	if len(h) > contentsLen {
		panic(fatal{"demo: CMS larger than the reserved /Contents"})
	}
	copy(pdf[lt+1:], h)
	return pdf
}
