package mailbox

import (
	"github.com/sigintake/sigintake/internal/testshared"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// sharedDir locates ../shared (see internal/testshared).
func sharedDir(t testing.TB) string { return testshared.Dir(t) }

var levelRE = regexp.MustCompile(`valid\((\d)\)`)

// TestMimeIsBrokenHideFilename runs noxxi/mime-is-broken's hide-filename
// set: each letter has a harmless text part and a part whose content says
// it is a zip, named by a broken or unusual MIME construction. Levels: 3
// valid and common, 2 and 1 valid but handled differently by clients, 0
// invalid. The intake must extract deterministically and flag what
// clients may show differently.
func TestMimeIsBrokenHideFilename(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "attacks", "email", "mime-is-broken-hide-filename")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Skipf("no files in %s", dir)
	}
	// Level-0 constructions this parser reads as every common client
	// does, so the name is certain: RFC 2047 inside a quoted filename
	// (Outlook and Gmail write it) and an unknown Content-Type parameter.
	acceptedLevel0 := map[string]bool{"fname-cdisp.rfc2047": true, "fname-ctxD": true}
	flagged := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l := Parse(raw, Limits{})
		variant := strings.Fields(strings.TrimPrefix(l.Get("X-Payload-Id"), ""))[0]
		m := levelRE.FindStringSubmatch(l.Get("X-Payload-Id"))
		if m == nil {
			t.Fatalf("%s: no level", f)
		}
		level := m[1]
		t.Run(level+"/"+variant, func(t *testing.T) {
			if again := Parse(raw, Limits{}); !reflect.DeepEqual(again, l) {
				t.Fatal("two parses differ")
			}
			var zip *Attachment
			for i := range l.Attachments {
				if strings.Contains(string(l.Attachments[i].Data), "test.zip") {
					zip = &l.Attachments[i]
				}
			}
			if zip == nil {
				t.Fatalf("zip part not extracted; attachments %+v", l.Attachments)
			}
			if zip.NameAmbiguous {
				flagged[level]++
			}
			switch level {
			case "3":
				if zip.NameAmbiguous {
					t.Errorf("valid MIME flagged: %q %v", zip.Name, l.Problems)
				}
				want := "file.zip"
				if strings.HasSuffix(variant, ".png") {
					want = "file.png"
				}
				if zip.Name != want {
					t.Errorf("name %q, want %q", zip.Name, want)
				}
			case "0":
				if acceptedLevel0[variant] {
					if zip.Name != "file.zip" || zip.NameAmbiguous {
						t.Errorf("name %q ambiguous=%v", zip.Name, zip.NameAmbiguous)
					}
				} else if !zip.NameAmbiguous {
					t.Errorf("invalid MIME not flagged: name %q problems %v", zip.Name, l.Problems)
				}
			}
			// The attack: a scanner sees file.png, the client opens
			// file.zip. An unflagged name must never hide the zip.
			if level != "3" && !zip.NameAmbiguous && !strings.Contains(zip.Name, "zip") {
				t.Errorf("unflagged name %q hides the zip", zip.Name)
			}
			if zip.NameAmbiguous && !l.Ambiguous() {
				t.Error("Letter.Ambiguous() false")
			}
			t.Logf("name %q ambiguous=%v alt=%q", zip.Name, zip.NameAmbiguous, zip.AltNames)
		})
	}
	t.Logf("flagged per level: %v", flagged)
}

// TestSharedEmailCorpus parses every shared attack and S/MIME letter:
// bounded, no panic, S/MIME found where the file is S/MIME.
func TestSharedEmailCorpus(t *testing.T) {
	sh := sharedDir(t)
	var files []string
	filepath.WalkDir(filepath.Join(sh, "attacks", "email"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	cms, _ := filepath.Glob(filepath.Join(sh, "corpus", "cms", "*.eml"))
	files = append(files, cms...)
	if len(files) == 0 {
		t.Skip("no shared e-mail files")
	}
	smime := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l := Parse(raw, Limits{})
		if l.Has(ProblemInternal) {
			t.Errorf("%s: %v", f, l.Problems)
		}
		isSMIME := strings.Contains(strings.ToLower(string(raw)), "application/pkcs7") || strings.Contains(strings.ToLower(string(raw)), "application/x-pkcs7")
		if strings.Contains(f, "/corpus/cms/") && isSMIME && len(l.SMIME) == 0 {
			t.Errorf("%s: S/MIME not detected", filepath.Base(f))
		}
		if len(l.SMIME) > 0 {
			smime++
		}
		if strings.Contains(f, "m3-hiding-in-reference__m3-smime") && (len(l.SMIME) != 1 || l.SMIME[0].Whole) {
			t.Errorf("%s: signed part wrapped in unsigned content not marked partial: %+v", filepath.Base(f), l.SMIME)
		}
		if strings.Contains(f, "/corpus/cms/") && len(l.SMIME) > 0 && !l.SMIME[0].Whole {
			t.Errorf("%s: top-level S/MIME not marked Whole", filepath.Base(f))
		}
		for _, s := range l.SMIME {
			if len(s.Signature) == 0 && s.Kind != SMIMEEnvelopedData {
				t.Errorf("%s: S/MIME %s without signature bytes", filepath.Base(f), s.Kind)
			}
		}
	}
	t.Logf("%d files, %d with S/MIME", len(files), smime)
}
