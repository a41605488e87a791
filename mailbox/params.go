package mailbox

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// param is one parameter of a structured header (RFC 2045 §5.1) as
// written, before RFC 2231 reassembly.
type param struct {
	attr  string // lower case, as written: "filename", "filename*", "filename*0*"
	value string // unquoted
}

const tspecials = `()<>@,;:\"/[]?=`

func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(tspecials, rune(c))
}

// parseParams splits a Content-Type or Content-Disposition value into its
// lower-cased first word and its parameters, strictly by RFC 2045 §5.1 /
// RFC 2183, tolerating errors: every deviation is reported in problems,
// and parsing goes on at the next ';'.
func parseParams(v string) (value string, params []param, problems []string) {
	i := strings.IndexByte(v, ';')
	if i < 0 {
		i = len(v)
	}
	value = lower(v[:i])
	s := v[i:]
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		if s[0] != ';' {
			problems = append(problems, fmt.Sprintf("unexpected %q", cut(s)))
			j := strings.IndexByte(s, ';')
			if j < 0 {
				break
			}
			s = s[j:]
			continue
		}
		s = strings.TrimLeft(s[1:], " \t")
		if s == "" {
			break
		}
		// attribute
		j := 0
		for j < len(s) && s[j] != '=' && s[j] != ';' && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		attr := lower(s[:j])
		for k := 0; k < len(attr); k++ {
			if !isTokenChar(attr[k]) && attr[k] != '*' {
				problems = append(problems, fmt.Sprintf("invalid character in parameter name %q", attr))
				break
			}
		}
		s = s[j:]
		if t := strings.TrimLeft(s, " \t"); len(t) != len(s) {
			problems = append(problems, fmt.Sprintf("space after parameter name %q", attr))
			s = t
		}
		if s == "" || s[0] != '=' {
			problems = append(problems, fmt.Sprintf("parameter %q without value", attr))
			continue
		}
		s = s[1:]
		if t := strings.TrimLeft(s, " \t"); len(t) != len(s) {
			problems = append(problems, fmt.Sprintf("space before value of %q", attr))
			s = t
		}
		var val string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			k := 1
			closed := false
			for k < len(s) {
				c := s[k]
				if c == '\\' && k+1 < len(s) {
					b.WriteByte(s[k+1])
					k += 2
					continue
				}
				if c == '"' {
					closed = true
					k++
					break
				}
				b.WriteByte(c)
				k++
			}
			if !closed {
				problems = append(problems, fmt.Sprintf("unterminated quoted value of %q", attr))
			}
			val = b.String()
			s = s[k:]
			t := strings.TrimLeft(s, " \t")
			if t != "" && t[0] != ';' {
				problems = append(problems, fmt.Sprintf("text after quoted value of %q: %q", attr, cut(t)))
				j := strings.IndexByte(t, ';')
				if j < 0 {
					t = ""
				} else {
					t = t[j:]
				}
			}
			s = t
		} else {
			k := 0
			for k < len(s) && s[k] != ';' && s[k] != ' ' && s[k] != '\t' {
				k++
			}
			val = s[:k]
			s = s[k:]
			for q := 0; q < len(val); q++ {
				if !isTokenChar(val[q]) {
					problems = append(problems, fmt.Sprintf("invalid character %q in unquoted value of %q", val[q], attr))
					break
				}
			}
			if len(val) >= 2 && val[0] == '\'' && val[len(val)-1] == '\'' {
				problems = append(problems, fmt.Sprintf("single-quoted value of %q", attr))
			}
			t := strings.TrimLeft(s, " \t")
			if t != "" && t[0] != ';' {
				problems = append(problems, fmt.Sprintf("text after value of %q: %q", attr, cut(t)))
				j := strings.IndexByte(t, ';')
				if j < 0 {
					t = ""
				} else {
					t = t[j:]
				}
			}
			s = t
		}
		params = append(params, param{attr: attr, value: val})
	}
	return value, params, problems
}

func cut(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// getParam returns a simple parameter's value (the first; for boundary,
// charset, protocol, smime-type, report-type).
func getParam(ps []param, attr string) (string, bool) {
	for _, p := range ps {
		if p.attr == attr {
			return p.value, true
		}
	}
	return "", false
}

// nameValue is a parameter value reassembled and decoded by RFC 2231 and
// RFC 2047, with everything that makes it ambiguous.
type nameValue struct {
	value    string
	present  bool
	variants []string // other values seen for the same parameter
	reasons  []string // why clients may disagree
}

// resolveName reassembles parameter base ("filename" or "name") from its
// plain form, its RFC 2231 extended form (base*) and its continuations
// (base*0, base*1*, ...). The RFC 2231 form wins, as in RFC 2231-aware
// clients; any disagreement between forms, duplicate, gap or reordering is
// a reason for ambiguity.
func resolveName(ps []param, base string) nameValue {
	var nv nameValue
	var plain, ext []string
	type section struct {
		n     int
		ext   bool
		value string
		order int
	}
	var secs []section
	for i, p := range ps {
		switch {
		case p.attr == base:
			plain = append(plain, p.value)
		case p.attr == base+"*":
			ext = append(ext, p.value)
		case strings.HasPrefix(p.attr, base+"*"):
			rest := p.attr[len(base)+1:]
			isExt := strings.HasSuffix(rest, "*")
			rest = strings.TrimSuffix(rest, "*")
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n > 999 || (len(rest) > 1 && rest[0] == '0') {
				nv.reasons = append(nv.reasons, fmt.Sprintf("bad continuation parameter %q", p.attr))
				continue
			}
			secs = append(secs, section{n, isExt, p.value, i})
		}
	}
	var cands []string
	if len(plain) > 0 {
		if len(plain) > 1 {
			nv.reasons = append(nv.reasons, fmt.Sprintf("parameter %q given %d times", base, len(plain)))
		}
		for _, v := range plain {
			d, why := decode2047Name(v)
			if why != "" {
				nv.reasons = append(nv.reasons, why)
			}
			cands = append(cands, d)
		}
	}
	var primary string
	havePrimary := false
	if len(ext) > 0 {
		if len(ext) > 1 {
			nv.reasons = append(nv.reasons, fmt.Sprintf("parameter %q given %d times", base+"*", len(ext)))
		}
		for i, v := range ext {
			d, why := decode2231([]string{v}, []bool{true})
			if why != "" {
				nv.reasons = append(nv.reasons, why)
			}
			if i == 0 {
				primary, havePrimary = d, true
			} else {
				cands = append(cands, d)
			}
		}
	}
	if len(secs) > 0 {
		sorted := append([]section(nil), secs...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].n < sorted[j].n })
		ok := true
		for i, s := range sorted {
			if s.n != i {
				ok = false
				nv.reasons = append(nv.reasons, fmt.Sprintf("continuations of %q not numbered 0..%d (missing or repeated %d)", base, len(sorted)-1, i))
				break
			}
			if s.order != secs[i].order {
				ok = false
				nv.reasons = append(nv.reasons, fmt.Sprintf("continuations of %q out of order", base))
				break
			}
		}
		vals := make([]string, len(sorted))
		exts := make([]bool, len(sorted))
		for i, s := range sorted {
			vals[i], exts[i] = s.value, s.ext
		}
		d, why := decode2231(vals, exts)
		if why != "" {
			nv.reasons = append(nv.reasons, why)
		}
		_ = ok
		if havePrimary {
			nv.reasons = append(nv.reasons, fmt.Sprintf("both %q and continuations of it", base+"*"))
			cands = append(cands, d)
		} else {
			primary, havePrimary = d, true
		}
	}
	if !havePrimary && len(cands) > 0 {
		primary, havePrimary, cands = cands[0], true, cands[1:]
	}
	if !havePrimary {
		return nv
	}
	nv.value, nv.present = primary, true
	for _, c := range cands {
		if c != primary {
			nv.variants = appendUnique(nv.variants, c)
		}
	}
	if len(nv.variants) > 0 {
		nv.reasons = append(nv.reasons, fmt.Sprintf("%q has different values: %q and %q", base, primary, strings.Join(nv.variants, `", "`)))
	}
	if why := oddName(primary); why != "" {
		nv.reasons = append(nv.reasons, why)
	}
	return nv
}

func appendUnique(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

// oddName reports characters that make a name display differently from
// what it is: controls, bidi overrides, invalid UTF-8.
func oddName(s string) string {
	if !utf8.ValidString(s) {
		return "name is not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u200b' || r == '\ufeff' {
			return fmt.Sprintf("name contains invisible or control character %U", r)
		}
	}
	return ""
}

func wideCharset(cs string) bool {
	cs = lower(cs)
	return strings.HasPrefix(cs, "utf-16") || strings.HasPrefix(cs, "utf-32") ||
		strings.HasPrefix(cs, "ucs-2") || strings.HasPrefix(cs, "ucs-4") || strings.HasPrefix(cs, "utf16") || strings.HasPrefix(cs, "utf32")
}

// decode2047Name decodes RFC 2047 encoded-words in a parameter value.
// RFC 2047 §5 forbids them inside quoted strings, but Outlook and Gmail
// write names that way and every common client decodes them, so this
// does too. UTF-16/32 words are refused (byte order is guesswork).
func decode2047Name(v string) (string, string) {
	if !strings.Contains(v, "=?") {
		return v, ""
	}
	var why string
	dec := &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
		if wideCharset(cs) {
			why = fmt.Sprintf("RFC 2047 name in %s", cs)
		}
		return charset.Reader(cs, r)
	}}
	d, err := dec.DecodeHeader(v)
	if err != nil {
		return v, fmt.Sprintf("undecodable RFC 2047 name: %v", err)
	}
	return d, why
}

// decode2231 joins RFC 2231 sections (§3, §4): extended sections are
// %-encoded, the first carries charset'language'.
func decode2231(vals []string, ext []bool) (string, string) {
	var raw bytes.Buffer
	var cs string
	var why string
	for i, v := range vals {
		if !ext[i] {
			raw.WriteString(v)
			continue
		}
		if i == 0 {
			parts := strings.SplitN(v, "'", 3)
			if len(parts) != 3 {
				why = "RFC 2231 value without charset'language' prefix"
			} else {
				cs, v = parts[0], parts[2]
			}
		}
		for k := 0; k < len(v); k++ {
			if v[k] == '%' && k+2 < len(v)+0 && isHex(v[k+1]) && isHex(v[k+2]) {
				n, _ := strconv.ParseUint(v[k+1:k+3], 16, 8)
				raw.WriteByte(byte(n))
				k += 2
				continue
			}
			if v[k] == '%' {
				why = "bad %-escape in RFC 2231 value"
			}
			raw.WriteByte(v[k])
		}
	}
	b := raw.Bytes()
	if cs == "" || strings.EqualFold(cs, "us-ascii") || strings.EqualFold(cs, "utf-8") {
		if !utf8.Valid(b) {
			why = "RFC 2231 value is not valid " + orDefault(cs, "UTF-8")
			return strings.ToValidUTF8(string(b), "\uFFFD"), why
		}
		return string(b), why
	}
	if wideCharset(cs) {
		why = "RFC 2231 name in " + cs
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Sprintf("unknown charset %q in RFC 2231 value", cs)
	}
	d, err := io.ReadAll(r)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Sprintf("charset %q: %v", cs, err)
	}
	return string(d), why
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
