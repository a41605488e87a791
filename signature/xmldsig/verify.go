package xmldsig

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/pki"
)

// Resolver returns the octets of a reference whose URI is neither "" nor a
// bare "#id" same-document reference, e.g. a file of an ASiC container.
// It must not fetch anything from the network on behalf of an untrusted
// document.
type Resolver interface {
	Resolve(uri string) ([]byte, error)
}

// ResolverFunc adapts a function to [Resolver].
type ResolverFunc func(uri string) ([]byte, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(uri string) ([]byte, error) { return f(uri) }

// Options control [Verify]. The zero value verifies with the key of a
// certificate found in the signature's own KeyInfo and resolves no
// external references.
type Options struct {
	// Resolver supplies external references; nil means none can be resolved.
	Resolver Resolver
	// Keys, when not empty, are the only keys the SignatureValue may verify
	// with (e.g. the allowed signers of a trusted list); KeyInfo is then
	// informational.
	Keys []crypto.PublicKey
	// KeyFunc, used when Keys is empty, returns the candidate keys given
	// the DER certificates of KeyInfo (XAdES callers pick the certificate
	// named by SigningCertificate and may use their own parser).
	KeyFunc func(keyInfo [][]byte) ([]crypto.PublicKey, error)
	// MaxReferences bounds the ds:Reference count; 0 means 1000.
	MaxReferences int
	// Limits apply to octets that a C14N transform must parse.
	Limits Limits
}

// Reference reports one ds:Reference and exactly what it covered.
type Reference struct {
	ID, URI, Type string
	Transforms    []string
	DigestMethod  string
	Hash          crypto.Hash
	// Element is the element digested for a same-document reference: the
	// document's root for URI="", the element with that ID for "#id"; nil
	// for an external reference.
	Element *etree.Element
	// Whole is true for URI="" (the whole document).
	Whole bool
	// Enveloped is true when the enveloped-signature transform removed the
	// signature from Element before digesting.
	Enveloped bool
	// Data are the exact octets that were digested.
	Data []byte
	// DigestOK is true when the computed digest equals DigestValue.
	DigestOK bool
	Err      error
}

// Result is the outcome of [Verify].
type Result struct {
	SignatureID            string
	CanonicalizationMethod string
	SignatureMethod        string
	// Algorithm is SignatureMethod as signature/algo names it (for the
	// caller's crypto policy).
	Algorithm algo.Signature
	// SignedInfo is the canonical SignedInfo: the octets that were signed.
	SignedInfo []byte
	// KeyInfo holds the DER of each ds:X509Certificate in the signature's
	// KeyInfo (direct X509Data children only), in document order.
	KeyInfo [][]byte
	// KeyIndex is the index of the key that verified the SignatureValue
	// within Options.Keys, within KeyFunc's answer, or (by default) within
	// KeyInfo; -1 when none did.
	KeyIndex int
	// SignatureOK is true when the SignatureValue verifies over SignedInfo.
	SignatureOK bool
	References  []Reference
}

// Covers reports whether a same-document reference of r covered el itself
// (so a caller can check that the element it uses is the one signed).
func (r *Result) Covers(el *etree.Element) bool {
	for i := range r.References {
		if r.References[i].DigestOK && r.References[i].Element == el {
			return true
		}
	}
	return false
}

// FindSignatures returns the ds:Signature elements that are children of
// parent (XML-DSig namespace only).
func FindSignatures(parent *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, c := range parent.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == Namespace {
			out = append(out, c)
		}
	}
	return out
}

// Verify checks the ds:Signature element sig of doc. The returned error is
// nil only when the SignatureValue verifies and every reference's digest
// matches; otherwise it wraps one of the package's sentinel errors
// (ErrSignatureBad, ErrDigest, ErrNotFound, ErrDuplicateID,
// ErrUnsupported, ErrSignature, ...). The Result is returned whenever sig
// could be read, also with an error, and lists every reference.
func Verify(doc *etree.Document, sig *etree.Element, o Options) (*Result, error) {
	if sig == nil || sig.Tag != "Signature" || sig.NamespaceURI() != Namespace {
		return nil, ErrNoSignature
	}
	maxRefs := o.MaxReferences
	if maxRefs <= 0 {
		maxRefs = 1000
	}
	kids := sig.ChildElements()
	if len(kids) < 2 || !isDS(kids[0], "SignedInfo") || !isDS(kids[1], "SignatureValue") {
		return nil, fmt.Errorf("%w: Signature must start with SignedInfo and SignatureValue", ErrSignature)
	}
	si, sv := kids[0], kids[1]
	res := &Result{SignatureID: sig.SelectAttrValue("Id", ""), KeyIndex: -1}
	for _, k := range kids[2:] {
		if isDS(k, "KeyInfo") {
			if res.KeyInfo != nil {
				return nil, fmt.Errorf("%w: more than one KeyInfo", ErrSignature)
			}
			res.KeyInfo = [][]byte{}
			for _, xd := range k.ChildElements() {
				if !isDS(xd, "X509Data") {
					continue
				}
				for _, xc := range xd.ChildElements() {
					if isDS(xc, "X509Certificate") {
						der, err := decodeB64(xc.Text())
						if err != nil {
							return nil, fmt.Errorf("%w: %v", ErrCertificate, err)
						}
						res.KeyInfo = append(res.KeyInfo, der)
					}
				}
			}
		} else if !isDS(k, "Object") {
			return nil, fmt.Errorf("%w: unexpected element %s in Signature", ErrSignature, k.Tag)
		}
	}

	siKids := si.ChildElements()
	if len(siKids) < 3 || !isDS(siKids[0], "CanonicalizationMethod") || !isDS(siKids[1], "SignatureMethod") {
		return nil, fmt.Errorf("%w: SignedInfo must hold CanonicalizationMethod, SignatureMethod and references", ErrSignature)
	}
	res.CanonicalizationMethod = siKids[0].SelectAttrValue("Algorithm", "")
	res.SignatureMethod = siKids[1].SelectAttrValue("Algorithm", "")
	refEls := siKids[2:]
	if len(refEls) > maxRefs {
		return nil, fmt.Errorf("%w: %d, limit %d", ErrTooManyRefs, len(refEls), maxRefs)
	}
	for _, r := range refEls {
		if !isDS(r, "Reference") {
			return nil, fmt.Errorf("%w: unexpected element %s in SignedInfo", ErrSignature, r.Tag)
		}
	}

	// 1. SignatureValue over the canonical SignedInfo (XML-DSig 1.1 §3.2.2).
	var errs []error
	siBytes, err := canonicalize(si, nil, res.CanonicalizationMethod, prefixListOf(siKids[0]))
	if err != nil {
		return res, err
	}
	res.SignedInfo = siBytes
	method, err := methodFromURI(res.SignatureMethod)
	if err != nil {
		return res, err
	}
	res.Algorithm = method
	sigValue, err := decodeB64(sv.Text())
	if err != nil {
		return res, fmt.Errorf("%w: SignatureValue: %v", ErrSignature, err)
	}
	keys, err := candidateKeys(o, res.KeyInfo)
	if err != nil {
		return res, err
	}
	var lastErr error
	for i, k := range keys {
		if k == nil {
			continue
		}
		if e := verifyValue(method, k, siBytes, sigValue); e == nil {
			res.KeyIndex, res.SignatureOK = i, true
			break
		} else {
			lastErr = e
		}
	}
	if !res.SignatureOK {
		if lastErr == nil {
			errs = append(errs, ErrNoKey)
		} else {
			errs = append(errs, fmt.Errorf("%w: %v", ErrSignatureBad, lastErr))
		}
	}

	// 2. References (§3.2.1), each one reported.
	var ids map[string][]*etree.Element
	for _, r := range refEls {
		ref := Reference{
			ID:   r.SelectAttrValue("Id", ""),
			URI:  r.SelectAttrValue("URI", ""),
			Type: r.SelectAttrValue("Type", ""),
		}
		if r.SelectAttr("URI") == nil {
			ref.Err = fmt.Errorf("%w: Reference without URI", ErrNotFound)
		} else if ref.Err = processReference(doc, sig, r, &ref, o, &ids); ref.Err == nil && !ref.DigestOK {
			ref.Err = fmt.Errorf("%w: reference %q", ErrDigest, ref.URI)
		}
		if ref.Err != nil {
			errs = append(errs, ref.Err)
		}
		res.References = append(res.References, ref)
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	return res, nil
}

func candidateKeys(o Options, keyInfo [][]byte) ([]crypto.PublicKey, error) {
	if len(o.Keys) > 0 {
		return o.Keys, nil
	}
	if o.KeyFunc != nil {
		return o.KeyFunc(keyInfo)
	}
	keys := make([]crypto.PublicKey, len(keyInfo))
	for i, der := range keyInfo {
		if c, err := pki.ParseCertificate(der); err == nil {
			keys[i] = c.Key
		}
	}
	return keys, nil
}

func processReference(doc *etree.Document, sig, r *etree.Element, ref *Reference, o Options, ids *map[string][]*etree.Element) error {
	var transforms []*etree.Element
	var dm, dv *etree.Element
	for _, c := range r.ChildElements() {
		switch {
		case isDS(c, "Transforms") && dm == nil && transforms == nil:
			transforms = c.ChildElements()
			for _, t := range transforms {
				if !isDS(t, "Transform") {
					return fmt.Errorf("%w: unexpected %s in Transforms", ErrSignature, t.Tag)
				}
			}
		case isDS(c, "DigestMethod") && dm == nil:
			dm = c
		case isDS(c, "DigestValue") && dm != nil && dv == nil:
			dv = c
		default:
			return fmt.Errorf("%w: unexpected %s in Reference", ErrSignature, c.Tag)
		}
	}
	if dm == nil || dv == nil {
		return fmt.Errorf("%w: Reference lacks DigestMethod or DigestValue", ErrSignature)
	}
	ref.DigestMethod = dm.SelectAttrValue("Algorithm", "")
	h, err := digestFromURI(ref.DigestMethod)
	if err != nil {
		return err
	}
	ref.Hash = h
	want, err := decodeB64(dv.Text())
	if err != nil {
		return fmt.Errorf("%w: DigestValue: %v", ErrSignature, err)
	}

	// Dereference (§4.4.3.3): node-set for same-document, octets otherwise.
	var (
		node  *etree.Element
		whole bool
		data  []byte
		isSet bool
	)
	switch {
	case ref.URI == "":
		node, whole, isSet = doc.Root(), true, true
		if node == nil {
			return fmt.Errorf("%w: empty document", ErrNotFound)
		}
	case strings.HasPrefix(ref.URI, "#"):
		id := ref.URI[1:]
		if id == "" || strings.HasPrefix(id, "xpointer(") {
			return fmt.Errorf("%w: URI %q", ErrUnsupported, ref.URI)
		}
		if *ids == nil {
			*ids = indexIDs(doc)
		}
		els := (*ids)[id]
		switch len(els) {
		case 0:
			return fmt.Errorf("%w: no element with ID %q", ErrNotFound, id)
		case 1:
			node, isSet = els[0], true
		default:
			return fmt.Errorf("%w: %q is used by %d elements", ErrDuplicateID, id, len(els))
		}
	default:
		if o.Resolver == nil {
			return fmt.Errorf("%w: no resolver for %q", ErrNotFound, ref.URI)
		}
		b, err := o.Resolver.Resolve(ref.URI)
		if err != nil {
			return fmt.Errorf("%w: %q: %w", ErrResolver, ref.URI, err)
		}
		data = b
	}
	ref.Element, ref.Whole = node, whole

	var skip *etree.Element
	for _, t := range transforms {
		alg := t.SelectAttrValue("Algorithm", "")
		ref.Transforms = append(ref.Transforms, alg)
		switch {
		case alg == EnvelopedSignature:
			if !isSet {
				return fmt.Errorf("%w: enveloped-signature on octets", ErrUnsupported)
			}
			if !isAncestor(node, sig) {
				return fmt.Errorf("%w: enveloped-signature transform but the signature is not inside %q", ErrSignature, ref.URI)
			}
			skip, ref.Enveloped = sig, true
		case isC14N(alg):
			if isSet {
				// A same-document URI selects a node-set without comments
				// (§4.4.3.3), so a #WithComments transform has none to keep.
				data, err = canonicalNode(doc, node, whole, skip, withoutComments(alg), prefixListOf(t))
			} else {
				var d *etree.Document
				if d, err = Parse(data, o.Limits); err == nil {
					data, err = canonicalizeDocument(d, nil, alg, prefixListOf(t))
				}
			}
			if err != nil {
				return err
			}
			isSet = false
		case alg == Base64Transform:
			in := data
			if isSet {
				in = []byte(textContent(node))
			}
			if data, err = decodeB64(string(in)); err != nil {
				return fmt.Errorf("%w: base64 transform: %v", ErrMalformed, err)
			}
			isSet = false
		default:
			return fmt.Errorf("%w: transform %q", ErrUnsupported, alg)
		}
	}
	if isSet { // §4.4.3.2: a node-set result is converted with C14N 1.0
		if data, err = canonicalNode(doc, node, whole, skip, C14N10, ""); err != nil {
			return err
		}
	}
	ref.Data = data
	hh := h.New()
	hh.Write(data)
	ref.DigestOK = bytes.Equal(hh.Sum(nil), want)
	return nil
}

func canonicalNode(doc *etree.Document, node *etree.Element, whole bool, skip *etree.Element, alg, pl string) ([]byte, error) {
	if whole {
		return canonicalizeDocument(doc, skip, alg, pl)
	}
	return canonicalize(node, skip, alg, pl)
}

// indexIDs maps each Id, ID and id attribute value (unprefixed) to the
// elements carrying it, over the whole document.
func indexIDs(doc *etree.Document) map[string][]*etree.Element {
	m := map[string][]*etree.Element{}
	stack := []*etree.Element{&doc.Element}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, a := range e.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") {
				m[a.Value] = append(m[a.Value], e)
			}
		}
		stack = append(stack, e.ChildElements()...)
	}
	return m
}

func isAncestor(anc, el *etree.Element) bool {
	for p := el; p != nil; p = p.Parent() {
		if p == anc {
			return true
		}
	}
	return false
}

func isDS(el *etree.Element, tag string) bool {
	return el.Tag == tag && el.NamespaceURI() == Namespace
}

func prefixListOf(t *etree.Element) string {
	for _, c := range t.ChildElements() {
		if c.Tag == "InclusiveNamespaces" && c.NamespaceURI() == ExcC14N {
			return c.SelectAttrValue("PrefixList", "")
		}
	}
	return ""
}

func textContent(el *etree.Element) string {
	var b strings.Builder
	var walk func(*etree.Element)
	walk = func(e *etree.Element) {
		for _, t := range e.Child {
			switch c := t.(type) {
			case *etree.CharData:
				b.WriteString(c.Data)
			case *etree.Element:
				walk(c)
			}
		}
	}
	walk(el)
	return b.String()
}

func decodeB64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

func withoutComments(alg string) string {
	switch alg {
	case C14N10WithComments:
		return C14N10
	case C14N11WithComments:
		return C14N11
	case ExcC14NWithComments:
		return ExcC14N
	}
	return alg
}
