package trust

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir finds ../shared beside the repository root, or
// $SIGINTAKE_SHARED; the test is skipped when it is missing.
func sharedDir(t testing.TB) string {
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
			t.Skip("go.mod not found; set SIGINTAKE_SHARED")
		}
	}
}

func readShared(t testing.TB, rel string) []byte {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
