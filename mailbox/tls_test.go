package mailbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// testCert makes a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test mail server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestIMAPTLSModes(t *testing.T) {
	cert, pool := testCert(t)
	_, otherPool := testCert(t)
	srvTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("ekase", "pw")
	user.Create("INBOX", nil)
	mem.AddUser(user)
	newSrv := func(starttls bool) *imapserver.Server {
		o := &imapserver.Options{
			NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
				return mem.NewSession(), nil, nil
			},
			Caps:   imap.CapSet{imap.CapIMAP4rev1: {}},
			Logger: discardLogger{},
		}
		if starttls {
			o.TLSConfig = srvTLS
		}
		return imapserver.New(o)
	}
	implicitLn, err := tls.Listen("tcp", "127.0.0.1:0", srvTLS)
	if err != nil {
		t.Fatal(err)
	}
	s1 := newSrv(false)
	go s1.Serve(implicitLn)
	t.Cleanup(func() { s1.Close() })
	startLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s2 := newSrv(true)
	go s2.Serve(startLn)
	t.Cleanup(func() { s2.Close() })

	for _, tc := range []struct {
		name string
		mode TLSMode
		ln   net.Listener
		pool *x509.CertPool
		ok   bool
	}{
		{"ok/implicit", TLSImplicit, implicitLn, pool, true},
		{"ok/starttls", TLSStartTLS, startLn, pool, true},
		{"fail/implicit-untrusted", TLSImplicit, implicitLn, otherPool, false},
		{"fail/starttls-untrusted", TLSStartTLS, startLn, otherPool, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := IMAPConfig{Host: "127.0.0.1", Port: tc.ln.Addr().(*net.TCPAddr).Port, TLS: tc.mode,
				TLSConfig: &tls.Config{RootCAs: tc.pool}, User: "ekase", Password: "pw", DialTimeout: 5 * time.Second}
			c, err := Dial(context.Background(), cfg)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("untrusted certificate accepted")
			}
			if !errors.Is(err, ErrPermanent) {
				t.Fatalf("untrusted certificate: %v (want permanent)", err)
			}
		})
	}
}

func TestSMTPTLSModes(t *testing.T) {
	cert, pool := testCert(t)
	_, otherPool := testCert(t)
	srvTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	s := &sink{}
	start := func(implicit bool) int {
		srv := smtp.NewServer(s)
		srv.Domain = "localhost"
		srv.TLSConfig = srvTLS
		var ln net.Listener
		var err error
		if implicit {
			ln, err = tls.Listen("tcp", "127.0.0.1:0", srvTLS)
		} else {
			ln, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return ln.Addr().(*net.TCPAddr).Port
	}
	implicit, starttls := start(true), start(false)
	raw := []byte("Subject: x\r\n\r\nbody\r\n")
	for _, tc := range []struct {
		name string
		mode TLSMode
		port int
		pool *x509.CertPool
		ok   bool
	}{
		{"ok/implicit", TLSImplicit, implicit, pool, true},
		{"ok/starttls", TLSStartTLS, starttls, pool, true},
		{"fail/implicit-untrusted", TLSImplicit, implicit, otherPool, false},
		{"fail/starttls-untrusted", TLSStartTLS, starttls, otherPool, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snd, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: tc.port, TLS: tc.mode,
				TLSConfig: &tls.Config{RootCAs: tc.pool}, User: "reply", Password: "pw"})
			if err != nil {
				t.Fatal(err)
			}
			err = snd.Send(context.Background(), "a@example.lv", []string{"b@example.lv"}, raw)
			if tc.ok != (err == nil) {
				t.Fatalf("Send: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrPermanent) {
				t.Fatalf("untrusted certificate: %v (want permanent)", err)
			}
		})
	}
}
