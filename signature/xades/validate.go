package xades

import (
	"context"
	"fmt"

	"github.com/beevik/etree"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// MaxXMLSize is the largest XML document ValidateFile reads.
const MaxXMLSize = 32 << 20

// Result is the validation of the XAdES signatures of one XML document.
type Result struct {
	Signatures []signature.Report
	Details    []*Details
}

// Validate validates one ds:Signature element of doc: Evidence, then the
// format-independent validation (signature.Validate).
func Validate(ctx context.Context, doc *etree.Document, sig *etree.Element, xo Options, o signature.Options) (signature.Report, *Details) {
	ev, d := Evidence(doc, sig, xo)
	ev.ID = d.SignatureID
	for _, e := range d.External {
		if e.OK {
			ev.Covered = append(ev.Covered, e.URI)
		}
	}
	return signature.Validate(ctx, ev, o), d
}

// ValidateFile validates every XAdES signature of a stand-alone XML file
// (enveloped, enveloping, or detached with xo.Resolver). Signatures nested
// inside another signature are not searched. An error means the bytes are
// not XML this package will read (DTDs and entities are refused), or hold
// no signature.
func ValidateFile(ctx context.Context, data []byte, xo Options, o signature.Options) (*Result, error) {
	lim := xo.Limits
	if lim.MaxBytes == 0 {
		lim.MaxBytes = MaxXMLSize
	}
	doc, err := xmldsig.Parse(data, lim)
	if err != nil {
		return nil, err
	}
	sigs := FindSignatures(doc)
	if len(sigs) == 0 {
		return nil, ErrNoSignature
	}
	res := &Result{}
	for i, s := range sigs {
		rep, d := Validate(ctx, doc, s, xo, o)
		if rep.ID == "" {
			rep.ID = fmt.Sprintf("S%d", i+1)
		}
		res.Signatures = append(res.Signatures, rep)
		res.Details = append(res.Details, d)
	}
	return res, nil
}

// FindSignatures returns every ds:Signature element of doc that is not
// inside another ds:Signature, in document order.
func FindSignatures(doc *etree.Document) []*etree.Element {
	var out []*etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		if el.Tag == "Signature" && el.NamespaceURI() == xmldsig.Namespace {
			out = append(out, el)
			return
		}
		for _, c := range el.ChildElements() {
			walk(c)
		}
	}
	if root := doc.Root(); root != nil {
		walk(root)
	}
	return out
}
