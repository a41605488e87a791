package sigtest

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPEMAndBase64(t *testing.T) {
	p := New(t)
	l := p.Issue(LeafOptions{})
	key, _ := x509.MarshalPKCS8PrivateKey(l.Key)
	for _, tc := range []struct {
		der  []byte
		want string
	}{
		{l.DER, "CERTIFICATE"},
		{p.Intermediate.CRL(), "X509 CRL"},
		{key, "PRIVATE KEY"},
		{SignCMS([]byte("x"), l, CMSOptions{}), "CMS"},
		{[]byte("plain"), "DATA"},
	} {
		b, _ := pem.Decode(PEM(tc.der))
		if b == nil || b.Type != tc.want || string(b.Bytes) != string(tc.der) {
			t.Errorf("PEM type %v, want %s", b, tc.want)
		}
	}
	lines := Base64Lines(l.DER)
	for _, ln := range strings.Split(strings.TrimSuffix(lines, "\r\n"), "\r\n") {
		if len(ln) > 76 {
			t.Fatalf("line of %d", len(ln))
		}
	}
	if b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(lines, "\r\n", "")); err != nil || string(b) != string(l.DER) {
		t.Errorf("Base64Lines does not round-trip: %v", err)
	}
	if strings.ContainsAny(Base64(l.DER), "\r\n") {
		t.Errorf("Base64 has line breaks")
	}
}

// TestServiceFaults covers the HTTP faults of the CRL and TSA services.
func TestServiceFaults(t *testing.T) {
	p := New(t)
	do := func(ctx context.Context, url string, body []byte) (int, []byte, error) {
		method := http.MethodGet
		var r io.Reader
		if body != nil {
			method, r = http.MethodPost, strings.NewReader(string(body))
		}
		req, _ := http.NewRequestWithContext(ctx, method, url, r)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	get := func(url string, body []byte) (int, []byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return do(ctx, url, body)
	}
	// hangs checks that a request reaches the server and gets no answer
	// until the client gives up.
	hangs := func(url string, body []byte) {
		t.Helper()
		before := p.Requests().Total()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, _, err := do(ctx, url, body); done <- err }()
		for deadline := time.Now().Add(10 * time.Second); p.Requests().Total() == before; {
			if time.Now().After(deadline) {
				t.Fatalf("request to %s never arrived", url)
			}
			time.Sleep(5 * time.Millisecond)
		}
		select {
		case err := <-done:
			t.Errorf("hanging %s answered: %v", url, err)
		case <-time.After(100 * time.Millisecond):
		}
		cancel()
		if err := <-done; err == nil {
			t.Errorf("hanging %s: no error after cancel", url)
		}
	}
	p.Intermediate.SetCRLMode(CRLHang)
	hangs(p.Intermediate.CRLURL(), nil)
	p.Intermediate.SetCRLMode(CRLGarbage)
	if code, b, err := get(p.Intermediate.CRLURL(), nil); err != nil || code != 200 {
		t.Errorf("garbage CRL: %d %v", code, err)
	} else if _, err := x509.ParseRevocationList(b); err == nil {
		t.Errorf("garbage CRL parses")
	}
	q := TimestampQuery(crypto.SHA256, make([]byte, 32), nil)
	p.TSA.SetMode(TSAHang)
	hangs(p.TSA.URL(), q)
	p.TSA.SetMode(TSAGarbage)
	if _, b, err := get(p.TSA.URL(), q); err != nil || strings.HasPrefix(string(b), "0") {
		t.Errorf("garbage TSA: %v %q", err, b)
	}
	p.TSA.SetMode(TSAGranted)
	if _, b, _ := get(p.TSA.URL(), []byte("junk")); len(b) < 5 || b[4] != 0x02 || b[6] != 2 {
		t.Errorf("junk request: % x", b)
	}
	if code, _, _ := get(p.URL()+"/tsa/nope", q); code != 404 {
		t.Errorf("unknown TSA: %d", code)
	}
	if got := p.Requests(); got.CRL != 2 || got.TSA != 4 {
		t.Errorf("counts %+v", got)
	}
}
