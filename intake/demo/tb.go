package demo

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// pkiTB is the small testing.TB the demo hands to sigtest.New: the demo
// builds its letters with the project's test PKI (signature/sigtest), which
// takes a testing.TB for cleanup and failure. Embedding the interface
// satisfies its unexported method; only the methods sigtest calls are
// implemented, and a Fatal stops the demo with an error.
type pkiTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
	dirs     []string
}

type fatal struct{ msg string }

func (t *pkiTB) Helper()      {}
func (t *pkiTB) Name() string { return "sigintake-demo" }
func (t *pkiTB) Cleanup(f func()) {
	t.mu.Lock()
	t.cleanups = append(t.cleanups, f)
	t.mu.Unlock()
}
func (t *pkiTB) Errorf(format string, a ...any) { panic(fatal{fmt.Sprintf(format, a...)}) }
func (t *pkiTB) Error(a ...any)                 { panic(fatal{fmt.Sprint(a...)}) }
func (t *pkiTB) Fatalf(format string, a ...any) { panic(fatal{fmt.Sprintf(format, a...)}) }
func (t *pkiTB) Fatal(a ...any)                 { panic(fatal{fmt.Sprint(a...)}) }
func (t *pkiTB) Logf(string, ...any)            {}
func (t *pkiTB) Log(...any)                     {}
func (t *pkiTB) Failed() bool                   { return false }
func (t *pkiTB) TempDir() string {
	d, err := os.MkdirTemp("", "sigintake-demo-pki-")
	if err != nil {
		panic(fatal{err.Error()})
	}
	t.mu.Lock()
	t.dirs = append(t.dirs, d)
	t.mu.Unlock()
	return d
}

func (t *pkiTB) close() {
	t.mu.Lock()
	cs := t.cleanups
	t.cleanups = nil
	ds := t.dirs
	t.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	for _, d := range ds {
		os.RemoveAll(d)
	}
}
