package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	_, f, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(f), "..", "..")
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The commented example in the repository must load once its secrets exist.
func TestExampleLoads(t *testing.T) {
	path := filepath.Join(repoRoot(t), "config.example.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	secret := filepath.Join(dir, "ekase")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	data = []byte(strings.ReplaceAll(string(data), "/etc/sigintake/secrets/ekase", secret))
	cfg, err := Parse(path, data, env(map[string]string{"SIGINTAKE_SMTP_PASSWORD": "a", "SIGINTAKE_PASTS_PASSWORD": "b"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Mailboxes) != 2 || cfg.Mailboxes[0].Policy != PolicyEkase || cfg.Mailboxes[1].Policy != PolicyPasts {
		t.Fatalf("mailboxes: %+v", cfg.Mailboxes)
	}
	if cfg.Mailboxes[0].IMAP.Password != "s3cret" || cfg.Mailboxes[1].IMAP.Password != "b" || cfg.SMTP.Password != "a" {
		t.Fatal("secrets not resolved")
	}
	if cfg.Mailboxes[1].IMAP.Port != 993 || cfg.Limits.RetryFor.Hours() != 24 {
		t.Fatalf("defaults: port %d retry %v", cfg.Mailboxes[1].IMAP.Port, cfg.Limits.RetryFor)
	}
}

// Every problem is reported at once, each with its line and field.
func TestErrorsAllAtOnceWithLines(t *testing.T) {
	src := `[store]
dsn = "sqlite:x.db"

[cases]
pattern = "VK-{YYYY}"

[limits]
workers = 0
retry_for = "soon"

[smtp]
host = "smtp.example.lv"
tls = "plain"
colour = "blue"

[[mailbox]]
name = "ekase"
address = "ekase@kase.gov.lv"
policy = "strict"
  [mailbox.imap]
  host = "imap.example.lv"
  tls = "plain"
  user = "ekase"
  password_env = "NOPE"
`
	_, err := Parse("t.toml", []byte(src), env(nil))
	var errs *Errors
	if !errors.As(err, &errs) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	// retry_for is a decode error: TOML decoding stops there, so check a
	// file without it for the rest.
	if len(errs.List) != 1 || errs.List[0].Line != 9 {
		t.Fatalf("decode error: %v", err)
	}
	src = strings.Replace(src, `retry_for = "soon"`, `retry_for = "1h"`, 1)
	_, err = Parse("t.toml", []byte(src), env(nil))
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]int{
		"cases.pattern":                5,
		"limits.workers":               8,
		"smtp.tls":                     13,
		"smtp.colour":                  14,
		"mailbox[0].policy":            19,
		"mailbox[0].imap.tls":          22,
		"mailbox[0].imap.password_env": 24,
	}
	got := map[string]int{}
	for _, fe := range errs.List {
		got[fe.Field] = fe.Line
	}
	for f, line := range want {
		if got[f] != line {
			t.Errorf("%s: line %d, want %d (all: %v)", f, got[f], line, err)
		}
	}
	if !strings.Contains(err.Error(), "line 22: mailbox[0].imap.tls: plain is allowed only to a loopback host") {
		t.Errorf("message: %v", err)
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	_, err := Parse("t.toml", []byte("[store]\ndsn = \"x\"\n[smtp\n"), env(nil))
	var errs *Errors
	if !errors.As(err, &errs) || (errs.List[0].Line != 3 && errs.List[0].Line != 4) { // the parser points at the newline ending line 3
		t.Fatalf("err = %v", err)
	}
}

// Keys other packages read from the same file (ParsePrivacy) are not
// reported as unknown; a misspelt key still is.
func TestForeignKeysAccepted(t *testing.T) {
	src := `[store]
dsn = "sqlite:x.db"
encryption_key_env = "K"
[retention]
rejected_days = 30
[[institution]]
id = "vid"
name = "Valsts ieņēmumu dienests"
address = "vid@vid.gov.lv"
[smtp]
host = "localhost"
tls = "plain"
port = 25
[[mailbox]]
name = "ekase"
address = "ekase@kase.gov.lv"
policy = "ekase"
  [mailbox.imap]
  host = "localhost"
  tls = "plain"
  user = "ekase"
  password_env = "P"
  foldr = "INBOX"
`
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" // 32 bytes
	_, err := Parse("t.toml", []byte(src), env(map[string]string{"P": "x", "K": key}))
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) != 1 || errs.List[0].Field != "mailbox[0].imap.foldr" || errs.List[0].Line != 23 {
		t.Fatalf("err = %v", err)
	}
	// The privacy settings' own errors are part of the same report.
	_, err = Parse("t.toml", []byte(strings.Replace(src, `name = "Valsts ieņēmumu dienests"`, "", 1)), env(map[string]string{"P": "x"}))
	if !errors.As(err, &errs) || len(errs.List) != 3 {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"institution[0].name", "store.encryption_key_env", "mailbox[0].imap.foldr"} {
		if !strings.Contains(errs.Error(), want) {
			t.Errorf("%q not reported: %v", want, errs)
		}
	}
}
