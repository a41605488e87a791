package xmldsig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDTDAttacks: every DTD/entity/XXE/SSRF file of the shared attack set
// is refused before parsing.
func TestDTDAttacks(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "attacks/xml")
	var files []string
	for _, sub := range []string{"dtd-attacks", "libdigidocpp"} {
		m, _ := filepath.Glob(filepath.Join(dir, sub, "*.xml"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no attack files found")
	}
	for _, f := range files {
		t.Run("fail/"+filepath.Base(f), func(t *testing.T) {
			b, _ := os.ReadFile(f)
			doc, err := Parse(b, Limits{})
			if strings.Contains(string(b), "<!DOCTYPE") {
				if !errors.Is(err, ErrDTD) {
					t.Fatalf("err = %v, want ErrDTD", err)
				}
				return
			}
			// XInclude and similar: parsed as plain elements, nothing is
			// fetched or included.
			if err == nil && strings.Contains(doc.Root().Text(), "root:") {
				t.Fatal("file content included")
			}
		})
	}
	inline := map[string]string{
		"billion-laughs": `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><l>&b;</l>`,
		"lowercase":      `<!doctype x><x/>`,
		"entity-only":    `<x><!ENTITY a "b"></x>`,
		"undefined-ent":  `<x>&ext;</x>`,
		"duplicate-attr": `<x Id="a" Id="b"/>`,
		"duplicate-many": `<x a1="" a2="" a3="" a4="" a5="" a6="" a7="" a8="" a9="" Id="a" Id="b"/>`,
	}
	for name, s := range inline {
		t.Run("fail/"+name, func(t *testing.T) {
			if _, err := Parse([]byte(s), Limits{}); err == nil {
				t.Fatal("parsed")
			}
		})
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	if _, err := Parse([]byte(deep), Limits{}); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("deep: %v", err)
	}
	many := "<r>" + strings.Repeat("<a/>", 100) + "</r>"
	if _, err := Parse([]byte(many), Limits{MaxElements: 50}); !errors.Is(err, ErrTooMany) {
		t.Fatalf("many: %v", err)
	}
	if _, err := Parse([]byte(many), Limits{MaxBytes: 10}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("large: %v", err)
	}
	if _, err := Parse([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><r/>`), Limits{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("latin1: %v", err)
	}
	// A real trusted list has tens of thousands of elements: no 1000 limit.
	big := "<r>" + strings.Repeat("<a>x</a>", 150000) + "</r>"
	if _, err := Parse([]byte(big), Limits{}); err != nil {
		t.Fatalf("150k elements: %v", err)
	}
}

// TestWrappingAttacks runs the XML files of the shared attack set: none may
// verify as covering the wrong content.
func TestWrappingAttacks(t *testing.T) {
	load := func(t *testing.T, rel string) (*Result, error, func(string) bool) {
		doc, err := Parse(readShared(t, rel), Limits{})
		if err != nil {
			return nil, err, nil
		}
		sig := doc.FindElement("//Signature")
		res, err := Verify(doc, sig, Options{})
		covered := func(path string) bool { return res != nil && res.Covers(doc.FindElement(path)) }
		return res, err, covered
	}
	t.Run("ok/xsw-original", func(t *testing.T) {
		res, err, covered := load(t, "attacks/xml/dss/xsw__original.xml")
		if err != nil || !res.SignatureOK {
			t.Fatalf("err = %v", err)
		}
		if !covered("/TrustServiceStatusList") {
			t.Fatal("list not covered")
		}
	})
	t.Run("fail/xsw-two-same-id", func(t *testing.T) {
		res, err, _ := load(t, "attacks/xml/dss/xsw__XSW-enveloped-fake-content-two-same-id.xml")
		if !errors.Is(err, ErrDuplicateID) {
			t.Fatalf("err = %v", err)
		}
		for _, r := range res.References {
			if r.Type == "" && r.DigestOK {
				t.Fatal("content reference reported as verified")
			}
		}
	})
	t.Run("fail/xsw-fake-signedProperties", func(t *testing.T) {
		_, err, _ := load(t, "attacks/xml/dss/xsw__XSW-enveloped-fake-signedProperties.xml")
		if err == nil {
			t.Fatal("verified")
		}
	})
	t.Run("fail/tampered-reference", func(t *testing.T) {
		_, err, _ := load(t, "attacks/xml/dss/xades-tampered-reference.xml")
		if err == nil {
			t.Fatal("verified")
		}
	})
	t.Run("fail/broken-dom", func(t *testing.T) {
		_, err, _ := load(t, "attacks/xml/dss/broken-dom.xml")
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/lotl-two-sigs", func(t *testing.T) {
		doc, err := Parse(readShared(t, "trust/tl/negative/CZ_two-sigs.xml"), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(FindSignatures(doc.Root())); n != 2 {
			t.Fatalf("%d signatures", n)
		}
	})
}

func FuzzVerify(f *testing.F) {
	for _, rel := range []string{
		"attacks/xml/dss/xsw__XSW-enveloped-fake-signedProperties.xml",
		"attacks/xml/dss/xades-tampered-reference.xml",
		"attacks/xml/dss/broken-dom.xml",
		"attacks/xml/libdigidocpp/xml-bomb-attr.xml",
	} {
		if b, err := os.ReadFile(filepath.Join(sharedDir(f), rel)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(xmlsecTemplate))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := Parse(b, Limits{MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		for _, s := range doc.FindElements("//Signature") {
			res, err := Verify(doc, s, Options{Resolver: ResolverFunc(func(string) ([]byte, error) { return []byte("<a/>"), nil })})
			if err == nil && (res == nil || !res.SignatureOK) {
				t.Fatal("nil error without a verified signature")
			}
		}
	})
}
