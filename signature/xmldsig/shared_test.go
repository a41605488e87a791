package xmldsig

import (
	"github.com/sigintake/sigintake/internal/testshared"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

func readShared(t testing.TB, rel string) []byte {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
