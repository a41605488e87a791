// Package imaptest starts a private Dovecot IMAP server for integration
// tests: its own temporary directory, a free loopback port, plain-text
// LOGIN on 127.0.0.1 only, Maildir storage owned by uid/gid 5000 (root can
// never be Dovecot's mail user). It needs root (Dovecot's master drops
// privileges) and the dovecot binary (Debian: dovecot-imapd). When either is
// missing the test is skipped, or fails when SIGINTAKE_REQUIRE_SERVICES=1.
//
// It does not provide TLS, LMTP or Sieve.
package imaptest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// MailUID is the numeric uid and gid Dovecot's mail processes run as.
const MailUID = 5000

// Dovecot is a running private Dovecot.
type Dovecot struct {
	t       testing.TB
	Dir     string
	Host    string // "127.0.0.1"
	Port    int
	bin     string
	conf    string
	users   map[string]string // user -> password
	stopped bool
}

// Password returns the password StartDovecot gave user.
func (d *Dovecot) Password(user string) string { return d.users[user] }

// Addr is host:port of the IMAP listener.
func (d *Dovecot) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

func findDovecot() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("SIGINTAKE_REQUIRE_SERVICES") == "1" {
		t.Fatalf("imaptest: Dovecot required (SIGINTAKE_REQUIRE_SERVICES=1) but %s", why)
	}
	t.Skipf("imaptest: skipping Dovecot test: %s (apt-get install dovecot-imapd, run as root; set SIGINTAKE_REQUIRE_SERVICES=1 to fail instead)", why)
}

// StartDovecot starts Dovecot with the given users (password "secret-"+user)
// and stops it in t.Cleanup.
func StartDovecot(t testing.TB, users ...string) *Dovecot {
	t.Helper()
	bin := findDovecot()
	if bin == "" {
		unavailable(t, "the dovecot binary is not installed")
	}
	if os.Geteuid() != 0 {
		unavailable(t, "Dovecot's master process must run as root here")
	}
	// Socket paths must fit in 108 bytes: keep the directory short,
	// not under t.TempDir's long names.
	dir, err := os.MkdirTemp("/tmp", "dv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &Dovecot{t: t, Dir: dir, Host: "127.0.0.1", bin: bin, conf: filepath.Join(dir, "dovecot.conf"), users: map[string]string{}}
	var ub strings.Builder
	for _, u := range users {
		d.users[u] = "secret-" + u
		fmt.Fprintf(&ub, "%s:{PLAIN}%s\n", u, d.users[u])
	}
	must(t, os.WriteFile(filepath.Join(dir, "users"), []byte(ub.String()), 0o644))
	for _, sub := range []string{"run", "state", "mail"} {
		must(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
	}
	must(t, os.Chown(filepath.Join(dir, "mail"), MailUID, MailUID))
	d.Port = freePort(t)
	must(t, os.WriteFile(d.conf, []byte(d.config()), 0o644))
	d.start()
	t.Cleanup(d.Stop)
	return d
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func (d *Dovecot) config() string {
	return strings.NewReplacer("NAME", filepath.Base(d.Dir), "DIR", d.Dir, "PORT", strconv.Itoa(d.Port), "UID", strconv.Itoa(MailUID)).Replace(`instance_name = sigintake-test-NAME
base_dir = DIR/run
state_dir = DIR/state
log_path = DIR/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = UID
mail_gid = UID
first_valid_uid = UID
last_valid_uid = UID
mail_location = maildir:DIR/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u DIR/users
}
userdb {
  driver = static
  args = home=DIR/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = PORT
  }
  inet_listener imaps {
    port = 0
  }
}
`)
}

func (d *Dovecot) start() {
	d.t.Helper()
	// Dovecot daemonizes and its children inherit stdout/stderr: a pipe
	// would never close, so its output goes to a file.
	outPath := filepath.Join(d.Dir, "start.out")
	out, err := os.Create(outPath)
	if err != nil {
		d.t.Fatal(err)
	}
	cmd := exec.Command(d.bin, "-c", d.conf)
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	out.Close()
	if err != nil {
		b, _ := os.ReadFile(outPath)
		d.t.Fatalf("imaptest: dovecot -c %s: %v\n%s\n%s", d.conf, err, b, d.log())
	}
	d.stopped = false
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", d.Addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("imaptest: dovecot did not listen on %s: %v\n%s", d.Addr(), err, d.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *Dovecot) log() string {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Log returns the tail of Dovecot's log, for failure messages.
func (d *Dovecot) Log() string { return d.log() }

// Stop stops Dovecot by the PID in run/master.pid and waits for it to exit.
func (d *Dovecot) Stop() {
	if d.stopped {
		return
	}
	d.stopped = true
	b, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid"))
	if err != nil {
		d.t.Errorf("imaptest: reading master.pid: %v", err)
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		d.t.Errorf("imaptest: bad master.pid %q", b)
		return
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return
	}
	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			d.t.Errorf("imaptest: dovecot pid %d did not exit after SIGTERM", pid)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart stops Dovecot, waits for its exit and starts it again on the
// same port with the same mail.
func (d *Dovecot) Restart() {
	d.t.Helper()
	d.Stop()
	d.start()
}

func (d *Dovecot) doveadm(stdin []byte, args ...string) {
	d.t.Helper()
	bin := "doveadm"
	if p, err := exec.LookPath("doveadm"); err == nil {
		bin = p
	} else if _, err := os.Stat("/usr/bin/doveadm"); err == nil {
		bin = "/usr/bin/doveadm"
	}
	cmd := exec.Command(bin, append([]string{"-c", d.conf}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		d.t.Fatalf("imaptest: doveadm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Deliver stores raw in user's folder as a mail server would (doveadm save).
func (d *Dovecot) Deliver(user, folder string, raw []byte) {
	d.t.Helper()
	d.doveadm(raw, "save", "-u", user, "-m", folder)
}

// SetUIDValidity changes a folder's UIDVALIDITY (doveadm mailbox update).
func (d *Dovecot) SetUIDValidity(user, folder string, v uint32) {
	d.t.Helper()
	d.doveadm(nil, "mailbox", "update", "-u", user, "--uid-validity", strconv.FormatUint(uint64(v), 10), folder)
}

// Client logs in as user over a fresh IMAP connection; it is closed in
// t.Cleanup.
func (d *Dovecot) Client(user string) *imapclient.Client {
	d.t.Helper()
	c, err := imapclient.DialInsecure(d.Addr(), nil)
	if err != nil {
		d.t.Fatalf("imaptest: dial: %v", err)
	}
	d.t.Cleanup(func() { c.Close() })
	if err := c.Login(user, d.users[user]).Wait(); err != nil {
		d.t.Fatalf("imaptest: login %s: %v", user, err)
	}
	return c
}

// Append stores raw in user's folder over IMAP APPEND (creating the folder
// if needed) with the given flags, and returns the new message's UID.
func (d *Dovecot) Append(user, folder string, raw []byte, flags ...imap.Flag) imap.UID {
	d.t.Helper()
	c := d.Client(user)
	defer c.Close()
	if folder != "INBOX" {
		c.Create(folder, nil).Wait() // ALREADYEXISTS is fine
	}
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		d.t.Fatalf("imaptest: append: %v", err)
	}
	if err := cmd.Close(); err != nil {
		d.t.Fatalf("imaptest: append: %v", err)
	}
	data, err := cmd.Wait()
	if err != nil {
		d.t.Fatalf("imaptest: append: %v", err)
	}
	c.Logout().Wait()
	return data.UID
}

// BreakMailDir makes user's mail storage unusable (a file where the home
// directory should be), so Dovecot accepts LOGIN and then fails the mail
// process: what RECIPES.md describes for a broken server.
func (d *Dovecot) BreakMailDir(user string) {
	d.t.Helper()
	home := filepath.Join(d.Dir, "mail", user)
	os.RemoveAll(home)
	must(d.t, os.WriteFile(home, []byte("not a directory"), 0o444))
}
