package xmldsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"
)

// Errors returned by this package; they are wrapped with details, test with
// errors.Is.
var (
	ErrTooLarge      = errors.New("xmldsig: document too large")
	ErrTooDeep       = errors.New("xmldsig: document nested too deeply")
	ErrTooMany       = errors.New("xmldsig: too many elements")
	ErrDTD           = errors.New("xmldsig: DOCTYPE, DTD or entity declarations are not allowed")
	ErrMalformed     = errors.New("xmldsig: malformed XML")
	ErrSignature     = errors.New("xmldsig: malformed signature element")
	ErrUnsupported   = errors.New("xmldsig: unsupported algorithm or transform")
	ErrNotFound      = errors.New("xmldsig: referenced data not found")
	ErrDuplicateID   = errors.New("xmldsig: ID attribute value used by more than one element")
	ErrDigest        = errors.New("xmldsig: reference digest mismatch")
	ErrSignatureBad  = errors.New("xmldsig: signature value does not verify")
	ErrNoKey         = errors.New("xmldsig: no key to verify the signature with")
	ErrTooManyRefs   = errors.New("xmldsig: too many references")
	ErrResolver      = errors.New("xmldsig: resolver failed")
	ErrNoSignature   = errors.New("xmldsig: no signature element")
	ErrCertificate   = errors.New("xmldsig: malformed KeyInfo certificate")
	errUnsupportedCS = errors.New("xmldsig: unsupported character encoding")
)

// Limits bound the work done on untrusted XML. The zero value means the
// defaults: 64 MiB, depth 128, 2,000,000 elements. Real trusted lists are
// several MB with about 100,000 elements.
type Limits struct {
	MaxBytes    int64
	MaxDepth    int
	MaxElements int
}

const (
	defaultMaxBytes    = 64 << 20
	defaultMaxDepth    = 128
	defaultMaxElements = 2_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = defaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	if l.MaxElements <= 0 {
		l.MaxElements = defaultMaxElements
	}
	return l
}

// Parse reads an XML document from untrusted bytes. It refuses DOCTYPE and
// ENTITY declarations before parsing (so entity bombs and XXE never reach
// a parser), refuses non-UTF-8 encodings, and enforces the limits.
func Parse(data []byte, l Limits) (*etree.Document, error) {
	l = l.withDefaults()
	if int64(len(data)) > l.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), l.MaxBytes)
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) || bytes.Contains(data, []byte("<!ENTITY")) ||
		bytes.Contains(data, []byte("<!doctype")) || bytes.Contains(data, []byte("<!ELEMENT")) ||
		bytes.Contains(data, []byte("<!ATTLIST")) {
		return nil, ErrDTD
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{
		// Kept so that checkTree can refuse them: a duplicated attribute
		// makes the document not well-formed (XML 1.0 §3.1), and parsers
		// that keep different copies would see different documents.
		PreserveDuplicateAttrs: true,
		CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
			switch strings.ToLower(charset) {
			case "utf-8", "utf8", "us-ascii", "ascii":
				return r, nil
			}
			return nil, fmt.Errorf("%w %q", errUnsupportedCS, charset)
		},
	}
	if err := doc.ReadFromBytes(data); err != nil {
		if errors.Is(err, errUnsupportedCS) {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := checkTree(doc, l); err != nil {
		return nil, err
	}
	return doc, nil
}

// checkTree walks the tree iteratively (so a deep tree cannot exhaust the
// stack) to enforce depth and element limits and to refuse directives.
func checkTree(doc *etree.Document, l Limits) error {
	type frame struct {
		el    *etree.Element
		depth int
	}
	root := doc.Root()
	if root == nil {
		return fmt.Errorf("%w: no root element", ErrMalformed)
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return ErrDTD
		}
	}
	stack := []frame{{&doc.Element, 0}}
	n := 0
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.depth > l.MaxDepth {
			return fmt.Errorf("%w: depth over %d", ErrTooDeep, l.MaxDepth)
		}
		for _, t := range f.el.Child {
			switch c := t.(type) {
			case *etree.Element:
				n++
				if n > l.MaxElements {
					return fmt.Errorf("%w: over %d", ErrTooMany, l.MaxElements)
				}
				if err := checkAttrs(c); err != nil {
					return err
				}
				stack = append(stack, frame{c, f.depth + 1})
			case *etree.Directive:
				return ErrDTD
			}
		}
	}
	return nil
}

// checkAttrs refuses an element with a repeated attribute name.
func checkAttrs(e *etree.Element) error {
	if len(e.Attr) <= 8 {
		for i := range e.Attr {
			for j := i + 1; j < len(e.Attr); j++ {
				if e.Attr[i].Space == e.Attr[j].Space && e.Attr[i].Key == e.Attr[j].Key {
					return fmt.Errorf("%w: attribute %s repeated on <%s>", ErrMalformed, e.Attr[i].FullKey(), e.Tag)
				}
			}
		}
		return nil
	}
	seen := make(map[[2]string]bool, len(e.Attr))
	for _, a := range e.Attr {
		k := [2]string{a.Space, a.Key}
		if seen[k] {
			return fmt.Errorf("%w: attribute %s repeated on <%s>", ErrMalformed, a.FullKey(), e.Tag)
		}
		seen[k] = true
	}
	return nil
}
