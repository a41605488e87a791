package smime

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cades"
)

// Result is the outcome of validating a message's S/MIME signature.
type Result struct {
	Signatures []signature.Report
	// Notes are facts about the message as a whole: what is signed, and
	// whether the sender headers match the signer.
	Notes []string
	// SignedEntity is the signed MIME entity in canonical form: what a
	// reader may treat as signed content.
	SignedEntity []byte
	// SignedPart is the MIME path of the signed entity, "" for the whole
	// message body.
	SignedPart string
}

// Validate validates the S/MIME signature of the raw message. It returns
// ErrNotSigned when the message has none, and ErrMalformed (wrapped) when
// its structure cannot be read.
func Validate(ctx context.Context, raw []byte, o signature.Options) (*Result, error) {
	top, err := splitEntity(raw, "")
	if err != nil {
		return nil, err
	}
	signed, err := findSigned(top, 0)
	if err != nil {
		return nil, err
	}
	if signed == nil {
		return nil, ErrNotSigned
	}
	res := &Result{SignedPart: signed.path}
	mt, params := signed.mediaType()
	var cr *cades.Result
	switch mt {
	case "multipart/signed":
		ps, err := parts(signed.body, params["boundary"])
		if err != nil {
			return nil, err
		}
		if len(ps) != 2 {
			return nil, fmt.Errorf("%w: multipart/signed has %d parts, want 2", ErrMalformed, len(ps))
		}
		content := canonical(ps[0])
		sigPart, err := splitEntity(ps[1], childPath(signed.path, 2))
		if err != nil {
			return nil, err
		}
		der, err := sigPart.decodedBody()
		if err != nil {
			return nil, err
		}
		cr, err = cades.Validate(ctx, der, &cades.Content{Name: "signed MIME part", Data: content}, o)
		if err != nil {
			return nil, fmt.Errorf("smime: the signature part cannot be read: %w", err)
		}
		res.SignedEntity = content
		if cr.EContent != nil && string(canonical(cr.EContent)) != string(content) {
			// RFC 8551 §3.5.3: the detached signature must not carry content.
			// A different embedded content is the "eContent confusion" attack.
			for i := range cr.Signatures {
				s := &cr.Signatures[i]
				s.Indication, s.SubIndication = signature.TotalFailed, signature.FormatFailure
				s.Errors = append([]string{"The signature of this multipart/signed message carries embedded content that differs from the displayed part: what you see is not what was signed."}, s.Errors...)
			}
		}
	default: // application/pkcs7-mime signed-data
		der, err := signed.decodedBody()
		if err != nil {
			return nil, err
		}
		cr, err = cades.Validate(ctx, der, nil, o)
		if err != nil {
			return nil, fmt.Errorf("smime: the signed-data cannot be read: %w", err)
		}
		res.SignedEntity = canonical(cr.EContent)
	}
	res.Signatures = cr.Signatures
	what := "the whole message body"
	if signed.path != "" {
		what = "only MIME part " + signed.path + "; the rest of the message is NOT signed"
		res.Notes = append(res.Notes, "Only MIME part "+signed.path+" of the message is signed; the rest is not.")
	}
	for i := range res.Signatures {
		s := &res.Signatures[i]
		s.Format = signature.FormatSMIME
		s.Covered = []string{fmt.Sprintf("%s (%d bytes)", what, len(res.SignedEntity))}
		if signed.path != "" {
			s.Warnings = append(s.Warnings, "Only part of the message is signed (MIME part "+signed.path+").")
		}
		checkIdentity(top, s)
	}
	return res, nil
}

// findSigned returns the outermost S/MIME signed entity, depth first.
func findSigned(e *entity, depth int) (*entity, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nesting deeper than %d", ErrMalformed, maxDepth)
	}
	mt, params := e.mediaType()
	switch {
	case mt == "multipart/signed":
		proto := strings.ToLower(params["protocol"])
		if strings.Contains(proto, "pkcs7-signature") {
			return e, nil
		}
		return nil, fmt.Errorf("%w (multipart/signed with protocol %q: only S/MIME signatures are validated)", ErrNotSigned, params["protocol"])
	case mt == "application/pkcs7-mime" || mt == "application/x-pkcs7-mime":
		st := strings.ToLower(params["smime-type"])
		if st == "signed-data" || st == "" && strings.HasSuffix(strings.ToLower(params["name"]), ".p7m") {
			return e, nil
		}
		return nil, nil
	case strings.HasPrefix(mt, "multipart/"):
		ps, err := parts(e.body, params["boundary"])
		if err != nil {
			return nil, nil // not readable: not signed as far as we can tell
		}
		for i, p := range ps {
			child, err := splitEntity(p, childPath(e.path, i+1))
			if err != nil {
				continue
			}
			if s, err := findSigned(child, depth+1); s != nil || err != nil && !errors.Is(err, ErrNotSigned) {
				return s, err
			}
		}
	}
	return nil, nil
}

func childPath(parent string, n int) string {
	if parent == "" {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s.%d", parent, n)
}

// checkIdentity compares the From header and Date with the signer.
func checkIdentity(top *entity, s *signature.Report) {
	from := top.header.Get("From")
	addrs, err := mail.ParseAddressList(from)
	switch {
	case from == "" || err != nil || len(addrs) == 0:
		s.Warnings = append(s.Warnings, fmt.Sprintf("The message has no readable From address (%q); the signer is %s.", from, signerName(s)))
	case len(addrs) > 1:
		s.Warnings = append(s.Warnings, fmt.Sprintf("The message claims several senders (%s); the signer is %s.", from, signerName(s)))
	case s.Signer.Email == "":
		s.Infos = append(s.Infos, fmt.Sprintf("The signing certificate names no e-mail address to compare with the From address %s.", addrs[0].Address))
	case !strings.EqualFold(addrs[0].Address, s.Signer.Email):
		s.Warnings = append(s.Warnings, fmt.Sprintf("The From address %s differs from the signer's certificate address %s.", addrs[0].Address, s.Signer.Email))
	default:
		s.Infos = append(s.Infos, "The From address matches the signer's certificate.")
	}
	if d := top.header.Get("Date"); d != "" && s.SigningTime != nil {
		if t, err := mail.ParseDate(d); err == nil {
			diff := t.Sub(*s.SigningTime)
			if diff < 0 {
				diff = -diff
			}
			if diff > 24*time.Hour {
				s.Warnings = append(s.Warnings, fmt.Sprintf("The Date header (%s) is more than a day from the claimed signing time (%s).",
					t.UTC().Format(time.RFC3339), s.SigningTime.UTC().Format(time.RFC3339)))
			}
		}
	}
}

func signerName(s *signature.Report) string {
	if s.Signer.CommonName != "" {
		return s.Signer.CommonName
	}
	if s.Signer.Subject != "" {
		return s.Signer.Subject
	}
	return "unknown"
}
