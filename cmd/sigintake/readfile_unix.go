//go:build unix

package main

import (
	"os"
	"syscall"
)

// readInput returns the bytes of the file at path and a function that
// releases them. Large files are mapped read-only; the caller runs with
// debug.SetPanicOnFault so that a file truncated while mapped makes a
// recoverable panic (the file goes to review), not a crash.
func readInput(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() || st.Size() < mapThreshold || st.Size() != int64(int(st.Size())) {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
