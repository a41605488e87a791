package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cades"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/pades/pdf"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/tsp"
)

// Errors.
var (
	// ErrNotPDF: the input is not a PDF the reader can make sense of.
	ErrNotPDF = errors.New("pades: not a readable PDF")
)

// Result is the validation of one PDF.
type Result struct {
	// Signatures holds one report per signature in signing order, then
	// one per document timestamp that follows no signature.
	Signatures []signature.Report
	// Revisions is the number of cross-reference sections (updates).
	Revisions int
	// Pages is the number of pages of the final revision.
	Pages int
	// Notes are facts about the file as a whole (a repaired
	// cross-reference table, an unreadable page tree), in English.
	Notes []string
	// Problems are facts that keep the file from being accepted without a
	// clerk even when every signature passes: embedded files (what is
	// shown is not all that was signed), broken cross-reference data.
	Problems []string
}

// maxSignatures bounds the signatures validated in one file; the rest
// are reported as not validated (FORMAT_FAILURE).
const maxSignatures = 100

// Limits bound the reader; the zero value is the default of package pdf.
type Limits = pdf.Limits

// Validate validates every signature and document timestamp of the PDF in
// data at o.Time. An error means data is not a readable PDF at all; a PDF
// without signatures gives an empty Result.
func Validate(ctx context.Context, data []byte, lim Limits, o signature.Options) (*Result, error) {
	doc, err := pdf.Open(data, lim)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPDF, err)
	}
	res := &Result{Signatures: []signature.Report{}, Revisions: len(doc.Sections)}
	if doc.Repaired {
		res.Problems = append(res.Problems, "the cross-reference data is broken; the object table was reconstructed: "+strings.Join(doc.Problems, "; "))
	}
	if names := doc.Dict(doc.Root()["Names"]); names != nil {
		if _, ok := names["EmbeddedFiles"]; ok {
			res.Problems = append(res.Problems, "the PDF carries embedded files (attachments): they are not shown as page content, so a reader may not see all that was signed")
		}
	}
	finalPages, finalPagesErr := doc.Pages()
	res.Pages = len(finalPages)
	if finalPagesErr != nil {
		res.Notes = append(res.Notes, "the page tree is unreadable: "+finalPagesErr.Error())
	}
	if _, ok := doc.Trailer["Encrypt"]; ok {
		res.Notes = append(res.Notes, "the document is encrypted: strings and streams are not decrypted by this version")
	}
	sigs := findSignatures(doc, &res.Notes)
	for _, s := range sigs {
		if s.formatErr == nil {
			s.inspect(doc)
		}
	}
	sortByRevision(sigs)
	for i := range sigs {
		if i >= maxSignatures && sigs[i].formatErr == nil {
			sigs[i].formatErr = fmt.Errorf("not validated: the file has more than %d signatures", maxSignatures)
		}
	}
	v := &validation{ctx: ctx, o: o, doc: doc, data: data, lim: lim, finalPages: finalPages, finalPagesErr: finalPagesErr, revs: map[int64]*revision{}}
	v.dss = readDSS(doc)
	v.certifications(sigs)
	nSig, nTS := 0, 0
	for i, s := range sigs {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.docTS {
			nTS++
			// A document timestamp is reported on its own only when no
			// signature precedes it; otherwise it is evidence of the
			// signatures it covers.
			follows := false
			for _, p := range sigs[:i] {
				if !p.docTS && p.revEnd > 0 && p.revEnd <= s.revEnd {
					follows = true
				}
			}
			if !follows {
				res.Signatures = append(res.Signatures, v.docTimestamp(s, fmt.Sprintf("DT%d", nTS)))
			}
			continue
		}
		nSig++
		res.Signatures = append(res.Signatures, v.signature(s, sigs, fmt.Sprintf("S%d", nSig)))
	}
	return res, nil
}

type validation struct {
	ctx           context.Context
	o             signature.Options
	doc           *pdf.Document
	data          []byte
	lim           Limits
	finalPages    []pdf.Ref
	finalPagesErr error
	revs          map[int64]*revision
	dss           *dssData
	// certified is the DocMDP level of the certification signature and
	// the end of its revision (0: none).
	certLevel  int
	certRevEnd int64
}

// revision opens the signed revision data[:end] once.
func (v *validation) revision(end int64) (*revision, error) {
	if r, ok := v.revs[end]; ok {
		if r == nil {
			return nil, errors.New("the signed revision is not a readable PDF")
		}
		return r, nil
	}
	v.revs[end] = nil
	if end == int64(len(v.data)) {
		r := analyse(v.doc)
		v.revs[end] = r
		return r, nil
	}
	d, err := pdf.Open(v.data[:end], v.lim)
	if err != nil {
		return nil, fmt.Errorf("the signed revision is not a readable PDF: %w", err)
	}
	r := analyse(d)
	v.revs[end] = r
	return r, nil
}

// digest returns a function hashing the byte ranges of s.
func (v *validation) digest(s *sigDict) cades.DigestFunc {
	return func(h crypto.Hash) ([]byte, error) {
		if !h.Available() {
			return nil, fmt.Errorf("pades: hash %v unavailable", h)
		}
		w := h.New()
		w.Write(v.data[s.br[0] : s.br[0]+s.br[1]])
		w.Write(v.data[s.br[2] : s.br[2]+s.br[3]])
		return w.Sum(nil), nil
	}
}

// covered describes the signed revision: its bytes and its pages.
func (v *validation) covered(s *sigDict, rev *revision) []string {
	what := "signature"
	if s.docTS {
		what = "document timestamp"
	}
	field := ""
	if s.field != "" {
		field = fmt.Sprintf(" (field %q)", s.field)
	}
	if s.br == nil || len(s.br) != 4 {
		return []string{"the " + what + field + " covers no well-defined part of the file"}
	}
	pages := "pages unknown"
	if rev != nil && rev.pagesErr == nil {
		pages = fmt.Sprintf("%d page(s): 1-%d", len(rev.pages), len(rev.pages))
		if len(rev.pages) == 1 {
			pages = "1 page"
		}
	}
	whole := "the whole file"
	if s.revEnd < int64(len(v.data)) {
		whole = fmt.Sprintf("revision of %d bytes; the file has %d bytes", s.revEnd, len(v.data))
	}
	return []string{fmt.Sprintf("the %s%s covers bytes 0-%d except its /Contents value (%d signed bytes; %s), %s",
		what, field, s.revEnd, s.br[1]+s.br[3], whole, pages)}
}

// checkRevision applies the byte range checks that need the whole file and
// the change analysis; it returns the error that makes the signature fail
// and the warnings for allowed changes.
func (v *validation) checkRevision(s *sigDict, perm permissions) (rev *revision, fail error, warnings []string) {
	if s.brErr != nil {
		return nil, fmt.Errorf("the byte range is invalid: %w", s.brErr), nil
	}
	rev, err := v.revision(s.revEnd)
	if err != nil {
		return nil, err, nil
	}
	// The signature dictionary must be part of the revision it signs.
	if s.ref.Num > 0 {
		old, err := rev.doc.Get(s.ref.Num)
		if err != nil {
			return rev, fmt.Errorf("the byte range is invalid: the signature dictionary is not part of the signed revision"), nil
		}
		if nw, _ := v.doc.Get(s.ref.Num); !pdf.Equal(old, nw) {
			return rev, fmt.Errorf("the signature dictionary was changed after signing"), nil
		}
	}
	// The signed bytes must be this document: no earlier, unlinked PDF
	// before the first object of the signed revision.
	if first := rev.doc.FirstObjectOffset(); first > 0 {
		if i := bytes.Index(v.data[:first], []byte("%%EOF")); i >= 0 {
			return rev, fmt.Errorf("the signed bytes begin with %d bytes ending in %%%%EOF that are not part of the document shown: the signature covers another document", i+5), nil
		}
	}
	if s.revEnd == int64(len(v.data)) {
		return rev, nil, nil
	}
	// Later updates must chain to the signed revision.
	tail := v.data[s.revEnd:]
	if len(bytes.Trim(tail, "\r\n\t \x00")) == 0 {
		return rev, nil, nil
	}
	signedXref := pdf.StartXref(v.data[:s.revEnd])
	chained := false
	for _, sec := range v.doc.Sections {
		if sec.Offset == signedXref {
			chained = true
		}
	}
	switch {
	case v.doc.Repaired:
		return rev, fmt.Errorf("the %d bytes after the signed revision are not a valid incremental update (broken cross-reference data)", len(tail)), nil
	case len(v.doc.Sections) == 0 || v.doc.Sections[0].Offset < s.revEnd:
		return rev, fmt.Errorf("%d bytes after the signed revision are not part of any incremental update", len(tail)), nil
	case !chained:
		return rev, fmt.Errorf("the update after the signed revision does not chain to it (/Prev): the signed revision is not part of the document shown"), nil
	}
	var bad []string
	for _, c := range diff(rev, v.doc, v.finalPages, v.finalPagesErr) {
		switch {
		case c.cat != catBad && c.field != "" && perm.locked != nil && perm.locked(c.field) && (c.cat == catForm || c.cat == catSig):
			bad = append(bad, c.msg+", but the field is locked by this signature (FieldMDP)")
		case c.cat.allowed(perm.docMDP):
			warnings = append(warnings, "Changed after signing ("+c.cat.String()+", allowed): "+c.msg+".")
		case c.cat == catBad:
			bad = append(bad, c.msg)
		default:
			bad = append(bad, fmt.Sprintf("%s, which the certification permissions (DocMDP P=%d) do not allow", c.msg, perm.docMDP))
		}
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("and %d more changes", len(bad)-5))
		}
		return rev, fmt.Errorf("the document was changed after signing: %s", strings.Join(bad, "; ")), warnings
	}
	return rev, nil, warnings
}

// contentsCMS returns the CMS of /Contents: one BER element, then only
// zero padding.
func contentsCMS(s *sigDict) (*cms.SignedData, []byte, error) {
	elem, rest, err := cms.FirstElement(s.contents.Value)
	if err != nil {
		return nil, nil, fmt.Errorf("/Contents does not hold a CMS object: %w", err)
	}
	for _, b := range rest {
		if b != 0 {
			return nil, nil, fmt.Errorf("/Contents holds data after the CMS object")
		}
	}
	sd, err := parseCMS(elem)
	if err != nil {
		return nil, nil, fmt.Errorf("/Contents does not hold a readable CMS SignedData: %w", err)
	}
	return sd, elem, nil
}

// parseCMS is cms.Parse that turns a panic of the parser on malformed
// input into an error (signature/cms v. 2026-11 indexes past the end of a
// SignedData without signerInfos).
func parseCMS(der []byte) (sd *cms.SignedData, err error) {
	defer func() {
		if p := recover(); p != nil {
			sd, err = nil, fmt.Errorf("malformed CMS (the parser failed: %v)", p)
		}
	}()
	return cms.Parse(der)
}

// parseToken is tsp.Parse with the same protection.
func parseToken(der []byte) (tok *tsp.Token, err error) {
	defer func() {
		if p := recover(); p != nil {
			tok, err = nil, fmt.Errorf("malformed time-stamp token (the parser failed: %v)", p)
		}
	}()
	return tsp.Parse(der)
}

func (v *validation) perms(s *sigDict) permissions {
	p := permissions{}
	if v.certLevel > 0 && v.certRevEnd > 0 && v.certRevEnd <= s.revEnd {
		p.docMDP = v.certLevel
	}
	p.locked = fieldLocks(v.doc, s)
	return p
}

func (v *validation) signature(s *sigDict, all []*sigDict, id string) signature.Report {
	ev := &signature.Evidence{ID: id, Format: signature.FormatPAdES}
	fail := func(err error) signature.Report {
		ev.FormatErr = err
		ev.Covered = v.covered(s, nil)
		ev.Level = "PAdES"
		return signature.Validate(v.ctx, ev, v.o)
	}
	if s.formatErr != nil {
		return fail(s.formatErr)
	}
	var sd *cms.SignedData
	var err error
	if s.contents.Value != nil {
		sd, _, err = contentsCMS(s)
	} else {
		err = errors.New("/Contents is missing")
	}
	if err != nil {
		return fail(err)
	}
	if len(sd.SignerInfos) != 1 {
		return fail(fmt.Errorf("the CMS holds %d signer infos; a PDF signature has exactly one (EN 319 142-1 §6.3)", len(sd.SignerInfos)))
	}
	var evs []*signature.Evidence
	switch s.subFilter {
	case "adbe.pkcs7.detached", "ETSI.CAdES.detached":
		if sd.Content != nil {
			return fail(errors.New("the detached PDF signature encapsulates content: what it signs is not this document's byte range"))
		}
		if s.brErr == nil {
			evs = cades.DetachedEvidence(v.ctx, sd, v.digest(s), v.o)
		} else {
			evs = cades.DetachedEvidence(v.ctx, sd, func(crypto.Hash) ([]byte, error) { return nil, s.brErr }, v.o)
		}
	case "adbe.pkcs7.sha1":
		evs = cades.AttachedEvidence(v.ctx, sd, v.o)
		if s.brErr == nil && sd.Content != nil {
			d := sha1.New()
			d.Write(v.data[s.br[0] : s.br[0]+s.br[1]])
			d.Write(v.data[s.br[2] : s.br[2]+s.br[3]])
			if !bytes.Equal(d.Sum(nil), sd.Content) {
				evs[0].DigestErr = errors.New("the encapsulated SHA-1 digest does not match the byte range")
			}
		}
	case "":
		return fail(errors.New("the signature dictionary has no /SubFilter"))
	default:
		return fail(fmt.Errorf("the sub-filter /%s is not supported", s.subFilter))
	}
	sev := evs[0]
	sev.ID, sev.Format = id, signature.FormatPAdES
	ev = sev
	if s.warning != "" {
		ev.Warnings = append(ev.Warnings, s.warning)
	}
	if s.subFilter == "adbe.pkcs7.detached" {
		ev.Infos = append(ev.Infos, "The sub-filter is adbe.pkcs7.detached (ISO 32000-1), not ETSI.CAdES.detached (EN 319 142-1).")
	}
	if s.brErr != nil && ev.DigestErr == nil {
		ev.FormatErr = fmt.Errorf("the byte range is invalid: %w", s.brErr)
	}
	perm := v.perms(s)
	if perm.docMDP > 0 {
		ev.Infos = append(ev.Infos, fmt.Sprintf("The document is certified with DocMDP permission P=%d (%s).", perm.docMDP, permName(perm.docMDP)))
	}
	if s.isCertification() {
		ev.Infos = append(ev.Infos, fmt.Sprintf("This is a certification signature, DocMDP P=%d (%s).", s.docMDP(v.doc), permName(s.docMDP(v.doc))))
	}
	rev, cerr, warns := v.checkRevision(s, perm)
	ev.Warnings = append(ev.Warnings, warns...)
	switch {
	case cerr == nil:
	case ev.DigestErr != nil || ev.SignatureErr != nil:
		// The signature is broken whatever changed later: the crypto
		// failure decides, the change is still reported.
		ev.Warnings = append(ev.Warnings, "Also: "+cerr.Error()+".")
	case ev.FormatErr == nil:
		ev.FormatErr = cerr
	}
	ev.Covered = v.covered(s, rev)
	ev.Infos = append(ev.Infos, dictInfos(v.doc, s)...)

	// Document timestamps over later revisions: T and LTA (EN 319 142-1
	// §5.4.3, §5.5).
	sigTS := len(ev.Timestamps) > 0
	docTS, docTSOverDSS := false, false
	for _, t := range all {
		if !t.docTS || t.revEnd <= s.revEnd && t.formatErr == nil {
			continue
		}
		if t.formatErr != nil {
			// A broken document timestamp is shown, never dropped.
			ev.Timestamps = append(ev.Timestamps, signature.TimestampEvidence{Type: "document", ImprintErr: t.formatErr})
			continue
		}
		te := v.docTimestampEvidence(t)
		ev.Timestamps = append(ev.Timestamps, te)
		if te.ImprintErr == nil {
			docTS = true
			if r, err := v.revision(t.revEnd); err == nil && r.hasDSS {
				docTSOverDSS = true
			}
		}
	}
	// Validation data: the /DSS (EN 319 142-1 §5.4.2) and any revocation
	// data inside the CMS.
	if v.dss != nil {
		ev.Certificates = append(ev.Certificates, v.dss.certs...)
		ev.OCSP = append(ev.OCSP, v.dss.ocsp...)
		ev.CRLs = append(ev.CRLs, v.dss.crls...)
		ev.Warnings = append(ev.Warnings, v.dss.problems...)
		if v.dss.hasVRI(s.contents.Value) {
			ev.Infos = append(ev.Infos, "The /DSS holds a /VRI entry for this signature.")
		}
	}
	// signature/cades already took the revocation data of the
	// adbe-revocationInfoArchival attribute (ISO 32000-1 §12.8.3.3.2).
	if cms.HasAttribute(sd.SignerInfos[0].SignedAttrs, cms.OIDAttrAdobeRevocationInfoArchival) {
		ev.Infos = append(ev.Infos, "The signature carries revocation data in the adbe-revocationInfoArchival attribute.")
	}
	hasLT := len(ev.OCSP)+len(ev.CRLs) > 0
	ev.Level = level(s.subFilter, sigTS || docTS, hasLT, docTSOverDSS)
	return signature.Validate(v.ctx, ev, v.o)
}

// level names the PAdES baseline level (EN 319 142-1 §6). Signatures
// with an adbe sub-filter are named as DSS does (PKCS7-B ... PKCS7-LTA).
func level(subFilter string, t, lt, lta bool) string {
	prefix := "PAdES-BASELINE-"
	if strings.HasPrefix(subFilter, "adbe.") {
		prefix = "PKCS7-"
	}
	switch {
	case t && lt && lta:
		return prefix + "LTA"
	case t && lt:
		return prefix + "LT"
	case t:
		return prefix + "T"
	}
	return prefix + "B"
}

func permName(p int) string {
	switch p {
	case 1:
		return "no changes permitted"
	case 2:
		return "form filling and signing permitted"
	case 3:
		return "form filling, signing and annotations permitted"
	}
	return "no restriction"
}

// docTimestampEvidence checks a document timestamp's byte range and
// imprint (EN 319 142-1 §5.4.3: the imprint is over its byte range).
func (v *validation) docTimestampEvidence(t *sigDict) signature.TimestampEvidence {
	te := signature.TimestampEvidence{Type: "document"}
	if t.contents.Value == nil {
		te.ImprintErr = errors.New("/Contents is missing")
		return te
	}
	elem, _, err := cms.FirstElement(t.contents.Value)
	if err != nil {
		te.ImprintErr = err
		return te
	}
	tok, err := parseToken(elem)
	if err != nil {
		te.ImprintErr = err
		return te
	}
	te.Token = elem
	if t.brErr != nil {
		te.ImprintErr = fmt.Errorf("the byte range is invalid: %w", t.brErr)
		return te
	}
	d, err := v.digest(t)(tok.Hash)
	if err == nil {
		err = tok.MatchesDigest(d)
	}
	te.ImprintErr = err
	return te
}

// docTimestamp reports a document timestamp that follows no signature.
func (v *validation) docTimestamp(s *sigDict, id string) signature.Report {
	ev := &signature.Evidence{ID: id, Format: signature.FormatPAdES, Level: "DocTimeStamp"}
	fail := func(err error) signature.Report {
		ev.FormatErr = err
		ev.Covered = v.covered(s, nil)
		return signature.Validate(v.ctx, ev, v.o)
	}
	if s.formatErr != nil {
		return fail(s.formatErr)
	}
	te := v.docTimestampEvidence(s)
	if te.Token == nil {
		return fail(te.ImprintErr)
	}
	tok, err := parseToken(te.Token)
	if err != nil {
		return fail(fmt.Errorf("the document timestamp is unreadable: %w", err))
	}
	evs := cades.AttachedEvidence(v.ctx, tok.SignedData, v.o)
	if len(evs) != 1 {
		return fail(errors.New("the document timestamp has no single signer"))
	}
	ev = evs[0]
	ev.ID, ev.Format, ev.Level = id, signature.FormatPAdES, "DocTimeStamp"
	ev.Infos = append(ev.Infos, fmt.Sprintf("A document timestamp (ETSI.RFC3161) of %s.", tok.GenTime.UTC().Format("2006-01-02T15:04:05Z")))
	if te.ImprintErr != nil {
		if s.brErr != nil {
			ev.FormatErr = te.ImprintErr
		} else {
			ev.DigestErr = te.ImprintErr
		}
	}
	gt := tok.GenTime
	ev.ClaimedSigningTime = &gt
	rev, cerr, warns := v.checkRevision(s, v.perms(s))
	ev.Warnings = append(ev.Warnings, warns...)
	if cerr != nil && ev.FormatErr == nil {
		ev.FormatErr = cerr
	}
	ev.Covered = v.covered(s, rev)
	r := signature.Validate(v.ctx, ev, v.o)
	// A time-stamping unit's token is no one's signature: never
	// qualified as a signature or seal, whatever its certificate is.
	r.Qualification = signature.QualNA
	r.Infos = append(r.Infos, "A document timestamp proves the time of the revision it covers; it is not a signature of the document.")
	return r
}

// dictInfos reports the signature dictionary's self-declared entries.
func dictInfos(doc *pdf.Document, s *sigDict) []string {
	var out []string
	for _, k := range []pdf.Name{"Name", "Reason", "Location", "M"} {
		if str, ok := doc.Resolve(s.dict[k]).(pdf.String); ok && len(str.Value) > 0 {
			out = append(out, fmt.Sprintf("Signature dictionary /%s: %s", k, decodeText(str.Value)))
		}
	}
	return out
}

// certifications finds the certification signature (ISO 32000-1
// §12.8.2.2) from the catalog's /Perms /DocMDP or a /Reference with
// /TransformMethod /DocMDP.
func (v *validation) certifications(sigs []*sigDict) {
	var permRef pdf.Ref
	if perms := v.doc.Dict(v.doc.Root()["Perms"]); perms != nil {
		permRef, _ = perms["DocMDP"].(pdf.Ref)
	}
	for _, s := range sigs {
		if s.formatErr != nil || s.docTS {
			continue
		}
		if s.isCertification() || (permRef.Num > 0 && permRef.Num == s.ref.Num) {
			if v.certLevel == 0 || s.revEnd < v.certRevEnd {
				v.certLevel, v.certRevEnd = s.docMDP(v.doc), s.revEnd
			}
		}
	}
}

func (s *sigDict) references() []pdf.Dict { return s.refs }

func (s *sigDict) isCertification() bool {
	for _, r := range s.references() {
		if r.Name("TransformMethod") == "DocMDP" {
			return true
		}
	}
	return false
}

// docMDP returns the P value of the DocMDP transform (default 2).
func (s *sigDict) docMDP(doc *pdf.Document) int {
	for _, r := range s.references() {
		if r.Name("TransformMethod") != "DocMDP" {
			continue
		}
		if tp := doc.Dict(r["TransformParams"]); tp != nil {
			if p, ok := tp.Int("P"); ok && p >= 1 && p <= 3 {
				return int(p)
			}
		}
	}
	return 2
}

// fieldLocks returns the FieldMDP locks of a signature (§12.8.2.4): from
// its /Reference and the field's /Lock.
func fieldLocks(doc *pdf.Document, s *sigDict) func(string) bool {
	var params []pdf.Dict
	for _, r := range s.references() {
		if r.Name("TransformMethod") == "FieldMDP" {
			if tp := doc.Dict(r["TransformParams"]); tp != nil {
				params = append(params, tp)
			}
		}
	}
	if s.lock != nil {
		params = append(params, s.lock)
	}
	if len(params) == 0 {
		return nil
	}
	return func(name string) bool {
		if name == s.field {
			return false
		}
		for _, tp := range params {
			names := map[string]bool{}
			if arr, ok := doc.Resolve(tp["Fields"]).(pdf.Array); ok {
				for _, f := range arr {
					if str, ok := doc.Resolve(f).(pdf.String); ok {
						names[decodeText(str.Value)] = true
					}
				}
			}
			listed := names[name]
			for n := range names {
				if strings.HasPrefix(name, n+".") {
					listed = true
				}
			}
			switch tp.Name("Action") {
			case "All":
				return true
			case "Include":
				if listed {
					return true
				}
			case "Exclude":
				if !listed {
					return true
				}
			}
		}
		return false
	}
}

// dssData is the document security store (EN 319 142-1 §5.4.2).
type dssData struct {
	certs    []*pki.Certificate
	ocsp     [][]byte
	crls     [][]byte
	vri      map[string]bool
	problems []string
}

func readDSS(doc *pdf.Document) *dssData {
	dss := doc.Dict(doc.Root()["DSS"])
	if dss == nil {
		return nil
	}
	out := &dssData{vri: map[string]bool{}}
	streams := func(key pdf.Name) [][]byte {
		var res [][]byte
		arr, _ := doc.Resolve(dss[key]).(pdf.Array)
		for i, o := range arr {
			if i >= 10_000 {
				break
			}
			st, ok := doc.Resolve(o).(*pdf.Stream)
			if !ok {
				continue
			}
			b, err := doc.Decode(st)
			if err != nil {
				out.problems = append(out.problems, fmt.Sprintf("A /DSS /%s stream is unreadable: %v", key, err))
				continue
			}
			res = append(res, b)
		}
		return res
	}
	for _, raw := range streams("Certs") {
		if c, err := pki.ParseCertificate(raw); err == nil {
			out.certs = append(out.certs, c)
		}
	}
	out.ocsp = streams("OCSPs")
	out.crls = streams("CRLs")
	if vri := doc.Dict(dss["VRI"]); vri != nil {
		for k := range vri {
			out.vri[strings.ToUpper(string(k))] = true
		}
	}
	return out
}

// hasVRI reports a /VRI entry keyed by the SHA-1 of the signature's
// /Contents (EN 319 142-1 §5.4.2.3).
func (d *dssData) hasVRI(contents []byte) bool {
	if len(contents) == 0 {
		return false
	}
	elem, _, err := cms.FirstElement(contents)
	if err != nil {
		return false
	}
	h := sha1.Sum(elem)
	return d.vri[strings.ToUpper(hex.EncodeToString(h[:]))]
}
