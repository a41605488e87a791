package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web"
)

// runUsers manages web desk accounts:
//
//	sigintake users add NAME --role clerk|auditor|admin --db DSN [--password-file FILE]
//	sigintake users passwd NAME --db DSN [--password-file FILE]
//	sigintake users disable|enable NAME --db DSN
//	sigintake users list --db DSN
//
// The password is read from --password-file (first line) or prompted for
// twice on the terminal without echo; it is never taken on the command line.
func runUsers(args []string, stdout, stderr io.Writer) int {
	return usersMain(args, os.Stdin, stdout, stderr)
}

func usersMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: sigintake users add NAME --role clerk|auditor|admin --db DSN [--password-file FILE]")
		fmt.Fprintln(stderr, "       sigintake users passwd NAME --db DSN [--password-file FILE]")
		fmt.Fprintln(stderr, "       sigintake users disable|enable NAME --db DSN")
		fmt.Fprintln(stderr, "       sigintake users list --db DSN")
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	sub := args[0]
	fs := flag.NewFlagSet("users "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", "store `DSN`")
	role := fs.String("role", "", "role: clerk, auditor or admin")
	pwFile := fs.String("password-file", "", "read the password from the first line of `file` (- for standard input)")
	actor := fs.String("actor", "", "name recorded in the audit log (default: $USER via the command line)")
	// Flags may come before or after NAME.
	rest := args[1:]
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if *dsn == "" || (sub != "list" && name == "") {
		return usage()
	}
	who := *actor
	if who == "" {
		who = "cli:" + os.Getenv("USER")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake users: %v\n", err)
		return 1
	}
	defer st.Close()
	if _, _, err := st.Migrate(ctx); err != nil {
		fmt.Fprintf(stderr, "sigintake users: %v\n", err)
		return 1
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "sigintake users %s: %v\n", sub, err)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, web.ErrPassword) || errors.Is(err, store.ErrInvalid) {
			return 2
		}
		return 1
	}
	switch sub {
	case "add":
		r := store.Role(*role)
		if r != store.RoleClerk && r != store.RoleAuditor && r != store.RoleAdmin {
			fmt.Fprintln(stderr, "sigintake users add: --role must be clerk, auditor or admin")
			return 2
		}
		if _, err := st.UserByName(ctx, name); err == nil {
			return fail(fmt.Errorf("user %s exists", name))
		}
		hash, err := readPassword(*pwFile, stdin, stderr)
		if err != nil {
			return fail(err)
		}
		if _, err := st.CreateUser(ctx, who, name, r, hash); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "user %s added (%s)\n", name, r)
	case "passwd":
		u, err := st.UserByName(ctx, name)
		if err != nil {
			return fail(err)
		}
		hash, err := readPassword(*pwFile, stdin, stderr)
		if err != nil {
			return fail(err)
		}
		if err := st.UpdateUser(ctx, who, name, u.Disabled, hash); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; its sessions ended\n", name)
	case "disable", "enable":
		if err := st.UpdateUser(ctx, who, name, sub == "disable", ""); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "user %s %sd\n", name, sub)
	case "list":
		us, err := st.ListUsers(ctx)
		if err != nil {
			return fail(err)
		}
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(stdout, "%-24s %-8s %-8s %s\n", u.Name, u.Role, state, u.CreatedAt.Format("2006-01-02"))
		}
	default:
		return usage()
	}
	return 0
}

// readPassword reads a password from a file, standard input ("-") or the
// terminal (twice, no echo) and returns its argon2id hash.
func readPassword(file string, stdin io.Reader, stderr io.Writer) (string, error) {
	var pw string
	switch {
	case file == "-":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		pw = strings.TrimRight(line, "\r\n")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		pw, _, _ = strings.Cut(string(b), "\n")
		pw = strings.TrimRight(pw, "\r")
	default:
		fd := int(os.Stdin.Fd())
		if !term.IsTerminal(fd) {
			return "", errors.New("no terminal to prompt for the password: use --password-file")
		}
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		pw = string(a)
	}
	return web.HashPassword(pw)
}
