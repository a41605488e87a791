package asic

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
)

// TestAttacks: no file of ../shared/attacks/{asic,archives} nor of Go's
// archive/zip testdata comes out acceptable, each within 1 s and 200 MB of
// allocation.
func TestAttacks(t *testing.T) {
	shared := sharedDir(t)
	var files []string
	for _, dir := range []string{filepath.Join(shared, "attacks", "asic"), filepath.Join(shared, "attacks", "archives"),
		filepath.Join(runtime.GOROOT(), "src", "archive", "zip", "testdata")} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 20 {
		t.Skipf("only %d attack files found", len(files))
	}
	o := signature.Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	refused, review := 0, 0
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			res, err := Validate(context.Background(), data, Limits{}, o)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if elapsed > timeBound {
				t.Errorf("took %v", elapsed)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("allocated %d MB", alloc>>20)
			}
			if err != nil {
				refused++
				t.Logf("refused: %v", err)
				return
			}
			review++
			if signature.VerdictOf(res.Signatures) == signature.Accepted && len(res.Problems) == 0 {
				t.Errorf("accepted")
			}
			var sigs []string
			for _, s := range res.Signatures {
				if s.Passed() {
					t.Errorf("signature %s passed without a trust anchor", s.ID)
				}
				sigs = append(sigs, string(s.Indication)+" "+string(s.SubIndication))
			}
			t.Logf("%s: %s; problems %q", res.Format, strings.Join(sigs, ", "), res.Problems)
		})
	}
	t.Logf("%d files: %d refused, %d validated and not accepted", len(files), refused, review)
}
