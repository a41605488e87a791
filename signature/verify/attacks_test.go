package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/internal/testshared"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/verify"
)

// TestSpoofedSMIME runs the "Johnny, you are fired!" S/MIME spoofing study
// and the covert-content letters: no spoofed letter may come out as validly
// signed content from the sender it claims, and the report must say what
// was and was not signed. The study's CA is trusted and the time is set
// inside its certificates' validity, so that only the attack itself can
// make a signature fail.
func TestSpoofedSMIME(t *testing.T) {
	dir := testshared.Path(t, "attacks", "email")
	anchors := readAnchor(t, filepath.Join(dir, "johnny-fired", "assets__certificates__intermediate_ca.crt"))
	o := signature.Options{Time: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC), Anchors: anchors}

	files, _ := filepath.Glob(filepath.Join(dir, "johnny-fired", "*.eml"))
	more, _ := filepath.Glob(filepath.Join(dir, "covert-content", "*.eml"))
	files = append(files, more...)
	if len(files) < 20 {
		t.Fatalf("only %d attack letters found", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fr := verify.File(context.Background(), verify.Input{Name: name, Data: data}, o)
			if fr.Verdict == signature.Accepted {
				t.Fatalf("attack letter accepted: %+v", fr)
			}
			from := fromHeader(data)
			for _, s := range fr.Signatures {
				if s.Indication != signature.TotalPassed && !intact(s) {
					continue
				}
				// A signature that verifies must say what it covers and
				// must not silently vouch for a sender it does not name.
				if len(s.Covered) == 0 {
					t.Errorf("%s: verified signature covers nothing named", s.ID)
				}
				if from != "" && !strings.EqualFold(from, s.Signer.Email) && !anyContains(s.Warnings, "differs from the signer") &&
					!anyContains(s.Warnings, "several senders") && !anyContains(s.Warnings, "no readable From") {
					t.Errorf("%s: From %q, signer %q, and no warning: %q", s.ID, from, s.Signer.Email, s.Warnings)
				}
			}
			switch {
			case strings.Contains(name, "eContent_confusion"):
				mustOutcome(t, fr, signature.TotalFailed, "not what was signed")
			case strings.Contains(name, "multiple_signerInfos"):
				// The appended signer info of another person must not make
				// the letter look signed by both.
				if len(fr.Signatures) != 2 || fr.Signatures[0].Indication == fr.Signatures[1].Indication {
					t.Errorf("multiple signer infos: %+v", fr.Signatures)
				}
			case strings.Contains(name, "no_signerInfos"):
				if len(fr.Signatures) != 0 || fr.Verdict != signature.Rejected {
					t.Errorf("no signer infos: verdict %s, %d signatures", fr.Verdict, len(fr.Signatures))
				}
			case strings.Contains(name, "m3-smime"):
				if !anyContains(fr.Reasons, "Only MIME part") {
					t.Errorf("partly signed letter not reported as such: %q", fr.Reasons)
				}
			case strings.Contains(name, "pgp"):
				if len(fr.Signatures) != 0 {
					t.Errorf("OpenPGP letter reported with S/MIME signatures")
				}
			}
		})
	}
}

func mustOutcome(t *testing.T, fr signature.FileReport, ind signature.Indication, errPart string) {
	t.Helper()
	if len(fr.Signatures) == 0 {
		t.Fatalf("no signatures; reasons %q", fr.Reasons)
	}
	for _, s := range fr.Signatures {
		if s.Indication != ind || !anyContains(s.Errors, errPart) {
			t.Errorf("%s: %s %s %q, want %s with %q", s.ID, s.Indication, s.SubIndication, s.Errors, ind, errPart)
		}
	}
}

func anyContains(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// fromHeader returns the bare address of the first From header.
func fromHeader(raw []byte) string {
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			return ""
		}
		if strings.HasPrefix(strings.ToLower(line), "from:") {
			v := strings.TrimSpace(line[5:])
			if i := strings.LastIndexByte(v, '<'); i >= 0 {
				v = strings.TrimSuffix(v[i+1:], ">")
			}
			return v
		}
	}
	return ""
}
