package asic

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
)

// corpusExpect is what each file of ../shared/corpus/asic gives against no
// trusted list (CORPUS.md explains each row against its MANIFEST
// expectation). sub lists the sub-indication of each signature; problem,
// when set, must appear among the container problems.
var corpusExpect = map[string]struct {
	sub     []signature.SubIndication
	problem string
	// tsFailed: a timestamp must come out TOTAL_FAILED HASH_FAILURE.
	tsFailed bool
}{
	"dd4j__Baltic_MoU_digital_signing_EST_LT_LV.bdoc":               {sub: nccf(3)},
	"dd4j__PSS-signature.asice":                                     {sub: nccf(1)},
	"dd4j__TS-02_23634_TS_wrong_SignatureValue.asice":               {sub: nccf(1), tsFailed: true},
	"dd4j__edoc2_lv-eId_sha256.edoc":                                {sub: nccf(1)},
	"dd4j__esteid2018signerAiaOcspLTA.asice":                        {sub: nccf(1)},
	"dd4j__latvian_T_signature.asice":                               {sub: nccf(1)},
	"dd4j__latvian_signed_container.asice":                          {sub: nccf(1)},
	"dd4j__latvian_signed_container.edoc":                           {sub: nccf(1)},
	"dd4j__mimetype_mismatch.asice":                                 {sub: nccf(1), problem: "differs from the manifest"},
	"dd4j__missing_mimetype_file.asice":                             {sub: nccf(1), problem: "no mimetype"},
	"dd4j__signed_properties_reference_not_found.asice":             {sub: []signature.SubIndication{signature.SigCryptoFailure}, problem: "not covered"},
	"dd4j__signing_certificate_not_valid_during_timestamping.asice": {sub: nccf(1)},
	"dd4j__valid-asice-esteid2018.asice":                            {sub: nccf(1)},
	"dd4j__valid-asice-lta.asice":                                   {sub: nccf(1)},
	"dd4j__valid-asics-esteid2018.asics":                            {sub: nccf(1)},
	"dd4j__zip_misses_file_which_is_in_manifest.asice":              {sub: []signature.SubIndication{signature.SignedDataNotFound}, problem: "not in the container"},
	"dss__DSS-2266.asice":                                           {sub: nccf(1)},
	"dss__Signature-A-EE_AS-6.asice":                                {sub: nccf(1)},
	"dss__multifiles-ok.asice":                                      {sub: nccf(2)},
	"dss__no-signed-file.asice":                                     {sub: []signature.SubIndication{signature.FormatFailure, signature.FormatFailure}},
	"dss__onefile-ok.asice":                                         {sub: nccf(1)},
	"dss__onefile-ok.asics":                                         {sub: nccf(1)},
	"dss__onefile-wrong-file.asice":                                 {sub: []signature.SubIndication{signature.SignedDataNotFound}, problem: "not covered"},
	"dss__removed-doc.asice":                                        {sub: []signature.SubIndication{signature.SignedDataNotFound}, problem: "not in the container"},
	"dss__test+test.edoc":                                           {sub: nccf(1)},
	"dss__xades_no-signedpropref.asice_.zip":                        {sub: []signature.SubIndication{signature.FormatFailure}, problem: "not covered"},
	"edockit__SampleFile.edoc":                                      {sub: nccf(1)},
	"edockit__terms_of_Account_Agreement_28062025_ENG.asice":        {sub: nccf(1)},
	"edockit__test-environment-sig-sample.edoc":                     {sub: nccf(2)},
}

func nccf(n int) []signature.SubIndication {
	out := make([]signature.SubIndication, n)
	for i := range out {
		out[i] = signature.NoCertificateChainFound
	}
	return out
}

func TestCorpus(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "asic")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Skipf("no corpus at %s", dir)
	}
	o := signature.Options{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := corpusExpect[name]
		if !ok {
			t.Errorf("%s: no expectation", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Validate(context.Background(), data, Limits{}, o)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if len(res.Signatures) != len(want.sub) {
				t.Fatalf("%d signatures, want %d", len(res.Signatures), len(want.sub))
			}
			for i, s := range res.Signatures {
				if s.Passed() {
					t.Errorf("signature %s passed without a trust anchor", s.ID)
				}
				if s.SubIndication != want.sub[i] {
					t.Errorf("signature %s: %s %s (%s), want %s", s.ID, s.Indication, s.SubIndication, strings.Join(s.Errors, " | "), want.sub[i])
				}
			}
			if want.problem != "" && !strings.Contains(strings.Join(res.Problems, "\n"), want.problem) {
				t.Errorf("problems %q, want %q", res.Problems, want.problem)
			}
			if want.problem == "" && len(res.Problems) > 0 {
				t.Errorf("unexpected problems %q", res.Problems)
			}
			if want.tsFailed {
				found := false
				for _, ts := range res.Signatures[0].Timestamps {
					found = found || ts.SubIndication == signature.HashFailure
				}
				if !found {
					t.Errorf("timestamps %+v: want one failing HASH_FAILURE", res.Signatures[0].Timestamps)
				}
			}
		})
	}
	if seen != len(corpusExpect) {
		t.Errorf("saw %d of %d expected files", seen, len(corpusExpect))
	}
}
