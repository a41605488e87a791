package sigtest

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"
)

// tstInfo decodes the TSTInfo inside a TimeStampToken, independently of tsa.go.
type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		Alg    asn1.RawValue
		Hashed []byte
	}
	Serial   *big.Int
	GenTime  time.Time     `asn1:"generalized"`
	Accuracy asn1.RawValue `asn1:"optional"`
	Nonce    *big.Int      `asn1:"optional"`
	TSA      asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

func parseToken(t *testing.T, tok []byte) tstInfo {
	t.Helper()
	sd := parseSignedData(t, tok)
	if !sd.Encap.Type.Equal(OIDTSTInfo) {
		t.Fatalf("eContentType %v", sd.Encap.Type)
	}
	var info tstInfo
	if _, err := asn1.Unmarshal(sd.Encap.Content, &info); err != nil {
		t.Fatalf("TSTInfo: %v", err)
	}
	return info
}

func TestTSA(t *testing.T) {
	p := New(t)
	dir := t.TempDir()
	files := p.WriteFiles(dir)
	data := []byte("timestamped data")
	h := sha256.Sum256(data)

	t.Run("ok/http-openssl-verify", func(t *testing.T) {
		reply := post(t, p.TSA.URL(), "application/timestamp-query", TimestampQuery(crypto.SHA256, h[:], big.NewInt(42)))
		rf := writeTemp(t, dir, "reply.tsr", reply)
		out, err := openssl(t, "ts", "-reply", "-in", rf, "-text")
		if err != nil || !strings.Contains(out, "Status: Granted") || !strings.Contains(out, "Nonce: 0x2A") {
			t.Fatalf("openssl ts -reply: %v\n%s", err, out)
		}
		df := writeTemp(t, dir, "data", data)
		out, err = openssl(t, "ts", "-verify", "-in", rf, "-data", df, "-CAfile", files.Root, "-untrusted", files.Intermediate, "-attime", attime)
		if err != nil || !strings.Contains(out, "Verification: OK") {
			t.Fatalf("openssl ts -verify: %v\n%s", err, out)
		}
		if p.Requests().TSA != 1 {
			t.Errorf("TSA count %d", p.Requests().TSA)
		}
	})
	t.Run("ok/direct-token", func(t *testing.T) {
		p.SetClock(Now.Add(time.Minute))
		defer p.SetClock(Now)
		tok := p.Timestamp(crypto.SHA256, h[:])
		info := parseToken(t, tok)
		if !bytes.Equal(info.MessageImprint.Hashed, h[:]) || !info.GenTime.Equal(Now.Add(time.Minute)) {
			t.Errorf("imprint/genTime: %x %v", info.MessageImprint.Hashed, info.GenTime)
		}
		tf := writeTemp(t, dir, "token.der", tok)
		out, err := openssl(t, "ts", "-verify", "-token_in", "-in", tf, "-digest", strings.ToUpper(hexs(h[:])),
			"-CAfile", files.Root, "-untrusted", files.Intermediate, "-attime", attime)
		if err != nil || !strings.Contains(out, "Verification: OK") {
			t.Fatalf("openssl ts -verify token: %v\n%s", err, out)
		}
	})
	bad := func(name string, tsa *TSA, mode TSAMode) {
		t.Run(name, func(t *testing.T) {
			tsa.SetMode(mode)
			defer tsa.SetMode(TSAGranted)
			tf := writeTemp(t, dir, "bad.der", tsa.Timestamp(crypto.SHA256, h[:]))
			out, err := openssl(t, "ts", "-verify", "-token_in", "-in", tf, "-digest", hexs(h[:]),
				"-CAfile", files.Root, "-untrusted", files.Intermediate, "-attime", attime)
			if err == nil {
				t.Fatalf("openssl accepted:\n%s", out)
			}
		})
	}
	bad("fail/bad-signature", p.TSA, TSABadSignature)
	bad("fail/wrong-imprint", p.TSA, TSAWrongImprint)
	bad("fail/untrusted", p.NewTSA(TSAOptions{Untrusted: true, CommonName: "Rogue TSA"}), TSAGranted)
	bad("fail/expired", p.NewTSA(TSAOptions{Expired: true, CommonName: "Old TSA"}), TSAGranted)
	bad("fail/eku-not-critical", p.NewTSA(TSAOptions{NonCriticalEKU: true, CommonName: "Lax TSA"}), TSAGranted)

	t.Run("fail/rejection", func(t *testing.T) {
		p.TSA.SetMode(TSARejection)
		defer p.TSA.SetMode(TSAGranted)
		reply := post(t, p.TSA.URL(), "application/timestamp-query", TimestampQuery(crypto.SHA256, h[:], nil))
		var resp struct {
			Status struct{ Status int }
		}
		asn1.Unmarshal(reply, &resp)
		if resp.Status.Status != 2 {
			t.Errorf("status %d", resp.Status.Status)
		}
	})
}

func hexs(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
