// Package testshared locates the shared test material (../shared: corpus,
// attack files, trust material) for tests. It is never copied into the
// repository.
package testshared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir returns the shared folder: $SIGINTAKE_SHARED, else the folder "shared"
// beside the repository root. When it is missing the test is skipped with a
// message saying so, or fails when SIGINTAKE_REQUIRE_SHARED=1.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := locate(); d != "" {
		return d
	}
	if os.Getenv("SIGINTAKE_REQUIRE_SHARED") == "1" {
		tb.Fatal("shared test material not found: set SIGINTAKE_SHARED to the folder holding corpus/, attacks/ and trust/")
	}
	tb.Skip("shared test material not found (../shared): set SIGINTAKE_SHARED; skipping")
	return ""
}

// locate finds the shared folder, "" when there is none.
func locate() string {
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	wd, _ := os.Getwd()
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err == nil {
				return s
			}
			break
		}
	}
	return ""
}

// Path returns a path inside the shared folder, skipping like Dir when the
// folder or the path is missing.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("SIGINTAKE_REQUIRE_SHARED") == "1" {
			tb.Fatalf("shared test material missing: %v", err)
		}
		tb.Skipf("shared test material missing: %v", err)
	}
	return p
}

// Seeds returns the files under the shared folder's subfolders subs whose
// names end in ext and that are smaller than maxSize, for fuzz seeds. It
// returns none, without skipping, when the shared folder is missing.
func Seeds(ext string, maxSize int64, subs ...string) [][]byte {
	dir := locate()
	if dir == "" {
		return nil
	}
	var out [][]byte
	for _, sub := range subs {
		filepath.WalkDir(filepath.Join(dir, sub), func(p string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() || !strings.HasSuffix(p, ext) {
				return nil
			}
			if info, err := de.Info(); err == nil && info.Size() < maxSize {
				if b, err := os.ReadFile(p); err == nil {
					out = append(out, b)
				}
			}
			return nil
		})
	}
	return out
}
