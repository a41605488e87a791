package mailbox

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

func init() {
	// Latvian mail: ISO-8859-13 aliases that golang.org/x/text does not know.
	charset.RegisterEncoding("latin7", charmap.ISO8859_13)
	charset.RegisterEncoding("iso_8859-13", charmap.ISO8859_13)
	charset.RegisterEncoding("l7", charmap.ISO8859_13)
}

// Limits bound Parse. The zero value of each field means its default.
type Limits struct {
	MaxMessageBytes    int64 // default 64 MiB: only that much of a larger message is parsed
	MaxHeaderBytes     int   // default 256 KiB per header section
	MaxParts           int   // default 10,000 MIME entities
	MaxDepth           int   // default 32 levels of multipart and message/rfc822 nesting
	MaxAttachmentBytes int64 // default 50 MiB decoded per part

	// KnownSHA256, when not empty, is the lowercase hex SHA-256 of the raw
	// message as the caller already knows it (e.g. a store that computed it
	// on saving these very bytes, or checked them against it on reading
	// them back). Parse then takes it as Letter.SHA256 instead of hashing
	// the whole message again. It is not checked: a caller that is not
	// certain of it leaves it empty. Not a limit; it is here so that Parse
	// keeps one signature.
	KnownSHA256 string
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = 64 << 20
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 256 << 10
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 10000
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 32
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = 50 << 20
	}
	return l
}

type parser struct {
	lim          Limits
	l            *Letter
	stopped      bool
	wordDecoder  *mime.WordDecoder
	addrParser   *mail.AddressParser
	problemLimit int
}

// Parse reads a raw RFC 5322 message (RFC 2045-2049 MIME) into a Letter.
// It never fails and never panics: problems are listed in Letter.Problems
// and the walk carries on past bad parts. Work is linear in the message
// size times the nesting depth, which Limits bound.
func Parse(raw []byte, lim Limits) (l *Letter) {
	lim = lim.withDefaults()
	l = &Letter{Raw: raw, SHA256: lim.KnownSHA256}
	if l.SHA256 == "" {
		sum := sha256.Sum256(raw)
		l.SHA256 = hex.EncodeToString(sum[:])
	}
	dec := &mime.WordDecoder{CharsetReader: charset.Reader}
	p := &parser{lim: lim, l: l, wordDecoder: dec, addrParser: &mail.AddressParser{WordDecoder: dec}, problemLimit: 1000}
	defer func() {
		if r := recover(); r != nil {
			// A bug here must not take the daemon down; the letter goes
			// to a human with this problem.
			p.problem("", ProblemInternal, fmt.Sprintf("parser panic: %v\n%s", r, debug.Stack()))
		}
	}()
	body := raw
	if int64(len(body)) > lim.MaxMessageBytes {
		l.Truncated = true
		p.problem("", ProblemMessageTooLarge, fmt.Sprintf("%d bytes, over the limit of %d; only the start is parsed", len(raw), lim.MaxMessageBytes))
		body = body[:lim.MaxMessageBytes]
	}
	p.entity(body, "", 0, 0, true, "text/plain", true)
	return l
}

func (p *parser) problem(path string, code ProblemCode, detail string) {
	if len(p.l.Problems) >= p.problemLimit {
		return
	}
	if len(p.l.Problems) == p.problemLimit-1 {
		code, detail = ProblemTooManyParts, "too many problems; further ones are not listed"
	}
	p.l.Problems = append(p.l.Problems, Problem{Path: path, Code: code, Detail: detail})
}

// cleanHeader drops lines that cannot start a header field (no colon, a
// bad field name, or a continuation with nothing to continue), with their
// continuation lines, so that one bad line does not hide the fields after
// it. It returns the lines dropped.
func cleanHeader(b []byte) ([]byte, []string) {
	var out []byte
	var dropped []string
	keep := false
	clean := true
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var line []byte
		if i < 0 {
			line, b = b, nil
		} else {
			line, b = b[:i+1], b[i+1:]
		}
		if line[0] == ' ' || line[0] == '\t' {
			if keep {
				out = append(out, line...)
			} else {
				clean = false
				dropped = append(dropped, strings.TrimRight(string(line), "\r\n"))
			}
			continue
		}
		keep = validFieldStart(line)
		if keep {
			out = append(out, line...)
		} else {
			clean = false
			dropped = append(dropped, strings.TrimRight(string(line), "\r\n"))
		}
	}
	if clean {
		return out, nil
	}
	return out, dropped
}

func validFieldStart(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	name := bytes.TrimRight(line[:i], " \t") // "Subject :" occurs in the wild
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// splitHeader finds the blank line ending the header section.
func splitHeader(b []byte) (hdr, body []byte, found bool) {
	if len(b) > 0 && b[0] == '\n' {
		return nil, b[1:], true
	}
	if len(b) > 1 && b[0] == '\r' && b[1] == '\n' {
		return nil, b[2:], true
	}
	i := bytes.Index(b, []byte("\n\n"))
	j := bytes.Index(b, []byte("\n\r\n"))
	switch {
	case i >= 0 && (j < 0 || i < j):
		return b[:i+1], b[i+2:], true
	case j >= 0:
		return b[:j+1], b[j+3:], true
	}
	return b, nil, false
}

func childPath(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

// entity walks one MIME entity. path is its IMAP part number ("" for the
// top-level message when multipart); msgBody says the entity is the body
// of a message (top level or message/rfc822), whose single-part body is
// numbered path+".1" (RFC 3501 §6.4.5).
func (p *parser) entity(b []byte, path string, depth, msgDepth int, msgBody bool, defaultType string, top bool) {
	if p.stopped {
		return
	}
	p.l.Parts++
	if p.l.Parts > p.lim.MaxParts {
		p.stopped = true
		p.problem(path, ProblemTooManyParts, fmt.Sprintf("more than %d MIME parts; the rest is not read", p.lim.MaxParts))
		return
	}
	hdrBytes, body, found := splitHeader(b)
	if !found && len(b) > 0 {
		p.problem(path, ProblemBadHeader, "no blank line after the header")
	}
	if len(hdrBytes) > p.lim.MaxHeaderBytes {
		p.problem(path, ProblemHeaderTooLarge, fmt.Sprintf("header of %d bytes, over %d; the rest of it is ignored", len(hdrBytes), p.lim.MaxHeaderBytes))
		cut := bytes.LastIndexByte(hdrBytes[:p.lim.MaxHeaderBytes], '\n')
		hdrBytes = hdrBytes[:cut+1]
	}
	hdrBytes, dropped := cleanHeader(hdrBytes)
	for _, d := range dropped {
		p.problem(path, ProblemBadHeader, fmt.Sprintf("line %q is not a header field; skipped", cut(d)))
	}
	h, err := textproto.ReadHeader(bufio.NewReader(io.MultiReader(bytes.NewReader(hdrBytes), strings.NewReader("\r\n"))))
	if err != nil {
		p.problem(path, ProblemBadHeader, err.Error())
	}
	if top {
		p.topHeader(h)
	}

	for _, k := range []string{"Content-Type", "Content-Disposition", "Content-Transfer-Encoding"} {
		if vs := h.Values(k); len(vs) > 1 {
			p.problem(path, ProblemDuplicateHeader, fmt.Sprintf("%d %s fields; the first is used", len(vs), k))
		}
	}
	ctRaw := h.Get("Content-Type")
	mediaType, ctParams, ctProblems := parseParams(ctRaw)
	for _, pr := range ctProblems {
		p.problem(path, ProblemBadParameter, "Content-Type: "+pr)
	}
	if ctRaw == "" || !strings.Contains(mediaType, "/") {
		if ctRaw != "" {
			p.problem(path, ProblemBadHeader, fmt.Sprintf("Content-Type %q is not type/subtype; %s assumed", cut(ctRaw), defaultType))
		}
		mediaType, ctParams = defaultType, nil
	}
	if top {
		p.l.ContentType = mediaType
	}
	cte := lower(h.Get("Content-Transfer-Encoding"))
	leafPath := path
	if msgBody && !strings.HasPrefix(mediaType, "multipart/") {
		leafPath = childPath(path, 1)
	}

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if cte != "" && cte != "7bit" && cte != "8bit" && cte != "binary" {
			p.problem(path, ProblemBadEncoding, fmt.Sprintf("multipart with Content-Transfer-Encoding %q (RFC 2045 §6.4); ignored", cte))
		}
		boundary, _ := getParam(ctParams, "boundary")
		if boundary == "" {
			p.problem(path, ProblemBadMultipart, "multipart without boundary; read as text")
			p.leaf(h, body, leafPath, msgDepth, "text/plain", nil, cte, ctProblems)
			return
		}
		if depth+1 > p.lim.MaxDepth {
			p.tooDeep(path)
			return
		}
		parts, perr := splitMultipart(body, boundary)
		for _, e := range perr {
			p.problem(path, ProblemBadMultipart, e)
		}
		childDefault := "text/plain"
		if mediaType == "multipart/digest" {
			childDefault = "message/rfc822"
		}
		switch mediaType {
		case "multipart/signed":
			proto, _ := getParam(ctParams, "protocol")
			proto = lower(proto)
			if proto == "application/pkcs7-signature" || proto == "application/x-pkcs7-signature" {
				s := SMIME{Kind: SMIMEDetached, Path: path, Depth: msgDepth, Whole: top}
				s.Micalg, _ = getParam(ctParams, "micalg")
				if len(parts) != 2 {
					p.problem(path, ProblemBadMultipart, fmt.Sprintf("multipart/signed with %d parts, not 2", len(parts)))
				}
				if len(parts) > 0 {
					s.SignedContent = parts[0]
					p.entity(parts[0], childPath(path, 1), depth+1, msgDepth, false, childDefault, false)
				}
				if len(parts) > 1 {
					s.Signature = p.decodedBody(parts[1], childPath(path, 2))
				}
				p.l.SMIME = append(p.l.SMIME, s)
				for i := 2; i < len(parts); i++ {
					p.entity(parts[i], childPath(path, i+1), depth+1, msgDepth, false, childDefault, false)
				}
				return
			}
		case "multipart/report":
			rt, _ := getParam(ctParams, "report-type")
			p.l.Reports = append(p.l.Reports, Report{Path: path, Depth: msgDepth, ReportType: lower(rt)})
		}
		for i, part := range parts {
			p.entity(part, childPath(path, i+1), depth+1, msgDepth, false, childDefault, false)
		}
	case mediaType == "message/rfc822" || mediaType == "message/global":
		if depth+1 > p.lim.MaxDepth {
			p.tooDeep(path)
			return
		}
		inner := body
		if cte != "" && cte != "7bit" && cte != "8bit" && cte != "binary" {
			p.problem(leafPath, ProblemBadEncoding, fmt.Sprintf("message/rfc822 with Content-Transfer-Encoding %q (RFC 2046 §5.2.1); decoded", cte))
			inner, _ = p.transferDecode(body, cte, leafPath, p.lim.MaxMessageBytes)
		}
		// The attached message is numbered like its part (RFC 3501 §6.4.5).
		p.entity(inner, leafPath, depth+1, msgDepth+1, true, "text/plain", false)
	case msgBody && (mediaType == "application/pkcs7-mime" || mediaType == "application/x-pkcs7-mime"):
		st, _ := getParam(ctParams, "smime-type")
		st = lower(st)
		switch st {
		case "enveloped-data", "authenveloped-data":
			p.l.SMIME = append(p.l.SMIME, SMIME{Kind: SMIMEEnvelopedData, Path: leafPath, Depth: msgDepth, Whole: top, Signature: p.decodedBody(b, leafPath)})
			p.problem(leafPath, ProblemEncrypted, "S/MIME encrypted message: its content cannot be read")
		default:
			// signed-data, or no smime-type at all (older agents): the
			// signature layer tells by the CMS content type.
			p.l.SMIME = append(p.l.SMIME, SMIME{Kind: SMIMESignedData, Path: leafPath, Depth: msgDepth, Whole: top, Signature: p.decodedBody(b, leafPath)})
		}
	default:
		p.leaf(h, body, leafPath, msgDepth, mediaType, ctParams, cte, ctProblems)
	}
}

func (p *parser) tooDeep(path string) {
	p.problem(path, ProblemTooDeep, fmt.Sprintf("nesting deeper than %d levels; the inner parts are not read", p.lim.MaxDepth))
}

// decodedBody transfer-decodes the body of the entity b (header included).
func (p *parser) decodedBody(b []byte, path string) []byte {
	hdr, body, _ := splitHeader(b)
	h, _ := textproto.ReadHeader(bufio.NewReader(io.MultiReader(bytes.NewReader(hdr), strings.NewReader("\r\n"))))
	d, _ := p.transferDecode(body, lower(h.Get("Content-Transfer-Encoding")), path, p.lim.MaxAttachmentBytes)
	return d
}

// leaf handles a single-part entity: body text or an attachment.
func (p *parser) leaf(h textproto.Header, body []byte, path string, msgDepth int, mediaType string, ctParams []param, cte string, ctProblems []string) {
	dispRaw := h.Get("Content-Disposition")
	disp, dParams, dProblems := parseParams(dispRaw)
	for _, pr := range dProblems {
		p.problem(path, ProblemBadParameter, "Content-Disposition: "+pr)
	}
	fn := resolveName(dParams, "filename")
	nm := resolveName(ctParams, "name")
	var reasons []string
	name, alt := "", []string(nil)
	switch {
	case fn.present:
		name = fn.value
		reasons = append(reasons, fn.reasons...)
		alt = append(alt, fn.variants...)
		if nm.present && nm.value != fn.value {
			reasons = append(reasons, fmt.Sprintf("Content-Disposition filename %q differs from Content-Type name %q", fn.value, nm.value))
			alt = appendUnique(alt, nm.value)
		}
		for _, v := range nm.variants {
			alt = appendUnique(alt, v)
		}
	case nm.present:
		name = nm.value
		reasons = append(reasons, nm.reasons...)
		alt = append(alt, nm.variants...)
	}
	// Names where they do not belong, which some clients still read.
	for _, o := range []nameValue{resolveName(ctParams, "filename"), resolveName(dParams, "name")} {
		if o.present && o.value != name {
			reasons = append(reasons, fmt.Sprintf("stray name parameter %q", o.value))
			alt = appendUnique(alt, o.value)
		}
	}
	isText := mediaType == "text/plain" || mediaType == "text/html"
	if isText && disp != "attachment" && name == "" && len(reasons) == 0 {
		p.text(body, path, mediaType, ctParams, cte)
		return
	}
	{
		// How the header was written decides the name: syntax errors or
		// duplicate fields make it ambiguous, even when no name came out
		// (a client may still find one, as in "filename()=x.zip").
		if len(h.Values("Content-Type")) > 1 || len(h.Values("Content-Disposition")) > 1 {
			reasons = append(reasons, "duplicate Content-Type or Content-Disposition field")
		}
		if len(ctProblems) > 0 || len(dProblems) > 0 {
			reasons = append(reasons, "syntax errors in Content-Type or Content-Disposition")
		}
	}
	if len(h.Values("Content-Transfer-Encoding")) > 1 {
		reasons = append(reasons, "duplicate Content-Transfer-Encoding field")
	}
	data, truncated := p.transferDecode(body, cte, path, p.lim.MaxAttachmentBytes)
	sum := sha256.Sum256(data)
	a := Attachment{
		Name:        name,
		AltNames:    alt,
		ContentType: mediaType,
		Disposition: disp,
		Inline:      disp == "inline",
		Data:        data,
		Size:        int64(len(data)),
		SHA256:      hex.EncodeToString(sum[:]),
		Truncated:   truncated,
		Path:        path,
		Depth:       msgDepth,
	}
	if len(reasons) > 0 {
		a.NameAmbiguous = true
		for _, r := range reasons {
			p.problem(path, ProblemAmbiguousName, r)
		}
	}
	p.l.Attachments = append(p.l.Attachments, a)
}

func (p *parser) text(body []byte, path, mediaType string, ctParams []param, cte string) {
	data, _ := p.transferDecode(body, cte, path, p.lim.MaxAttachmentBytes)
	cs, _ := getParam(ctParams, "charset")
	s := decodeCharset(data, cs, func(msg string) { p.problem(path, ProblemUnknownCharset, msg) })
	if mediaType == "text/html" {
		if p.l.HTML != "" {
			p.l.HTML += "\n"
		}
		p.l.HTML += s
		return
	}
	if p.l.Text != "" {
		p.l.Text += "\n\n"
	}
	p.l.Text += s
}

// decodeCharset converts data in charset cs to UTF-8. Unknown charsets
// and invalid bytes are reported and replaced by U+FFFD.
func decodeCharset(data []byte, cs string, report func(string)) string {
	c := lower(cs)
	if c == "" || c == "us-ascii" || c == "utf-8" || c == "utf8" {
		if !utf8Valid(data) {
			report(fmt.Sprintf("text is not valid %s; invalid bytes replaced", orDefault(c, "us-ascii")))
		}
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	r, err := charset.Reader(cs, bytes.NewReader(data))
	if err != nil {
		report(fmt.Sprintf("unknown charset %q; invalid bytes replaced", cs))
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	out, err := io.ReadAll(r)
	if err != nil {
		report(fmt.Sprintf("charset %q: %v", cs, err))
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// transferDecode undoes Content-Transfer-Encoding (RFC 2045 §6), leniently,
// keeping at most limit decoded bytes.
func (p *parser) transferDecode(body []byte, cte, path string, limit int64) ([]byte, bool) {
	switch cte {
	case "", "7bit", "8bit", "binary":
		if int64(len(body)) > limit {
			p.tooLarge(path, limit)
			return body[:limit], true
		}
		return body, false
	case "base64":
		return p.base64(body, path, limit)
	case "quoted-printable":
		r := quotedprintable.NewReader(bytes.NewReader(body))
		out, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err != nil {
			p.problem(path, ProblemBadEncoding, "quoted-printable: "+err.Error()+"; decoded up to there")
		}
		if int64(len(out)) > limit {
			p.tooLarge(path, limit)
			return out[:limit], true
		}
		return out, false
	default:
		p.problem(path, ProblemBadEncoding, fmt.Sprintf("unknown Content-Transfer-Encoding %q; content kept as is", cte))
		if int64(len(body)) > limit {
			p.tooLarge(path, limit)
			return body[:limit], true
		}
		return body, false
	}
}

func (p *parser) tooLarge(path string, limit int64) {
	p.problem(path, ProblemAttachmentTooLarge, fmt.Sprintf("decoded content over %d bytes; only the start is kept", limit))
}

func (p *parser) base64(body []byte, path string, limit int64) ([]byte, bool) {
	// Fast path for the usual, well-formed body: the standard decoder skips
	// CR and LF itself. Anything it refuses is cleaned and reported below.
	if int64(len(body)) <= (limit+2)/3*4+int64(len(body))/38 {
		out := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
		if n, err := base64.StdEncoding.Decode(out, body); err == nil && int64(n) <= limit {
			return out[:n], false
		}
	}
	clean := make([]byte, 0, len(body))
	bad, padMid := 0, false
	pad := 0
	for _, c := range body {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			if pad > 0 {
				padMid = true
				pad = 0
			}
			clean = append(clean, c)
		case c == '=':
			pad++
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			bad++
		}
	}
	if bad > 0 {
		p.problem(path, ProblemBadEncoding, fmt.Sprintf("base64: %d characters outside the alphabet ignored", bad))
	}
	if padMid {
		p.problem(path, ProblemBadEncoding, "base64: '=' padding before the end; decoded as one stream")
	}
	truncated := false
	if max := (limit + 2) / 3 * 4; int64(len(clean)) > max {
		clean = clean[:max]
		truncated = true
	}
	if len(clean)%4 == 1 {
		p.problem(path, ProblemBadEncoding, "base64: stray final character ignored")
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		p.problem(path, ProblemBadEncoding, "base64: "+err.Error())
	}
	out = out[:n]
	if int64(len(out)) > limit {
		out = out[:limit]
		truncated = true
	}
	if truncated {
		p.tooLarge(path, limit)
	}
	return out, truncated
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "") == string(b) }

// splitMultipart splits a multipart body at its boundary (RFC 2046
// §5.1.1) and returns each body part exactly as written (header and body,
// without the line break before the next delimiter).
func splitMultipart(body []byte, boundary string) (parts [][]byte, problems []string) {
	dash := []byte("--" + boundary)
	pos := 0
	start := -1 // start of the current part
	closed := false
	for pos <= len(body) {
		i := bytes.Index(body[pos:], dash)
		if i < 0 {
			break
		}
		i += pos
		if i > 0 && body[i-1] != '\n' {
			pos = i + 1
			continue
		}
		rest := body[i+len(dash):]
		eol := bytes.IndexByte(rest, '\n')
		var line []byte
		next := len(body)
		if eol >= 0 {
			line = rest[:eol]
			next = i + len(dash) + eol + 1
		} else {
			line = rest
		}
		isClose := bytes.HasPrefix(line, []byte("--"))
		tail := line
		if isClose {
			tail = line[2:]
		}
		if len(bytes.Trim(tail, " \t\r")) != 0 {
			pos = i + 1 // not a delimiter: the boundary is a prefix of this line
			continue
		}
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
				if end > start && body[end-1] == '\r' {
					end--
				}
			}
			parts = append(parts, body[start:end])
		}
		if isClose {
			closed = true
			if epi := bytes.TrimSpace(body[next:]); len(epi) > 0 {
				problems = append(problems, fmt.Sprintf("%d bytes after the closing boundary ignored", len(epi)))
			}
			break
		}
		start = next
		pos = next
	}
	if !closed {
		if start >= 0 {
			parts = append(parts, body[start:])
			problems = append(problems, "closing boundary missing")
		} else {
			problems = append(problems, "no boundary line found")
		}
	}
	return parts, problems
}

// topHeader decodes the letter's own header fields.
func (p *parser) topHeader(h textproto.Header) {
	l := p.l
	fs := h.Fields()
	for fs.Next() {
		l.Header = append(l.Header, Field{Key: fs.Key(), Value: fs.Value()})
	}
	l.From = p.addresses(h, "From")
	l.To = p.addresses(h, "To")
	l.Cc = p.addresses(h, "Cc")
	l.ReplyTo = p.addresses(h, "Reply-To")
	l.Sender = p.addresses(h, "Sender")
	if v := h.Get("Subject"); v != "" {
		s, err := p.wordDecoder.DecodeHeader(v)
		if err != nil {
			p.problem("", ProblemUnknownCharset, "Subject: "+err.Error())
			s = v
		}
		l.Subject = strings.ToValidUTF8(s, "\uFFFD")
	}
	if v := h.Get("Date"); v != "" {
		t, err := mail.ParseDate(v)
		if err != nil {
			p.problem("", ProblemBadHeader, "Date: "+err.Error())
		} else {
			l.Date = t
		}
	}
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		l.MessageID = ids[0]
	}
	l.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	l.References = msgIDs(strings.Join(h.Values("References"), " "))
	l.AutoSubmitted = strings.TrimSpace(h.Get("Auto-Submitted"))
	l.Precedence = strings.TrimSpace(h.Get("Precedence"))
	l.ListID = strings.TrimSpace(h.Get("List-Id"))
	l.ReturnPath = strings.TrimSpace(h.Get("Return-Path"))
	l.AuthenticationResults = h.Values("Authentication-Results")
}

func (p *parser) addresses(h textproto.Header, key string) []Address {
	var out []Address
	for _, v := range h.Values(key) {
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := p.addrParser.ParseList(v)
		if err != nil {
			p.problem("", ProblemBadHeader, fmt.Sprintf("%s: %v", key, err))
			// Keep what a person would read: the decoded text, and an
			// address only if one is plainly there.
			dec, derr := p.wordDecoder.DecodeHeader(v)
			if derr != nil {
				dec = v
			}
			a := Address{Name: strings.ToValidUTF8(dec, "\uFFFD")}
			if i, j := strings.LastIndexByte(v, '<'), strings.LastIndexByte(v, '>'); i >= 0 && j > i && strings.Contains(v[i:j], "@") {
				a.Address = strings.TrimSpace(v[i+1 : j])
			}
			out = append(out, a)
			continue
		}
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Address: a.Address})
		}
	}
	return out
}

// msgIDs extracts <id> tokens (RFC 5322 §3.6.4); a bare value without
// brackets is taken whole.
func msgIDs(v string) []string {
	var ids []string
	s := v
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(s[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		s = s[i+j+1:]
	}
	if len(ids) == 0 {
		if t := strings.TrimSpace(v); t != "" && !strings.ContainsAny(t, " \t") {
			ids = append(ids, t)
		}
	}
	return ids
}
