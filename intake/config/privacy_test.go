package config

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/store"
)

func TestParsePrivacy(t *testing.T) {
	dir := t.TempDir()
	k1 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 32)))
	k2 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("b", 32)))
	if err := os.WriteFile(filepath.Join(dir, "blob.keys"), []byte("# newest first\n"+k2+"\n"+k1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KEYS": k1 + "," + k2, "BAD": "c2hvcnQ="}
	getenv := func(k string) string { return env[k] }
	good := `
[store]
dsn = "sqlite:x.db"
encryption_key_file = "blob.keys"

[retention]
rejected_days = 365
ignored_days = 30
accepted_days = 3650

[[institution]]
id = "vid"
name = "Valsts ieņēmumu dienests"
name_en = "State Revenue Service"
address = "vid@vid.gov.lv"

[[institution]]
id = "lm"
name = "Labklājības ministrija"
address = "pasts@lm.gov.lv"
`
	t.Run("ok/file", func(t *testing.T) {
		p, err := ParsePrivacy(filepath.Join(dir, "c.toml"), []byte(good), getenv)
		if err != nil {
			t.Fatal(err)
		}
		if ids := p.Keyring.IDs(); len(ids) != 2 || ids[0] != store.KeyID([]byte(strings.Repeat("b", 32))) {
			t.Fatalf("keys = %v", ids)
		}
		if pol := p.Retention.Policy(); pol.Rejected != 365*24*time.Hour || pol.Ignored != 30*24*time.Hour || pol.Review != 0 {
			t.Fatalf("policy = %+v", pol)
		}
		in, ok := p.Institution("lm")
		if !ok || in.NameEN != in.Name || len(p.Institutions) != 2 {
			t.Fatalf("institutions = %+v", p.Institutions)
		}
	})
	t.Run("ok/env-and-defaults", func(t *testing.T) {
		p, err := ParsePrivacy("c.toml", []byte("[store]\nencryption_key_env = \"KEYS\"\n"), getenv)
		if err != nil {
			t.Fatal(err)
		}
		if p.Keyring.Current() != store.KeyID([]byte(strings.Repeat("a", 32))) || p.Retention != DefaultRetention() {
			t.Fatalf("privacy = %+v", p)
		}
	})
	t.Run("ok/no-key", func(t *testing.T) {
		p, err := ParsePrivacy("c.toml", []byte("[store]\ndsn = \"x\"\n"), getenv)
		if err != nil || p.Keyring != nil {
			t.Fatalf("no key = %+v, %v", p, err)
		}
	})
	for name, tc := range map[string]struct{ file, want string }{
		"fail/both":         {"[store]\nencryption_key_env = \"KEYS\"\nencryption_key_file = \"blob.keys\"\n", "not both"},
		"fail/empty-env":    {"[store]\nencryption_key_env = \"NONE\"\n", "is empty"},
		"fail/short-key":    {"[store]\nencryption_key_env = \"BAD\"\n", "key 1"},
		"fail/missing-file": {"[store]\nencryption_key_file = \"nope.keys\"\n", "cannot read"},
		"fail/days":         {"[retention]\nrejected_days = -1\n", "retention.rejected_days"},
		"fail/address":      {"[[institution]]\nid = \"x\"\nname = \"X\"\naddress = \"X <x@y.lv>\"\n", "plain e-mail"},
		"fail/duplicate-id": {"[[institution]]\nid = \"x\"\nname = \"X\"\naddress = \"x@y.lv\"\n[[institution]]\nid = \"x\"\nname = \"Y\"\naddress = \"y@y.lv\"\n", "given twice"},
		"fail/syntax":       {"[store\n", "-"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParsePrivacy(filepath.Join(dir, "c.toml"), []byte(tc.file), getenv)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "c2hvcnQ") {
				t.Fatal("key text in the error")
			}
		})
	}
}
