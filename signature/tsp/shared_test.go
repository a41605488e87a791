package tsp

import (
	"github.com/sigintake/sigintake/internal/testshared"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature/cms"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

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
