package xades

import (
	"bytes"
	"fmt"

	"github.com/beevik/etree"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/tsp"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// archiveTimestamp computes the input of an ArchiveTimeStamp (XAdES
// 1.4.1 = TS 101 903 v1.4.1 §8.2.1, EN 319 132-1 §5.5.2.2, without
// ts:CanonicalizationMethod ds:Manifest processing): the octets of every
// ds:Reference after its transforms, in order; then the canonical
// SignedInfo, SignatureValue and KeyInfo; then each unsigned signature
// property before this one, canonicalised; then every ds:Object other than
// the one holding the qualifying properties. When the token's imprint does
// not match, the timestamp is reported as not verified, never as valid.
func (r *reader) archiveTimestamp(p *etree.Element, index int, tok []byte) signature.TimestampEvidence {
	te := signature.TimestampEvidence{Type: "archive", Token: tok}
	in, err := r.archiveInput(p, index)
	if err != nil {
		te.ImprintErr = fmt.Errorf("the archive-timestamp input could not be built: %w", err)
		return te
	}
	t, err := tsp.Parse(tok)
	if err != nil {
		te.Imprinted = in // the core reports the unreadable token
		return te
	}
	if err := t.MatchesImprint(in); err != nil {
		te.ImprintErr = fmt.Errorf("not verified: the input rebuilt per EN 319 132-1 §5.5.2 does not match the token's imprint (%v)", err)
		return te
	}
	te.Imprinted = in
	return te
}

func (r *reader) archiveInput(p *etree.Element, index int) ([]byte, error) {
	if r.res == nil {
		return nil, fmt.Errorf("%w: signature not read", ErrFormat)
	}
	alg, pl := tsC14N(p)
	var b bytes.Buffer
	for _, ref := range r.res.References {
		if ref.Err != nil && ref.Data == nil {
			return nil, fmt.Errorf("reference %q not available", ref.URI)
		}
		b.Write(ref.Data)
	}
	for _, name := range []string{"SignedInfo", "SignatureValue", "KeyInfo"} {
		el, err := child(r.sig, isDS, name)
		if err != nil {
			return nil, err
		}
		if el == nil {
			if name == "KeyInfo" {
				continue
			}
			return nil, fmt.Errorf("%w: no %s", ErrFormat, name)
		}
		c, err := xmldsig.Canonicalize(el, alg, pl)
		if err != nil {
			return nil, err
		}
		b.Write(c)
	}
	for i, prop := range r.usp.ChildElements() {
		if i >= index {
			break
		}
		c, err := xmldsig.Canonicalize(prop, alg, pl)
		if err != nil {
			return nil, err
		}
		b.Write(c)
	}
	for _, obj := range children(r.sig, isDS, "Object") {
		if r.qp != nil && r.qp.Parent() == obj {
			continue
		}
		c, err := xmldsig.Canonicalize(obj, alg, pl)
		if err != nil {
			return nil, err
		}
		b.Write(c)
	}
	return b.Bytes(), nil
}
