package pades

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/sigintake/sigintake/signature/pades/pdf"
)

// sigDict is one signature dictionary found in the document: a signature
// (/Type /Sig) or a document timestamp (/Type /DocTimeStamp).
type sigDict struct {
	ref   pdf.Ref // the dictionary's object (Num 0 when direct in a field)
	dict  pdf.Dict
	field string // fully qualified field name, "" when not from a field
	// lock is the field's /Lock dictionary (FieldMDP, §12.8.2.4).
	lock pdf.Dict
	// warning is said about how the dictionary was found.
	warning string
	// refs are the signature reference dictionaries (/Reference, §12.8.1).
	refs []pdf.Dict

	docTS     bool
	subFilter string
	br        []int64 // /ByteRange
	contents  pdf.String
	revEnd    int64 // br[2]+br[3]: the end of the signed revision
	brErr     error // ByteRange invalid: why
	formatErr error // the dictionary itself is unusable
}

// maxFields bounds the AcroForm walk.
const maxFields = 10_000

// findSignatures returns every signature dictionary of the final document:
// those of signature fields (ISO 32000-1 §12.7.4.5) and, so that none is
// skipped silently, any other dictionary that carries /ByteRange and
// /Contents.
func findSignatures(doc *pdf.Document, notes *[]string) []*sigDict {
	var out []*sigDict
	seen := map[int]bool{}
	root := doc.Root()
	if af := doc.Dict(root["AcroForm"]); af != nil {
		visited := map[int]bool{}
		var walk func(o pdf.Object, parentName string, ft pdf.Name, depth int)
		walk = func(o pdf.Object, parentName string, ft pdf.Name, depth int) {
			if depth > 32 || len(visited) > maxFields {
				return
			}
			if r, ok := o.(pdf.Ref); ok {
				if visited[r.Num] {
					return
				}
				visited[r.Num] = true
			}
			f := doc.Dict(o)
			if f == nil {
				return
			}
			name := parentName
			if t, ok := doc.Resolve(f["T"]).(pdf.String); ok {
				if name != "" {
					name += "."
				}
				name += decodeText(t.Value)
			}
			if v := f.Name("FT"); v != "" {
				ft = v
			}
			if ft == "Sig" {
				if v, ok := f["V"]; ok {
					sd := &sigDict{field: name, lock: doc.Dict(f["Lock"])}
					if r, ok := v.(pdf.Ref); ok {
						sd.ref = r
						if seen[r.Num] {
							return
						}
						seen[r.Num] = true
					}
					sd.dict = doc.Dict(v)
					if sd.dict == nil {
						sd.dict = pdf.Dict{}
						sd.formatErr = fmt.Errorf("the signature dictionary (%v) of field %q is unreadable", v, name)
					}
					out = append(out, sd)
				}
			}
			if kids, ok := doc.Resolve(f["Kids"]).(pdf.Array); ok {
				for _, k := range kids {
					walk(k, name, ft, depth+1)
				}
			}
		}
		if fields, ok := doc.Resolve(af["Fields"]).(pdf.Array); ok {
			for _, f := range fields {
				walk(f, "", "", 0)
			}
		}
	}
	// Signature widgets of the pages that the form's field list misses
	// (some signers forget to add the field to an inline /AcroForm).
	if pages, err := doc.Pages(); err == nil {
		budget := 10 * maxFields
		arrays := map[int]bool{}
		for _, pg := range pages {
			ao := doc.Dict(pg)["Annots"]
			if r, ok := ao.(pdf.Ref); ok {
				if arrays[r.Num] {
					continue
				}
				arrays[r.Num] = true
			}
			annots, _ := doc.Resolve(ao).(pdf.Array)
			for _, a := range annots {
				if budget--; budget < 0 {
					break
				}
				if r, ok := a.(pdf.Ref); ok {
					if arrays[-r.Num-1] {
						continue
					}
					arrays[-r.Num-1] = true
				}
				w := doc.Dict(a)
				if w == nil || w.Name("Subtype") != "Widget" || w.Name("FT") != "Sig" {
					continue
				}
				r, ok := w["V"].(pdf.Ref)
				if !ok || seen[r.Num] {
					continue
				}
				seen[r.Num] = true
				name := ""
				if t, ok := doc.Resolve(w["T"]).(pdf.String); ok {
					name = decodeText(t.Value)
				}
				sd := &sigDict{ref: r, field: name, lock: doc.Dict(w["Lock"]), dict: doc.Dict(r),
					warning: fmt.Sprintf("The signature field %q is on a page but missing from the form's field list (/AcroForm /Fields).", name)}
				if sd.dict == nil {
					sd.dict = pdf.Dict{}
					sd.formatErr = fmt.Errorf("the signature dictionary (%v) of field %q is unreadable", r, name)
				}
				out = append(out, sd)
			}
		}
	}
	// Usage rights signatures (§12.8.2.3) are the producing application's,
	// not a signer's: reported as a note.
	if perms := doc.Dict(root["Perms"]); perms != nil {
		for _, k := range []pdf.Name{"UR3", "UR"} {
			if r, ok := perms[k].(pdf.Ref); ok && !seen[r.Num] {
				seen[r.Num] = true
				*notes = append(*notes, fmt.Sprintf("a usage rights signature (/Perms /%s, object %d) of the producing application is present; it is not a signature of the document and is not validated", k, r.Num))
			}
		}
	}
	// Dictionaries that look like signatures but belong to no field.
	for _, n := range doc.Numbers() {
		if seen[n] {
			continue
		}
		// Objects stored in the file are looked at only when their bytes
		// name a byte range or a signature type; compressed ones always.
		if e, _ := doc.Entry(n); e.Type == 1 && !doc.RawContains(n, "/ByteRange") && !doc.RawContains(n, "/Sig") && !doc.RawContains(n, "/DocTimeStamp") {
			continue
		}
		obj, err := doc.Get(n)
		if err != nil {
			if doc.RawContains(n, "/ByteRange") {
				out = append(out, &sigDict{ref: pdf.Ref{Num: n}, dict: pdf.Dict{},
					formatErr: fmt.Errorf("object %d looks like a signature dictionary but is unreadable: %v", n, err)})
				seen[n] = true
			}
			continue
		}
		d, ok := obj.(pdf.Dict)
		if !ok {
			continue
		}
		_, hasBR := d["ByteRange"]
		_, hasC := d["Contents"]
		t := d.Name("Type")
		if hasBR && hasC || (t == "Sig" || t == "DocTimeStamp") && hasC {
			out = append(out, &sigDict{ref: pdf.Ref{Num: n}, dict: d,
				formatErr: fmt.Errorf("the signature dictionary (object %d) is not the value of any signature field", n)})
			seen[n] = true
		}
	}
	return out
}

// inspect reads the signature dictionary's entries and checks its byte
// range against the file (EN 319 142-1 §5.1, ISO 32000-1 §12.8.1): two
// ranges from offset 0 whose gap is exactly the /Contents hex string with
// its delimiters, ending at an end-of-file marker.
func (s *sigDict) inspect(doc *pdf.Document) {
	d := s.dict
	if arr, ok := doc.Resolve(d["Reference"]).(pdf.Array); ok {
		for i, r := range arr {
			if rd := doc.Dict(r); rd != nil && i < 64 {
				s.refs = append(s.refs, rd)
			}
		}
	}
	s.docTS = d.Name("Type") == "DocTimeStamp"
	s.subFilter = string(d.Name("SubFilter"))
	if s.subFilter == "ETSI.RFC3161" {
		s.docTS = true
	}
	c, ok := doc.Resolve(d["Contents"]).(pdf.String)
	if !ok {
		s.setFormat(fmt.Errorf("/Contents is not a string"))
	}
	s.contents = c
	if _, direct := d["Contents"].(pdf.String); !direct && ok {
		s.brErr = fmt.Errorf("/Contents is an indirect object, outside the signature dictionary")
	}
	arr, ok := doc.Resolve(d["ByteRange"]).(pdf.Array)
	if !ok {
		s.setBR(fmt.Errorf("/ByteRange is missing or not an array"))
		return
	}
	for _, v := range arr {
		n, ok := v.(int64)
		if !ok || n < 0 {
			s.setBR(fmt.Errorf("/ByteRange holds %s, not a non-negative integer", pdf.Describe(v)))
			return
		}
		s.br = append(s.br, n)
	}
	size := int64(doc.Len())
	if len(s.br) != 4 {
		s.setBR(fmt.Errorf("/ByteRange has %d numbers, not 4 (two ranges)", len(s.br)))
		return
	}
	a, la, b, lb := s.br[0], s.br[1], s.br[2], s.br[3]
	s.revEnd = b + lb
	switch {
	case a != 0:
		s.setBR(fmt.Errorf("/ByteRange starts at %d, not 0", a))
	case la <= 0 || b < la:
		s.setBR(fmt.Errorf("/ByteRange ranges overlap or are out of order (%v)", s.br))
	case b+lb > size || b+lb < b:
		s.setBR(fmt.Errorf("/ByteRange reaches byte %d beyond the end of the file (%d bytes)", b+lb, size))
	case s.contents.Start < 0:
		s.setBR(fmt.Errorf("/Contents is not stored in the file itself (object stream)"))
	case s.contents.Start >= b+lb:
		s.setBR(fmt.Errorf("the signature dictionary was replaced in an update after the revision it claims to sign (its /Contents is at byte %d, the signed revision ends at %d)", s.contents.Start, b+lb))
	case s.contents.Start != la || s.contents.End != b:
		s.setBR(fmt.Errorf("the gap of /ByteRange (bytes %d-%d) is not exactly the /Contents string of this signature (bytes %d-%d)", la, b, s.contents.Start, s.contents.End))
	case !s.contents.Hex:
		s.setBR(fmt.Errorf("/Contents is not a hexadecimal string"))
	case !endsWithEOF(doc.Data()[:s.revEnd]):
		s.setBR(fmt.Errorf("the signed bytes 0-%d do not end with an %%%%EOF marker: they are not a whole revision", s.revEnd))
	}
}

func (s *sigDict) setBR(err error) {
	if s.brErr == nil {
		s.brErr = err
	}
}

func (s *sigDict) setFormat(err error) {
	if s.formatErr == nil {
		s.formatErr = err
	}
}

// endsWithEOF reports whether b ends with "%%EOF" and at most an end of
// line (ISO 32000-1 §7.5.5).
func endsWithEOF(b []byte) bool {
	t := bytes.TrimRight(b, "\r\n\x00 \t")
	if len(b)-len(t) > 4 {
		return false
	}
	return bytes.HasSuffix(t, []byte("%%EOF"))
}

// decodeText decodes a PDF text string (UTF-16BE with BOM or
// PDFDocEncoding, taken as Latin-1).
func decodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		var sb strings.Builder
		for i := 2; i+1 < len(b); i += 2 {
			sb.WriteRune(rune(b[i])<<8 | rune(b[i+1]))
		}
		return sb.String()
	}
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// sortByRevision orders signatures by the revision they sign (signing
// order); unusable ones last, in object order.
func sortByRevision(s []*sigDict) {
	sort.SliceStable(s, func(i, j int) bool {
		ri, rj := s[i].revEnd, s[j].revEnd
		if ri == 0 {
			ri = 1 << 62
		}
		if rj == 0 {
			rj = 1 << 62
		}
		return ri < rj
	})
}
