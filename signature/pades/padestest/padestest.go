// Package padestest writes small PDFs and signs them incrementally over the
// test PKI of signature/sigtest, for tests of PDF signature validation: a
// minimal PDF writer (ISO 32000-1 §7.5: header, objects, cross-reference
// tables, trailers with /Prev), incremental updates, signature fields and
// dictionaries (ETSI.CAdES.detached, adbe.pkcs7.detached, ETSI.RFC3161
// document timestamps, DocMDP certification), /DSS, form filling and the
// modifications the validator must detect.
//
// It writes only what the tests need: uncompressed objects, classic
// cross-reference tables, one font. It is test support, not a PDF library.
package padestest

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/sigintake/sigintake/signature/sigtest"
)

// PDF is a document and what the writer needs to update it. Every method
// returns a new PDF (the receiver is not changed), so tests can branch.
type PDF struct {
	Data  []byte
	next  int
	xref  int64
	pages []page
	// fields are the AcroForm field objects; fieldObj by name.
	fields   []int
	fieldObj map[string]int
	catalog  map[string]string // extra catalog entries, e.g. "/DSS" -> "9 0 R"
	font     int
	unused   int // an object nothing refers to
	info     int
}

type page struct {
	num, contents int
	annots        []int
}

func (p *PDF) clone() *PDF {
	q := *p
	q.Data = append([]byte(nil), p.Data...)
	q.pages = make([]page, len(p.pages))
	for i, pg := range p.pages {
		q.pages[i] = pg
		q.pages[i].annots = append([]int(nil), pg.annots...)
	}
	q.fields = append([]int(nil), p.fields...)
	q.fieldObj = map[string]int{}
	for k, v := range p.fieldObj {
		q.fieldObj[k] = v
	}
	q.catalog = map[string]string{}
	for k, v := range p.catalog {
		q.catalog[k] = v
	}
	return &q
}

// Options shape a new document.
type Options struct {
	// Pages are the texts of the pages (default one page).
	Pages []string
	// TextField adds a text form field of this name on page 1.
	TextField string
	// EmptySignatureField adds an unsigned signature field of this name
	// on page 1 (for signers that sign an existing field).
	EmptySignatureField string
	// EmbeddedFile attaches a file of this name (/Names /EmbeddedFiles).
	EmbeddedFile string
	// Filler pads the first page's content stream to about this many
	// bytes (for benchmarks).
	Filler int
}

// New writes a one-revision PDF: catalog 1, page tree 2, font 3, info 4,
// an unused object 5, then pages with their content streams.
func New(o Options) *PDF {
	if len(o.Pages) == 0 {
		o.Pages = []string{"Iesniegums Valsts kasei"}
	}
	p := &PDF{next: 6, font: 3, info: 4, unused: 5, fieldObj: map[string]int{}, catalog: map[string]string{}}
	p.Data = []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	objs := map[int]string{
		3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		4: "<< /Producer (padestest) >>",
		5: "<< /Unused true >>",
	}
	for i, text := range o.Pages {
		pg := page{num: p.next, contents: p.next + 1}
		p.next += 2
		content := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
		if i == 0 && o.Filler > 0 {
			var b strings.Builder
			b.WriteString(content)
			for b.Len() < o.Filler {
				b.WriteString("\n% filler filler filler filler filler filler filler filler filler filler")
			}
			content = b.String()
		}
		objs[pg.contents] = stream("", content)
		p.pages = append(p.pages, pg)
	}
	if o.TextField != "" {
		f := p.next
		p.next++
		p.fields = append(p.fields, f)
		p.fieldObj[o.TextField] = f
		p.pages[0].annots = append(p.pages[0].annots, f)
		objs[f] = fmt.Sprintf("<< /FT /Tx /T (%s) /Type /Annot /Subtype /Widget /Rect [72 600 300 620] /P %d 0 R /F 4 /DA (/Helv 12 Tf 0 g) >>", o.TextField, p.pages[0].num)
	}
	if o.EmbeddedFile != "" {
		ef, spec := p.next, p.next+1
		p.next += 2
		objs[ef] = stream("/Type /EmbeddedFile ", "%PDF-1.4 another document")
		objs[spec] = fmt.Sprintf("<< /Type /Filespec /F (%s) /EF << /F %d 0 R >> >>", o.EmbeddedFile, ef)
		p.catalog["/Names"] = fmt.Sprintf("<< /EmbeddedFiles << /Names [(%s) %d 0 R] >> >>", o.EmbeddedFile, spec)
	}
	if o.EmptySignatureField != "" {
		f := p.next
		p.next++
		p.fields = append(p.fields, f)
		p.fieldObj[o.EmptySignatureField] = f
		p.pages[0].annots = append(p.pages[0].annots, f)
		objs[f] = fmt.Sprintf("<< /FT /Sig /T (%s) /Type /Annot /Subtype /Widget /Rect [72 100 272 150] /P %d 0 R /F 4 >>", o.EmptySignatureField, p.pages[0].num)
	}
	p.catalogAndPages(objs, true)
	return p.write(objs)
}

func stream(dict, data string) string {
	return fmt.Sprintf("<< %s/Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// catalogAndPages (re)writes the catalog, and the page tree and pages when
// all is set, else only the first page.
func (p *PDF) catalogAndPages(objs map[int]string, all bool) {
	var cat strings.Builder
	cat.WriteString("<< /Type /Catalog /Pages 2 0 R")
	if len(p.fields) > 0 {
		fmt.Fprintf(&cat, " /AcroForm << /Fields [%s] /SigFlags 3 /DR << /Font << /Helv 3 0 R >> >> >>", refs(p.fields))
	}
	keys := make([]string, 0, len(p.catalog))
	for k := range p.catalog {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&cat, " %s %s", k, p.catalog[k])
	}
	cat.WriteString(" >>")
	objs[1] = cat.String()
	if all {
		kids := make([]int, len(p.pages))
		for i, pg := range p.pages {
			kids[i] = pg.num
		}
		objs[2] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", refs(kids), len(kids))
	}
	for i, pg := range p.pages {
		if !all && i > 0 {
			break
		}
		annots := ""
		if len(pg.annots) > 0 {
			annots = fmt.Sprintf(" /Annots [%s]", refs(pg.annots))
		}
		objs[pg.num] = fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R%s >>", pg.contents, annots)
	}
}

func refs(n []int) string {
	s := make([]string, len(n))
	for i, v := range n {
		s[i] = fmt.Sprintf("%d 0 R", v)
	}
	return strings.Join(s, " ")
}

// write appends objs as one update (the first revision when p.Data holds
// only the header) and returns the new document.
func (p *PDF) write(objs map[int]string) *PDF {
	q := p
	if len(p.Data) > 20 {
		q = p.clone()
	}
	nums := make([]int, 0, len(objs))
	for n := range objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	off := map[int]int64{}
	for _, n := range nums {
		off[n] = int64(len(q.Data))
		q.Data = fmt.Appendf(q.Data, "%d 0 obj\n%s\nendobj\n", n, objs[n])
	}
	xref := int64(len(q.Data))
	q.Data = append(q.Data, "xref\n"...)
	first := q.xref == 0
	if first {
		q.Data = append(q.Data, "0 1\n0000000000 65535 f\r\n"...)
	}
	for _, n := range nums {
		q.Data = fmt.Appendf(q.Data, "%d 1\n%010d 00000 n\r\n", n, off[n])
	}
	prev := ""
	if !first {
		prev = fmt.Sprintf(" /Prev %d", q.xref)
	}
	q.Data = fmt.Appendf(q.Data, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", q.next, q.info, prev, xref)
	q.xref = xref
	return q
}

// Update appends an incremental update holding objs (number -> the
// object's body) as they are: the way to write modifications.
func (p *PDF) Update(objs map[int]string) *PDF {
	return p.clone().write(objs)
}

// Page returns the object numbers of page i (0-based) and of its content
// stream.
func (p *PDF) Page(i int) (num, contents int) { return p.pages[i].num, p.pages[i].contents }

// Font returns the font object's number, used by every page.
func (p *PDF) Font() int { return p.font }

// Unused returns an object of the first revision that nothing refers to.
func (p *PDF) Unused() int { return p.unused }

// AddPage appends a page in an incremental update.
func (p *PDF) AddPage(text string) *PDF {
	q := p.clone()
	pg := page{num: q.next, contents: q.next + 1}
	q.next += 2
	q.pages = append(q.pages, pg)
	objs := map[int]string{pg.contents: stream("", fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text))}
	q.catalogAndPages(objs, true)
	delete(objs, 1)
	for _, old := range p.pages {
		delete(objs, old.num)
	}
	return q.write(objs)
}

// ReplaceContent replaces page i's content stream in an update.
func (p *PDF) ReplaceContent(i int, text string) *PDF {
	return p.Update(map[int]string{p.pages[i].contents: stream("", fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text))})
}

// AddAnnotation adds a text (sticky note) annotation to page 1.
func (p *PDF) AddAnnotation(note string) *PDF {
	q := p.clone()
	a := q.next
	q.next++
	q.pages[0].annots = append(q.pages[0].annots, a)
	objs := map[int]string{a: fmt.Sprintf("<< /Type /Annot /Subtype /Text /Rect [400 700 420 720] /Contents (%s) /P %d 0 R >>", note, q.pages[0].num)}
	q.catalogAndPages(objs, false)
	delete(objs, 1)
	return q.write(objs)
}

// FillField sets the value of the text field name, with an appearance.
func (p *PDF) FillField(name, value string) *PDF {
	q := p.clone()
	f, ok := q.fieldObj[name]
	if !ok {
		panic("padestest: no field " + name)
	}
	ap := q.next
	q.next++
	objs := map[int]string{
		ap: stream("/Type /XObject /Subtype /Form /BBox [0 0 228 20] /Resources << /Font << /Helv 3 0 R >> >> ", fmt.Sprintf("/Tx BMC BT /Helv 12 Tf 2 6 Td (%s) Tj ET EMC", value)),
		f:  fmt.Sprintf("<< /FT /Tx /T (%s) /V (%s) /AP << /N %d 0 R >> /Type /Annot /Subtype /Widget /Rect [72 600 300 620] /P %d 0 R /F 4 /DA (/Helv 12 Tf 0 g) >>", name, value, ap, q.pages[0].num),
	}
	return q.write(objs)
}

// DSS adds or replaces the document security store (EN 319 142-1 §5.4.2).
func (p *PDF) DSS(certs, ocsps, crls [][]byte) *PDF {
	q := p.clone()
	objs := map[int]string{}
	list := func(items [][]byte) string {
		var n []int
		for _, it := range items {
			objs[q.next] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(it), it)
			n = append(n, q.next)
			q.next++
		}
		return "[" + refs(n) + "]"
	}
	d := q.next
	q.next++
	objs[d] = fmt.Sprintf("<< /Type /DSS /Certs %s /OCSPs %s /CRLs %s >>", list(certs), list(ocsps), list(crls))
	q.catalog["/DSS"] = fmt.Sprintf("%d 0 R", d)
	q.catalogAndPages(objs, false)
	delete(objs, q.pages[0].num)
	return q.write(objs)
}

// SignOptions control Sign.
type SignOptions struct {
	// Leaf signs; nil with DocTimestamp.
	Leaf *sigtest.Leaf
	// CMS are the CMS options (Detached is forced).
	CMS sigtest.CMSOptions
	// SubFilter defaults to ETSI.CAdES.detached.
	SubFilter string
	// DocMDP > 0 makes a certification signature with that P.
	DocMDP int
	// LockAll adds a FieldMDP /Lock of all fields to the new field.
	LockAll bool
	// DocTimestamp signs an ETSI.RFC3161 document timestamp by PKI's TSA.
	DocTimestamp bool
	PKI          *sigtest.PKI
	// Field names the new signature field (default Signature<N>).
	Field string
	// Reserve is the /Contents size in bytes (default 16384).
	Reserve int
	// Contents, when set, is written into /Contents instead of a signature
	// (malformed-CMS tests).
	Contents []byte
}

// Sign adds a signature field and its signature in an incremental update.
func (p *PDF) Sign(o SignOptions) *PDF {
	q := p.clone()
	if o.Reserve == 0 {
		o.Reserve = 16384
	}
	if o.SubFilter == "" {
		o.SubFilter = "ETSI.CAdES.detached"
	}
	sig, field := q.next, q.next+1
	q.next += 2
	if o.Field == "" {
		o.Field = fmt.Sprintf("Signature%d", sig)
	}
	q.fields = append(q.fields, field)
	q.fieldObj[o.Field] = field
	q.pages[0].annots = append(q.pages[0].annots, field)
	typ, sub := "/Sig", "/"+o.SubFilter
	if o.DocTimestamp {
		typ, sub = "/DocTimeStamp", "/ETSI.RFC3161"
	}
	ref := ""
	if o.DocMDP > 0 {
		ref = fmt.Sprintf(" /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]", o.DocMDP)
		q.catalog["/Perms"] = fmt.Sprintf("<< /DocMDP %d 0 R >>", sig)
	}
	lock := ""
	if o.LockAll {
		lock = " /Lock << /Type /SigFieldLock /Action /All >>"
	}
	objs := map[int]string{
		sig: fmt.Sprintf("<< /Type %s /Filter /Adobe.PPKLite /SubFilter %s /ByteRange [0 %s %s %s] /Contents <%s> /M (D:20261126120000Z)%s >>",
			typ, sub, brPlaceholder, brPlaceholder, brPlaceholder, strings.Repeat("0", 2*o.Reserve), ref),
		field: fmt.Sprintf("<< /FT /Sig /T (%s) /V %d 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /F 132 /P %d 0 R%s >>", o.Field, sig, q.pages[0].num, lock),
	}
	q.catalogAndPages(objs, false)
	q = q.write(objs)
	// Fill in /ByteRange and /Contents.
	start := bytes.LastIndex(q.Data, []byte(fmt.Sprintf("%d 0 obj", sig)))
	br := start + bytes.Index(q.Data[start:], []byte("/ByteRange [0 "))
	cs := start + bytes.Index(q.Data[start:], []byte("/Contents <")) + len("/Contents ")
	ce := cs + 2*o.Reserve + 2
	total := len(q.Data)
	nums := fmt.Sprintf("/ByteRange [0 %010d %010d %010d]", cs, ce, total-ce)
	copy(q.Data[br:], nums)
	content := append(append([]byte(nil), q.Data[:cs]...), q.Data[ce:]...)
	var der []byte
	if o.Contents != nil {
		der = o.Contents
	} else if o.DocTimestamp {
		h := sha256.Sum256(content)
		der = o.PKI.Timestamp(crypto.SHA256, h[:])
	} else {
		opts := o.CMS
		opts.Detached = true
		der = sigtest.SignCMS(content, o.Leaf, opts)
	}
	if len(der) > o.Reserve {
		panic(fmt.Sprintf("padestest: CMS of %d bytes does not fit %d", len(der), o.Reserve))
	}
	copy(q.Data[cs+1:], strings.ToUpper(hex.EncodeToString(der)))
	return q
}

const brPlaceholder = "0000000000"

// ContentsRange returns the offsets of the last signature's /Contents
// string (with delimiters), for tests that tamper with bytes.
func (p *PDF) ContentsRange() (start, end int) {
	i := bytes.LastIndex(p.Data, []byte("/Contents <"))
	start = i + len("/Contents ")
	end = start + bytes.IndexByte(p.Data[start:], '>') + 1
	return start, end
}
