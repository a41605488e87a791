package xmldsig

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/sigintake/sigintake/internal/testshared"
)

// refExcC14N is the canonicalisation this package used before excc14n.go:
// goxmldsig's exclusive canonicaliser over a copy of el without skip, with
// the namespaces inherited from el's ancestors declared on the copy.
func refExcC14N(el, skip *etree.Element, comments bool, prefixList string) ([]byte, error) {
	cp := copyWithout(el, skip)
	inheritContext(el, cp, false, false)
	c := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList)
	if comments {
		c = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixList)
	}
	return c.Canonicalize(cp)
}

// goxmldsigWrong names the places in el's subtree (skip left out) where
// goxmldsig's exclusive canonicaliser departs from the specification, so
// that a difference there is expected and explained:
//   - "attr-order": two attributes with different prefixes on one element.
//     goxmldsig orders them by local name (by URI only when the local names
//     are equal, and then only with declarations on the same element);
//     C14N 1.0 §2.2 orders by namespace URI, then local name.
//   - "empty-default": an xmlns="" declaration. goxmldsig renders it even
//     when no output ancestor rendered a non-empty default namespace;
//     Exc-C14N §3 (C14N 1.0 §4.7) does not.
//   - "cdata": a CDATA section kept by the tree. goxmldsig writes it as
//     CDATA; C14N 1.0 §1.1 replaces it with its escaped character content.
//   - "default-prefixlist": "#default" in the PrefixList, which goxmldsig
//     ignores (Exc-C14N §3 makes the default namespace inclusive).
func goxmldsigWrong(el, skip *etree.Element, prefixList string) []string {
	var why []string
	add := func(s string) {
		for _, w := range why {
			if w == s {
				return
			}
		}
		why = append(why, s)
	}
	if strings.Contains(" "+prefixList+" ", " #default ") {
		add("default-prefixlist")
	}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		first := ""
		for _, a := range e.Attr {
			if a.Space == "" && a.Key == "xmlns" && a.Value == "" {
				add("empty-default")
			}
			if a.Space != "" && a.Space != "xmlns" {
				if first == "" {
					first = a.Space
				} else if a.Space != first {
					add("attr-order")
				}
			}
		}
		for _, t := range e.Child {
			switch c := t.(type) {
			case *etree.Element:
				if c != skip || skip == el {
					walk(c)
				}
			case *etree.CharData:
				if c.IsCData() {
					add("cdata")
				}
			}
		}
	}
	walk(el)
	return why
}

type diffStats struct {
	files, elements, comparisons, same, explained int
	reasons                                       map[string]int
}

// compareExc canonicalises el both ways and fails on an unexplained
// difference. It returns false when goxmldsig refused the input.
func compareExc(t testing.TB, st *diffStats, name string, el, skip *etree.Element, comments bool, pl string) bool {
	t.Helper()
	want, werr := refExcC14N(el, skip, comments, pl)
	if werr != nil {
		return false
	}
	got, err := excCanonicalize(el, skip, comments, pl)
	if err != nil {
		t.Errorf("%s: ours failed where goxmldsig did not: %v", name, err)
		return true
	}
	if st != nil {
		st.comparisons++
	}
	if bytes.Equal(got, want) {
		if st != nil {
			st.same++
		}
		return true
	}
	why := goxmldsigWrong(el, skip, pl)
	if len(why) == 0 {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Errorf("%s (comments=%v, PrefixList=%q): differs at byte %d\nours:      %q\ngoxmldsig: %q",
			name, comments, pl, i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
		return true
	}
	if st != nil {
		st.explained++
		for _, w := range why {
			st.reasons[w]++
		}
	}
	t.Logf("%s: differs from goxmldsig where goxmldsig is wrong (%s)", name, strings.Join(why, ", "))
	return true
}

// compareDoc compares the root (alone and with each enveloped signature
// left out) and every ds:SignedInfo and xades:SignedProperties element.
func compareDoc(t testing.TB, st *diffStats, name string, doc *etree.Document) {
	root := doc.Root()
	targets := []*etree.Element{root}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			ns := c.NamespaceURI()
			if c.Tag == "SignedInfo" && ns == Namespace ||
				c.Tag == "SignedProperties" && strings.HasPrefix(ns, "http://uri.etsi.org/01903/") {
				targets = append(targets, c)
			}
			walk(c)
		}
	}
	walk(root)
	// A PrefixList naming the prefixes declared on the root (inherited by
	// every target).
	var pl []string
	for _, a := range root.Attr {
		if a.Space == "xmlns" {
			pl = append(pl, a.Key)
		}
	}
	for i, el := range targets {
		skips := []*etree.Element{nil}
		if i == 0 {
			skips = append(skips, FindSignatures(root)...)
		}
		for _, skip := range skips {
			if st != nil {
				st.elements++
			}
			for _, comments := range []bool{false, true} {
				for _, p := range []string{"", strings.Join(pl, " ")} {
					compareExc(t, st, name+"/"+el.Tag, el, skip, comments, p)
				}
			}
		}
	}
}

// sharedXMLDocs returns the shared XML documents named by the brief: trust
// lists (tl/**), XAdES files, the signatures inside ASiC/eDoc/BDoc
// containers and the Latvian samples, and the XML attack files.
func sharedXMLDocs(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	isXML := func(p string) bool {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".xml", ".xsd", ".xsl":
			return true
		}
		return false
	}
	for _, dir := range [][]string{{"trust", "tl"}, {"attacks", "xml"}, {"corpus", "xades"}} {
		root := testshared.Path(t, dir...)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isXML(p) {
				if b, err := os.ReadFile(p); err == nil {
					rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(root)), p)
					out[rel] = b
				}
			}
			return nil
		})
	}
	var zips []string
	for _, g := range []string{"corpus/asic/*", "trust/samples-lv/*"} {
		m, _ := filepath.Glob(filepath.Join(sharedDir(t), g))
		zips = append(zips, m...)
	}
	for _, z := range zips {
		ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(z, ".zip")))
		switch ext {
		case ".asice", ".edoc", ".bdoc", ".asics", ".asice_":
		default:
			continue
		}
		zr, err := zip.OpenReader(z)
		if err != nil {
			continue
		}
		for _, f := range zr.File {
			if !strings.HasPrefix(f.Name, "META-INF/") || !strings.Contains(strings.ToLower(f.Name), "signatures") || !strings.HasSuffix(f.Name, ".xml") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, 16<<20))
			rc.Close()
			if err == nil {
				out[filepath.Base(z)+"!"+f.Name] = b
			}
		}
		zr.Close()
	}
	return out
}

// TestExcC14NDifferential compares our exclusive canonicaliser with
// goxmldsig's on every shared XML document that parses.
func TestExcC14NDifferential(t *testing.T) {
	docs := sharedXMLDocs(t)
	if len(docs) < 30 {
		t.Fatalf("only %d shared XML documents found", len(docs))
	}
	st := &diffStats{reasons: map[string]int{}}
	zipped := 0
	for name, b := range docs {
		doc, err := Parse(b, Limits{})
		if err != nil {
			continue
		}
		st.files++
		if strings.Contains(name, "!") {
			zipped++
		}
		compareDoc(t, st, name, doc)
	}
	t.Logf("%d documents found, %d parsed (%d signature files from containers); %d elements, %d comparisons: %d identical, %d explained differences %v",
		len(docs), st.files, zipped, st.elements, st.comparisons, st.same, st.explained, st.reasons)
	if st.files < 30 || zipped < 20 || st.comparisons < 500 {
		t.Fatalf("too little compared: %d files, %d from containers, %d comparisons", st.files, zipped, st.comparisons)
	}
}

const (
	dsNS = `xmlns:ds="http://www.w3.org/2000/09/xmldsig#"`
)

func mustParse(t testing.TB, s string) *etree.Document {
	t.Helper()
	doc, err := Parse([]byte(s), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find returns the first element in document order with this full tag.
func find(root *etree.Element, tag string) *etree.Element {
	if root.FullTag() == tag {
		return root
	}
	for _, c := range root.ChildElements() {
		if e := find(c, tag); e != nil {
			return e
		}
	}
	return nil
}

// TestExcC14NCases checks each rule of Exc-C14N with hand-made documents.
// "agree" says whether goxmldsig gives the same bytes (false only where it
// is wrong, see goxmldsigWrong).
func TestExcC14NCases(t *testing.T) {
	for _, tc := range []struct {
		name, doc, apex, skip, pl string
		comments, disagree        bool
		want                      string
	}{
		// Exc-C14N §2.2: the specification's own example; both documents
		// give the same canonical n1:elem2.
		{name: "ok/spec-2.2-a", apex: "n1:elem2",
			doc:  `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`,
			want: `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`},
		{name: "ok/spec-2.2-b", apex: "n1:elem2",
			doc:  `<n2:pdu xmlns:n1="http://example.com" xmlns:n2="http://foo.example" xml:lang="fr" xml:space="retain"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n2:pdu>`,
			want: `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`},
		// Namespaces rendered only where visibly utilised (§3 cond. 2).
		{name: "ok/unused-dropped", doc: `<r xmlns:x="u"><c/></r>`, want: `<r><c></c></r>`},
		{name: "ok/pushed-to-users", doc: `<r xmlns:x="u"><x:c/><x:d/></r>`,
			want: `<r><x:c xmlns:x="u"></x:c><x:d xmlns:x="u"></x:d></r>`},
		{name: "ok/attr-utilises", doc: `<r xmlns:x="u"><c x:a="1"/></r>`, want: `<r><c xmlns:x="u" x:a="1"></c></r>`},
		// Not rendered again when an output ancestor has it (§3 cond. 3).
		{name: "ok/redundant", doc: `<a:r xmlns:a="u"><a:c xmlns:a="u"><a:d/></a:c></a:r>`,
			want: `<a:r xmlns:a="u"><a:c><a:d></a:d></a:c></a:r>`},
		{name: "ok/redeclared", doc: `<a:r xmlns:a="u"><a:c xmlns:a="v"/></a:r>`,
			want: `<a:r xmlns:a="u"><a:c xmlns:a="v"></a:c></a:r>`},
		{name: "ok/skip-level", doc: `<a:r xmlns:a="u"><b><a:c/></b></a:r>`,
			want: `<a:r xmlns:a="u"><b><a:c></a:c></b></a:r>`},
		// The xml namespace is never declared.
		{name: "ok/xml-prefix", doc: `<r xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"><c xml:space="preserve"/></r>`,
			want: `<r xml:lang="en"><c xml:space="preserve"></c></r>`},
		// Exclusive C14N does not import xml:* attributes from ancestors.
		{name: "ok/no-xml-inheritance", apex: "c", doc: `<r xml:lang="en" xml:space="preserve"><c/></r>`, want: `<c></c>`},
		// Attributes: unqualified first by local name, then by namespace
		// URI and local name (C14N 1.0 §2.2) — not by prefix.
		{name: "ok/attr-order-same-prefix", doc: `<r xmlns:p="u" p:b="1" z="2" p:a="3" c="4"/>`,
			want: `<r xmlns:p="u" c="4" z="2" p:a="3" p:b="1"></r>`},
		{name: "ok/attr-order-by-uri", disagree: true,
			doc:  `<r xmlns:b="http://a" xmlns:a="http://b" a:y="1" b:z="2" z="3" c="4"/>`,
			want: `<r xmlns:a="http://b" xmlns:b="http://a" c="4" z="3" b:z="2" a:y="1"></r>`},
		{name: "ok/attr-order-xml-ns", disagree: true,
			doc:  `<r xmlns:z="http://www.w3.org/2001/XMLSchema-instance" z:type="t" xml:lang="en"/>`,
			want: `<r xmlns:z="http://www.w3.org/2001/XMLSchema-instance" z:type="t" xml:lang="en"></r>`},
		// Namespace declarations by prefix, the default first.
		{name: "ok/ns-order", doc: `<r xmlns:z="z" xmlns:a="a"><c xmlns="d" z:y="2" a:x="1"/></r>`,
			want: `<r><c xmlns="d" xmlns:a="a" xmlns:z="z" a:x="1" z:y="2"></c></r>`},
		// Escaping (C14N 1.0 §2.3).
		{name: "ok/escape-text", doc: "<r>&amp;&lt;&gt;\"'&#xD;&#x9;\n</r>", want: "<r>&amp;&lt;&gt;\"'&#xD;\t\n</r>"},
		{name: "ok/escape-attr", doc: `<r a="&amp;&lt;&gt;&quot;'&#x9;&#xA;&#xD;"/>`, want: `<r a="&amp;&lt;>&quot;'&#x9;&#xA;&#xD;"></r>`},
		{name: "ok/utf8", doc: `<r a="Dž">Valdemāra €</r>`, want: `<r a="Dž">Valdemāra €</r>`},
		// Empty elements as start/end pairs; CDATA as text.
		{name: "ok/empty", doc: `<r><e/><f></f></r>`, want: `<r><e></e><f></f></r>`},
		{name: "ok/cdata", doc: `<r><![CDATA[a<b&c]]></r>`, want: `<r>a&lt;b&amp;c</r>`},
		// Comments only with #WithComments; processing instructions kept.
		{name: "ok/comments-out", doc: `<r><!--c--><?pi data?><?pi2?>t</r>`, want: `<r><?pi data?><?pi2?>t</r>`},
		{name: "ok/comments-in", comments: true, doc: `<r><!--c--><?pi data?><?pi2?>t</r>`, want: `<r><!--c--><?pi data?><?pi2?>t</r>`},
		// Document subset: the enveloped signature left out, text kept.
		{name: "ok/enveloped", skip: "ds:Signature",
			doc:  `<r ` + dsNS + `> <a/> <ds:Signature><ds:SignedInfo/></ds:Signature> <b/></r>`,
			want: `<r> <a></a>  <b></b></r>`},
		{name: "ok/enveloped-ns-user-gone", skip: "ds:Signature",
			doc:  `<r ` + dsNS + `><ds:Signature/><ds:X/></r>`,
			want: `<r><ds:X xmlns:ds="http://www.w3.org/2000/09/xmldsig#"></ds:X></r>`},
		// The apex in its document context: namespaces it and its
		// descendants utilise come from its ancestors.
		{name: "ok/apex-context", apex: "p:c",
			doc:  `<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q" xmlns:u="urn:u"><p:c q:a="1"><x/></p:c></r>`,
			want: `<p:c xmlns:p="urn:p" xmlns:q="urn:q" q:a="1"><x xmlns="urn:d"></x></p:c>`},
		{name: "ok/apex-context-override", apex: "p:c",
			doc:  `<r xmlns:p="urn:old"><m xmlns:p="urn:p"><p:c/></m></r>`,
			want: `<p:c xmlns:p="urn:p"></p:c>`},
		{name: "ok/signedinfo", apex: "ds:SignedInfo",
			doc:  `<r xmlns="urn:tsl" ` + dsNS + `><ds:Signature><ds:SignedInfo><ds:Reference URI=""/></ds:SignedInfo></ds:Signature></r>`,
			want: `<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Reference URI=""></ds:Reference></ds:SignedInfo>`},
		// The default namespace and xmlns="".
		{name: "ok/default-undeclared", doc: `<a xmlns="urn:x"><b xmlns=""><c xmlns="urn:x"/></b></a>`,
			want: `<a xmlns="urn:x"><b xmlns=""><c xmlns="urn:x"></c></b></a>`},
		{name: "ok/empty-default-not-rendered", disagree: true, doc: `<p:a xmlns:p="urn:p"><b xmlns=""/></p:a>`,
			want: `<p:a xmlns:p="urn:p"><b></b></p:a>`},
		{name: "ok/empty-default-apex", disagree: true, apex: "a", doc: `<r xmlns="urn:x"><a xmlns=""/></r>`, want: `<a></a>`},
		// InclusiveNamespaces PrefixList: treated as inclusive C14N.
		{name: "ok/prefixlist", apex: "c", pl: "p", doc: `<r xmlns:p="urn:p" xmlns:q="urn:q"><c/></r>`, want: `<c xmlns:p="urn:p"></c>`},
		{name: "ok/prefixlist-two", apex: "c", pl: " q\tp ", doc: `<r xmlns:p="urn:p" xmlns:q="urn:q"><c/></r>`,
			want: `<c xmlns:p="urn:p" xmlns:q="urn:q"></c>`},
		{name: "ok/prefixlist-absent", pl: "nope", doc: `<c><d/></c>`, want: `<c><d></d></c>`},
		{name: "ok/prefixlist-deeper", pl: "p", doc: `<c><d xmlns:p="urn:p"><e xmlns:p="urn:p"/></d></c>`,
			want: `<c><d xmlns:p="urn:p"><e></e></d></c>`},
		{name: "ok/prefixlist-default", disagree: true, apex: "p:c", pl: "#default",
			doc:  `<r xmlns="urn:d" xmlns:p="urn:p"><p:c><p:e xmlns="urn:e"/></p:c></r>`,
			want: `<p:c xmlns="urn:d" xmlns:p="urn:p"><p:e xmlns="urn:e"></p:e></p:c>`},
		{name: "ok/prefixlist-default-empty", disagree: true, pl: "#default",
			doc:  `<p:c xmlns:p="urn:p" xmlns="urn:d"><p:e xmlns=""/></p:c>`,
			want: `<p:c xmlns="urn:d" xmlns:p="urn:p"><p:e xmlns=""></p:e></p:c>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, tc.doc)
			el := doc.Root()
			if tc.apex != "" {
				el = find(el, tc.apex)
			}
			var skip *etree.Element
			if tc.skip != "" {
				skip = find(doc.Root(), tc.skip)
			}
			got, err := excCanonicalize(el, skip, tc.comments, tc.pl)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
			ref, err := refExcC14N(el, skip, tc.comments, tc.pl)
			if err != nil {
				t.Fatalf("goxmldsig: %v", err)
			}
			if agree := bytes.Equal(ref, got); agree == tc.disagree {
				t.Fatalf("goxmldsig agrees=%v, expected %v; goxmldsig:\n%s", agree, !tc.disagree, ref)
			}
			if tc.disagree && len(goxmldsigWrong(el, skip, tc.pl)) == 0 {
				t.Fatal("difference not recognised by goxmldsigWrong")
			}
		})
	}
}

// TestExcC14NProgrammatic covers trees not made by Parse: CDATA kept as a
// token, characters XML does not allow.
func TestExcC14NProgrammatic(t *testing.T) {
	r := etree.NewElement("r")
	r.CreateCData("a<b]]>")
	r.CreateText("x\x01y\uFFFE")
	r.CreateAttr("a", "\x02")
	got, err := excCanonicalize(r, nil, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<r a=\"\uFFFD\">a&lt;b]]&gt;x\uFFFDy\uFFFD</r>"; string(got) != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestExcC14NErrors(t *testing.T) {
	for name, s := range map[string]string{
		"fail/undeclared-element-prefix": `<p:a/>`,
		"fail/undeclared-attr-prefix":    `<a p:x="1"/>`,
		"fail/xml-rebound":               `<a xmlns:xml="urn:x"/>`,
		"fail/xmlns-declared":            `<a xmlns:xmlns="urn:x"/>`,
		"fail/xmlns-default":             `<a xmlns="http://www.w3.org/2000/xmlns/"/>`,
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse([]byte(s), Limits{})
			if err != nil {
				t.Skipf("parser refuses it already: %v", err)
			}
			if _, err := Canonicalize(doc.Root(), ExcC14N, ""); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestCanonicalizeRoutesExclusive: Canonicalize uses excc14n.go for both
// exclusive algorithms and accepts #default.
func TestCanonicalizeRoutesExclusive(t *testing.T) {
	doc := mustParse(t, `<r xmlns="urn:d" xmlns:p="urn:p"><!--c--><p:c/></r>`)
	c := find(doc.Root(), "p:c")
	got, err := Canonicalize(c, ExcC14N, "#default")
	if err != nil || string(got) != `<p:c xmlns="urn:d" xmlns:p="urn:p"></p:c>` {
		t.Fatalf("%s %v", got, err)
	}
	got, err = Canonicalize(doc.Root(), ExcC14NWithComments, "")
	if err != nil || string(got) != `<r xmlns="urn:d"><!--c--><p:c xmlns:p="urn:p"></p:c></r>` {
		t.Fatalf("%s %v", got, err)
	}
}

// FuzzExcC14N compares our canonicaliser with goxmldsig's on arbitrary
// documents, skipping inputs goxmldsig refuses and differences that
// goxmldsigWrong explains.
func FuzzExcC14N(f *testing.F) {
	for _, s := range []string{
		`<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`,
		`<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q"><p:c q:a="1" b="&amp;&#xD;"><x>t&lt;<!--c--><?pi x?></x></p:c></r>`,
		`<a xmlns="urn:x"><b xmlns=""><c xmlns="urn:x" a="1" b="2"/></b></a>`,
		`<r ` + dsNS + `><a/><ds:Signature><ds:SignedInfo><ds:Reference/></ds:SignedInfo></ds:Signature></r>`,
	} {
		f.Add([]byte(s), uint8(0))
	}
	if m, err := filepath.Glob(filepath.Join(testshared.Dir(f), "corpus", "xades", "*.xml")); err == nil {
		for _, p := range m {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b, uint8(3))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		doc, err := Parse(data, Limits{MaxBytes: 1 << 20, MaxElements: 5000})
		if err != nil {
			return
		}
		comments := mode&1 != 0
		var pl string
		if mode&2 != 0 {
			for _, a := range doc.Root().Attr {
				if a.Space == "xmlns" {
					pl += a.Key + " "
				}
			}
		}
		var els []*etree.Element
		var walk func(e *etree.Element)
		walk = func(e *etree.Element) {
			els = append(els, e)
			for _, c := range e.ChildElements() {
				walk(c)
			}
		}
		walk(doc.Root())
		for i, el := range els {
			if i > 20 {
				break
			}
			var skip *etree.Element
			if mode&4 != 0 && len(els) > 1 {
				skip = els[len(els)-1]
			}
			compareExc(t, nil, "fuzz", el, skip, comments, pl)
		}
	})
}
