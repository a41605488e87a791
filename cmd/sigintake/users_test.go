package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web"
)

func TestUsersCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("a long enough secret\n"), 0o600)
	run := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := usersMain(args, strings.NewReader(stdin), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := run("", "add", "anna", "--role", "clerk", "--db", db, "--password-file", pw); code != 0 {
		t.Fatalf("add: %d %s", code, out)
	}
	if code, _ := run("", "add", "anna", "--role", "clerk", "--db", db, "--password-file", pw); code == 0 {
		t.Fatal("duplicate add succeeded")
	}
	if code, _ := run("", "add", "bert", "--role", "boss", "--db", db, "--password-file", pw); code != 2 {
		t.Fatal("bad role accepted")
	}
	if code, _ := run("short\n", "add", "bert", "--role", "auditor", "--db", db, "--password-file", "-"); code != 2 {
		t.Fatal("short password accepted")
	}
	if code, out := run("another long secret\n", "--db", db, "--password-file", "-"); code != 2 {
		t.Fatalf("no subcommand: %d %s", code, out)
	}
	if code, out := run("another long secret\n", "passwd", "anna", "--db", db, "--password-file", "-"); code != 0 {
		t.Fatalf("passwd: %d %s", code, out)
	}
	if code, out := run("", "disable", "anna", "--db", db); code != 0 {
		t.Fatalf("disable: %d %s", code, out)
	}
	code, out := run("", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "anna") || !strings.Contains(out, "disabled") {
		t.Fatalf("list: %d %s", code, out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByName(context.Background(), "anna")
	if err != nil || !u.Disabled || !web.CheckPassword(u.PasswordHash, "another long secret") {
		t.Fatalf("%+v %v", u, err)
	}
	// Without a terminal and without --password-file there is no prompt.
	if code, _ := run("", "add", "carl", "--role", "admin", "--db", db); code == 0 {
		t.Fatal("add without a password succeeded")
	}
}
