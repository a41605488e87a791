package xmldsig

import (
	"errors"
	"testing"
)

func verifyFile(t *testing.T, rel string) (*Result, error) {
	t.Helper()
	doc, err := Parse(readShared(t, rel), Limits{})
	if err != nil {
		return nil, err
	}
	sigs := FindSignatures(doc.Root())
	if len(sigs) != 1 {
		t.Fatalf("%s: %d signatures", rel, len(sigs))
	}
	return Verify(doc, sigs[0], Options{})
}

func TestRealTrustedLists(t *testing.T) {
	for _, f := range []string{
		"trust/tl/EU-LOTL-seq248-2019-09-04.xml",
		"trust/tl/EU-LOTL-seq332-2023-09-27.xml",
		"trust/tl/EU-LOTL-pivot-282.xml",
		"trust/tl/LV-TL-seq41-2023-09-12.xml",
		"trust/tl/LV-TL-seq28-2019-09-02.xml",
		"trust/tl/EE-TL-seq62-2023-10-05.xml",
		"trust/tl/special/TSL-noID.xml",
		"trust/tl/status-history-EE_T/EE_T.xml",
	} {
		t.Run("ok/"+f, func(t *testing.T) {
			res, err := verifyFile(t, f)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if !res.SignatureOK || res.KeyIndex != 0 {
				t.Fatalf("signature not ok: %+v", res.KeyIndex)
			}
			whole := false
			for _, r := range res.References {
				if r.Whole && r.Enveloped && r.DigestOK {
					whole = true
				}
			}
			if !whole {
				t.Fatal("no enveloped whole-document reference")
			}
		})
	}
	t.Run("fail/broken-sig", func(t *testing.T) {
		_, err := verifyFile(t, "trust/tl/negative/eu-lotl-broken-sig.xml")
		if !errors.Is(err, ErrDigest) && !errors.Is(err, ErrSignatureBad) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/not-parseable", func(t *testing.T) {
		_, err := Parse(readShared(t, "trust/tl/negative/eu-lotl-not-parseable.xml"), Limits{})
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
}
