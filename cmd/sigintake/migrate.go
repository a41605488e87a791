package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// storeFlags are the flags that name the store: --config FILE or --store DSN.
type storeFlags struct {
	config, dsn *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		config: fs.String("config", "", "configuration `file` (its store.dsn is used)"),
		dsn:    fs.String("store", "", "store `DSN` (sqlite:PATH, PATH or postgres://...); overrides --config"),
	}
}

func (sf storeFlags) open(ctx context.Context) (*store.Store, error) {
	dsn := *sf.dsn
	if dsn == "" && *sf.config != "" {
		cfg, err := config.Load(*sf.config)
		if err != nil {
			return nil, err
		}
		dsn = cfg.Store.DSN
	}
	if dsn == "" {
		dsn = os.Getenv("SIGINTAKE_STORE")
	}
	if dsn == "" {
		return nil, fmt.Errorf("no store: give --store DSN or --config FILE (or set SIGINTAKE_STORE)")
	}
	return store.Open(ctx, dsn)
}

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// runMigrate is `sigintake migrate`.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake migrate: %v\n", err)
		return 1
	}
	defer st.Close()
	from, to, err := st.Migrate(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake migrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "schema version %d -> %d\n", from, to)
	return 0
}
