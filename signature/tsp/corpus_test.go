package tsp

import (
	"errors"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/algo"
	"github.com/sigintake/sigintake/signature/cms"
)

func TestCorpusTimestamps(t *testing.T) {
	seen := map[string]int{}
	for _, c := range corpusTimestamps(t) {
		name := c.file + "/" + c.kind
		seen[name]++
		t.Run(name, func(t *testing.T) {
			tok, err := Parse(c.token)
			if c.file == "dss__Signature-C-DE_CRY-4.p7m" {
				// Its signature-time-stamp value is an OCTET STRING
				// wrapping the token, not a ContentInfo; DSS finds no
				// time-stamp in this file either.
				if !errors.Is(err, cms.ErrMalformed) {
					t.Fatalf("err = %v, want cms.ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.GenTime.Before(time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)) || tok.Info.SerialNumber == nil || len(tok.Info.Policy) == 0 {
				t.Fatalf("TSTInfo %+v", tok.Info)
			}
			if c.kind == "signature" {
				if err := tok.MatchesImprint(c.si.Signature); err != nil {
					t.Fatal(err)
				}
				if err := tok.MatchesImprint(append([]byte{0}, c.si.Signature...)); !errors.Is(err, ErrImprintMismatch) {
					t.Fatalf("other data: %v", err)
				}
			}
			cv, err := c.si.CertificateValues()
			if err != nil {
				t.Fatal(err)
			}
			cert, err := tok.SignerCertificate(append(append([][]byte{}, c.sd.Certificates...), cv...))
			if err != nil {
				t.Fatal(err)
			}
			spki, err := cms.CertificatePublicKeyInfo(cert)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := algo.ParsePublicKey(spki)
			if err != nil {
				t.Fatal(err)
			}
			if err := tok.VerifySignature(pub); err != nil {
				t.Fatal(err)
			}
			if err := tok.CheckSigningCertificate(cert); err != nil {
				t.Fatal(err)
			}
			// Another certificate of the file must not satisfy the ESS binding.
			for _, other := range c.sd.Certificates {
				if string(other) != string(cert) {
					if err := tok.CheckSigningCertificate(other); !errors.Is(err, cms.ErrSigningCertificateMismatch) {
						t.Fatalf("ESS matched another certificate: %v", err)
					}
					break
				}
			}
		})
	}
	for _, want := range []string{
		"dss__Signature-C-B-LTA-10.p7m/signature", "dss__Signature-C-B-LTA-10.p7m/archive",
		"dss__screenshot.png.signed_qes_detached.p7s/signature",
		"dss__CAdES-BpLTA_modified_ats_hash_element.p7m/archive",
	} {
		if seen[want] == 0 {
			t.Errorf("no time-stamp found for %s", want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range corpusTimestamps(f) {
		f.Add(c.token)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := Parse(data)
		if err != nil {
			return
		}
		_ = tok.MatchesImprint(data)
		_ = tok.CheckSigningCertificate(data)
		_, _ = tok.SignerCertificate(nil)
	})
}
