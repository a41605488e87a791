package pdf

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// hostile builds PDFs shaped to make a careless reader do quadratic or
// unbounded work.
func hostile() map[string][]byte {
	out := map[string][]byte{}

	// 200,000 cross-reference entries all pointing at one large object.
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Big (")
	b.Write(bytes.Repeat([]byte("x"), 60_000))
	b.WriteString(") >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	x := b.Len()
	b.WriteString("xref\n0 200000\n")
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", 9)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size 200000 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", x)
	out["same-offset"] = b.Bytes()

	// A chain of streams whose /Length is the next stream.
	b = bytes.Buffer{}
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	for i := 3; i < 20003; i++ {
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d 0 R >>\nstream\nab\nendstream\nendobj\n", i, i+1)
	}
	b.WriteString("trailer\n<< /Root 1 0 R >>\n%%EOF\n")
	out["length-chain"] = b.Bytes()

	// Deep nesting.
	b = bytes.Buffer{}
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ")
	b.Write(bytes.Repeat([]byte("["), 100_000))
	b.WriteString(" >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	out["deep-nesting"] = b.Bytes()

	// A /Prev loop.
	b = bytes.Buffer{}
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
	x = b.Len()
	fmt.Fprintf(&b, "xref\n0 3\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000058 00000 n\r\ntrailer\n<< /Size 3 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", x, x)
	out["prev-loop"] = b.Bytes()
	return out
}

func TestHostileStructures(t *testing.T) {
	for name, data := range hostile() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			d, err := Open(data, Limits{})
			if err == nil {
				d.Pages()
				for _, n := range d.Numbers() {
					d.Get(n)
					d.RawContains(n, "/ByteRange")
				}
			}
			limit := time.Second
			if raceEnabled {
				limit = 10 * time.Second
			}
			if el := time.Since(start); el > limit {
				t.Errorf("took %v", el)
			}
		})
	}
}
