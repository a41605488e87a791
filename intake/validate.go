package intake

import (
	"bytes"
	"context"
	"errors"
	"path"
	"strings"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/smime"
	"github.com/sigintake/sigintake/signature/verify"
)

// ValidateLetter validates every signed part of a parsed letter: the
// message's own S/MIME signature (top level), each attachment that carries
// a signature, and each detached signature together with the file it covers.
// Files covered by the message's S/MIME signature or by a detached
// signature are not listed as unsigned; other files without a signature are
// (Facts.Unsigned).
func ValidateLetter(ctx context.Context, l *mailbox.Letter, o signature.Options) ([]Part, Facts) {
	var parts []Part
	var f Facts
	if l.Truncated {
		f.TooLarge = append(f.TooLarge, "(e-pasta vēstule / the e-mail message)")
	}
	f.Ambiguous = l.Ambiguous()
	f.Encrypted = l.Has(mailbox.ProblemEncrypted)

	// The message's own S/MIME signature.
	var smimeCovered []string // MIME path prefixes covered by it
	for _, s := range l.SMIME {
		if s.Depth != 0 || s.Kind == mailbox.SMIMEEnvelopedData {
			continue
		}
		fr := signature.FileReport{File: "message", Format: signature.FormatSMIME, Reasons: []string{}, Signatures: []signature.Report{}}
		res, err := smime.Validate(ctx, l.Raw, o)
		switch {
		case errors.Is(err, smime.ErrNotSigned):
			continue
		case err != nil:
			fr.Verdict = signature.Rejected
			fr.Reasons = append(fr.Reasons, err.Error())
		default:
			fr.Signatures = res.Signatures
			fr.Verdict = signature.VerdictOf(res.Signatures)
			fr.Reasons = append(fr.Reasons, verify.Reasons(fr)...)
			fr.Reasons = append(fr.Reasons, res.Notes...)
		}
		parts = append(parts, Part{SMIME: true, Report: fr})
		if s.Kind == mailbox.SMIMEDetached {
			smimeCovered = append(smimeCovered, childPath(s.Path, 1))
		}
		break
	}

	covered := func(a *mailbox.Attachment) bool {
		for _, p := range smimeCovered {
			if a.Path == p || strings.HasPrefix(a.Path, p+".") {
				return true
			}
		}
		return false
	}
	atts := make([]*mailbox.Attachment, 0, len(l.Attachments))
	for i := range l.Attachments {
		a := &l.Attachments[i]
		if a.Inline && a.Name == "" {
			continue // an inline picture of the body, not a file
		}
		atts = append(atts, a)
	}
	byName := func(depth int, name string) *mailbox.Attachment {
		for _, a := range atts {
			if a.Depth == depth && a.Name == name {
				return a
			}
		}
		return nil
	}
	consumed := map[*mailbox.Attachment]bool{}
	// Detached signatures first: their content files are consumed.
	type detached struct {
		sig, content *mailbox.Attachment
	}
	var dets []detached
	for _, a := range atts {
		if covered(a) || !isDetachedName(a.Name) || verify.Detect(a.Name, a.Data) != verify.KindCMS {
			continue
		}
		for _, base := range contentNames(a.Name) {
			if c := byName(a.Depth, base); c != nil && c != a {
				dets = append(dets, detached{a, c})
				consumed[c] = true
				break
			}
		}
	}
	isDet := map[*mailbox.Attachment]*mailbox.Attachment{}
	for _, d := range dets {
		isDet[d.sig] = d.content
	}
	for _, a := range atts {
		if covered(a) || consumed[a] {
			continue
		}
		if a.Truncated {
			f.TooLarge = append(f.TooLarge, a.Name)
			continue
		}
		if content, ok := isDet[a]; ok {
			depth := a.Depth
			in := verify.Input{Name: a.Name, Data: a.Data, Sibling: func(name string) ([]byte, bool) {
				if c := byName(depth, name); c != nil {
					return c.Data, true
				}
				return nil, false
			}}
			if content.Truncated {
				f.TooLarge = append(f.TooLarge, content.Name)
				continue
			}
			parts = append(parts, Part{Name: a.Name, Path: a.Path, Covers: content.Name, Report: verify.File(ctx, in, o)})
			continue
		}
		if !SignedCandidate(a.Name, a.ContentType, a.Data) {
			f.Unsigned = append(f.Unsigned, displayName(a))
			continue
		}
		depth := a.Depth
		in := verify.Input{Name: a.Name, Data: a.Data, Sibling: func(name string) ([]byte, bool) {
			if c := byName(depth, name); c != nil {
				return c.Data, true
			}
			return nil, false
		}}
		parts = append(parts, Part{Name: displayName(a), Path: a.Path, Report: verify.File(ctx, in, o)})
	}
	return parts, f
}

func displayName(a *mailbox.Attachment) string {
	if a.Name != "" {
		return a.Name
	}
	return "(part " + a.Path + ", " + a.ContentType + ")"
}

func childPath(parent string, i int) string {
	if parent == "" {
		return string(rune('0' + i))
	}
	return parent + "." + string(rune('0'+i))
}

func isDetachedName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".p7s", ".sig", ".p7m", ".pkcs7", ".p7":
		return true
	}
	return false
}

// contentNames are the names the content of a detached signature may have:
// "X" for "X.p7s", then shorter prefixes ("a.pdf" for "a.pdf.sig.p7s").
func contentNames(name string) []string {
	ext := path.Ext(name)
	var out []string
	for b := name[:len(name)-len(ext)]; b != ""; {
		out = append(out, b)
		i := strings.LastIndexByte(b, '.')
		if i <= 0 {
			break
		}
		b = b[:i]
	}
	return out
}

// SignedCandidate reports whether a file should be validated as a signed
// file, or listed as an unsigned extra. It is deliberately stricter than
// content sniffing alone: a text file that happens to start with "0" is not
// CMS, a plain ZIP is not an ASiC container, a PDF without a signature
// dictionary is not PAdES.
func SignedCandidate(name, contentType string, data []byte) bool {
	ext := strings.ToLower(path.Ext(name))
	ct := strings.ToLower(contentType)
	switch verify.Detect(name, data) {
	case verify.KindCMS:
		switch ext {
		case ".p7s", ".p7m", ".p7", ".pkcs7", ".p7c", ".cms", ".sig":
			return true
		}
		if strings.Contains(ct, "pkcs7") {
			return true
		}
		// DER SEQUENCE with a long-form length: any real SignedData.
		return len(data) > 2 && data[0] == 0x30 && data[1] >= 0x80 && data[1] <= 0x84
	case verify.KindZIP:
		switch ext {
		case ".edoc", ".asice", ".sce", ".bdoc", ".asics", ".scs":
			return true
		}
		if strings.Contains(ct, "vnd.etsi.asic") {
			return true
		}
		// ASiC puts the "mimetype" entry first (EN 319 162-1 §A.1).
		return len(data) > 38 && string(data[30:38]) == "mimetype"
	case verify.KindPDF:
		return bytes.Contains(data, []byte("/ByteRange")) || bytes.Contains(data, []byte("/Type /Sig")) || bytes.Contains(data, []byte("/Type/Sig"))
	case verify.KindXML:
		return (ext == ".xml" || strings.Contains(ct, "xml")) && bytes.Contains(data, []byte("http://www.w3.org/2000/09/xmldsig#"))
	case verify.KindMIME:
		return (ext == ".eml" || ct == "message/rfc822") && bytes.Contains(bytes.ToLower(data), []byte("pkcs7"))
	}
	return false
}
