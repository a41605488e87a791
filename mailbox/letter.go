package mailbox

import (
	"net/textproto"
	"strings"
	"time"
)

// Letter is a parsed message: the pipeline's input. Parse fills it
// tolerantly: whatever could not be understood is listed in Problems and
// the walk carries on. Raw always holds the message exactly as received.
type Letter struct {
	Raw    []byte // the whole message as received (not a copy)
	SHA256 string // lowercase hex SHA-256 of Raw (Limits.KnownSHA256 when the caller gave it)

	Header []Field // top-level header fields in order, values unfolded, not decoded

	From, To, Cc, ReplyTo, Sender []Address
	Subject                       string    // RFC 2047 decoded
	Date                          time.Time // zero when missing or unparsable
	MessageID                     string    // without angle brackets
	InReplyTo                     []string  // message IDs, without angle brackets
	References                    []string  // message IDs, without angle brackets
	AutoSubmitted                 string    // RFC 3834, as written
	Precedence                    string
	ListID                        string // RFC 2919
	ReturnPath                    string // as written: "<>" is the null reverse path
	AuthenticationResults         []string
	ContentType                   string // top-level media type, lower case

	Text string // text/plain body parts, decoded to UTF-8, joined by a blank line
	HTML string // text/html body parts, decoded to UTF-8 (untrusted: never render as is)

	Attachments []Attachment
	SMIME       []SMIME  // S/MIME structures found (top level and inside message/rfc822)
	Reports     []Report // multipart/report parts (RFC 6522), e.g. DSNs (RFC 3464)

	Parts     int  // MIME entities walked
	Truncated bool // Raw exceeded Limits.MaxMessageBytes; only its start was parsed
	Problems  []Problem
}

// Field is one header field.
type Field struct {
	Key   string // canonical form, e.g. "Content-Type"
	Value string
}

// Address is a mailbox from an address header.
type Address struct {
	Name    string // display name, RFC 2047 decoded
	Address string // addr-spec; empty when the header could not be parsed
}

func (a Address) String() string {
	if a.Name == "" {
		return "<" + a.Address + ">"
	}
	return a.Name + " <" + a.Address + ">"
}

// Attachment is a leaf MIME part that is not body text.
type Attachment struct {
	// Name is the file name a mail client would show: filename from
	// Content-Disposition, else name from Content-Type, RFC 2047 and
	// RFC 2231 (continuations, charsets) decoded. Not sanitised: never use
	// it as a path.
	Name string
	// NameAmbiguous is set when mail clients may disagree about the name
	// (or about where the part starts): duplicate headers or parameters,
	// filename and name that differ, broken RFC 2231 continuations,
	// header syntax errors, UTF-16 names, bidi or control characters.
	// AltNames lists the other names seen. The reasons are in
	// Letter.Problems with Code ProblemAmbiguousName and this Path.
	NameAmbiguous bool
	AltNames      []string
	ContentType   string // media type, lower case, e.g. "application/pdf"
	Disposition   string // "attachment", "inline" or "" (lower case)
	Inline        bool   // Content-Disposition: inline
	Data          []byte // decoded content (may alias Raw when not transfer-encoded; read only)
	Size          int64  // len(Data)
	SHA256        string // lowercase hex SHA-256 of Data
	Truncated     bool   // the decoded content exceeded Limits.MaxAttachmentBytes; Data is its start
	Path          string // MIME part path in IMAP numbering, e.g. "2" or "2.1"
	Depth         int    // message/rfc822 nesting: 0 in the letter itself, 1 inside an attached message, ...
}

// SMIMEKind names an S/MIME structure (RFC 8551).
type SMIMEKind string

const (
	// SMIMEDetached is multipart/signed with an application/(x-)pkcs7-signature part (RFC 8551 §3.5.3).
	SMIMEDetached SMIMEKind = "multipart/signed"
	// SMIMESignedData is application/(x-)pkcs7-mime; smime-type=signed-data (RFC 8551 §3.5.2).
	SMIMESignedData SMIMEKind = "signed-data"
	// SMIMEEnvelopedData is an encrypted message (smime-type=enveloped-data or authEnveloped-data); it cannot be read here.
	SMIMEEnvelopedData SMIMEKind = "enveloped-data"
)

// SMIME is an S/MIME structure found in the letter. This package checks
// nothing about it: the signature layer verifies it.
type SMIME struct {
	Kind  SMIMEKind
	Path  string // MIME path of the multipart/signed or pkcs7-mime entity ("" for the whole message)
	Depth int    // message/rfc822 nesting, as Attachment.Depth
	// SignedContent is, for SMIMEDetached, the first body part exactly as
	// received (its header and body, without the CRLF before the
	// boundary): the bytes the signature covers. RFC 8551 §3.1.1 signs the
	// canonical CRLF form; a verifier should also try converting bare LF.
	SignedContent []byte
	// Signature is the transfer-decoded CMS (DER or BER) of the signature
	// part (SMIMEDetached) or of the whole pkcs7-mime entity.
	Signature []byte
	Micalg    string // multipart/signed micalg parameter, as written
	// Whole is true when the S/MIME entity is the letter's own top-level
	// body, so the signature can cover everything a reader sees. When
	// false the signed part is only a piece of the letter (a forwarded
	// message, or a signed part wrapped in unsigned content: the
	// "Johnny, you are fired" MIME wrapping attacks).
	Whole bool
}

// Report is a multipart/report entity (RFC 6522).
type Report struct {
	Path       string
	Depth      int
	ReportType string // report-type parameter, lower case, e.g. "delivery-status" (RFC 3464)
}

// ProblemCode classifies a parse problem.
type ProblemCode string

const (
	ProblemMessageTooLarge    ProblemCode = "message-too-large"
	ProblemHeaderTooLarge     ProblemCode = "header-too-large"
	ProblemBadHeader          ProblemCode = "bad-header"
	ProblemDuplicateHeader    ProblemCode = "duplicate-header"
	ProblemBadParameter       ProblemCode = "bad-parameter"
	ProblemAmbiguousName      ProblemCode = "ambiguous-name"
	ProblemBadMultipart       ProblemCode = "bad-multipart"
	ProblemTooManyParts       ProblemCode = "too-many-parts"
	ProblemTooDeep            ProblemCode = "too-deep"
	ProblemBadEncoding        ProblemCode = "bad-transfer-encoding"
	ProblemUnknownCharset     ProblemCode = "unknown-charset"
	ProblemAttachmentTooLarge ProblemCode = "attachment-too-large"
	ProblemEncrypted          ProblemCode = "encrypted"
	ProblemInternal           ProblemCode = "internal"
)

// Problem is something Parse could not take as it stands.
type Problem struct {
	Path   string // MIME part path ("" for the message header)
	Code   ProblemCode
	Detail string
}

func (p Problem) String() string {
	if p.Path == "" {
		return string(p.Code) + ": " + p.Detail
	}
	return string(p.Code) + " at " + p.Path + ": " + p.Detail
}

// Get returns the first top-level header field named key ("" if none).
func (l *Letter) Get(key string) string {
	key = textproto.CanonicalMIMEHeaderKey(key)
	for _, f := range l.Header {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// Values returns every top-level header field named key, in order.
func (l *Letter) Values(key string) []string {
	key = textproto.CanonicalMIMEHeaderKey(key)
	var vs []string
	for _, f := range l.Header {
		if f.Key == key {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Has reports whether a problem with one of the codes was found.
func (l *Letter) Has(codes ...ProblemCode) bool {
	for _, p := range l.Problems {
		for _, c := range codes {
			if p.Code == c {
				return true
			}
		}
	}
	return false
}

// Ambiguous reports whether mail clients may show this letter's
// attachments differently (see Attachment.NameAmbiguous) or split its
// structure differently; the pipeline should not decide on a guess.
func (l *Letter) Ambiguous() bool {
	for _, a := range l.Attachments {
		if a.NameAmbiguous {
			return true
		}
	}
	return l.Has(ProblemAmbiguousName, ProblemDuplicateHeader)
}

// MessageIDs returns In-Reply-To and then References IDs, without
// duplicates, for matching a follow-up to a sent message.
func (l *Letter) MessageIDs() []string {
	seen := map[string]bool{}
	var ids []string
	for _, id := range append(append([]string(nil), l.InReplyTo...), l.References...) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
