package verify

import (
	"bytes"
	"path/filepath"
	"strings"
)

// Kind is a detected file type.
type Kind string

const (
	KindCMS     Kind = "cms"
	KindMIME    Kind = "mime" // an RFC 5322 message (S/MIME)
	KindPDF     Kind = "pdf"
	KindZIP     Kind = "zip" // ASiC / eDoc containers
	KindXML     Kind = "xml"
	KindUnknown Kind = "unknown"
)

// Detect guesses the kind of a file from its first bytes, then its name.
// Content wins over the name: a .p7s that is really a PDF is a PDF.
func Detect(name string, data []byte) Kind {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	switch {
	case len(head) > 1 && head[0] == 0x30 && (head[1] == 0x80 || head[1] >= 0x81 && head[1] <= 0x84 || head[1] < 0x80):
		return KindCMS
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return KindZIP
	case bytes.HasPrefix(head, []byte("%PDF-")) || bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")):
		// Readers accept a header within the first 1024 bytes.
		return KindPDF
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		return KindCMS
	case bytes.HasPrefix(trimmed, []byte("<")):
		return KindXML
	case looksLikeMessage(head):
		return KindMIME
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".p7s", ".p7m", ".p7", ".pkcs7", ".p7c", ".cms":
		return KindCMS // bare base64
	case ".eml", ".msg":
		return KindMIME
	case ".pdf":
		return KindPDF
	case ".edoc", ".asice", ".sce", ".bdoc", ".asics", ".scs":
		return KindZIP
	case ".xml":
		return KindXML
	}
	return KindUnknown
}

// looksLikeMessage reports whether head starts with RFC 5322 header fields,
// one of which is MIME-Version or Content-Type.
func looksLikeMessage(head []byte) bool {
	lines := bytes.SplitN(head, []byte("\n"), 64)
	seen := false
	for _, l := range lines {
		l = bytes.TrimRight(l, "\r")
		if len(l) == 0 {
			return seen
		}
		if l[0] == ' ' || l[0] == '\t' {
			continue
		}
		i := bytes.IndexByte(l, ':')
		if i <= 0 || bytes.ContainsAny(l[:i], " \t") {
			return false
		}
		name := strings.ToLower(string(l[:i]))
		if name == "mime-version" || name == "content-type" {
			seen = true
		}
	}
	return seen
}
