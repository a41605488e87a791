package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// runRun is `sigintake run --config FILE`: the daemon.
func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "/etc/sigintake/sigintake.toml", "configuration `file`")
	migrate := fs.Bool("migrate", true, "apply database migrations at start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	// First signal: ordered shutdown. Second: immediate exit.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // restore default handling: a second signal kills the process
	}()
	st, err := store.Open(ctx, cfg.Store.DSN)
	if err != nil {
		log.Error("store", "err", err)
		return 1
	}
	defer st.Close()
	if *migrate {
		if _, _, err := st.Migrate(ctx); err != nil {
			log.Error("migrate", "err", err)
			return 1
		}
	}
	p, err := privacy(*cfgPath, st)
	if err != nil {
		log.Error("privacy settings", "err", err)
		return 2
	}
	dm, err := intake.New(ctx, cfg, st, intake.Deps{Log: log})
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	// The web desk runs beside the daemon and stops with it.
	deskErr := make(chan error, 1)
	go func() { deskErr <- serveDesk(ctx, st, cfg, p, log) }()
	if err := dm.Run(ctx); err != nil {
		log.Error("run", "err", err)
		return 1
	}
	if err := <-deskErr; err != nil {
		log.Error("web desk", "err", err)
		return 1
	}
	return 0
}

// runConfig is `sigintake config check FILE`.
func runConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: sigintake config check FILE")
		return 2
	}
	cfg, err := config.Load(args[1])
	if err != nil {
		fmt.Fprintln(stderr, err)
		if errors.Is(err, config.ErrInvalid) {
			return 1
		}
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok (%d mailbox(es), store %s)\n", args[1], len(cfg.Mailboxes), redactDSN(cfg.Store.DSN))
	return 0
}
