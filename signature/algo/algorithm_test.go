package algo

import (
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"
)

func algID(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oid}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAlgorithm(t *testing.T) {
	sha256ID := &pkix.AlgorithmIdentifier{Algorithm: OIDSHA256}
	sha3ID := &pkix.AlgorithmIdentifier{Algorithm: OIDSHA3_512}
	for _, tc := range []struct {
		name   string
		sig    asn1.ObjectIdentifier
		digest *pkix.AlgorithmIdentifier
		want   string
		key    KeyType
		hash   crypto.Hash
		plain  bool
	}{
		{"ok/sha256WithRSA", OIDSHA256WithRSA, nil, "RSA_SHA256", RSA, crypto.SHA256, false},
		{"ok/sha1WithRSA", OIDSHA1WithRSA, nil, "RSA_SHA1", RSA, crypto.SHA1, false},
		{"ok/rsaEncryption+sha256", OIDRSAEncryption, sha256ID, "RSA_SHA256", RSA, crypto.SHA256, false},
		{"ok/rsa-sha3-384", OIDRSASHA3_384, nil, "RSA_SHA3_384", RSA, crypto.SHA3_384, false},
		{"ok/ecdsa-sha384", OIDECDSAWithSHA384, nil, "ECDSA_SHA384", ECDSA, crypto.SHA384, false},
		{"ok/ecPublicKey+sha3-512", OIDECPublicKey, sha3ID, "ECDSA_SHA3_512", ECDSA, crypto.SHA3_512, false},
		{"ok/ecdsa-sha3-256", OIDECDSASHA3_256, nil, "ECDSA_SHA3_256", ECDSA, crypto.SHA3_256, false},
		{"ok/plain-ecdsa-sha256", append(append(asn1.ObjectIdentifier{}, OIDPlainECDSA...), 3), nil, "PLAIN_ECDSA_SHA256", ECDSA, crypto.SHA256, true},
		{"ok/plain-ecdsa-sha3-256", append(append(asn1.ObjectIdentifier{}, OIDPlainECDSA...), 9), nil, "PLAIN_ECDSA_SHA3_256", ECDSA, crypto.SHA3_256, true},
		{"ok/ed25519", OIDEd25519, nil, "ED25519", Ed25519, crypto.SHA512, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseAlgorithm(algID(tc.sig), tc.digest)
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.want || s.Key != tc.key || s.Hash != tc.hash || s.PlainECDSA != tc.plain {
				t.Fatalf("got %+v", s)
			}
		})
	}
	for name, in := range map[string]pkix.AlgorithmIdentifier{
		"fail/rsaEncryption-no-digest": algID(OIDRSAEncryption),
		"fail/unknown":                 algID(asn1.ObjectIdentifier{1, 2, 3}),
		"fail/plain-ecdsa-ripemd":      algID(append(append(asn1.ObjectIdentifier{}, OIDPlainECDSA...), 6)),
		"fail/dsa":                     algID(asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 3}),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseAlgorithm(in, nil); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestParseAlgorithmPSS(t *testing.T) {
	hashAlg := func(oid asn1.ObjectIdentifier) pkix.AlgorithmIdentifier {
		return pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.NullRawValue}
	}
	mgf := pkix.AlgorithmIdentifier{Algorithm: OIDMGF1, Parameters: asn1.RawValue{FullBytes: mustMarshal(t, hashAlg(OIDSHA3_256))}}
	params := mustMarshal(t, pssParamsASN1{Hash: hashAlg(OIDSHA3_256), MGF: mgf, SaltLength: 32, TrailerField: 1})
	s, err := ParseAlgorithm(pkix.AlgorithmIdentifier{Algorithm: OIDRSASSAPSS, Parameters: asn1.RawValue{FullBytes: params}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Key != RSAPSS || s.Hash != crypto.SHA3_256 || s.PSS.MGFHash != crypto.SHA3_256 || s.PSS.SaltLength != 32 {
		t.Fatalf("got %+v %+v", s, s.PSS)
	}
	// Absent parameters mean SHA-1, MGF1-SHA-1, salt 20 (RFC 4055 §3.1).
	s, err = ParseAlgorithm(algID(OIDRSASSAPSS), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Hash != crypto.SHA1 || s.PSS.MGFHash != crypto.SHA1 || s.PSS.SaltLength != 20 {
		t.Fatalf("defaults: %+v", s.PSS)
	}
	bad := mustMarshal(t, pssParamsASN1{Hash: hashAlg(OIDSHA256), SaltLength: 32, TrailerField: 2})
	if _, err := ParseAlgorithm(pkix.AlgorithmIdentifier{Algorithm: OIDRSASSAPSS, Parameters: asn1.RawValue{FullBytes: bad}}, nil); err == nil {
		t.Fatal("trailer field 2 accepted")
	}
}

func TestHashFromOID(t *testing.T) {
	for _, e := range hashOIDs {
		h, err := HashFromOID(e.oid)
		if err != nil || h != e.hash || !h.Available() {
			t.Fatalf("%s: %v %v", e.oid, h, err)
		}
	}
	if _, err := HashFromOID(asn1.ObjectIdentifier{1, 3, 36, 3, 2, 1}); !errors.Is(err, ErrUnsupported) {
		t.Fatal("RIPEMD-160 must be unsupported")
	}
}

func TestFromXMLURI(t *testing.T) {
	for uri, want := range map[string]string{
		"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      "RSA_SHA256",
		"http://www.w3.org/2000/09/xmldsig#rsa-sha1":             "RSA_SHA1",
		"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    "PLAIN_ECDSA_SHA256",
		"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1":      "PLAIN_ECDSA_SHA1",
		"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    "PLAIN_ECDSA_SHA512",
		"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": "RSA_SSA_PSS_SHA256_MGF1",
		"http://www.w3.org/2007/05/xmldsig-more#rsa-pss":         "RSA_SSA_PSS_SHA256_MGF1",
	} {
		s, err := FromXMLURI(uri)
		if err != nil || s.String() != want {
			t.Fatalf("%s: %v %v", uri, s, err)
		}
	}
	s, _ := FromXMLURI("http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1")
	if s.PSS == nil || s.PSS.SaltLength != 32 {
		t.Fatal("PSS salt")
	}
	if _, err := FromXMLURI("http://www.w3.org/2000/09/xmldsig#dsa-sha1"); !errors.Is(err, ErrUnsupported) {
		t.Fatal(err)
	}
	for uri, want := range map[string]crypto.Hash{
		"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
		"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
		"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
		"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	} {
		if h, err := HashFromXMLURI(uri); err != nil || h != want {
			t.Fatalf("%s: %v %v", uri, h, err)
		}
	}
}
