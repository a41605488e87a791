package pades

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sigintake/sigintake/signature/pades/pdf"
)

// Categories of changes after signing, as DSS groups them
// (ISO 32000-1 §12.8.2.2, EN 319 142-1 §5.4).
type category int

const (
	catBad   category = iota // can change what a reader sees: never allowed
	catDSS                   // /DSS and extension level (LT, LTA)
	catDocTS                 // a document timestamp
	catSig                   // a new signature (signing an empty field)
	catForm                  // form filling
	catAnnot                 // annotations added, changed or removed
	catMeta                  // document information, XMP metadata
)

func (c category) String() string {
	return [...]string{"forbidden change", "DSS", "document timestamp", "signature", "form filling", "annotation", "metadata"}[c]
}

// allowed says whether a DocMDP permission level (0: no certification)
// permits a category (ISO 32000-1 Table 254). DSS and document timestamps
// are always allowed (ISO 32000-2 §12.8.2.2.2).
func (c category) allowed(p int) bool {
	switch c {
	case catBad:
		return false
	case catDSS, catDocTS:
		return true
	}
	switch p {
	case 0:
		return true
	case 1:
		return false
	case 2:
		return c != catAnnot
	}
	return true
}

type change struct {
	cat category
	msg string
	// field is the full name of the form field changed, if any.
	field string
}

// revision is what the change analysis needs to know of a signed revision.
type revision struct {
	doc      *pdf.Document
	rootNum  int
	pages    []pdf.Ref
	pagesErr error
	page     map[int]int  // page object -> 1-based index
	tree     map[int]bool // intermediate /Pages nodes
	// content maps objects reachable from a page's /Contents and
	// /Resources (inherited too) to the page.
	content     map[int]int
	fields      map[int]string // field and widget objects -> full name
	sigFields   map[int]bool
	annots      map[int]bool
	annotArrays map[int]bool
	appearance  map[int]category // appearance streams of widgets / annotations
	// sharedAP marks appearance objects reached through an indirect /AP
	// dictionary, which other objects may reference too; apIndirect the
	// widgets whose /AP is such a reference.
	sharedAP   map[int]bool
	apIndirect map[int]bool
	annotSeen  map[int]bool
	// apBudget bounds the objects visited for appearances.
	apBudget    int
	sigDicts    map[int]bool
	dss         map[int]bool
	acroForm    int
	fieldsArray int
	info        int
	metadata    int
	hasDSS      bool
}

const maxReach = 200_000

// analyse returns the revision with its pages; the object sets the change
// analysis needs are computed by complete, on demand.
func analyse(doc *pdf.Document) *revision {
	r := &revision{doc: doc}
	r.pages, r.pagesErr = doc.Pages()
	_, r.hasDSS = doc.Root()["DSS"]
	return r
}

// complete computes the object sets of the revision once.
func (r *revision) complete() {
	if r.page != nil {
		return
	}
	doc := r.doc
	*r = revision{doc: doc, pages: r.pages, pagesErr: r.pagesErr, hasDSS: r.hasDSS, page: map[int]int{}, tree: map[int]bool{}, content: map[int]int{}, fields: map[int]string{},
		sigFields: map[int]bool{}, annots: map[int]bool{}, annotArrays: map[int]bool{}, appearance: map[int]category{},
		sigDicts: map[int]bool{}, dss: map[int]bool{}, sharedAP: map[int]bool{}, apIndirect: map[int]bool{}, annotSeen: map[int]bool{}, apBudget: maxReach, acroForm: -1, fieldsArray: -1, info: -1, metadata: -1, rootNum: -1}
	if rr, ok := doc.Trailer["Root"].(pdf.Ref); ok {
		r.rootNum = rr.Num
	}
	if ir, ok := doc.Trailer["Info"].(pdf.Ref); ok {
		r.info = ir.Num
	}
	root := doc.Root()
	if mr, ok := root["Metadata"].(pdf.Ref); ok {
		r.metadata = mr.Num
	}
	if dss, ok := root["DSS"]; ok {
		r.hasDSS = true
		r.dss, _ = doc.Reachable(dss, maxReach)
	}
	budget := maxReach
	for i, p := range r.pages {
		r.page[p.Num] = i + 1
		pd := doc.Dict(p)
		// Inherited resources and the parents (tree nodes).
		var roots []pdf.Object
		for k, v := range pd {
			if k != "Parent" && k != "Annots" {
				roots = append(roots, v)
			}
		}
		parent := pd["Parent"]
		for depth := 0; depth < 64; depth++ {
			pr, ok := parent.(pdf.Ref)
			if !ok || r.tree[pr.Num] && depth > 0 && false {
				break
			}
			r.tree[pr.Num] = true
			pn := doc.Dict(pr)
			if pn == nil {
				break
			}
			if res, ok := pn["Resources"]; ok {
				roots = append(roots, res)
			}
			parent = pn["Parent"]
		}
		for _, o := range roots {
			if budget <= 0 {
				break
			}
			set, _ := doc.Reachable(o, budget)
			budget -= len(set)
			for n := range set {
				if _, ok := r.content[n]; !ok {
					r.content[n] = i + 1
				}
			}
		}
		// Annotations of the page.
		if ar, ok := pd["Annots"].(pdf.Ref); ok {
			r.annotArrays[ar.Num] = true
		}
		if arr, ok := doc.Resolve(pd["Annots"]).(pdf.Array); ok {
			for _, a := range arr {
				ref, isRef := a.(pdf.Ref)
				if !isRef || r.annots[ref.Num] || r.annotSeen[ref.Num] || len(r.annotSeen) > 10*maxFields {
					continue
				}
				r.annotSeen[ref.Num] = true
				ad := doc.Dict(a)
				if ad == nil {
					continue
				}
				cat := catAnnot
				if ad.Name("Subtype") == "Widget" {
					cat = catForm
				} else {
					r.annots[ref.Num] = true
				}
				r.markAppearance(ref.Num, ad["AP"], cat)
			}
		}
	}
	delete(r.tree, -1)
	for p := range r.page {
		delete(r.tree, p)
	}
	if af, ok := root["AcroForm"]; ok {
		if ar, ok := af.(pdf.Ref); ok {
			r.acroForm = ar.Num
		}
		afd := doc.Dict(af)
		if fr, ok := afd["Fields"].(pdf.Ref); ok {
			r.fieldsArray = fr.Num
		}
		seen := map[int]bool{}
		var walk func(o pdf.Object, name string, ft pdf.Name, depth int)
		walk = func(o pdf.Object, name string, ft pdf.Name, depth int) {
			ref, ok := o.(pdf.Ref)
			if !ok || seen[ref.Num] || depth > 32 || len(seen) > maxFields {
				return
			}
			seen[ref.Num] = true
			f := doc.Dict(ref)
			if f == nil {
				return
			}
			if t, ok := doc.Resolve(f["T"]).(pdf.String); ok {
				if name != "" {
					name += "."
				}
				name += decodeText(t.Value)
			}
			if v := f.Name("FT"); v != "" {
				ft = v
			}
			r.fields[ref.Num] = name
			if ft == "Sig" {
				r.sigFields[ref.Num] = true
				if vr, ok := f["V"].(pdf.Ref); ok {
					r.sigDicts[vr.Num] = true
				}
			}
			r.markAppearance(ref.Num, f["AP"], catForm)
			if kids, ok := doc.Resolve(f["Kids"]).(pdf.Array); ok {
				for _, k := range kids {
					walk(k, name, ft, depth+1)
				}
			}
		}
		if arr, ok := doc.Resolve(afd["Fields"]).(pdf.Array); ok {
			for _, f := range arr {
				walk(f, "", "", 0)
			}
		}
	}
}

func (r *revision) markAppearance(owner int, ap pdf.Object, cat category) {
	if ap == nil {
		return
	}
	_, indirect := ap.(pdf.Ref)
	if indirect {
		r.apIndirect[owner] = true
	}
	if r.apBudget <= 0 {
		return
	}
	set, _ := r.doc.Reachable(ap, min(10_000, r.apBudget))
	r.apBudget -= len(set)
	for n := range set {
		r.appearance[n] = cat
		if indirect {
			r.sharedAP[n] = true
		}
	}
}

// permissions are the constraints a signature puts on later changes.
type permissions struct {
	docMDP int // 0: not certified; else 1, 2 or 3
	// locked says whether a field (full name) is locked (FieldMDP).
	locked func(name string) bool
}

// diff compares the final document with a signed revision and returns the
// changes, allowed or not under perm.
func diff(s *revision, final *pdf.Document, finalPages []pdf.Ref, finalPagesErr error) []change {
	s.complete()
	var out []change
	bad := func(format string, args ...any) {
		out = append(out, change{cat: catBad, msg: fmt.Sprintf(format, args...)})
	}
	add := func(c category, format string, args ...any) {
		out = append(out, change{cat: c, msg: fmt.Sprintf(format, args...)})
	}
	if finalPagesErr != nil && s.pagesErr == nil {
		bad("the page tree of the final revision is unreadable (%v)", finalPagesErr)
	} else if len(finalPages) != len(s.pages) {
		bad("pages were added or removed after signing: %d signed, %d now", len(s.pages), len(finalPages))
	} else {
		for i := range finalPages {
			if finalPages[i].Num != s.pages[i].Num {
				bad("the pages were reordered or replaced after signing (page %d is now object %d, was %d)", i+1, finalPages[i].Num, s.pages[i].Num)
				break
			}
		}
	}
	if rr, ok := final.Trailer["Root"].(pdf.Ref); !ok || rr.Num != s.rootNum {
		bad("the document catalog was replaced after signing")
	}
	for _, k := range pdf.DiffKeys(s.doc.Trailer, final.Trailer) {
		switch k {
		case "Size", "Prev", "ID", "Info", "Root", "XRefStm", "Type", "W", "Index", "Length", "Filter", "DecodeParms":
		default:
			bad("the trailer's /%s was changed after signing", k)
		}
	}
	for _, n := range s.doc.Numbers() {
		old, err := s.doc.Get(n)
		if err != nil {
			continue
		}
		nw, err := final.Get(n)
		if final.Misplaced(n) {
			if e1, _ := s.doc.Entry(n); !s.doc.Misplaced(n) {
				if e2, _ := final.Entry(n); e1 != e2 {
					bad("a later update points object %d (%s) to bytes that hold another object: readers disagree on what the page shows", n, pdf.Describe(old))
					continue
				}
			}
		}
		if err == nil && pdf.Equal(old, nw) {
			continue
		}
		if err != nil {
			nw = nil
		}
		if st, ok := old.(*pdf.Stream); ok {
			if t := st.Dict.Name("Type"); t == "XRef" || t == "ObjStm" {
				continue
			}
		}
		classify(s, final, n, old, nw, add, bad, &out)
	}
	return out
}

func dictOf(o pdf.Object) pdf.Dict {
	switch x := o.(type) {
	case pdf.Dict:
		return x
	case *pdf.Stream:
		return x.Dict
	}
	return nil
}

func keysOf(k []pdf.Name) string {
	s := make([]string, len(k))
	for i, n := range k {
		s[i] = "/" + string(n)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func classify(s *revision, final *pdf.Document, n int, old, nw pdf.Object, add func(category, string, ...any), bad func(string, ...any), out *[]change) {
	od, nd := dictOf(old), dictOf(nw)
	switch {
	case s.content[n] > 0 && s.page[n] == 0 && !s.tree[n]:
		if nw == nil {
			bad("object %d (%s) used by the content of page %d was deleted after signing", n, pdf.Describe(old), s.content[n])
		} else {
			bad("object %d (%s) used by the content of page %d was changed after signing", n, pdf.Describe(old), s.content[n])
		}
	case n == s.rootNum:
		if nd == nil {
			bad("the document catalog was removed after signing")
			return
		}
		for _, k := range pdf.DiffKeys(od, nd) {
			switch k {
			case "DSS", "Extensions":
				add(catDSS, "the catalog's /%s was added or updated", k)
			case "AcroForm":
				acroFormChange(s, final, s.doc.Dict(od[k]), final.Dict(nd[k]), add, bad)
			case "Metadata", "Version", "StructTreeRoot", "MarkInfo", "Lang":
				add(catMeta, "the catalog's /%s changed", k)
			case "Names":
				namesChange(s.doc.Dict(od[k]), final.Dict(nd[k]), add, bad)
			default:
				bad("the document catalog's /%s was changed after signing", k)
			}
		}
	case s.tree[n]:
		if od == nil || nd == nil {
			bad("page tree node %d was removed after signing", n)
			return
		}
		bad("the page tree was changed after signing (node %d: %s)", n, keysOf(pdf.DiffKeys(od, nd)))
	case s.page[n] > 0:
		if nd == nil {
			bad("page %d was removed after signing", s.page[n])
			return
		}
		for _, k := range pdf.DiffKeys(od, nd) {
			if k == "Annots" {
				annotsChange(s, final, s.doc.Resolve(od["Annots"]), final.Resolve(nd["Annots"]), s.page[n], add, bad)
				continue
			}
			if k == "Resources" && resourcesExtended(s.doc, final, od[k], nd[k]) {
				add(catSig, "page %d's resources were extended with new named resources (the page content is unchanged)", s.page[n])
				continue
			}
			bad("page %d was changed after signing: /%s", s.page[n], k)
		}
	case s.annotArrays[n]:
		annotsChange(s, final, old, nw, 0, add, bad)
	case n == s.acroForm:
		acroFormChange(s, final, od, nd, add, bad)
	case n == s.fieldsArray:
		fieldsChange(s, final, old, nw, add, bad)
	case s.sigDicts[n]:
		bad("the signature dictionary (object %d) of an earlier signature was changed after signing", n)
	case s.fields[n] != "" || s.sigFields[n]:
		fieldChange(s, final, n, od, nd, out)
	case s.appearance[n] != 0 && s.sharedAP[n]:
		bad("the appearance object %d, reached through an indirect /AP dictionary that other objects can share, was changed after signing", n)
	case s.appearance[n] != 0:
		if nw == nil {
			bad("appearance stream %d was deleted after signing", n)
			return
		}
		add(s.appearance[n], "the appearance (object %d) of a form field or annotation changed", n)
	case s.annots[n]:
		if nd == nil {
			add(catAnnot, "annotation %d was deleted", n)
			return
		}
		for _, k := range pdf.DiffKeys(od, nd) {
			switch k {
			case "Parent", "P", "FT", "T":
				bad("annotation %d was changed after signing: /%s", n, k)
				return
			}
		}
		add(catAnnot, "annotation %d was modified (%s)", n, keysOf(pdf.DiffKeys(od, nd)))
	case s.dss[n]:
		add(catDSS, "validation data (/DSS, object %d) was updated", n)
	case n == s.info:
		add(catMeta, "the document information dictionary changed")
	case n == s.metadata:
		add(catMeta, "the XMP metadata stream changed")
	case nw == nil:
		add(catMeta, "object %d (%s), not used by any page, was deleted", n, pdf.Describe(old))
	case isStructure(od) && isStructure(nd):
		add(catMeta, "the document structure (tags, object %d) changed", n)
	default:
		bad("object %d (%s) of the signed revision was replaced in a later update by %s", n, pdf.Describe(old), pdf.Describe(nw))
	}
}

// fieldKind says what a (new) widget or field is: a signature field with
// a document timestamp, a signature field, or another form field.
func fieldKind(doc *pdf.Document, o pdf.Object) category {
	d := doc.Dict(o)
	for depth := 0; d != nil && depth < 32; depth++ {
		if ft := d.Name("FT"); ft != "" {
			if ft != "Sig" {
				return catForm
			}
			v := doc.Dict(d["V"])
			if v != nil && (v.Name("Type") == "DocTimeStamp" || v.Name("SubFilter") == "ETSI.RFC3161") {
				return catDocTS
			}
			return catSig
		}
		d = doc.Dict(d["Parent"])
	}
	return catForm
}

func refSet(a pdf.Array) map[int]bool {
	m := map[int]bool{}
	for _, x := range a {
		if r, ok := x.(pdf.Ref); ok {
			m[r.Num] = true
		}
	}
	return m
}

func annotsChange(s *revision, final *pdf.Document, oldO, newO pdf.Object, page int, add func(category, string, ...any), bad func(string, ...any)) {
	oldA, _ := oldO.(pdf.Array)
	newA, _ := newO.(pdf.Array)
	oldSet, newSet := refSet(oldA), refSet(newA)
	where := ""
	if page > 0 {
		where = fmt.Sprintf(" on page %d", page)
	}
	for _, x := range oldA {
		r, ok := x.(pdf.Ref)
		if !ok {
			continue
		}
		if !newSet[r.Num] {
			if s.fields[r.Num] != "" || s.sigFields[r.Num] {
				bad("the form field widget %d%s was removed after signing", r.Num, where)
			} else {
				add(catAnnot, "annotation %d%s was removed", r.Num, where)
			}
		}
	}
	for _, x := range newA {
		r, ok := x.(pdf.Ref)
		if !ok {
			add(catAnnot, "a direct annotation%s was added or changed", where)
			continue
		}
		if oldSet[r.Num] {
			continue
		}
		d := final.Dict(r)
		if d == nil {
			continue
		}
		if st := d.Name("Subtype"); st == "Widget" {
			c := fieldKind(final, r)
			add(c, "a %s field widget (object %d) was added%s", c, r.Num, where)
		} else {
			add(catAnnot, "a /%s annotation (object %d) was added%s", st, r.Num, where)
		}
	}
}

func fieldsChange(s *revision, final *pdf.Document, oldO, newO pdf.Object, add func(category, string, ...any), bad func(string, ...any)) {
	oldA, _ := oldO.(pdf.Array)
	newA, _ := newO.(pdf.Array)
	newSet := refSet(newA)
	for n := range refSet(oldA) {
		if !newSet[n] {
			bad("the form field %q (object %d) was removed after signing", s.fields[n], n)
		}
	}
	oldSet := refSet(oldA)
	for _, x := range newA {
		if r, ok := x.(pdf.Ref); ok && !oldSet[r.Num] {
			c := fieldKind(final, r)
			add(c, "a %s field (object %d) was added to the form", c, r.Num)
		}
	}
}

func fieldChange(s *revision, final *pdf.Document, n int, od, nd pdf.Dict, out *[]change) {
	name := s.fields[n]
	add := func(c category, format string, args ...any) {
		*out = append(*out, change{cat: c, msg: fmt.Sprintf(format, args...), field: name})
	}
	if nd == nil {
		add(catBad, "the form field %q was deleted after signing", name)
		return
	}
	for _, k := range pdf.DiffKeys(od, nd) {
		switch k {
		case "V":
			if s.sigFields[n] {
				if _, had := od["V"]; had {
					add(catBad, "the value of the signed signature field %q was replaced after signing", name)
				} else if v := final.Dict(nd["V"]); v != nil && (v.Name("Type") == "DocTimeStamp" || v.Name("SubFilter") == "ETSI.RFC3161") {
					add(catDocTS, "a document timestamp was placed in the signature field %q", name)
				} else {
					add(catSig, "the signature field %q was signed", name)
				}
				continue
			}
			add(catForm, "the form field %q was filled in", name)
		case "AP", "AS", "MK", "DA", "Kids", "Lock", "SV", "I", "RV":
			if k == "AP" && s.apIndirect[n] {
				add(catBad, "the form field %q had an indirect appearance dictionary (/AP %v) that was replaced after signing", name, od["AP"])
				continue
			}
			if s.sigFields[n] {
				add(catSig, "the signature field %q changed its /%s", name, k)
			} else {
				add(catForm, "the form field %q changed its /%s", name, k)
			}
		default:
			add(catBad, "the form field %q was changed after signing: /%s", name, k)
		}
	}
}

// resourcesExtended reports whether the new resource dictionary keeps
// every named resource of the old one unchanged and only adds names: the
// unchanged content streams cannot use the added names, so what the page
// shows is the same (signing tools extend /Resources for appearances).
func resourcesExtended(od, nd *pdf.Document, oldO, newO pdf.Object) bool {
	o, n := od.Dict(oldO), nd.Dict(newO)
	if o == nil || n == nil {
		return false
	}
	for k, ov := range o {
		nv, ok := n[k]
		if !ok {
			return false
		}
		if k == "ProcSet" {
			continue
		}
		if pdf.Equal(ov, nv) {
			continue
		}
		oc, nc := od.Dict(ov), nd.Dict(nv)
		if oc == nil || nc == nil {
			return false
		}
		for name, x := range oc {
			if y, ok := nc[name]; !ok || !pdf.Equal(x, y) {
				return false
			}
		}
	}
	return true
}

// namesChange allows changes of the name trees that cannot run code or
// change pages: named appearances and destinations (§7.7.4).
func namesChange(o, n pdf.Dict, add func(category, string, ...any), bad func(string, ...any)) {
	for _, k := range pdf.DiffKeys(o, n) {
		switch k {
		case "AP", "Dests", "IDS", "URLS":
			add(catAnnot, "the catalog's /Names /%s tree changed", k)
		default:
			bad("the catalog's /Names /%s tree was changed after signing", k)
		}
	}
}

// isStructure reports a logical-structure object (§14.7): a structure
// element, the structure tree root or a number/name tree node.
func isStructure(d pdf.Dict) bool {
	if d == nil {
		return false
	}
	switch d.Name("Type") {
	case "StructElem", "StructTreeRoot":
		return true
	case "":
		_, nums := d["Nums"]
		_, limits := d["Limits"]
		_, s := d["S"]
		_, pg := d["Pg"]
		return nums || limits || (s && pg)
	}
	return false
}

func acroFormChange(s *revision, final *pdf.Document, od, nd pdf.Dict, add func(category, string, ...any), bad func(string, ...any)) {
	if nd == nil {
		bad("the interactive form was removed after signing")
		return
	}
	if od == nil {
		od = pdf.Dict{}
	}
	for _, k := range pdf.DiffKeys(od, nd) {
		switch k {
		case "Fields":
			fieldsChange(s, final, s.doc.Resolve(od["Fields"]), final.Resolve(nd["Fields"]), add, bad)
		case "SigFlags":
			add(catSig, "the form's /SigFlags changed")
		case "DR", "DA", "NeedAppearances":
			add(catForm, "the form's /%s changed", k)
		default:
			bad("the interactive form's /%s was changed after signing", k)
		}
	}
}
