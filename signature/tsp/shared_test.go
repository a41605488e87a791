package tsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature/cms"
)

// sharedDir locates ../shared (TEAM.md): $SIGINTAKE_SHARED, else the
// "shared" folder beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err != nil {
				t.Skipf("shared test material not found at %s (set SIGINTAKE_SHARED)", s)
			}
			return s
		}
		if filepath.Dir(d) == d {
			t.Skip("repository root not found; set SIGINTAKE_SHARED")
		}
	}
}

type corpusTS struct {
	file, kind string
	token      []byte
	sd         *cms.SignedData
	si         *cms.SignerInfo
}

// corpusTimestamps returns every time-stamp token carried by the CMS
// files of the shared corpus (signature, content and archive time-stamps).
func corpusTimestamps(t testing.TB) []corpusTS {
	dir := filepath.Join(sharedDir(t), "corpus", "cms")
	files, _ := filepath.Glob(filepath.Join(dir, "dss__*"))
	var out []corpusTS
	for _, f := range files {
		if !strings.HasSuffix(f, ".p7m") && !strings.HasSuffix(f, ".p7s") && !strings.HasSuffix(f, ".pkcs7") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sd, err := cms.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, si := range sd.SignerInfos {
			for _, tok := range si.SignatureTimeStampTokens() {
				out = append(out, corpusTS{filepath.Base(f), "signature", tok, sd, si})
			}
			for _, tok := range si.ContentTimeStamps() {
				out = append(out, corpusTS{filepath.Base(f), "content", tok, sd, si})
			}
			for _, tok := range si.ArchiveTimeStamps() {
				out = append(out, corpusTS{filepath.Base(f), "archive", tok, sd, si})
			}
		}
	}
	if len(out) == 0 {
		t.Skip("no time-stamps in the corpus")
	}
	return out
}
