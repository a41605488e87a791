package mailbox

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"testing"
)

func bigLetter(n int) []byte {
	data := bytes.Repeat([]byte("signed payload "), n/15+1)[:n]
	var b bytes.Buffer
	b.WriteString("From: a@example.lv\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--x--\r\n")
	return b.Bytes()
}

// BenchmarkParse30MB parses a letter with a 30 MB base64 attachment.
func BenchmarkParse30MB(b *testing.B) {
	raw := bigLetter(30 << 20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		l := Parse(raw, Limits{})
		if len(l.Attachments) != 1 || l.Attachments[0].Size != 30<<20 {
			b.Fatal("bad parse")
		}
	}
}

// BenchmarkParse200KB is the load test's typical letter.
func BenchmarkParse200KB(b *testing.B) {
	raw := bigLetter(200 << 10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw, Limits{})
	}
}

func BenchmarkParse10000Parts(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("Content-Type: multipart/mixed; boundary=p\r\n\r\n")
	for i := 0; i < 9999; i++ {
		fmt.Fprintf(&buf, "--p\r\nContent-Type: application/octet-stream; name=f%d.bin\r\n\r\n%d\r\n", i, i)
	}
	buf.WriteString("--p--\r\n")
	raw := buf.Bytes()
	b.ReportAllocs()
	for b.Loop() {
		Parse(raw, Limits{})
	}
}
