package mailbox

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// The fast path (the standard decoder over the raw body) and the careful
// path must agree on well-formed bodies; malformed ones take the careful
// path and are reported.
func TestBase64Paths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 57, 58, 1000, 200 << 10} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		var wrapped strings.Builder
		for i := 0; i < len(enc); i += 76 {
			wrapped.WriteString(enc[i:min(i+76, len(enc))])
			wrapped.WriteString("\r\n")
		}
		for _, body := range []string{wrapped.String(), strings.ReplaceAll(wrapped.String(), "\r\n", "\n"), strings.ReplaceAll(wrapped.String(), "\r\n", " \r\n")} {
			p := &parser{l: &Letter{}, problemLimit: 100}
			out, trunc := p.base64([]byte(body), "1", 1<<30)
			if !bytes.Equal(out, data) || trunc || len(p.l.Problems) != 0 {
				t.Fatalf("n=%d: %d bytes back, truncated %v, problems %v", n, len(out), trunc, p.l.Problems)
			}
		}
	}
	p := &parser{l: &Letter{}, problemLimit: 100}
	if out, _ := p.base64([]byte("QUJD\r\nR!EVG\r\n"), "1", 1<<20); string(out) != "ABCDEF" || len(p.l.Problems) != 1 {
		t.Fatalf("malformed body: %q, problems %v", out, p.l.Problems)
	}
	p = &parser{l: &Letter{}, problemLimit: 100}
	if out, trunc := p.base64([]byte(base64.StdEncoding.EncodeToString([]byte("0123456789"))), "1", 4); string(out) != "0123" || !trunc {
		t.Fatalf("limit: %q truncated %v", out, trunc)
	}
}
