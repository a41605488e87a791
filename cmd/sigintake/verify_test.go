package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/signature/sigtest"
)

// TestVerifyCommand checks the contract of `sigintake verify`: the JSON
// fields, the verdicts and the exit status.
func TestVerifyCommand(t *testing.T) {
	p := sigtest.New(t)
	dir := t.TempDir()
	f := p.WriteFiles(dir)
	content := []byte("Labdien!\r\n")
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("iesniegums.txt", content)
	detached := write("iesniegums.txt.p7s", sigtest.SignCMS(content, f.Signer, sigtest.CMSOptions{Detached: true,
		RevocationValues: f.Signer.RevocationValues()}))
	tampered := write("tampered.p7m", sigtest.SignCMS(content, f.Signer, sigtest.CMSOptions{ChangeContent: true}))
	unsigned := write("photo.jpg", []byte("\xff\xd8\xff\xe0 not signed"))

	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dispatch(append([]string{"verify"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	at := "--at=" + sigtest.Now.Format("2006-01-02T15:04:05Z")
	code, out, stderr := run("--json", "--offline", at, "--trust-anchor", f.Root, detached, tampered, unsigned)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var reports []map[string]any
	if err := json.Unmarshal([]byte(out), &reports); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if len(reports) != 3 {
		t.Fatalf("%d reports", len(reports))
	}
	for _, k := range []string{"file", "format", "verdict", "reasons", "signatures"} {
		if _, ok := reports[0][k]; !ok {
			t.Errorf("file object lacks %q", k)
		}
	}
	sig := reports[0]["signatures"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "indication", "qualification", "level", "signer", "issuer", "certificate_sha256",
		"signing_time", "best_signature_time", "timestamps", "revocation", "covered", "errors", "warnings"} {
		if _, ok := sig[k]; !ok {
			t.Errorf("signature object lacks %q", k)
		}
	}
	signer := sig["signer"].(map[string]any)
	if signer["serial_number"] != "PNOLV-010101-11111" {
		t.Errorf("signer %v", signer)
	}
	if sig["indication"] != "TOTAL_PASSED" || reports[0]["verdict"] != "review" {
		// Passed, but no trusted list says it is qualified: review.
		t.Errorf("detached: %v %v", sig["indication"], reports[0]["verdict"])
	}
	if rev := sig["revocation"].(map[string]any); rev["source"] != "embedded" || rev["status"] != "good" {
		t.Errorf("revocation %v", rev)
	}
	if reports[1]["verdict"] != "rejected" || reports[2]["verdict"] != "rejected" {
		t.Errorf("tampered %v, unsigned %v", reports[1]["verdict"], reports[2]["verdict"])
	}

	// Human output reads like a simple report.
	code, out, _ = run("--offline", at, "--trust-anchor", f.Root, tampered)
	if code != 1 || !strings.Contains(out, "TOTAL_FAILED / HASH_FAILURE") || !strings.Contains(out, "Verdict:     REJECTED") {
		t.Errorf("human output (exit %d):\n%s", code, out)
	}

	// Usage and I/O errors exit 2.
	for _, args := range [][]string{{}, {"--at", "yesterday", detached}, {filepath.Join(dir, "missing.p7s")}, {"--trust-anchor", unsigned, detached}, {"--trusted-list-signer", f.Root, detached}} {
		if code, _, _ := run(args...); code != 2 {
			t.Errorf("verify %q: exit %d, want 2", args, code)
		}
	}
}
