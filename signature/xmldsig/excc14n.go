package xmldsig

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Exclusive XML Canonicalization 1.0 (W3C Recommendation 18 July 2002,
// https://www.w3.org/TR/xml-exc-c14n/) over an etree element, in one pass
// with no copy of the tree.
//
// The namespace context is persistent and parent-linked: every binding
// (prefix, URI) lives in one slab, and points at the binding that was
// innermost before it. An element's in-scope namespaces are the chain from
// the innermost binding of its frame; a child that declares nothing shares
// its parent's chain, and a child that declares something pushes new
// bindings whose parent link is the parent's innermost binding. Bindings
// above a frame are dropped when the frame returns, so the slab never
// grows beyond the deepest path. The same structure holds the namespace
// declarations rendered by output ancestors (the "rendered" chain).

const (
	xmlNamespaceURI   = "http://www.w3.org/XML/1998/namespace"
	xmlnsNamespaceURI = "http://www.w3.org/2000/xmlns/"
)

// nsBinding is one link of a namespace chain; parent is an index into the
// slab, -1 at the end of the chain.
type nsBinding struct {
	prefix, uri string
	parent      int32
}

// renderedNS is a namespace declaration to write on the current element.
type renderedNS struct{ prefix, uri string }

// outAttr is an attribute to write with its sort key (namespace URI).
type outAttr struct {
	a   *etree.Attr
	uri string
}

type excC14N struct {
	buf       bytes.Buffer
	comments  bool
	skip      *etree.Element
	inclusive []string // PrefixList; "" stands for #default
	scope     []nsBinding
	rendered  []nsBinding
	nsScratch []renderedNS
	atScratch []outAttr
}

// excCanonicalize returns the exclusive canonical form of el in its
// document context, leaving out skip (the enveloped signature) when it is a
// proper descendant of el. prefixList is the InclusiveNamespaces PrefixList
// (Exc-C14N §3: "#default" names the default namespace).
func excCanonicalize(el, skip *etree.Element, comments bool, prefixList string) ([]byte, error) {
	c := &excC14N{comments: comments}
	if skip != el {
		c.skip = skip
	}
	for _, p := range strings.Fields(prefixList) {
		if p == "#default" {
			p = ""
		}
		c.inclusive = append(c.inclusive, p)
	}
	// The apex's in-scope namespaces come from its ancestors (XML-DSig 1.1
	// §4.4.3: SignedInfo and referenced elements are canonicalised in their
	// document context). Nothing is rendered above the apex.
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	top := int32(-1)
	for i := len(chain) - 1; i >= 0; i-- {
		for j := range chain[i].Attr {
			a := &chain[i].Attr[j]
			switch {
			case a.Space == "xmlns" && a.Key != "xml":
				top = c.push(&c.scope, top, a.Key, a.Value)
			case a.Space == "" && a.Key == "xmlns":
				top = c.push(&c.scope, top, "", a.Value)
			}
		}
	}
	c.buf.Grow(4096)
	if err := c.element(el, top, -1, true); err != nil {
		return nil, err
	}
	return c.buf.Bytes(), nil
}

func (c *excC14N) push(slab *[]nsBinding, parent int32, prefix, uri string) int32 {
	*slab = append(*slab, nsBinding{prefix: prefix, uri: uri, parent: parent})
	return int32(len(*slab) - 1)
}

// lookup follows the chain from top for prefix.
func lookup(slab []nsBinding, top int32, prefix string) (string, bool) {
	for i := top; i >= 0; i = slab[i].parent {
		if slab[i].prefix == prefix {
			return slab[i].uri, true
		}
	}
	return "", false
}

// scopeURI is the namespace URI bound to prefix in the in-scope chain from
// top; the xml and xmlns prefixes are bound by definition (Namespaces in
// XML 1.0 §3) and the default namespace is empty unless declared.
func (c *excC14N) scopeURI(top int32, prefix string) (string, error) {
	switch prefix {
	case "xml":
		return xmlNamespaceURI, nil
	case "xmlns":
		return xmlnsNamespaceURI, nil
	}
	uri, ok := lookup(c.scope, top, prefix)
	if !ok && prefix != "" {
		return "", fmt.Errorf("%w: undeclared namespace prefix %q", ErrMalformed, prefix)
	}
	return uri, nil
}

// considerNS adds prefix to the declarations rendered on the current
// element when it is not already rendered by an output ancestor with the
// same value (Exc-C14N §3, condition 3). An empty default namespace is
// rendered as xmlns="" only when an output ancestor rendered a non-empty
// one (C14N 1.0 §4.7 as carried into Exc-C14N §3); the xml prefix is never
// declared.
func (c *excC14N) considerNS(prefix string, scopeTop, renTop int32) error {
	if prefix == "xml" || prefix == "xmlns" {
		return nil
	}
	for _, r := range c.nsScratch {
		if r.prefix == prefix {
			return nil
		}
	}
	uri, err := c.scopeURI(scopeTop, prefix)
	if err != nil {
		return err
	}
	have, ok := lookup(c.rendered, renTop, prefix)
	if prefix == "" {
		if have == uri { // absent counts as empty
			return nil
		}
	} else if ok && have == uri {
		return nil
	}
	c.nsScratch = append(c.nsScratch, renderedNS{prefix, uri})
	return nil
}

// element writes el; scopeTop and renTop are the parent's chains.
func (c *excC14N) element(el *etree.Element, scopeTop, renTop int32, apex bool) error {
	scopeMark, renMark := len(c.scope), len(c.rendered)
	declares := false
	for i := range el.Attr {
		a := &el.Attr[i]
		switch {
		case a.Space == "xmlns":
			// Namespaces in XML 1.0 §3: xml may only be bound to its own
			// URI, xmlns not at all.
			if a.Key == "xml" && a.Value != xmlNamespaceURI || a.Key == "xmlns" {
				return fmt.Errorf("%w: reserved namespace prefix %q declared", ErrMalformed, a.Key)
			}
			scopeTop = c.push(&c.scope, scopeTop, a.Key, a.Value)
			declares = true
		case a.Space == "" && a.Key == "xmlns":
			if a.Value == xmlnsNamespaceURI {
				return fmt.Errorf("%w: the xmlns namespace declared as default", ErrMalformed)
			}
			scopeTop = c.push(&c.scope, scopeTop, "", a.Value)
			declares = true
		}
	}

	// Namespace axis (Exc-C14N §3): the visibly utilised prefixes (the
	// element's own and its prefixed attributes'), plus the PrefixList
	// prefixes handled as in inclusive C14N. Those can only differ from
	// what the output parent rendered at the apex or where the element
	// declares namespaces itself.
	c.nsScratch = c.nsScratch[:0]
	if err := c.considerNS(el.Space, scopeTop, renTop); err != nil {
		return err
	}
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Space != "" && a.Space != "xmlns" {
			if err := c.considerNS(a.Space, scopeTop, renTop); err != nil {
				return err
			}
		}
	}
	if apex || declares {
		for _, p := range c.inclusive {
			if p != "" {
				if _, ok := lookup(c.scope, scopeTop, p); !ok {
					continue // not in scope: no namespace node
				}
			}
			if err := c.considerNS(p, scopeTop, renTop); err != nil {
				return err
			}
		}
	}
	ns := c.nsScratch
	// Namespace nodes sort by local name, the default (no local name)
	// first (C14N 1.0 §2.2 "Document Order", §4.3).
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].prefix < ns[j-1].prefix; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
	for _, r := range ns {
		renTop = c.push(&c.rendered, renTop, r.prefix, r.uri)
	}

	// Attribute axis: by namespace URI, then local name; unqualified
	// attributes (empty URI) come first (C14N 1.0 §2.2).
	at := c.atScratch[:0]
	for i := range el.Attr {
		a := &el.Attr[i]
		if a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns" {
			continue
		}
		oa := outAttr{a: a}
		if a.Space != "" {
			uri, err := c.scopeURI(scopeTop, a.Space)
			if err != nil {
				return err
			}
			oa.uri = uri
		}
		at = append(at, oa)
	}
	for i := 1; i < len(at); i++ {
		for j := i; j > 0 && attrLess(at[j], at[j-1]); j-- {
			at[j], at[j-1] = at[j-1], at[j]
		}
	}
	c.atScratch = at

	b := &c.buf
	b.WriteByte('<')
	writeQName(b, el.Space, el.Tag)
	for _, r := range ns {
		if r.prefix == "" {
			b.WriteString(` xmlns="`)
		} else {
			b.WriteString(" xmlns:")
			b.WriteString(r.prefix)
			b.WriteString(`="`)
		}
		escapeAttr(b, r.uri)
		b.WriteByte('"')
	}
	for _, oa := range at {
		b.WriteByte(' ')
		writeQName(b, oa.a.Space, oa.a.Key)
		b.WriteString(`="`)
		escapeAttr(b, oa.a.Value)
		b.WriteByte('"')
	}
	b.WriteByte('>')

	for _, t := range el.Child {
		switch n := t.(type) {
		case *etree.Element:
			if n == c.skip {
				continue
			}
			if err := c.element(n, scopeTop, renTop, false); err != nil {
				return err
			}
		case *etree.CharData:
			// CDATA sections are replaced by their character content
			// (C14N 1.0 §1.1).
			escapeText(b, n.Data)
		case *etree.Comment:
			if c.comments {
				n.WriteTo(b, &etree.WriteSettings{})
			}
		case *etree.ProcInst:
			n.WriteTo(b, &etree.WriteSettings{})
		}
		// Directives cannot occur inside an element of a parsed document.
	}
	b.WriteString("</")
	writeQName(b, el.Space, el.Tag)
	b.WriteByte('>')
	c.scope, c.rendered = c.scope[:scopeMark], c.rendered[:renMark]
	return nil
}

func attrLess(x, y outAttr) bool {
	if x.uri != y.uri {
		return x.uri < y.uri
	}
	return x.a.Key < y.a.Key
}

func writeQName(b *bytes.Buffer, space, local string) {
	if space != "" {
		b.WriteString(space)
		b.WriteByte(':')
	}
	b.WriteString(local)
}

// escapeText escapes character content (C14N 1.0 §2.3: & < > and #xD).
func escapeText(b *bytes.Buffer, s string) { escape(b, s, false) }

// escapeAttr escapes an attribute value (C14N 1.0 §2.3: & < " #x9 #xA
// #xD).
func escapeAttr(b *bytes.Buffer, s string) { escape(b, s, true) }

// escape writes s with the C14N escapes. Characters XML 1.0 §2.2 does not
// allow, and invalid UTF-8, are written as U+FFFD, as etree does (a parsed
// document never holds them).
func escape(b *bytes.Buffer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); {
		ch := s[i]
		var esc string
		width := 1
		if ch < utf8.RuneSelf {
			switch ch {
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				if attr {
					i++
					continue
				}
				esc = "&gt;"
			case '"':
				if !attr {
					i++
					continue
				}
				esc = "&quot;"
			case '\t':
				if !attr {
					i++
					continue
				}
				esc = "&#x9;"
			case '\n':
				if !attr {
					i++
					continue
				}
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default:
				if ch >= 0x20 {
					i++
					continue
				}
				esc = "\uFFFD"
			}
		} else {
			r, w := utf8.DecodeRuneInString(s[i:])
			width = w
			if !(r == utf8.RuneError && w == 1) && (r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
				i += w
				continue
			}
			esc = "\uFFFD"
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += width
		last = i
	}
	b.WriteString(s[last:])
}
