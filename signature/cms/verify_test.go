package cms

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature/algo"
)

func parseAndKey(t *testing.T, der []byte, extra [][]byte) (*SignedData, *SignerInfo, any, error) {
	t.Helper()
	sd, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.SignerInfos) != 1 {
		t.Fatalf("%d signers", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	cert, err := sd.SignerCertificate(si, extra)
	if err != nil {
		return sd, si, nil, err
	}
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		t.Fatal(err)
	}
	return sd, si, c.PublicKey, nil
}

func TestVerifySynthetic(t *testing.T) {
	s := newSigner(t)
	content := []byte("Iesniegums Valsts kasei\r\n")
	d := sha256.Sum256(content)
	other := sha256.Sum256([]byte("other"))
	ct := attr(t, OIDAttrContentType, mustDER(t, OIDData))
	md := attr(t, OIDAttrMessageDigest, octs(d[:]))
	vendor := attr(t, []int{1, 3, 6, 1, 4, 1, 22883, 1}, octs([]byte("v")))
	for _, tc := range []struct {
		name string
		o    buildOpts
		want error
	}{
		{"ok/attached", buildOpts{}, nil},
		{"ok/detached", buildOpts{detached: true}, nil},
		{"ok/ski", buildOpts{useSKI: true}, nil},
		{"ok/no-signed-attrs", buildOpts{noAttrs: true}, nil},
		{"ok/unsorted-attrs-signed-as-DER", buildOpts{attrs: [][]byte{md, ct}, signedOver: func(b []byte) []byte {
			n, _ := parseBER(b, DefaultLimits)
			der, _ := toDER(n)
			return der
		}}, nil},
		{"fail/non-DER-attrs-signed-as-received", buildOpts{attrs: [][]byte{md, ct}}, ErrNonDERSignedAttrs},
		{"fail/digest", buildOpts{attrs: [][]byte{ct, attr(t, OIDAttrMessageDigest, octs(other[:]))}}, ErrDigestMismatch},
		{"fail/content-type", buildOpts{attrs: [][]byte{attr(t, OIDAttrContentType, mustDER(t, OIDTSTInfo)), md}}, ErrContentTypeMismatch},
		{"fail/no-content-type", buildOpts{attrs: [][]byte{md}}, ErrMissingAttribute},
		{"fail/no-message-digest", buildOpts{attrs: [][]byte{ct}}, ErrMissingAttribute},
		{"fail/two-digest-values", buildOpts{attrs: [][]byte{ct, attr(t, OIDAttrMessageDigest, octs(d[:]), octs(d[:]))}}, ErrMissingAttribute},
		{"fail/duplicate-message-digest", buildOpts{attrs: [][]byte{ct, md, md}}, ErrDuplicateAttribute},
		{"fail/duplicate-content-type", buildOpts{attrs: [][]byte{ct, ct, md}}, ErrDuplicateAttribute},
		{"ok/repeated-other-attribute", buildOpts{attrs: [][]byte{vendor, vendor, ct, md}}, nil},
		{"fail/signature", buildOpts{signedOver: func(b []byte) []byte { return append(b, 0) }}, algo.ErrVerification},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := s.build(t, content, tc.o)
			sd, si, pub, err := parseAndKey(t, der, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.o.detached != (sd.Content == nil) {
				t.Fatalf("Content = %q", sd.Content)
			}
			err = si.Verify(pub, sd.EContentType, content)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !tc.o.noAttrs {
					if err := si.VerifyDigest(pub, sd.EContentType, d[:]); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("fail/other-content", func(t *testing.T) {
		sd, si, pub, _ := parseAndKey(t, s.build(t, content, buildOpts{detached: true}), nil)
		if err := si.Verify(pub, sd.EContentType, []byte("changed")); !errors.Is(err, ErrDigestMismatch) {
			t.Fatal(err)
		}
	})
	t.Run("fail/no-signed-attrs-other-content", func(t *testing.T) {
		sd, si, pub, _ := parseAndKey(t, s.build(t, content, buildOpts{noAttrs: true}), nil)
		if err := si.Verify(pub, sd.EContentType, []byte("changed")); !errors.Is(err, algo.ErrVerification) {
			t.Fatal(err)
		}
	})
	t.Run("ok/signing-time", func(t *testing.T) {
		_, si, _, _ := parseAndKey(t, s.build(t, content, buildOpts{}), nil)
		st, ok, err := si.SigningTime()
		if err != nil || !ok || !st.Equal(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)) {
			t.Fatalf("%v %v %v", st, ok, err)
		}
	})
}

func TestSignerCertificate(t *testing.T) {
	s := newSigner(t)
	content := []byte("x")
	t.Run("fail/not-embedded", func(t *testing.T) {
		_, _, _, err := parseAndKey(t, s.build(t, content, buildOpts{noCerts: true}), nil)
		if !errors.Is(err, ErrNoSigningCertificate) {
			t.Fatal(err)
		}
	})
	t.Run("ok/extra", func(t *testing.T) {
		_, _, _, err := parseAndKey(t, s.build(t, content, buildOpts{noCerts: true}), [][]byte{s.cert})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ok/negative-serial", func(t *testing.T) {
		// Patch the certificate's serial 0x010203 to 0x810203 (negative)
		// and the SID likewise: CertificateID must keep the sign.
		cert := append([]byte(nil), s.cert...)
		i := indexOf(cert, []byte{0x02, 0x03, 0x01, 0x02, 0x03})
		if i < 0 {
			t.Fatal("serial not found")
		}
		cert[i+2] = 0x81
		if _, err := x509.ParseCertificate(cert); err == nil {
			t.Log("note: crypto/x509 accepted the negative serial")
		}
		_, serial, _, err := CertificateID(cert)
		if err != nil || serial.Sign() >= 0 {
			t.Fatalf("serial %v %v", serial, err)
		}
		der := s.build(t, content, buildOpts{noCerts: true, serial: []byte{0x81, 0x02, 0x03}})
		sd, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if got := sd.SignerInfos[0].SID.IssuerAndSerial.Serial; got.Sign() >= 0 {
			t.Fatalf("SID serial %v", got)
		}
		if _, err := sd.SignerCertificate(sd.SignerInfos[0], [][]byte{cert}); err != nil {
			t.Fatal(err)
		}
		if _, err := sd.SignerCertificate(sd.SignerInfos[0], [][]byte{s.cert}); !errors.Is(err, ErrNoSigningCertificate) {
			t.Fatal("positive serial matched a negative SID")
		}
	})
}

func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}
