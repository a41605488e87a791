package verify

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/asic"
	"github.com/sigintake/sigintake/signature/cades"
	"github.com/sigintake/sigintake/signature/pades"
	"github.com/sigintake/sigintake/signature/smime"
	"github.com/sigintake/sigintake/signature/xades"
)

// MaxFileSize is the largest file validated; larger ones are reported, not read.
const MaxFileSize = 64 << 20

// Input is one file to validate.
type Input struct {
	// Name is the file's name (an attachment's name in a letter); it is
	// used to find the content of a detached signature.
	Name string
	Data []byte
	// Sibling returns another file of the same letter (or folder) by name:
	// a detached "X.p7s" is validated against the sibling "X". Nil: none.
	Sibling func(name string) ([]byte, bool)
}

// File validates every signature of one file. It never panics: an internal
// error gives verdict review with the reason, so that a clerk looks at the
// file.
func File(ctx context.Context, in Input, o signature.Options) (fr signature.FileReport) {
	fr = signature.FileReport{File: in.Name, Format: signature.FormatUnknown, Reasons: []string{}, Signatures: []signature.Report{}}
	defer func() {
		if p := recover(); p != nil {
			fr.Verdict = signature.Review
			fr.Signatures = []signature.Report{}
			fr.Reasons = []string{fmt.Sprintf("internal error while validating %q: %v", in.Name, p)}
		}
	}()
	if len(in.Data) > MaxFileSize {
		fr.Verdict = signature.Review
		fr.Reasons = append(fr.Reasons, fmt.Sprintf("the file is larger than %d MiB and was not validated", MaxFileSize>>20))
		return fr
	}
	if len(in.Data) == 0 {
		fr.Verdict = signature.Rejected
		fr.Reasons = append(fr.Reasons, "the file is empty: no signature found")
		return fr
	}
	switch kind := Detect(in.Name, in.Data); kind {
	case KindCMS:
		var detached *cades.Content
		if in.Sibling != nil {
			for _, base := range detachedContentNames(in.Name) {
				if data, ok := in.Sibling(base); ok {
					detached = &cades.Content{Name: base, Data: data}
					break
				}
			}
		}
		res, err := cades.Validate(ctx, in.Data, detached, o)
		if err != nil {
			fr.Format = signature.FormatCMS
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, "no valid CMS signature could be read: "+err.Error())
			return fr
		}
		fr.Format = res.Format
		fr.Signatures = res.Signatures
	case KindMIME:
		res, err := smime.Validate(ctx, in.Data, o)
		fr.Format = signature.FormatSMIME
		if err != nil {
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, err.Error())
			return fr
		}
		fr.Signatures = res.Signatures
		fr.Reasons = append(fr.Reasons, res.Notes...)
	case KindPDF:
		fr.Format = signature.FormatPAdES
		res, err := pades.Validate(ctx, in.Data, pades.Limits{}, o)
		if err != nil {
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, "the PDF could not be read: "+err.Error())
			return fr
		}
		fr.Signatures = res.Signatures
		fr.Verdict = signature.VerdictOf(fr.Signatures)
		fr.Reasons = append(fr.Reasons, Reasons(fr)...)
		fr.Reasons = append(fr.Reasons, res.Notes...)
		if len(res.Problems) > 0 {
			// Embedded files, repaired cross-reference data: never
			// accepted without a clerk.
			if fr.Verdict == signature.Accepted {
				fr.Verdict = signature.Review
			}
			fr.Reasons = append(fr.Reasons, res.Problems...)
		}
		return fr
	case KindZIP:
		res, err := asic.Validate(ctx, in.Data, asic.Limits{}, o)
		if err != nil {
			fr.Format = signature.FormatASiCE
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, "no valid ASiC container could be read: "+err.Error())
			return fr
		}
		fr.Format = res.Format
		fr.Signatures = res.Signatures
		fr.Verdict = signature.VerdictOf(fr.Signatures)
		fr.Reasons = append(fr.Reasons, Reasons(fr)...)
		if len(res.Problems) > 0 {
			// Uncovered or unlisted files, a broken mimetype or manifest:
			// never accepted without a clerk (EN 319 162-1).
			if fr.Verdict == signature.Accepted {
				fr.Verdict = signature.Review
			}
			fr.Reasons = append(fr.Reasons, res.Problems...)
		}
		fr.Reasons = append(fr.Reasons, res.Notes...)
		return fr
	case KindXML:
		res, err := xades.ValidateFile(ctx, in.Data, xades.Options{}, o)
		fr.Format = signature.FormatXAdES
		if err != nil {
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, "no valid XML signature could be read: "+err.Error())
			return fr
		}
		fr.Signatures = res.Signatures
	default:
		fr.Verdict = signature.Rejected
		fr.Reasons = append(fr.Reasons, "not a signed file of a known format: no signature found")
		return fr
	}
	fr.Verdict = signature.VerdictOf(fr.Signatures)
	fr.Reasons = append(fr.Reasons, Reasons(fr)...)
	return fr
}

// detachedContentNames returns the names the content of a detached
// signature may have, best first: "X" for "X.p7s", then shorter prefixes
// ending before a dot ("a.png" for "a.png.signed.p7s").
func detachedContentNames(name string) []string {
	dir, base := path.Split(strings.ReplaceAll(name, "\\", "/"))
	ext := strings.ToLower(path.Ext(base))
	switch ext {
	case ".p7s", ".p7m", ".sig", ".pkcs7", ".p7":
	default:
		return nil
	}
	var out []string
	for b := base[:len(base)-len(ext)]; b != ""; {
		out = append(out, dir+b)
		i := strings.LastIndexByte(b, '.')
		if i <= 0 {
			break
		}
		b = b[:i]
	}
	return out
}

// Reasons summarises, in words, why signatures give the verdict they do:
// each signature not TOTAL_PASSED with its decisive error, and each passed
// but not qualified one.
func Reasons(fr signature.FileReport) []string {
	var out []string
	if len(fr.Signatures) == 0 {
		return append(out, "no signature found")
	}
	for _, s := range fr.Signatures {
		who := s.Signer.CommonName
		if who == "" {
			who = s.Signer.Subject
		}
		if who == "" {
			who = s.ID
		}
		switch {
		case s.Indication != signature.TotalPassed:
			msg := fmt.Sprintf("signature of %s: %s %s", who, s.Indication, s.SubIndication)
			if len(s.Errors) > 0 {
				msg += ": " + s.Errors[0]
			}
			out = append(out, msg)
		case !s.Qualification.Qualified():
			out = append(out, fmt.Sprintf("signature of %s is valid but not qualified (%s)", who, s.Qualification))
		}
	}
	return out
}
