package cades

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/cms"
	"github.com/sigintake/sigintake/signature/tsp"
)

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testshared.Path(t, "corpus", "cms"), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// archiveResults checks every archive time-stamp of the first signer.
func archiveResults(t *testing.T, data, detached []byte) (v2, v3 []error) {
	t.Helper()
	sd, err := cms.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	content := sd.Content
	if content == nil {
		content = detached
	}
	si := sd.SignerInfos[0]
	for _, a := range si.UnsignedAttrs {
		for _, v := range a.Values {
			switch {
			case a.Type.Equal(cms.OIDAttrArchiveTimeStampV2):
				v2 = append(v2, verifyArchiveImprint(sd, si, v.FullBytes, content, nil))
			case a.Type.Equal(cms.OIDAttrArchiveTimeStampV3):
				v3 = append(v3, verifyArchiveImprint(sd, si, v.FullBytes, content, nil))
			}
		}
	}
	return v2, v3
}

func TestArchiveCorpus(t *testing.T) {
	t.Run("ok/cades-a-attached-v2-and-v3", func(t *testing.T) {
		v2, v3 := archiveResults(t, readCorpus(t, "dss__Signature-C-B-LTA-10.p7m"), nil)
		if len(v2) != 1 || len(v3) != 1 || v2[0] != nil || v3[0] != nil {
			t.Fatalf("ATSv2 %v, ATSv3 %v; want one of each, verified", v2, v3)
		}
	})
	t.Run("ok/detached-v2", func(t *testing.T) {
		v2, v3 := archiveResults(t, readCorpus(t, "dss__screenshot.png.signed_qes_detached.p7s"), readCorpus(t, "dss__screenshot.png"))
		if len(v2) != 1 || len(v3) != 0 || v2[0] != nil {
			t.Fatalf("ATSv2 %v, ATSv3 %v; want one ATSv2, verified", v2, v3)
		}
	})
	t.Run("fail/detached-v2-other-content", func(t *testing.T) {
		png := bytes.Clone(readCorpus(t, "dss__screenshot.png"))
		png[len(png)/2] ^= 1
		v2, _ := archiveResults(t, readCorpus(t, "dss__screenshot.png.signed_qes_detached.p7s"), png)
		if len(v2) != 1 || !errors.Is(v2[0], tsp.ErrImprintMismatch) {
			t.Fatalf("ATSv2 over changed content: %v", v2)
		}
	})
	t.Run("fail/modified-ats-hash-index", func(t *testing.T) {
		_, v3 := archiveResults(t, readCorpus(t, "dss__CAdES-BpLTA_modified_ats_hash_element.p7m"), nil)
		if len(v3) != 1 || !errors.Is(v3[0], ErrHashIndexMismatch) || !strings.Contains(v3[0].Error(), "certificate") {
			t.Fatalf("ATSv3 with a modified hash index: %v", v3)
		}
	})
	// A changed certificate-values attribute (unsigned, covered by both
	// time-stamps): the ATSv3 index no longer finds it, the ATSv2 imprint
	// differs.
	t.Run("fail/changed-unsigned-attribute", func(t *testing.T) {
		data := bytes.Clone(readCorpus(t, "dss__Signature-C-B-LTA-10.p7m"))
		sd, err := cms.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		var target []byte
		for _, a := range sd.SignerInfos[0].UnsignedAttrs {
			if a.Type.Equal(cms.OIDAttrCertValues) {
				target = a.Raw
			}
		}
		i := bytes.Index(data, target)
		if target == nil || i < 0 {
			t.Fatal("certificate-values attribute not found")
		}
		data[i+len(target)-1] ^= 0xff // last octet of a certificate's signature bits
		v2, v3 := archiveResults(t, data, nil)
		if len(v3) != 1 || !errors.Is(v3[0], ErrHashIndexMismatch) || !strings.Contains(v3[0].Error(), "unsigned attribute") {
			t.Errorf("ATSv3: %v", v3)
		}
		if len(v2) != 1 || !errors.Is(v2[0], tsp.ErrImprintMismatch) {
			t.Errorf("ATSv2: %v", v2)
		}
	})
	t.Run("fail/content-missing", func(t *testing.T) {
		data := readCorpus(t, "dss__screenshot.png.signed_qes_detached.p7s")
		sd, _ := cms.Parse(data)
		si := sd.SignerInfos[0]
		err := verifyArchiveImprint(sd, si, si.ArchiveTimeStamps()[0], nil, errors.New("not given"))
		if !errors.Is(err, errArchiveContent) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("fail/token-of-another-signature", func(t *testing.T) {
		a, _ := cms.Parse(readCorpus(t, "dss__Signature-C-B-LTA-10.p7m"))
		b, _ := cms.Parse(readCorpus(t, "dss__CAdES-BpLTA_modified_ats_hash_element.p7m"))
		err := verifyArchiveImprint(a, a.SignerInfos[0], b.SignerInfos[0].ArchiveTimeStamps()[0], a.Content, nil)
		if err == nil {
			t.Fatal("a foreign archive time-stamp was accepted")
		}
	})
}

// TestArchiveReport checks the wiring: through Validate, the verified
// archive time-stamps carry no imprint error and the modified one fails
// with HASH_FAILURE and its reason.
func TestArchiveReport(t *testing.T) {
	o := signature.Options{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	cases := []struct {
		file, detached string
		hashFailure    bool
	}{
		{"dss__Signature-C-B-LTA-10.p7m", "", false},
		{"dss__screenshot.png.signed_qes_detached.p7s", "dss__screenshot.png", false},
		{"dss__CAdES-BpLTA_modified_ats_hash_element.p7m", "", true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var det *Content
			if c.detached != "" {
				det = &Content{Name: c.detached, Data: readCorpus(t, c.detached)}
			}
			res, err := Validate(context.Background(), readCorpus(t, c.file), det, o)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ts := range res.Signatures[0].Timestamps {
				if ts.Type != "archive" {
					continue
				}
				n++
				msg := strings.Join(ts.Errors, "; ")
				failed := ts.SubIndication == signature.HashFailure
				if failed != c.hashFailure {
					t.Errorf("archive time-stamp %s %s: %s", ts.Indication, ts.SubIndication, msg)
				}
				if c.hashFailure && !strings.Contains(msg, "ats-hash-index does not match") {
					t.Errorf("reason not stated: %s", msg)
				}
				if !c.hashFailure && strings.Contains(msg, "does not cover") {
					t.Errorf("imprint reported wrong: %s", msg)
				}
			}
			if n == 0 {
				t.Fatal("no archive time-stamp reported")
			}
		})
	}
}

func TestCheckHashIndexSubset(t *testing.T) {
	sd, err := cms.Parse(readCorpus(t, "dss__Signature-C-B-LTA-10.p7m"))
	if err != nil {
		t.Fatal(err)
	}
	si := sd.SignerInfos[0]
	var tok *tsp.Token
	for _, a := range si.UnsignedAttrs {
		if a.Type.Equal(cms.OIDAttrArchiveTimeStampV3) {
			tok, _ = tsp.Parse(a.Values[0].FullBytes)
		}
	}
	if tok == nil {
		t.Fatal("no ATSv3")
	}
	idx, err := tok.Signer.ATSHashIndex()
	if err != nil {
		t.Fatal(err)
	}
	sde, _ := sd.Elements()
	sie, _ := si.Elements()
	// An attribute added after the time-stamp is not in its index: fine.
	sub := *idx
	sub.UnsignedAttrs = idx.UnsignedAttrs[1:]
	if err := checkHashIndex(&sub, sde, sie); err != nil {
		t.Errorf("ok/subset: %v", err)
	}
	// An index listing one element twice needs it twice.
	dup := *idx
	dup.Certificates = append(append([][]byte(nil), idx.Certificates...), idx.Certificates[0])
	if err := checkHashIndex(&dup, sde, sie); !errors.Is(err, ErrHashIndexMismatch) {
		t.Errorf("fail/duplicate: %v", err)
	}
	bad := *idx
	bad.CRLs = [][]byte{make([]byte, 32)}
	if err := checkHashIndex(&bad, sde, sie); !errors.Is(err, ErrHashIndexMismatch) || !strings.Contains(err.Error(), "CRL") {
		t.Errorf("fail/unknown-crl: %v", err)
	}
}

// FuzzArchiveImprint: whatever the SignedData, checking its archive
// time-stamps returns, never panics.
func FuzzArchiveImprint(f *testing.F) {
	for _, name := range []string{"dss__Signature-C-B-LTA-10.p7m", "dss__CAdES-BpLTA_modified_ats_hash_element.p7m"} {
		f.Add(readCorpus(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := cms.Parse(data)
		if err != nil {
			return
		}
		for _, si := range sd.SignerInfos {
			for _, tok := range si.ArchiveTimeStamps() {
				_ = verifyArchiveImprint(sd, si, tok, []byte("detached"), nil)
			}
		}
	})
}
