package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/verify"
)

// FuzzFile feeds arbitrary bytes, under CMS, S/MIME and unknown names, to
// the whole validation: it must never panic (File recovers, so a panic
// would show as an "internal error" reason, which fails here too) and
// never accept anything without a trust anchor.
func FuzzFile(f *testing.F) {
	for _, dir := range []string{filepath.Join("corpus", "cms"), filepath.Join("attacks", "email", "johnny-fired")} {
		files, _ := filepath.Glob(filepath.Join(testshared.Dir(f), dir, "*"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 {
				f.Add(filepath.Base(p), b)
			}
		}
	}
	f.Add("x.p7s", []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80})
	f.Add("x.eml", []byte("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\nMIA=\r\n--b--\r\n"))
	o := signature.Options{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fr := verify.File(ctx, verify.Input{Name: name, Data: data}, o)
		if fr.Verdict == signature.Accepted {
			t.Fatalf("accepted without any trust anchor: %+v", fr)
		}
		for _, r := range fr.Reasons {
			if len(r) >= 14 && r[:14] == "internal error" {
				t.Fatalf("panic: %s", r)
			}
		}
	})
}
