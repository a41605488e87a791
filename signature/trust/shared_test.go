package trust

import (
	"github.com/sigintake/sigintake/internal/testshared"
	"testing"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }
