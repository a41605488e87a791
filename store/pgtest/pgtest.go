// Package pgtest starts a private PostgreSQL server for tests.
//
// One server runs per test binary: the first call to [Start] runs initdb
// and pg_ctl (as the user postgres when the test runs as root, as
// RECIPES.md describes) in a temporary directory, on a free loopback port
// with a Unix socket in that directory, and every call creates a fresh,
// empty database that is dropped when the test ends. [Stop] (called by
// [Main] after m.Run) stops the server by its PID and removes the
// directory. [Restart] stops and starts the same server for fault tests.
//
// When the PostgreSQL binaries are missing, Start skips the test with a
// message, or fails it when SIGINTAKE_REQUIRE_SERVICES=1. The binaries are
// looked up in $SIGINTAKE_PG_BIN, then /usr/lib/postgresql/{17,16,15}/bin.
//
// It does not tune the server for anything but tests (fsync is off), and it
// never touches the system cluster.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

type server struct {
	bin, dir, data, sock string
	port                 int
	asPostgres           bool
	startErr             error
	skip                 string
}

var (
	mu     sync.Mutex
	srv    *server
	dbSeq  atomic.Int64
	binDir = []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"}
)

// Main runs the tests and then stops the server: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Start returns the DSN of a fresh, empty database on the private server,
// starting the server on first use. The database is dropped at the end of
// the test.
func Start(t testing.TB) (dsn string) {
	t.Helper()
	mu.Lock()
	if srv == nil {
		srv = &server{}
		srv.boot()
	}
	s := srv
	mu.Unlock()
	if s.skip != "" {
		if os.Getenv("SIGINTAKE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("pgtest: %s (SIGINTAKE_REQUIRE_SERVICES=1)", s.skip)
		}
		t.Skipf("pgtest: %s; set SIGINTAKE_PG_BIN or install postgresql to run the PostgreSQL tests", s.skip)
	}
	if s.startErr != nil {
		t.Fatalf("pgtest: %v", s.startErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	admin, err := sql.Open("pgx", s.dsn("postgres"))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if srv == nil || srv.startErr != nil {
			return
		}
		db, err := sql.Open("pgx", s.dsn("postgres"))
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.dsn(name)
}

// Restart stops the server by its PID and starts it again on the same port
// and data directory. Open connections break, as they would in production.
func Restart(t testing.TB) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if srv == nil || srv.skip != "" || srv.startErr != nil {
		t.Fatalf("pgtest: Restart without a running server")
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("pgtest: stop: %v", err)
	}
	if err := srv.start(); err != nil {
		t.Fatalf("pgtest: start: %v", err)
	}
}

// Stop stops the server, if one was started, and removes its directory.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if srv == nil {
		return
	}
	if srv.skip == "" && srv.dir != "" {
		if err := srv.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stop: %v\n", err)
		}
		os.RemoveAll(srv.dir)
	}
	srv = nil
}

func (s *server) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

func (s *server) boot() {
	if d := os.Getenv("SIGINTAKE_PG_BIN"); d != "" {
		binDir = []string{d}
	}
	for _, d := range binDir {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			s.bin = d
			break
		}
	}
	if s.bin == "" {
		s.skip = "PostgreSQL binaries (initdb, pg_ctl) not found in " + strings.Join(binDir, ", ")
		return
	}
	s.asPostgres = os.Geteuid() == 0
	dir, err := os.MkdirTemp("", "pgt")
	if err != nil {
		s.startErr = err
		return
	}
	s.dir, s.data, s.sock = dir, filepath.Join(dir, "data"), filepath.Join(dir, "run")
	if err := os.Mkdir(s.sock, 0o755); err != nil {
		s.startErr = err
		return
	}
	if s.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			s.startErr = fmt.Errorf("running as root but no user postgres: %w", err)
			return
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, s.sock} {
			if err := os.Chown(p, uid, gid); err != nil {
				s.startErr = err
				return
			}
		}
	}
	if out, err := s.run("initdb", "-D", s.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		s.startErr = fmt.Errorf("initdb: %v: %s", err, out)
		return
	}
	s.startErr = s.start()
}

func (s *server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	return cmd.CombinedOutput()
}

func (s *server) start() error {
	var last error
	for try := 0; try < 5; try++ {
		if s.port == 0 || try > 0 && last != nil {
			p, err := freePort()
			if err != nil {
				return err
			}
			if s.port == 0 || try > 0 {
				s.port = p
			}
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", s.port, s.sock)
		out, err := s.run("pg_ctl", "-D", s.data, "-l", filepath.Join(s.dir, "pg.log"), "-w", "-t", "30", "-o", opts, "start")
		if err == nil {
			return nil
		}
		log, _ := os.ReadFile(filepath.Join(s.dir, "pg.log"))
		last = fmt.Errorf("pg_ctl start on port %d: %v: %s\n%s", s.port, err, out, tail(log))
		if !strings.Contains(string(log), "in use") {
			return last
		}
	}
	return last
}

func (s *server) stop() error {
	b, err := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	if err != nil {
		return err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return fmt.Errorf("bad postmaster.pid %q", line)
	}
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("postmaster %d still running after 30s", pid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
