package sigtest

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
)

// PEM encodes der with a block type guessed from its content: CERTIFICATE,
// X509 CRL, PRIVATE KEY (PKCS #8), CMS (a ContentInfo) or DATA.
func PEM(der []byte) []byte {
	typ := "DATA"
	var ci struct {
		Type asn1.ObjectIdentifier
		Rest asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	switch {
	case parses(func() error { _, err := x509.ParseCertificate(der); return err }):
		typ = "CERTIFICATE"
	case parses(func() error { _, err := x509.ParseRevocationList(der); return err }):
		typ = "X509 CRL"
	case parses(func() error { _, err := x509.ParsePKCS8PrivateKey(der); return err }):
		typ = "PRIVATE KEY"
	case parses(func() error { _, err := asn1.Unmarshal(der, &ci); return err }) && len(ci.Type) > 0:
		typ = "CMS"
	}
	return PEMBlock(typ, der)
}

func parses(f func() error) bool { return f() == nil }

// PEMBlock encodes der as a PEM block of type typ.
func PEMBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// Base64 is bare standard base64 on one line (as some clients mail signatures).
func Base64(der []byte) string { return base64.StdEncoding.EncodeToString(der) }

// Base64Lines is standard base64 in 76-character lines with CRLF (MIME).
func Base64Lines(der []byte) string {
	s := Base64(der)
	var b bytes.Buffer
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

// Files are the paths WriteFiles wrote.
type Files struct {
	Root, Intermediate, IntermediateEC, Chain, Rogue, TSA string
	// SignerCert and SignerKey are a qualified natural-person leaf
	// (Signer) and its PKCS #8 key, for `openssl cms -sign`.
	SignerCert, SignerKey string
	Signer                *Leaf
}

// WriteFiles writes the PKI's CA certificates, the TSA certificate and a
// fresh qualified leaf with its key as PEM files into dir, for driving
// openssl in interop tests. Chain holds Intermediate then Root.
func (p *PKI) WriteFiles(dir string) Files {
	p.tb.Helper()
	l := p.Issue(LeafOptions{QC: Qualified()})
	f := Files{
		Root:           filepath.Join(dir, "root.pem"),
		Intermediate:   filepath.Join(dir, "intermediate.pem"),
		IntermediateEC: filepath.Join(dir, "intermediate-ec.pem"),
		Chain:          filepath.Join(dir, "chain.pem"),
		Rogue:          filepath.Join(dir, "rogue.pem"),
		TSA:            filepath.Join(dir, "tsa.pem"),
		Signer:         l,
	}
	f.SignerCert, f.SignerKey = l.WriteFiles(dir, "signer")
	p.write(f.Root, PEM(p.Root.DER))
	p.write(f.Intermediate, PEM(p.Intermediate.DER))
	p.write(f.IntermediateEC, PEM(p.IntermediateEC.DER))
	p.write(f.Chain, append(PEM(p.Intermediate.DER), PEM(p.Root.DER)...))
	p.write(f.Rogue, PEM(p.Rogue.DER))
	p.write(f.TSA, PEM(p.TSA.DER))
	return f
}

// WriteFiles writes base.pem (the certificate) and base.key (PKCS #8) into dir.
func (l *Leaf) WriteFiles(dir, base string) (certPath, keyPath string) {
	p := l.Issuer.pki
	p.tb.Helper()
	key, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		p.tb.Fatalf("sigtest: marshal key: %v", err)
	}
	certPath, keyPath = filepath.Join(dir, base+".pem"), filepath.Join(dir, base+".key")
	p.write(certPath, PEM(l.DER))
	p.write(keyPath, PEMBlock("PRIVATE KEY", key))
	return certPath, keyPath
}

func (p *PKI) write(path string, b []byte) {
	p.tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		p.tb.Fatalf("sigtest: %v", err)
	}
}
