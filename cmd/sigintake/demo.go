package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sigintake/sigintake/intake/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "exit after printing the table")
	verbose := fs.Bool("v", false, "print the daemon's JSON log on stderr")
	httpAddr := fs.String("http", "127.0.0.1:0", "metrics/health `address`")
	webAddr := fs.String("web", "127.0.0.1:8080", "web desk `address` (any free port when this one is taken)")
	dir := fs.String("dir", "", "keep the demo's SQLite store in `folder` (default: a temporary folder, removed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := demo.Options{Once: *once, Out: stdout, HTTP: *httpAddr, Dir: *dir, Desk: demoDesk}
	if *webAddr != "127.0.0.1:8080" {
		o.DeskAddr = *webAddr
	}
	if *verbose {
		o.Log = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	fmt.Fprintln(stdout, "sigintake demo: in-memory IMAP (ekase, pasts), SMTP sink, SQLite, the TEST PKI; seeding letters...")
	if _, err := demo.Run(ctx, o); err != nil {
		fmt.Fprintf(stderr, "sigintake demo: %v\n", err)
		return 1
	}
	return 0
}

// demoAccounts are the web desk's accounts in the demo (name, role,
// password): test accounts for a throw-away store on loopback.
var demoAccounts = []struct {
	name string
	role store.Role
	pw   string
}{
	{"lietvedis", store.RoleClerk, "demo-lietvedis"},
	{"revidents", store.RoleAuditor, "demo-revidents"},
	{"admins", store.RoleAdmin, "demo-admins-parole"},
}

// demoDesk is the demo's web desk: the same desk as `sigintake run`, with
// demo accounts.
func demoDesk(ctx context.Context, st *store.Store, cfg *config.Config) (http.Handler, string, error) {
	var note []string
	for _, a := range demoAccounts {
		h, err := web.HashPassword(a.pw)
		if err != nil {
			return nil, "", err
		}
		if _, err := st.CreateUser(ctx, "demo", a.name, a.role, h); err != nil {
			return nil, "", err
		}
		note = append(note, fmt.Sprintf("%s / %s (%s)", a.name, a.pw, a.role))
	}
	dec, err := deskDecider(st, cfg, &config.Privacy{})
	if err != nil {
		return nil, "", err
	}
	return web.New(st, dec, web.Options{}), "accounts: " + strings.Join(note, ", "), nil
}
