package pdf

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
)

// sharedPDFs returns the corpus and attack PDFs (gunzipped within a bound).
func sharedPDFs(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, dir := range []string{testshared.Path(tb, "corpus", "pades"), testshared.Path(tb, "attacks", "pdf")} {
		filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return nil
			}
			name := p[len(dir)-len(filepath.Base(dir)):]
			switch {
			case strings.HasSuffix(p, ".pdf"):
				b, err := os.ReadFile(p)
				if err != nil {
					tb.Fatal(err)
				}
				out[name] = b
			case strings.HasSuffix(p, ".pdf.gz"):
				f, err := os.Open(p)
				if err != nil {
					tb.Fatal(err)
				}
				defer f.Close()
				zr, err := gzip.NewReader(f)
				if err != nil {
					tb.Fatal(err)
				}
				b, _ := io.ReadAll(io.LimitReader(zr, 64<<20+1)) // larger than any accepted file
				out[name] = b
			}
			return nil
		})
	}
	return out
}

// TestSharedFiles opens every shared PDF: corpus files must open, with
// their page tree; attack files must finish quickly whatever they hold.
func TestSharedFiles(t *testing.T) {
	for name, data := range sharedPDFs(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			d, err := Open(data, Limits{})
			if err != nil {
				if strings.HasPrefix(name, "pades/") {
					t.Fatalf("corpus file does not open: %v", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			pages, perr := d.Pages()
			for _, n := range d.Numbers() {
				d.Get(n)
			}
			if el := time.Since(start); el > time.Second && !raceEnabled {
				t.Errorf("took %v", el)
			}
			if strings.HasPrefix(name, "pades/") && perr != nil {
				t.Errorf("pages: %v", perr)
			}
			t.Logf("%d sections, %d objects, %d pages (%v), repaired %v %q", len(d.Sections), len(d.Numbers()), len(pages), perr, d.Repaired, d.Problems)
		})
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"))
	for _, b := range seedPDFs() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Open(data, Limits{MaxStream: 1 << 20, MaxDecoded: 4 << 20})
		if err != nil {
			return
		}
		d.Pages()
		for _, n := range d.Numbers() {
			if o, err := d.Get(n); err == nil {
				if st, ok := o.(*Stream); ok {
					d.Decode(st)
				}
				d.Reachable(o, 1000)
			}
		}
		if !bytes.Contains(data, []byte("%PDF-")) {
			t.Fatal("opened a file without a PDF header")
		}
	})
}

// seedPDFs returns the small shared PDFs as fuzz seeds, none when the
// shared folder is absent (the fuzz test then runs on its one seed).
func seedPDFs() [][]byte {
	return testshared.Seeds(".pdf", 64<<10, "corpus/pades", "attacks/pdf")
}
