package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestReadInput(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 10, mapThreshold + 1} {
		want := bytes.Repeat([]byte{'x'}, n)
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, release, err := readInput(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: got %d, %v", n, len(got), err)
		}
		release()
	}
	if _, _, err := readInput(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing file read")
	}
}
