package pki

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"github.com/sigintake/sigintake/internal/testshared"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

var (
	pemCertRE = regexp.MustCompile(`(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----`)
	xmlCertRE = regexp.MustCompile(`<(?:\w+:)?X509Certificate[^>]*>([^<]+)<`)
	pdfSigRE  = regexp.MustCompile(`/Contents\s*<([0-9A-Fa-f\s]+)>`)
	b64Junk   = regexp.MustCompile(`&#\w+;|\s`)
)

func pemCerts(b []byte) [][]byte {
	var out [][]byte
	for _, m := range pemCertRE.FindAll(b, -1) {
		if blk, _ := pem.Decode(m); blk != nil {
			out = append(out, blk.Bytes)
		}
	}
	return out
}

func xmlCerts(b []byte) [][]byte {
	var out [][]byte
	for _, m := range xmlCertRE.FindAllSubmatch(b, -1) {
		der, err := base64.StdEncoding.DecodeString(b64Junk.ReplaceAllString(string(m[1]), ""))
		if err == nil {
			out = append(out, der)
		}
	}
	return out
}

// pkcs7Certs uses openssl to list the certificates of a DER CMS/PKCS#7.
func pkcs7Certs(t testing.TB, der []byte) [][]byte {
	cmd := exec.Command("openssl", "pkcs7", "-inform", "DER", "-print_certs")
	cmd.Stdin = bytes.NewReader(der)
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return pemCerts(out)
}

// corpusCertificates extracts every certificate from the shared corpus and
// trust folders: PEM/DER files, CMS (via openssl), PDF signature contents,
// XML and ZIP containers. Keys are "file#n".
func corpusCertificates(t testing.TB) map[string][]byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	root := sharedDir(t)
	out := map[string][]byte{}
	seen := map[string]bool{}
	add := func(name string, ders [][]byte) {
		for _, d := range ders {
			if seen[string(d)] {
				continue
			}
			seen[string(d)] = true
			out[fmt.Sprintf("%s#%d", name, len(out))] = d
		}
	}
	for _, sub := range []string{"corpus", "trust/certs", "trust/samples-lv"} {
		filepath.Walk(filepath.Join(root, sub), func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			switch ext := strings.ToLower(filepath.Ext(p)); ext {
			case ".pem", ".cer", ".crt":
				if c := pemCerts(b); len(c) > 0 {
					add(rel, c)
				} else {
					add(rel, [][]byte{b})
				}
			case ".p7m", ".p7s", ".pkcs7", ".p7c":
				add(rel, pkcs7Certs(t, b))
			case ".pdf":
				for _, m := range pdfSigRE.FindAllSubmatch(b, -1) {
					h := regexp.MustCompile(`\s`).ReplaceAll(m[1], nil)
					der := make([]byte, len(h)/2)
					for i := range der {
						der[i] = unhex(h[2*i])<<4 | unhex(h[2*i+1])
					}
					add(rel, pkcs7Certs(t, bytes.TrimRight(der, "\x00")))
				}
			case ".xml":
				add(rel, xmlCerts(b))
			case ".edoc", ".asice", ".bdoc", ".asics", ".sce":
				zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					return nil
				}
				for _, f := range zr.File {
					if !strings.HasSuffix(f.Name, ".xml") || f.UncompressedSize64 > 16<<20 {
						continue
					}
					rc, err := f.Open()
					if err != nil {
						continue
					}
					x, _ := io.ReadAll(rc)
					rc.Close()
					add(rel+"!"+f.Name, xmlCerts(x))
				}
			}
			return nil
		})
	}
	return out
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

func sharedAvailable() bool {
	if d := os.Getenv("SIGINTAKE_SHARED"); d != "" {
		return true
	}
	wd, _ := os.Getwd()
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			_, err := os.Stat(filepath.Join(filepath.Dir(d), "shared"))
			return err == nil
		}
	}
	return false
}
