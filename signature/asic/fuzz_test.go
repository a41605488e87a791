package asic

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
)

func seedCorpus(f *testing.F) {
	// sharedDir would skip; seeds are optional, so look quietly.
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			files, _ := filepath.Glob(filepath.Join(filepath.Dir(d), "shared", "corpus", "asic", "*"))
			for _, p := range files {
				if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
					f.Add(b)
				}
			}
			break
		}
	}
	f.Add(makeZip(f, []zipEntry{{Name: "mimetype", Data: []byte(MediaTypeASiCE)}, {Name: "a.txt", Data: []byte("a")},
		{Name: "META-INF/signatures0.xml", Data: []byte(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`), Deflate: true}}))
}

// FuzzReadZip: the reader never panics and never returns more than the
// limits allow.
func FuzzReadZip(f *testing.F) {
	seedCorpus(f)
	l := Limits{MaxEntries: 50, MaxEntrySize: 1 << 20, MaxTotalSize: 2 << 20, MaxRatio: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ReadZip(data, l)
		if err != nil {
			return
		}
		var total int
		for _, e := range a.Entries {
			total += len(e.Data)
			if checkName(e.Name) != nil {
				t.Fatalf("unsafe name %q accepted", e.Name)
			}
		}
		if total > 2<<20 || len(a.Entries) > 50 {
			t.Fatalf("limits exceeded: %d bytes, %d entries", total, len(a.Entries))
		}
	})
}

// FuzzValidate: the whole container validation never panics and never
// passes a signature without a trust anchor.
func FuzzValidate(f *testing.F) {
	seedCorpus(f)
	o := signature.Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Validate(context.Background(), data, Limits{MaxTotalSize: 4 << 20}, o)
		if err != nil {
			return
		}
		for _, s := range res.Signatures {
			if s.Passed() {
				t.Fatalf("signature passed without anchors")
			}
		}
	})
}
