package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/sigintake/sigintake/internal/testshared"
)

// TestVerifyRealLatvianEDoc runs `sigintake verify` on the real 2021 LV eID
// signature in ../shared/trust/samples-lv/test+test.edoc, offline, with the
// 2023 EU LOTL, its pivots, the Official Journal certificates and the
// Latvian list: the file is accepted (exit 0), TOTAL_PASSED and QESig, its
// best signature time proven by the eParaksts TSA's qualified timestamp.
func TestVerifyRealLatvianEDoc(t *testing.T) {
	trust := testshared.Path(t, "trust")
	args := []string{"verify", "--json", "--offline", "--at", "2023-10-01T00:00:00Z",
		"--trusted-list", filepath.Join(trust, "tl", "LV-TL-seq41-2023-09-12.xml")}
	lotls, _ := filepath.Glob(filepath.Join(trust, "tl", "EU-LOTL-*.xml"))
	for _, l := range lotls {
		args = append(args, "--trusted-list", l)
	}
	signers, _ := filepath.Glob(filepath.Join(trust, "certs", "lotl-signers-oj-2019-C276", "*"))
	if len(lotls) == 0 || len(signers) == 0 {
		t.Fatal("trusted lists or Official Journal certificates missing from ../shared/trust")
	}
	for _, s := range signers {
		args = append(args, "--trusted-list-signer", s)
	}
	args = append(args, filepath.Join(trust, "samples-lv", "test+test.edoc"))
	var out, errb bytes.Buffer
	if code := dispatch(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", code, out.String(), errb.String())
	}
	var reports []struct {
		Verdict    string `json:"verdict"`
		Signatures []struct {
			Indication        string `json:"indication"`
			Qualification     string `json:"qualification"`
			BestSignatureTime string `json:"best_signature_time"`
			Revocation        struct {
				Source string `json:"source"`
			} `json:"revocation"`
			Timestamps []struct {
				Qualified bool `json:"qualified"`
			} `json:"timestamps"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatal(err)
	}
	s := reports[0].Signatures[0]
	if reports[0].Verdict != "accepted" || s.Indication != "TOTAL_PASSED" || s.Qualification != "QESig" ||
		s.BestSignatureTime[:10] != "2021-03-04" || s.Revocation.Source != "embedded" || len(s.Timestamps) != 1 || !s.Timestamps[0].Qualified {
		t.Fatalf("report: %+v", reports[0])
	}
}
