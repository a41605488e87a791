package mailbox

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics (its recover would report
// ProblemInternal), stays deterministic-shaped and keeps its invariants,
// on seeds from the shared attack and S/MIME corpora and testdata.
func FuzzParse(f *testing.F) {
	var seeds []string
	if sh := sharedDirNoSkip(); sh != "" {
		filepath.WalkDir(filepath.Join(sh, "attacks", "email"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				seeds = append(seeds, p)
			}
			return nil
		})
		m, _ := filepath.Glob(filepath.Join(sh, "corpus", "cms", "*.eml"))
		seeds = append(seeds, m...)
	}
	own, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	seeds = append(seeds, own...)
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil && len(b) < 1<<20 {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/signed; protocol=application/pkcs7-signature; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n--a--\r\n"))
	lim := Limits{MaxParts: 500, MaxDepth: 16, MaxAttachmentBytes: 1 << 16, MaxHeaderBytes: 4096}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l := Parse(raw, lim)
		if l.Has(ProblemInternal) {
			t.Fatalf("parser panicked: %v", l.Problems)
		}
		if l.Parts > lim.MaxParts+1 {
			t.Fatalf("%d parts walked, limit %d", l.Parts, lim.MaxParts)
		}
		for _, a := range l.Attachments {
			if int64(len(a.Data)) > lim.MaxAttachmentBytes || a.Size != int64(len(a.Data)) {
				t.Fatalf("attachment %s: %d bytes, size %d", a.Path, len(a.Data), a.Size)
			}
		}
	})
}

// sharedDirNoSkip is sharedDir for places where skipping is wrong (fuzz
// seeding): "" when the shared material is absent.
func sharedDirNoSkip() string {
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err == nil {
				return s
			}
			return ""
		}
	}
	return ""
}
