// Package webtest starts Debian's Chromium for the web desk's browser tests,
// through chromedp, headless, with a fresh profile per browser.
//
// It skips the test when Chromium is missing, unless
// SIGINTAKE_REQUIRE_SERVICES=1 (then the test fails). SIGINTAKE_CHROMIUM
// overrides the path (default /usr/bin/chromium, then chromium on PATH).
package webtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// ChromiumPath returns the Chromium binary to use, or "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("SIGINTAKE_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Browser starts a headless Chromium for t and returns a chromedp context for
// one tab in it, viewport width × height (a laptop screen: 1366×768 when 0).
// The browser stops when the test ends.
func Browser(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("SIGINTAKE_REQUIRE_SERVICES") == "1" {
			t.Fatal("webtest: Chromium not found (apt-get install -y chromium) and SIGINTAKE_REQUIRE_SERVICES=1")
		}
		t.Skip("webtest: Chromium not found (apt-get install -y chromium); browser test skipped")
	}
	if width == 0 {
		width, height = 1366, 768
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "lv"),
		chromedp.WindowSize(width, height),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		cancel()
		acancel()
		t.Fatalf("webtest: start %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancel()
		acancel()
	})
	return ctx
}

// Step runs actions with a time limit, failing the test with a screenshot
// (saved under ScreenshotDir on failure) when they do not finish.
func Step(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		path := FailureShot(t, ctx, what)
		t.Fatalf("webtest: %s: %v (screenshot: %s)", what, err, path)
	}
}

// FailureShot saves a screenshot of the current page for a failed step in
// $SIGINTAKE_FAILURE_SCREENSHOTS (default: a folder in the system temp dir
// that outlives the test) and returns its path.
func FailureShot(t testing.TB, ctx context.Context, what string) string {
	dir := os.Getenv("SIGINTAKE_FAILURE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sigintake-browser-failures")
	}
	os.MkdirAll(dir, 0o755)
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err != nil {
		return "(none: " + err.Error() + ")"
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(t.Name()+"-"+what))
	p := filepath.Join(dir, name+".png")
	os.WriteFile(p, png, 0o644)
	return p
}

// Screenshot writes a PNG of the viewport to dir/name.png when
// SIGINTAKE_SCREENSHOTS=1 (for docs/screenshots), and does nothing otherwise.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	if os.Getenv("SIGINTAKE_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("webtest: screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Download clicks sel and waits for the browser to save the download; it
// returns the bytes and their hex SHA-256.
func Download(t testing.TB, ctx context.Context, sel string) ([]byte, string) {
	t.Helper()
	dir := t.TempDir()
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	progress := chromedp.Events(dctx, browser.DownloadProgress)
	yes := true
	err := chromedp.Do(dctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(sel)),
	)
	if err != nil {
		t.Fatalf("webtest: download %s: %v (screenshot: %s)", sel, err, FailureShot(t, ctx, "download"))
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("webtest: download %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			return b, hex.EncodeToString(sum[:])
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("webtest: download %s canceled", sel)
		}
	}
	t.Fatalf("webtest: download %s: no completion", sel)
	return nil, ""
}

// Text returns the text of the first element matching sel.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("webtest: text of %s: %v (screenshot: %s)", sel, err, FailureShot(t, ctx, "text"))
	}
	return s
}

// Location returns the current URL.
func Location(t testing.TB, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var _ = fmt.Sprint
