package xades

import (
	"os"
	"path/filepath"
	"testing"
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
