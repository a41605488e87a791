package cades

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/tsp"
)

// ErrHashIndexMismatch means an archive-time-stamp-v3's ats-hash-index
// lists a hash that matches no certificate, revocation value or unsigned
// attribute of the signature (EN 319 122-1 §5.5.2): something the
// time-stamp protected was changed or removed.
var ErrHashIndexMismatch = errors.New("cades: ats-hash-index does not match the signature")

// errArchiveContent means the time-stamped content is not available.
var errArchiveContent = errors.New("cades: the time-stamped content is not available")

// archiveTimestamp returns the evidence of token, an archive time-stamp
// (v2 or v3) among the unsigned attributes of si, with its message imprint
// checked here: ImprintErr is nil when it covers the signature.
func archiveTimestamp(sd *cms.SignedData, si *cms.SignerInfo, token, content []byte, contentErr error) signature.TimestampEvidence {
	return signature.TimestampEvidence{Type: "archive", Token: token,
		ImprintErr: verifyArchiveImprint(sd, si, token, content, contentErr)}
}

// verifyArchiveImprint checks the message imprint of an archive time-stamp
// token of si: ATSv3 per EN 319 122-1 §5.5.3, ATSv2 per RFC 5126 §6.4.1 /
// ETSI TS 101 733 §6.4.1 and Annex K as DSS computes it. content is the
// eContent or the detached content.
func verifyArchiveImprint(sd *cms.SignedData, si *cms.SignerInfo, token, content []byte, contentErr error) error {
	tok, err := tsp.Parse(token)
	if err != nil {
		return err
	}
	if !tok.Hash.Available() {
		return fmt.Errorf("cades: archive time-stamp hash algorithm %v not available", tok.Hash)
	}
	if contentErr != nil {
		return fmt.Errorf("%w: %v", errArchiveContent, contentErr)
	}
	sde, err := sd.Elements()
	if err != nil {
		return err
	}
	sie, err := si.Elements()
	if err != nil {
		return err
	}
	own, v3 := -1, false
	for i, a := range sie.UnsignedAttributes {
		if !a.Type.Equal(cms.OIDAttrArchiveTimeStampV2) && !a.Type.Equal(cms.OIDAttrArchiveTimeStampV3) {
			continue
		}
		for _, v := range a.Values {
			if own < 0 && bytes.Equal(v, token) {
				own, v3 = i, a.Type.Equal(cms.OIDAttrArchiveTimeStampV3)
			}
		}
	}
	if own < 0 {
		return errors.New("cades: the archive time-stamp is not among the unsigned attributes")
	}
	if v3 {
		return verifyATSv3(tok, sde, sie, si, content)
	}
	return verifyATSv2(tok, sd, sde, sie, si, own, content)
}

// verifyATSv3: H(eContentType || H(content) || version || sid ||
// digestAlgorithm || signedAttrs || signatureAlgorithm || signature ||
// ATSHashIndex(V3)), all elements with tag and length (§5.5.3), after
// checking the hash index against the signature (§5.5.2).
func verifyATSv3(tok *tsp.Token, sde *cms.SignedDataElements, sie *cms.SignerInfoElements, si *cms.SignerInfo, content []byte) error {
	idx, err := tok.Signer.ATSHashIndex()
	if err != nil {
		return fmt.Errorf("archive-time-stamp-v3: %w", err)
	}
	if err := checkHashIndex(idx, sde, sie); err != nil {
		return err
	}
	ch := tok.Hash.New()
	ch.Write(content)
	contentDigest := ch.Sum(nil)
	raw := [][]byte{sde.EContentType, contentDigest, sie.Version, sie.SID, sie.DigestAlgorithm, sie.SignedAttrs,
		sie.SignatureAlgorithm, sie.Signature, idx.Raw}
	first := tok.MatchesDigest(digestOf(tok.Hash, raw...))
	if first == nil {
		return nil
	}
	// DSS hashes the DER encodings (signed attributes sorted as a SET).
	der, err := derAll(raw, map[int]bool{1: true})
	if err != nil {
		return first
	}
	if der[5] != nil {
		if der[5], err = derSignedAttrs(si); err != nil {
			return first
		}
	}
	if !sameParts(raw, der) && tok.MatchesDigest(digestOf(tok.Hash, der...)) == nil {
		return nil
	}
	return fmt.Errorf("archive-time-stamp-v3: %w", first)
}

// checkHashIndex checks that every hash the index lists matches a distinct
// element of the signature: certificates and RevocationInfoChoices of the
// SignedData, and unsigned attributes (whole, for ats-hash-index; attrType
// with one value, for ats-hash-index-v3). Elements added after the
// time-stamp (a later archive time-stamp, more validation data) may be
// absent from the index; nothing the index lists may be missing.
func checkHashIndex(idx *cms.ATSHashIndex, sde *cms.SignedDataElements, sie *cms.SignerInfoElements) error {
	if !idx.Hash.Available() {
		return fmt.Errorf("%w: hash algorithm %v not available", ErrHashIndexMismatch, idx.Hash)
	}
	single := func(elems [][]byte) [][][]byte {
		out := make([][][]byte, len(elems))
		for i, e := range elems {
			out[i] = [][]byte{e}
		}
		return out
	}
	var attrs [][][]byte
	for _, a := range sie.UnsignedAttributes {
		if !idx.V3 {
			attrs = append(attrs, [][]byte{a.Raw})
			continue
		}
		for _, v := range a.Values {
			attrs = append(attrs, [][]byte{a.RawType, v})
		}
	}
	for _, l := range []struct {
		what   string
		listed [][]byte
		elems  [][][]byte
	}{
		{"certificate", idx.Certificates, single(sde.CertificateChoices)},
		{"CRL or revocation", idx.CRLs, single(sde.RevocationInfoChoices)},
		{"unsigned attribute", idx.UnsignedAttrs, attrs},
	} {
		// Hash -> elements having it (as received, or DER re-encoded), so
		// that large indexes cost linear time.
		byHash := map[string][]int{}
		for i, parts := range l.elems {
			d := string(digestOf(idx.Hash, parts...))
			byHash[d] = append(byHash[d], i)
			if der, err := derAll(parts, nil); err == nil && !sameParts(der, parts) {
				if dd := string(digestOf(idx.Hash, der...)); dd != d {
					byHash[dd] = append(byHash[dd], i)
				}
			}
		}
		var missing [][]byte
		used := make([]bool, len(l.elems))
	listed:
		for _, want := range l.listed {
			cands := byHash[string(want)]
			for len(cands) > 0 {
				i := cands[0]
				cands = cands[1:]
				byHash[string(want)] = cands
				if !used[i] {
					used[i] = true
					continue listed
				}
			}
			missing = append(missing, want)
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: %d of its %d %s hashes match nothing in the signature (first %x): the time-stamped data was changed",
				ErrHashIndexMismatch, len(missing), len(l.listed), l.what, missing[0])
		}
	}
	return nil
}

// verifyATSv2: the hash of encapContentInfo, the detached content (when
// eContent is absent), the certificates and crls fields, and the SignerInfo
// fields with the unsigned attributes present before this time-stamp.
// Variants tried, as DSS does: the unsigned attributes with and without
// their [1] tag and length (TS 101 733 Annex K note 3), archive time-stamps
// kept when earlier than this one (DSS) or attributes kept when they precede
// it (RFC 5126 §6.4.1), elements as received, then DER re-encoded.
func verifyATSv2(tok *tsp.Token, sd *cms.SignedData, sde *cms.SignedDataElements, sie *cms.SignerInfoElements, si *cms.SignerInfo, own int, content []byte) error {
	// The unsigned attributes covered, two readings.
	var byTime, byOrder [][]byte
	for i, a := range sie.UnsignedAttributes {
		if i < own {
			byOrder = append(byOrder, a.Raw)
		}
		if a.Type.Equal(cms.OIDAttrArchiveTimeStampV2) || a.Type.Equal(cms.OIDAttrArchiveTimeStampV3) {
			if len(a.Values) == 0 || !genTimeBefore(a.Values[0], tok.GenTime) {
				continue
			}
		}
		byTime = append(byTime, a.Raw)
	}
	lists := [][][]byte{byTime}
	if !sameParts(byTime, byOrder) {
		lists = append(lists, byOrder)
	}
	var detached []byte
	if sd.Content == nil {
		detached = content
	}
	raw := [][]byte{sde.EncapContentInfo, detached, sde.Certificates, sde.CRLs,
		sie.Version, sie.SID, sie.DigestAlgorithm, sie.SignedAttrs, sie.SignatureAlgorithm, sie.Signature}
	first, err := tryATSv2(tok, raw, lists)
	if err != nil || first == nil {
		return err
	}
	der, err := derAll(raw, map[int]bool{1: true})
	if err != nil {
		return fmt.Errorf("archive-time-stamp-v2: %w", first)
	}
	if der[7] != nil {
		if der[7], err = derSignedAttrs(si); err != nil {
			return fmt.Errorf("archive-time-stamp-v2: %w", first)
		}
	}
	derLists := make([][][]byte, len(lists))
	for i, l := range lists {
		if derLists[i], err = derAll(l, nil); err != nil {
			return fmt.Errorf("archive-time-stamp-v2: %w", first)
		}
	}
	if sameParts(raw, der) && sameLists(lists, derLists) {
		return fmt.Errorf("archive-time-stamp-v2: %w", first)
	}
	if again, err := tryATSv2(tok, der, derLists); err != nil || again == nil {
		return err
	}
	return fmt.Errorf("archive-time-stamp-v2: %w", first)
}

// tryATSv2 hashes prefix once and each unsigned-attribute variant on a
// clone of that state. It returns nil, nil on a match, the first mismatch
// otherwise; err when the hash cannot be cloned.
func tryATSv2(tok *tsp.Token, prefix [][]byte, lists [][][]byte) (mismatch, err error) {
	h := tok.Hash.New()
	for _, p := range prefix {
		h.Write(p)
	}
	c, ok := h.(hash.Cloner)
	if !ok {
		return nil, fmt.Errorf("cades: %v state cannot be cloned", tok.Hash)
	}
	for _, l := range lists {
		body := bytes.Join(l, nil)
		for _, tail := range [][]byte{tlvHeader(0xa1, len(body)), nil} {
			hh, err := c.Clone()
			if err != nil {
				return nil, err
			}
			hh.Write(tail)
			hh.Write(body)
			err = tok.MatchesDigest(hh.Sum(nil))
			if err == nil {
				return nil, nil
			}
			if mismatch == nil {
				mismatch = err
			}
		}
	}
	if mismatch == nil {
		mismatch = errors.New("no variant computed")
	}
	return mismatch, nil
}

// genTimeBefore reports whether token parses and was made before t.
func genTimeBefore(token []byte, t time.Time) bool {
	other, err := tsp.Parse(token)
	return err == nil && other.GenTime.Before(t)
}

func digestOf(h crypto.Hash, parts ...[]byte) []byte {
	d := h.New()
	for _, p := range parts {
		d.Write(p)
	}
	return d.Sum(nil)
}

// derAll re-encodes each part in DER; parts at the indexes in keep (not
// ASN.1 elements, such as a digest) and nil parts are copied unchanged.
func derAll(parts [][]byte, keep map[int]bool) ([][]byte, error) {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		if p == nil || keep[i] {
			out[i] = p
			continue
		}
		d, err := cms.DEREncoding(p)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// derSignedAttrs is the DER SET OF signed attributes with the [0] tag.
func derSignedAttrs(si *cms.SignerInfo) ([]byte, error) {
	d, err := si.DERSignedAttrs()
	if err != nil {
		return nil, err
	}
	d = append([]byte(nil), d...)
	d[0] = 0xa0
	return d, nil
}

func sameParts(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameLists(a, b [][][]byte) bool {
	for i := range a {
		if !sameParts(a[i], b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// tlvHeader is a DER identifier and definite length (X.690 §8.1.3).
func tlvHeader(tag byte, n int) []byte {
	if n < 0x80 {
		return []byte{tag, byte(n)}
	}
	var l []byte
	for v := n; v > 0; v >>= 8 {
		l = append([]byte{byte(v)}, l...)
	}
	return append([]byte{tag, 0x80 | byte(len(l))}, l...)
}
