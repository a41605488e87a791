package smime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/textproto"
	"strings"
)

// Limits on untrusted messages.
const (
	maxHeaderBytes = 256 << 10
	maxDepth       = 20
	maxParts       = 1000
)

var (
	// ErrNotSigned means the message carries no S/MIME signature.
	ErrNotSigned = errors.New("smime: the message is not S/MIME signed")
	// ErrMalformed means the MIME structure could not be read.
	ErrMalformed = errors.New("smime: malformed MIME structure")
)

// entity is a MIME entity as received: its raw bytes, header and body.
type entity struct {
	raw    []byte // header + separator + body, exactly as received
	header textproto.MIMEHeader
	body   []byte
	path   string // MIME part path, "" for the message, "1", "2.1", ...
}

// splitEntity splits raw into header and body at the first empty line.
func splitEntity(raw []byte, path string) (*entity, error) {
	end, sepLen := headerEnd(raw)
	if end < 0 {
		// A header without body.
		end, sepLen = len(raw), 0
	}
	if end > maxHeaderBytes {
		return nil, fmt.Errorf("%w: header over %d bytes", ErrMalformed, maxHeaderBytes)
	}
	h, err := parseHeader(raw[:end])
	if err != nil {
		return nil, err
	}
	return &entity{raw: raw, header: h, body: raw[end+sepLen:], path: path}, nil
}

// headerEnd finds the empty line ending the header: the index where it
// starts and the length of the separator.
func headerEnd(raw []byte) (int, int) {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return 0, 2
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return 0, 1
	}
	crlf := bytes.Index(raw, []byte("\r\n\r\n"))
	lf := bytes.Index(raw, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf+1 <= lf):
		return crlf + 2, 2
	case lf >= 0:
		return lf + 1, 1
	}
	return -1, 0
}

func parseHeader(b []byte) (textproto.MIMEHeader, error) {
	h := textproto.MIMEHeader{}
	var key string
	for _, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if key == "" {
				continue
			}
			vals := h[key]
			vals[len(vals)-1] += " " + strings.TrimSpace(string(line))
			continue
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 {
			continue // tolerate junk lines, as mail clients do
		}
		key = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(string(line[:i])))
		h[key] = append(h[key], strings.TrimSpace(string(line[i+1:])))
	}
	return h, nil
}

// mediaType returns the lower-case media type and parameters of e, with
// text/plain as the RFC 2045 default.
func (e *entity) mediaType() (string, map[string]string) {
	ct := e.header.Get("Content-Type")
	if ct == "" {
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Tolerate broken parameters: keep the type.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		if params == nil {
			params = map[string]string{}
		}
	}
	return mt, params
}

// decodedBody undoes the Content-Transfer-Encoding base64 (the only one a
// CMS body uses); other encodings are returned as they are.
func (e *entity) decodedBody() ([]byte, error) {
	if strings.EqualFold(strings.TrimSpace(e.header.Get("Content-Transfer-Encoding")), "base64") {
		clean := make([]byte, 0, len(e.body))
		for _, c := range e.body {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err == nil {
			return out[:n], nil
		}
		// Some senders omit padding.
		raw := bytes.TrimRight(clean, "=")
		out = make([]byte, base64.RawStdEncoding.DecodedLen(len(raw)))
		n, err2 := base64.RawStdEncoding.Decode(out, raw)
		if err2 != nil {
			return nil, fmt.Errorf("%w: base64 body: %v", ErrMalformed, err)
		}
		return out[:n], nil
	}
	return e.body, nil
}

// parts splits a multipart body into its parts' raw bytes, exactly as
// received (RFC 2046 §5.1.1: the CRLF before a delimiter belongs to it).
func parts(body []byte, boundary string) ([][]byte, error) {
	if boundary == "" || len(boundary) > 200 {
		return nil, fmt.Errorf("%w: missing or overlong boundary", ErrMalformed)
	}
	delim := []byte("--" + boundary)
	var out [][]byte
	// Find delimiter lines: at the start of body or after a newline.
	pos := 0
	start := -1
	for {
		i := indexDelimiter(body, delim, pos)
		if i < 0 {
			break
		}
		if start >= 0 {
			end := i
			// The line break before the delimiter is part of it.
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			out = append(out, body[start:end])
			if len(out) > maxParts {
				return nil, fmt.Errorf("%w: more than %d parts", ErrMalformed, maxParts)
			}
		}
		after := i + len(delim)
		if bytes.HasPrefix(body[after:], []byte("--")) {
			return out, nil
		}
		// Skip the rest of the delimiter line (transport padding).
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			break
		}
		start = after + nl + 1
		pos = start
	}
	if start >= 0 && start <= len(body) {
		// No closing delimiter: keep the last part, as clients do.
		out = append(out, bytes.TrimRight(body[start:], "\r\n"))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no parts found for boundary", ErrMalformed)
	}
	return out, nil
}

func indexDelimiter(body, delim []byte, from int) int {
	for from <= len(body) {
		i := bytes.Index(body[from:], delim)
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || body[i-1] == '\n' {
			return i
		}
		from = i + 1
	}
	return -1
}

// canonical converts bare LF line ends to CRLF: the canonical form over
// which S/MIME signatures are computed (RFC 8551 §3.1.1).
func canonical(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n")) {
		return b
	}
	n := bytes.Count(b, []byte("\n")) - bytes.Count(b, []byte("\r\n"))
	if n == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
