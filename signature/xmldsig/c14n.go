package xmldsig

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Canonicalisation algorithm identifiers (XML-DSig 1.1 §6.5).
const (
	C14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10WithComments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	C14N11              = "http://www.w3.org/2006/12/xml-c14n11"
	C14N11WithComments  = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	ExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	// EnvelopedSignature is the enveloped-signature transform (§6.6.4).
	EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	// Base64Transform is the base64 decoding transform (§6.6.2).
	Base64Transform = "http://www.w3.org/2000/09/xmldsig#base64"
)

// Namespace is the XML-DSig namespace.
const Namespace = "http://www.w3.org/2000/09/xmldsig#"

func isC14N(alg string) bool {
	switch alg {
	case C14N10, C14N10WithComments, C14N11, C14N11WithComments, ExcC14N, ExcC14NWithComments:
		return true
	}
	return false
}

// Canonicalize returns the canonical form of el as it stands in its
// document (inherited namespace declarations and, for inclusive C14N,
// inherited xml:* attributes are taken into account), using the algorithm
// alg. prefixList is the InclusiveNamespaces PrefixList for exclusive C14N
// ("#default" names the default namespace).
func Canonicalize(el *etree.Element, alg, prefixList string) ([]byte, error) {
	return canonicalize(el, nil, alg, prefixList)
}

// canonicalize canonicalises el in its document context, leaving out the
// element skip (the enveloped signature) if it is a descendant of el.
func canonicalize(el, skip *etree.Element, alg, prefixList string) ([]byte, error) {
	if !isC14N(alg) {
		return nil, fmt.Errorf("%w: canonicalization %q", ErrUnsupported, alg)
	}
	comments := strings.HasSuffix(alg, "#WithComments")
	if alg == ExcC14N || alg == ExcC14NWithComments {
		// Our own single-pass canonicaliser (excc14n.go): no copy of the
		// tree, and the PrefixList may name #default.
		return excCanonicalize(el, skip, comments, prefixList)
	}
	cp := copyWithout(el, skip)
	inheritContext(el, cp, true, alg == C14N11 || alg == C14N11WithComments)
	var c dsig.Canonicalizer
	switch {
	case comments:
		// The inherited context is already on cp, so the C14N 1.1
		// canonicaliser (which does not look at ancestors) serves 1.0 too.
		c = dsig.MakeC14N11WithCommentsCanonicalizer()
	default:
		c = dsig.MakeC14N11Canonicalizer()
	}
	out, err := c.Canonicalize(cp)
	if err != nil {
		return nil, fmt.Errorf("%w: canonicalization: %v", ErrMalformed, err)
	}
	return out, nil
}

// canonicalizeDocument canonicalises a whole document (URI=""): the root
// element plus processing instructions (and comments, when asked) outside
// it, each separated by a line feed as C14N 1.0 §2.1 requires.
func canonicalizeDocument(doc *etree.Document, skip *etree.Element, alg, prefixList string) ([]byte, error) {
	root := doc.Root()
	if root == nil {
		return nil, fmt.Errorf("%w: no root element", ErrMalformed)
	}
	body, err := canonicalize(root, skip, alg, prefixList)
	if err != nil {
		return nil, err
	}
	comments := strings.HasSuffix(alg, "#WithComments")
	var before, after bytes.Buffer
	seenRoot := false
	for _, t := range doc.Child {
		var s string
		switch c := t.(type) {
		case *etree.Element:
			seenRoot = true
			continue
		case *etree.ProcInst:
			if c.Target == "xml" {
				continue
			}
			s = "<?" + c.Target
			if c.Inst != "" {
				s += " " + c.Inst
			}
			s += "?>"
		case *etree.Comment:
			if !comments {
				continue
			}
			s = "<!--" + c.Data + "-->"
		default:
			continue
		}
		if seenRoot {
			after.WriteString("\n" + s)
		} else {
			before.WriteString(s + "\n")
		}
	}
	if before.Len() == 0 && after.Len() == 0 {
		return body, nil
	}
	out := make([]byte, 0, before.Len()+len(body)+after.Len())
	out = append(out, before.Bytes()...)
	out = append(out, body...)
	return append(out, after.Bytes()...), nil
}

// copyWithout deep-copies el, leaving out skip when it is a descendant.
func copyWithout(el, skip *etree.Element) *etree.Element {
	cp := el.Copy()
	if skip == nil || skip == el {
		return cp
	}
	var path []int
	for e := skip; e != el; e = e.Parent() {
		if e == nil || e.Parent() == nil {
			return cp // not a descendant
		}
		path = append(path, e.Index())
	}
	cur := cp
	for i := len(path) - 1; i > 0; i-- {
		cur = cur.Child[path[i]].(*etree.Element)
	}
	cur.RemoveChildAt(path[0])
	return cp
}

// inheritContext puts on cp the namespace declarations in scope at el from
// its ancestors (and, for inclusive canonicalisation, the inherited xml:*
// attributes: all of them for C14N 1.0, xml:lang and xml:space for 1.1),
// unless cp declares them itself.
func inheritContext(el, cp *etree.Element, inclusive, c14n11 bool) {
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	ns := map[string]string{}
	xmlAttrs := map[string]string{}
	var order, xorder []string
	for i := len(chain) - 1; i >= 0; i-- {
		for _, a := range chain[i].Attr {
			switch {
			case a.Space == "xmlns":
				if _, ok := ns[a.Key]; !ok {
					order = append(order, a.Key)
				}
				ns[a.Key] = a.Value
			case a.Space == "" && a.Key == "xmlns":
				if _, ok := ns[""]; !ok {
					order = append(order, "")
				}
				ns[""] = a.Value
			case a.Space == "xml" && inclusive:
				if c14n11 && (a.Key == "id" || a.Key == "base") {
					continue
				}
				if _, ok := xmlAttrs[a.Key]; !ok {
					xorder = append(xorder, a.Key)
				}
				xmlAttrs[a.Key] = a.Value
			}
		}
	}
	has := func(space, key string) bool {
		for _, a := range cp.Attr {
			if a.Space == space && a.Key == key {
				return true
			}
		}
		return false
	}
	for _, p := range order {
		v := ns[p]
		if p == "" {
			if v != "" && !has("", "xmlns") {
				cp.Attr = append(cp.Attr, etree.Attr{Key: "xmlns", Value: v})
			}
			continue
		}
		if p == "xml" || has("xmlns", p) {
			continue
		}
		cp.Attr = append(cp.Attr, etree.Attr{Space: "xmlns", Key: p, Value: v})
	}
	for _, k := range xorder {
		if !has("xml", k) {
			cp.Attr = append(cp.Attr, etree.Attr{Space: "xml", Key: k, Value: xmlAttrs[k]})
		}
	}
}
