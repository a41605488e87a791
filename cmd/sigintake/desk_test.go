package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// TestRunServesTheDesk checks what `sigintake run` mounts from a
// configuration: the desk with the privacy pages (feedback, redirect), and
// the store's encryption key from the same file.
func TestRunServesTheDesk(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "sigintake.toml")
	src := `[store]
dsn = "sqlite:` + filepath.Join(dir, "store.db") + `"
encryption_key_env = "TEST_STORE_KEY"
[web]
listen = "127.0.0.1:0"
[[institution]]
id = "vid"
name = "Valsts ieņēmumu dienests"
address = "vid@vid.gov.lv"
[smtp]
host = "localhost"
port = 25
tls = "plain"
[[mailbox]]
name = "ekase"
address = "ekase@kase.gov.lv"
policy = "ekase"
  [mailbox.imap]
  host = "localhost"
  tls = "plain"
  user = "ekase"
  password_env = "TEST_IMAP_PASSWORD"
`
	if err := os.WriteFile(cfgPath, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEST_STORE_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	t.Setenv("TEST_IMAP_PASSWORD", "x")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Store.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := privacy(cfgPath, st)
	if err != nil || p.Keyring == nil {
		t.Fatalf("privacy: %v, keyring %v", err, p)
	}
	srv, err := deskServer(st, cfg, p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler)
	defer ts.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<form") {
		t.Fatalf("/login: %d", resp.StatusCode)
	}
	// The privacy pages are mounted: without a session they redirect to
	// the login page instead of answering 404.
	for _, path := range []string{"/letters/1/redirect", "/letters/1/feedback", "/feedback/report"} {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: %d, want 303 to the login page", path, resp.StatusCode)
		}
	}
}
