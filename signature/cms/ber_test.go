package cms

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestBER(t *testing.T) {
	t.Run("ok/indefinite-and-constructed-octets", func(t *testing.T) {
		// SEQUENCE(indef){ OCTET STRING(cons, indef){ "ab", "c" } }
		in := []byte{0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0, 0, 0, 0}
		n, err := parseBER(in, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := n.kids[0].octets()
		if err != nil || string(v) != "abc" {
			t.Fatalf("%q %v", v, err)
		}
		if !bytes.Equal(n.full, in) {
			t.Fatal("full encoding not kept")
		}
		der, err := toDER(n)
		if err != nil || !bytes.Equal(der, []byte{0x30, 0x05, 0x04, 0x03, 'a', 'b', 'c'}) {
			t.Fatalf("DER %x %v", der, err)
		}
	})
	t.Run("ok/high-tag-and-long-length", func(t *testing.T) {
		in := []byte{0x9f, 0x81, 0x00, 0x82, 0x00, 0x01, 0xaa} // [128] non-minimal length
		n, err := parseBER(in, Limits{})
		if err != nil || n.tag != 128 || n.class != classContext || !bytes.Equal(n.content, []byte{0xaa}) {
			t.Fatalf("%+v %v", n, err)
		}
	})
	for name, in := range map[string][]byte{
		"fail/empty":                  {},
		"fail/truncated":              {0x30, 0x05, 0x02, 0x01},
		"fail/trailing":               {0x05, 0x00, 0x00},
		"fail/indefinite-primitive":   {0x04, 0x80, 0x00, 0x00},
		"fail/missing-eoc":            {0x30, 0x80, 0x05, 0x00},
		"fail/length-overflow":        {0x04, 0x84, 0xff, 0xff, 0xff, 0xff},
		"fail/too-many-length-octets": {0x04, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		"fail/reserved-length":        {0x04, 0xff},
		"fail/high-tag-non-minimal":   {0x9f, 0x80, 0x01, 0x00},
		"fail/high-tag-for-low":       {0x9f, 0x05, 0x00},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseBER(in, Limits{}); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("fail/depth", func(t *testing.T) {
		in := append(bytes.Repeat([]byte{0x30, 0x80}, 100), bytes.Repeat([]byte{0, 0}, 100)...)
		if _, err := parseBER(in, Limits{}); !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v", err)
		}
		if _, err := parseBER(in, Limits{MaxDepth: 200}); err != nil {
			t.Fatalf("raised depth: %v", err)
		}
	})
	t.Run("fail/elements", func(t *testing.T) {
		body := bytes.Repeat([]byte{0x05, 0x00}, 1000)
		in := append([]byte{0x30, 0x82, byte(len(body) >> 8), byte(len(body))}, body...)
		if _, err := parseBER(in, Limits{MaxElements: 100}); !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/size", func(t *testing.T) {
		if _, err := parseBER(make([]byte, 100), Limits{MaxSize: 10}); !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	s := newSigner(t)
	good := s.build(t, []byte("x"), buildOpts{})
	data := seq(mustDER(t, OIDData), explicit(0, octs([]byte("x"))))
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"fail/data-content-info": {data, ErrNotSignedData},
		"fail/truncated":         {good[:len(good)-1], ErrMalformed},
		"fail/not-sequence":      {[]byte{0x05, 0x00}, ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := Parse(good); err != nil {
		t.Fatal(err)
	}
}

func TestDecode(t *testing.T) {
	s := newSigner(t)
	der := s.build(t, []byte("x"), buildOpts{})
	b64 := encodeB64(der)
	for name, in := range map[string]string{
		"ok/der":         string(der),
		"ok/pem-pkcs7":   "-----BEGIN PKCS7-----\n" + b64 + "\n-----END PKCS7-----\n",
		"ok/pem-cms":     "-----BEGIN CMS-----\n" + b64 + "\n-----END CMS-----\n",
		"ok/pem-smime":   "junk before\n-----BEGIN SIGNED MESSAGE-----\n" + b64 + "\n-----END SIGNED MESSAGE-----\n",
		"ok/base64":      "  " + b64 + "\r\n",
		"ok/base64-flat": strings.ReplaceAll(b64, "\n", ""),
	} {
		t.Run(name, func(t *testing.T) {
			out, err := Decode([]byte(in))
			if err != nil || !bytes.Equal(out, der) {
				t.Fatalf("%v", err)
			}
		})
	}
	for name, in := range map[string]string{
		"fail/text":        "hello world",
		"fail/empty":       "  \n",
		"fail/base64-text": "aGVsbG8=",
		"fail/bad-pem":     "-----BEGIN PKCS7-----\n!!!\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode([]byte(in)); !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
