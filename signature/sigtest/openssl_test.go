package sigtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// openssl runs /usr/bin/openssl (skipping the test when it is missing) and
// returns its combined output and error.
func openssl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: the interop check needs it")
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

func writeTemp(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var attime = strconv.FormatInt(Now.Unix(), 10)
