package cms

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func indexSigner(value []byte, oid asn1.ObjectIdentifier) *SignerInfo {
	return &SignerInfo{UnsignedAttrs: []Attribute{{Type: oid, Values: []asn1.RawValue{{FullBytes: value}}}}}
}

func hashList(n int, size int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		b = append(b, derTLV(tagOctetString, bytes.Repeat([]byte{byte(i + 1)}, size))...)
	}
	return derTLV(0x30, b)
}

func TestATSHashIndex(t *testing.T) {
	sha512 := derTLV(0x30, []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03})
	cases := []struct {
		name  string
		value []byte
		oid   asn1.ObjectIdentifier
		hash  crypto.Hash
		ok    bool
	}{
		{"ok/default-sha256", derTLV(0x30, append(append(hashList(2, 32), hashList(0, 32)...), hashList(1, 32)...)), OIDAttrATSHashIndexV3, crypto.SHA256, true},
		{"ok/v3-sha512", derTLV(0x30, bytes.Join([][]byte{sha512, hashList(1, 64), hashList(1, 64), hashList(3, 64)}, nil)), OIDAttrATSHashIndexEN, crypto.SHA512, true},
		{"fail/two-fields", derTLV(0x30, append(hashList(1, 32), hashList(1, 32)...)), OIDAttrATSHashIndexEN, 0, false},
		{"fail/wrong-hash-length", derTLV(0x30, bytes.Join([][]byte{hashList(1, 20), hashList(0, 32), hashList(0, 32)}, nil)), OIDAttrATSHashIndexEN, 0, false},
		{"fail/not-octets", derTLV(0x30, bytes.Join([][]byte{derTLV(0x30, []byte{2, 1, 0}), hashList(0, 32), hashList(0, 32)}, nil)), OIDAttrATSHashIndexEN, 0, false},
		{"fail/unknown-algorithm", derTLV(0x30, bytes.Join([][]byte{derTLV(0x30, []byte{6, 1, 42}), hashList(0, 32), hashList(0, 32), hashList(0, 32)}, nil)), OIDAttrATSHashIndexEN, 0, false},
		{"fail/truncated", []byte{0x30, 0x10, 0x30}, OIDAttrATSHashIndexEN, 0, false},
		{"fail/absent", nil, OIDAttrCertValues, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idx, err := indexSigner(c.value, c.oid).ATSHashIndex()
			if (err == nil) != c.ok {
				t.Fatalf("err = %v", err)
			}
			if c.ok && (idx.Hash != c.hash || idx.V3 != c.oid.Equal(OIDAttrATSHashIndexEN) || !bytes.Equal(idx.Raw, c.value)) {
				t.Fatalf("got %+v", idx)
			}
			if !c.ok && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrMissingAttribute) {
				t.Fatalf("error %v wraps no cms sentinel", err)
			}
		})
	}
}

func TestElementsCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedDir(t), "corpus", "cms", "dss__Signature-C-B-LTA-10.p7m"))
	if err != nil {
		t.Skip(err)
	}
	sd, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sd.Elements()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.CertificateChoices) != len(sd.Certificates)+sd.SkippedCertificates || !bytes.Contains(data, e.Certificates) || !bytes.Equal(e.EContentType, []byte{6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 7, 1}) {
		t.Fatalf("SignedData elements: %d certificates, eContentType %x", len(e.CertificateChoices), e.EContentType)
	}
	si := sd.SignerInfos[0]
	se, err := si.Elements()
	if err != nil {
		t.Fatal(err)
	}
	joined := bytes.Join([][]byte{se.Version, se.SID, se.DigestAlgorithm, se.SignedAttrs, se.SignatureAlgorithm, se.Signature, se.UnsignedAttrs}, nil)
	if !bytes.Equal(joined, si.Raw[len(si.Raw)-len(joined):]) || len(se.UnsignedAttributes) != len(si.UnsignedAttrs) {
		t.Fatal("SignerInfo elements do not rebuild the SignerInfo")
	}
	for i, a := range se.UnsignedAttributes {
		if !a.Type.Equal(si.UnsignedAttrs[i].Type) || !bytes.Equal(a.Raw, si.UnsignedAttrs[i].Raw) {
			t.Fatalf("attribute %d differs", i)
		}
	}
	if d, err := DEREncoding(se.SID); err != nil || !bytes.Equal(d, se.SID) {
		t.Fatalf("DER of a DER element changed: %v", err)
	}
	if d, err := DEREncoding([]byte{0x30, 0x80, 2, 1, 5, 0, 0}); err != nil || !bytes.Equal(d, []byte{0x30, 3, 2, 1, 5}) {
		t.Fatalf("indefinite length not made definite: %x %v", d, err)
	}
}

func FuzzATSHashIndex(f *testing.F) {
	f.Add(derTLV(0x30, append(append(hashList(2, 32), hashList(0, 32)...), hashList(1, 32)...)))
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0, 0})
	f.Fuzz(func(t *testing.T, value []byte) {
		for _, oid := range []asn1.ObjectIdentifier{OIDAttrATSHashIndexEN, OIDAttrATSHashIndexV3} {
			idx, err := indexSigner(value, oid).ATSHashIndex()
			if err == nil {
				for _, l := range [][][]byte{idx.Certificates, idx.CRLs, idx.UnsignedAttrs} {
					for _, h := range l {
						if len(h) != idx.Hash.Size() {
							t.Fatalf("hash of %d bytes accepted", len(h))
						}
					}
				}
			}
		}
		_, _ = DEREncoding(value)
		si := &SignerInfo{Raw: value}
		_, _ = si.Elements()
		_, _ = (&SignedData{Raw: value}).Elements()
	})
}
