package trust

import (
	"archive/zip"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
)

func pemCerts(t testing.TB, glob string) []*pki.Certificate {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(sharedDir(t), glob))
	var out []*pki.Certificate
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			c, err := pki.ParseCertificate(blk.Bytes)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no certificates in %s", glob)
	}
	return out
}

func tl(t testing.TB, name string) string { return filepath.Join(sharedDir(t), "trust/tl", name) }

func summary(t *testing.T, ls *Lists, territory string, seq int) ListSummary {
	t.Helper()
	for _, s := range ls.Summaries() {
		if s.Territory == territory && s.SequenceNumber == seq {
			return s
		}
	}
	t.Fatalf("no summary for %s/%d in %+v", territory, seq, ls.Summaries())
	return ListSummary{}
}

var (
	at2019 = time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC)
	at2023 = time.Date(2023, 10, 10, 0, 0, 0, 0, time.UTC)
)

func TestRealLists2019(t *testing.T) {
	oj := pemCerts(t, "trust/certs/lotl-signers-oj-2019-C276/*.cer")
	ls, err := Load(context.Background(), LoadOptions{
		LOTLFiles: []string{tl(t, "EU-LOTL-seq248-2019-09-04.xml")},
		Files:     []string{tl(t, "LV-TL-seq28-2019-09-02.xml")},
		Signers:   oj, At: at2019,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []ListSummary{summary(t, ls, "EU", 248), summary(t, ls, "LV", 28)} {
		if s.Status != StatusOK {
			t.Errorf("%s %d: %s %s", s.Territory, s.SequenceNumber, s.Status, s.Error)
		}
	}
	if s := summary(t, ls, "LV", 28); s.Services < 20 || !strings.Contains(s.Signer, "Latvia") && s.Signer == "" {
		t.Errorf("LV summary: %+v", s)
	}
}

func TestRealLists2023WithPivots(t *testing.T) {
	oj := pemCerts(t, "trust/certs/lotl-signers-oj-2019-C276/*.cer")
	load := func(lotls ...string) *Lists {
		var files []string
		for _, f := range lotls {
			files = append(files, tl(t, f))
		}
		ls, err := Load(context.Background(), LoadOptions{
			LOTLFiles: files,
			Files:     []string{tl(t, "LV-TL-seq41-2023-09-12.xml"), tl(t, "LV-TL-seq28-2019-09-02.xml")},
			Signers:   oj, At: at2023,
		})
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	t.Run("ok/pivots-followed", func(t *testing.T) {
		ls := load("EU-LOTL-pivot-282.xml", "EU-LOTL-pivot-300.xml", "EU-LOTL-seq332-2023-09-27.xml")
		if s := summary(t, ls, "EU", 332); s.SignatureStatus != "valid" || s.Status != StatusOK {
			t.Fatalf("LOTL 332: %+v", s)
		}
		if s := summary(t, ls, "LV", 41); s.Status != StatusOK {
			t.Fatalf("LV 41: %+v", s)
		}
		// The 2019 Latvian list is signed by a key the 2023 LOTL no longer names.
		if s := summary(t, ls, "LV", 28); s.Status != StatusBadSig {
			t.Fatalf("LV 28 against LOTL 332: %+v", s)
		}
	})
	t.Run("ok/chain-2019-to-2024", func(t *testing.T) {
		// OJ 2019 keys -> 282 -> 300 -> 332 -> 335 -> 341, each announcing
		// the keys of the next.
		ls, err := Load(context.Background(), LoadOptions{
			LOTLFiles: []string{tl(t, "EU-LOTL-pivot-341.xml"), tl(t, "EU-LOTL-pivot-282.xml"), tl(t, "EU-LOTL-pivot-300.xml"),
				tl(t, "EU-LOTL-seq332-2023-09-27.xml"), tl(t, "EU-LOTL-pivot-335.xml")},
			Signers: oj, At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ls.Summaries() {
			if s.SignatureStatus != "valid" {
				t.Errorf("LOTL %d: %s", s.SequenceNumber, s.SignatureStatus)
			}
		}
		if s := summary(t, ls, "EU", 341); s.Status != StatusOK {
			t.Errorf("341: %+v", s)
		}
	})
	t.Run("ok/oj-2026-keys", func(t *testing.T) {
		oj26 := pemCerts(t, "trust/certs/lotl-signers-oj-C2026-1944/*.pem")
		ls, _ := Load(context.Background(), LoadOptions{LOTLFiles: []string{tl(t, "EU-LOTL-pivot-341.xml")}, Signers: oj26, At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
		if s := ls.Summaries()[0]; s.Status != StatusOK {
			t.Fatalf("341 with the OJ 2026 keys: %+v", s)
		}
		ls, _ = Load(context.Background(), LoadOptions{LOTLFiles: []string{tl(t, "EU-LOTL-pivot-341.xml")}, Signers: oj, At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
		if s := ls.Summaries()[0]; s.Status != StatusBadSig {
			t.Fatalf("341 with only the OJ 2019 keys: %+v", s)
		}
	})
	t.Run("fail/no-pivots", func(t *testing.T) {
		ls := load("EU-LOTL-seq332-2023-09-27.xml")
		s := summary(t, ls, "EU", 332)
		if s.Status != StatusBadSig {
			t.Fatalf("LOTL 332 without pivots verified with the 2019 OJ keys: %+v", s)
		}
		// No verified LOTL: the Latvian list cannot be verified by the OJ keys.
		if s := summary(t, ls, "LV", 41); s.Status.Usable() {
			t.Fatalf("LV 41: %+v", s)
		}
	})
}

func TestNegativeLists(t *testing.T) {
	oj := pemCerts(t, "trust/certs/lotl-signers-oj-2019-C276/*.cer")
	lv := pemCerts(t, "trust/certs/lv-from-tl-seq41/*.pem")
	for _, c := range []struct {
		file string
		want ListStatus
	}{
		{"negative/eu-lotl-broken-sig.xml", StatusBadSig},
		{"negative/eu-lotl-no-sig.xml", StatusBadSig},
		{"negative/eu-lotl-not-parseable.xml", StatusUnparseable},
		{"negative/CZ_two-sigs.xml", StatusBadSig},
	} {
		t.Run("fail/"+c.file, func(t *testing.T) {
			ls, err := Load(context.Background(), LoadOptions{
				LOTLFiles: []string{tl(t, c.file)},
				Files:     []string{tl(t, "LV-TL-seq28-2019-09-02.xml")},
				Signers:   append(oj, lv...), At: at2019,
			})
			if err != nil {
				t.Fatal(err)
			}
			sums := ls.Summaries()
			if sums[0].Status != c.want || sums[0].Error == "" {
				t.Fatalf("status %s, error %q; want %s with a reason", sums[0].Status, sums[0].Error, c.want)
			}
			if c.want == StatusBadSig && !errors.Is(ls.lists[0].err, ErrSignature) {
				t.Fatalf("error %v is not ErrSignature", ls.lists[0].err)
			}
			// One broken list never breaks the others: LV 28 is still read.
			if sums[1].Territory != "LV" || sums[1].Services == 0 {
				t.Fatalf("LV list not read: %+v", sums[1])
			}
		})
	}
	t.Run("fail/expired", func(t *testing.T) {
		ls, _ := Load(context.Background(), LoadOptions{
			LOTLFiles: []string{tl(t, "EU-LOTL-seq248-2019-09-04.xml")},
			Files:     []string{tl(t, "LV-TL-seq28-2019-09-02.xml")},
			Signers:   oj, At: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC),
		})
		if s := ls.Summaries()[0]; s.Status != StatusExpired || s.SignatureStatus != "valid" {
			t.Fatalf("%+v", s)
		}
		if s := ls.Summaries()[1]; s.Status != StatusExpired || s.SignatureStatus != "valid" || len(s.Warnings) == 0 {
			t.Fatalf("%+v", s)
		}
	})
}

// edocSigner extracts the signer certificate from an ASiC-E container's
// META-INF/*signatures*.xml (the first X509Certificate of KeyInfo).
var encapsulatedTS = regexp.MustCompile(`(?s)<(?:\w+:)?EncapsulatedTimeStamp[^>]*>([^<]+)<`)

func zipMember(t *testing.T, path, name string) []byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			b, _ := io.ReadAll(io.LimitReader(rc, 10<<20))
			return b
		}
	}
	t.Fatalf("%s: no %s", path, name)
	return nil
}

func edocSigner(t *testing.T, path string) (*pki.Certificate, time.Time) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "META-INF/") || !strings.Contains(f.Name, "signatures") {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(io.LimitReader(rc, 10<<20))
		rc.Close()
		m := regexp.MustCompile(`(?s)<(?:\w+:)?KeyInfo.*?<(?:\w+:)?X509Certificate>([^<]+)<`).FindSubmatch(b)
		if m == nil {
			continue
		}
		der, err := b64(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		c, err := pki.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		st := regexp.MustCompile(`<(?:\w+:)?SigningTime>([^<]+)<`).FindSubmatch(b)
		if st == nil {
			t.Fatal("no SigningTime")
		}
		when, err := parseTime(strings.TrimSpace(string(st[1])))
		if err != nil {
			t.Fatal(err)
		}
		return c, when
	}
	t.Fatal("no signer certificate found")
	return nil, time.Time{}
}

func TestLatvianEIDQESig(t *testing.T) {
	oj := pemCerts(t, "trust/certs/lotl-signers-oj-2019-C276/*.cer")
	ls, err := Load(context.Background(), LoadOptions{
		LOTLFiles: []string{tl(t, "EU-LOTL-pivot-282.xml"), tl(t, "EU-LOTL-pivot-300.xml"), tl(t, "EU-LOTL-seq332-2023-09-27.xml")},
		Files:     []string{tl(t, "LV-TL-seq41-2023-09-12.xml")},
		Signers:   oj, At: at2023,
	})
	if err != nil {
		t.Fatal(err)
	}
	leaf, signing := edocSigner(t, filepath.Join(sharedDir(t), "trust/samples-lv/test+test.edoc"))
	if signing.Year() != 2021 {
		t.Fatalf("signing time %s", signing)
	}
	// The path is the leaf alone: the service is found through the leaf's
	// authority key identifier, as when the issuer is not embedded.
	r := ls.Qualify(pki.Path{leaf}, signing)
	if r.Qualification != signature.QESig {
		t.Fatalf("qualification %s, reasons %q", r.Qualification, r.Reasons)
	}
	if !strings.HasPrefix(r.Source, "LV: ") {
		t.Fatalf("source %q", r.Source)
	}
	steps := ls.Explain(leaf, nil, signing)
	if len(steps) < 5 || !strings.Contains(steps[len(steps)-1], "QESig") {
		t.Fatalf("explain: %q", steps)
	}
	// With the LV eID ICA 2021 certificate in the path the match is by key.
	ica := pemCerts(t, "trust/certs/lv-from-tl-seq41/CA-QC__LV_eID_ICA_2021.pem")[0]
	if r := ls.Qualify(pki.Path{leaf, ica}, signing); r.Qualification != signature.QESig {
		t.Fatalf("with ICA: %s %q", r.Qualification, r.Reasons)
	}
	// Before the LV eID ICA 2021 service existed, nothing qualifies.
	if r := ls.Qualify(pki.Path{leaf, ica}, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)); r.Qualification.Qualified() {
		t.Fatalf("2015: %s", r.Qualification)
	}
	// Qualified TSA: eParaksts TSA A 2021 granted in 2023, TSA A 2017 withdrawn.
	tsaA := pemCerts(t, "trust/certs/lv-from-tl-seq41/TSA-QTST__eParaksts_TSA_A_2021.pem")[0]
	if !ls.QualifiedTSA(pki.Path{tsaA}, signing) {
		t.Error("TSA A 2021 not qualified")
	}
	tsa17 := pemCerts(t, "trust/certs/lv-from-tl-seq41/TSA-QTST__eParaksts_TSA_A_2017.pem")[0]
	if ls.QualifiedTSA(pki.Path{tsa17}, at2023) {
		t.Error("withdrawn TSA A 2017 qualified in 2023")
	}
	if n := len(ls.Anchors()); n < 10 {
		t.Errorf("anchors: %d", n)
	}
}
