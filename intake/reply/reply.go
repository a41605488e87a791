// Package reply composes the letters sigintake sends back: the
// acknowledgement of a filed case, the note that a letter was added to a
// case, and the rejection with its reasons. Texts come from text/template
// files, Latvian first and English second; the defaults are embedded
// (templates/*.tmpl) and a directory can override any of them file by file.
//
// Every message is text/plain UTF-8 (quoted-printable), carries
// Auto-Submitted: auto-replied (RFC 3834 §5), In-Reply-To and References
// of the letter it answers, and the Message-ID given by the caller, which is
// generated once and reused by every send attempt.
//
// What it does not do: it sends nothing (see intake's outbox worker) and
// decides nothing about whether to answer.
package reply

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

//go:embed templates/*.tmpl
var defaults embed.FS

// ErrTemplate wraps template errors.
var ErrTemplate = errors.New("reply: template error")

// Kind names a reply template.
type Kind string

const (
	KindAck      Kind = "ack"
	KindFollowUp Kind = "followup"
	KindReject   Kind = "reject"
)

// Service are the service centre's contacts printed in every reply.
type Service struct {
	Name, Phone, Email, Web string
}

// SignedFile is a signed file listed in an acknowledgement.
type SignedFile struct {
	Name    string
	Message bool // the e-mail message itself (S/MIME); Name is empty
	Signers string
}

// Reason is one rejection reason: Code picks the text ("no-signature",
// "signature-invalid", "not-qualified", "unsupported-format", "too-large";
// other codes print Detail). Why is the ETSI sub-indication of an invalid
// signature (e.g. HASH_FAILURE, REVOKED), shown to the client in plain words;
// Detail is for codes without a text of their own and must be fit for a
// client to read (never an internal error chain).
type Reason struct {
	Code, File, Why, Detail string
}

// Data is what the templates see.
type Data struct {
	CaseNumber string
	Subject    string
	ReceivedAt time.Time
	Mailbox    string // the address the letter was sent to
	Signed     []SignedFile
	Unsigned   []string
	Reasons    []Reason
	Service    Service
	MaxSize    int64 // for too-large
}

// Catalogue is a parsed set of templates.
type Catalogue struct {
	t *template.Template
}

// Load parses the embedded templates and then, when dir is not "", every
// *.tmpl file in dir, whose definitions replace the embedded ones.
func Load(dir string) (*Catalogue, error) {
	c := &Catalogue{}
	root := template.New("reply").Option("missingkey=error")
	// Placeholders for parsing; Render binds them per call.
	root.Funcs(template.FuncMap{
		"reason": func(lang string, r Reason) (string, error) { return "", nil },
		"limit":  func() string { return "" },
	})
	c.t = root
	names, _ := fs.Glob(defaults, "templates/*.tmpl")
	for _, n := range names {
		b, _ := defaults.ReadFile(n)
		if _, err := root.New(n).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, n, err)
		}
	}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.tmpl"))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
			}
			if _, err := root.New(filepath.Base(f)).Parse(string(b)); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrTemplate, f, err)
			}
		}
	}
	for _, k := range []Kind{KindAck, KindFollowUp, KindReject} {
		for _, part := range []string{"subject", "body"} {
			if root.Lookup(string(k)+"."+part) == nil {
				return nil, fmt.Errorf("%w: template %q is not defined", ErrTemplate, string(k)+"."+part)
			}
		}
	}
	return c, nil
}

// Render returns the subject and body of a reply of kind k.
func (c *Catalogue) Render(k Kind, d Data) (subject, body string, err error) {
	t, err := c.t.Clone()
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	t.Funcs(template.FuncMap{
		"reason": func(lang string, r Reason) (string, error) {
			name := "reason." + r.Code + "." + lang
			if t.Lookup(name) == nil {
				name = "reason.other." + lang
			}
			var b bytes.Buffer
			err := t.ExecuteTemplate(&b, name, r)
			return b.String(), err
		},
		"limit": func() string { return size(d.MaxSize) },
	})
	var sb, bb bytes.Buffer
	if err := t.ExecuteTemplate(&sb, string(k)+".subject", d); err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	if err := t.ExecuteTemplate(&bb, string(k)+".body", d); err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	return strings.Join(strings.Fields(sb.String()), " "), bb.String(), nil
}

func size(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	default:
		return fmt.Sprintf("%d KB", n>>10)
	}
}

// Header is the envelope of a reply message.
type Header struct {
	From       string // "Valsts kase <ekase@kase.gov.lv>"
	To         string
	MessageID  string // without angle brackets
	InReplyTo  string // the answered letter's Message-ID, without brackets ("" if it had none)
	References []string
	Date       time.Time
}

// Compose renders kind k and builds the whole RFC 5322 message.
func (c *Catalogue) Compose(k Kind, h Header, d Data) ([]byte, error) {
	subj, body, err := c.Render(k, d)
	if err != nil {
		return nil, err
	}
	return Build(h, subj, body), nil
}

// Build writes a text/plain UTF-8 message with our headers.
func Build(h Header, subject, body string) []byte {
	var b bytes.Buffer
	hdr := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteString("\r\n")
	}
	hdr("From", encodeAddr(h.From))
	hdr("To", encodeAddr(h.To))
	hdr("Subject", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", subject), "?= =?", "?=\r\n =?"))
	hdr("Date", h.Date.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+h.MessageID+">")
	if h.InReplyTo != "" {
		hdr("In-Reply-To", "<"+h.InReplyTo+">")
	}
	var refs []string
	for _, r := range h.References {
		refs = append(refs, "<"+r+">")
	}
	if h.InReplyTo != "" && !contains(h.References, h.InReplyTo) {
		refs = append(refs, "<"+h.InReplyTo+">")
	}
	if len(refs) > 0 {
		hdr("References", foldIDs(refs))
	}
	hdr("Auto-Submitted", "auto-replied")
	hdr("X-Auto-Response-Suppress", "All")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")))
	w.Close()
	return b.Bytes()
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func foldIDs(ids []string) string {
	if len(ids) > 10 { // keep the first and the last nine (RFC 5322 §3.6.4)
		ids = append(ids[:1], ids[len(ids)-9:]...)
	}
	return strings.Join(ids, "\r\n ")
}

// encodeAddr encodes the display name of "Name <addr>" per RFC 2047.
func encodeAddr(s string) string {
	i := strings.LastIndexByte(s, '<')
	if i <= 0 {
		return s
	}
	name := strings.TrimSpace(s[:i])
	name = strings.Trim(name, `"`)
	return mime.QEncoding.Encode("utf-8", name) + " " + s[i:]
}
