package smime

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
)

func FuzzValidate(f *testing.F) {
	for _, pattern := range []string{"corpus/cms/*.eml", "attacks/email/johnny-fired/*.eml", "attacks/email/mime-is-broken-hide-filename/*"} {
		files, _ := filepath.Glob(filepath.Join(testshared.Dir(f), pattern))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n"))
	o := signature.Options{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := Validate(context.Background(), raw, o)
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
	})
}

func TestParts(t *testing.T) {
	body := []byte("preamble\r\n--b\r\nA: 1\r\n\r\none\r\n--b\r\n\r\ntwo\n--b--\r\nepilogue")
	ps, err := parts(body, "b")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || string(ps[0]) != "A: 1\r\n\r\none" || string(ps[1]) != "\r\ntwo" {
		t.Fatalf("parts %q", ps)
	}
	if got := string(canonical([]byte("a\nb\r\nc\n"))); got != "a\r\nb\r\nc\r\n" {
		t.Fatalf("canonical %q", got)
	}
}

func TestDeepNesting(t *testing.T) {
	var msg []byte
	msg = append(msg, "Content-Type: multipart/mixed; boundary=a\r\n\r\n"...)
	for i := 0; i < 100; i++ {
		msg = append(msg, "--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"...)
	}
	_, err := Validate(context.Background(), msg, signature.Options{Time: time.Now()})
	if err == nil {
		t.Fatal("deep nesting accepted as signed")
	}
}
