package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sigintake/sigintake/intake/demo"
)

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("once", false, "exit after printing the table")
	verbose := fs.Bool("v", false, "print the daemon's JSON log on stderr")
	httpAddr := fs.String("http", "127.0.0.1:0", "metrics/health `address`")
	dir := fs.String("dir", "", "keep the demo's SQLite store in `folder` (default: a temporary folder, removed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := demo.Options{Once: *once, Out: stdout, HTTP: *httpAddr, Dir: *dir}
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
