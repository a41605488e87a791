package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// privacyFlags are the flags of the issue 9 commands: the configuration
// (store DSN, encryption keys, retention, institutions) and a DSN override.
type privacyFlags struct {
	config, dsn *string
}

func addPrivacyFlags(fs *flag.FlagSet) privacyFlags {
	return privacyFlags{
		config: fs.String("config", "", "configuration `file` (store.dsn, encryption keys, [retention])"),
		dsn:    fs.String("store", "", "store `DSN`; overrides the file's store.dsn"),
	}
}

// open opens the store with the configured keyring. The configuration is
// read with config.LoadPrivacy, which knows issue 9's keys.
func (pf privacyFlags) open(ctx context.Context) (*store.Store, *config.Privacy, error) {
	p := &config.Privacy{Retention: config.DefaultRetention()}
	if *pf.config != "" {
		var err error
		if p, err = config.LoadPrivacy(*pf.config); err != nil {
			return nil, nil, err
		}
	}
	dsn := *pf.dsn
	if dsn == "" {
		dsn = p.Encryption.DSN
	}
	if dsn == "" {
		dsn = os.Getenv("SIGINTAKE_STORE")
	}
	if dsn == "" {
		return nil, nil, fmt.Errorf("no store: give --config FILE or --store DSN (or set SIGINTAKE_STORE)")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	st.SetKeyring(p.Keyring)
	return st, p, nil
}

// runPurge is `sigintake purge --config FILE [--apply] [--json] [--actor NAME]`.
func runPurge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sigintake purge --config FILE [--apply] [--json] [--actor NAME]")
		fmt.Fprintln(stderr, "Lists the letters whose retention ([retention] in the file) has run out; with --apply")
		fmt.Fprintln(stderr, "removes their raw bytes and attachments, keeping a hash-only record (docs/PRIVACY.md).")
		fs.PrintDefaults()
	}
	pf := addPrivacyFlags(fs)
	apply := fs.Bool("apply", false, "remove the bytes (default: dry run, nothing changes)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	actor := fs.String("actor", "", "name recorded in the audit log (default: $USER or \"purge\")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	who := *actor
	if who == "" {
		who = os.Getenv("USER")
	}
	if who == "" {
		who = "purge"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, p, err := pf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake purge: %v\n", err)
		return 1
	}
	defer st.Close()
	res, err := st.Purge(ctx, p.Retention.Policy(), *apply, "cli:"+who)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake purge: %v\n", err)
		return 1
	}
	if *asJSON {
		if err := printJSON(stdout, res); err != nil {
			return 1
		}
		return 0
	}
	r := p.Retention
	fmt.Fprintf(stdout, "retention (days, 0 = forever): rejected %d, ignored %d, accepted %d after the case closed, review %d after the decision\n",
		r.RejectedDays, r.IgnoredDays, r.AcceptedDays, r.ReviewDays)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LETTER\tMAILBOX\tOUTCOME\tCASE\tSINCE\tBYTES\tATTACHMENTS")
	for _, it := range res.Items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d (%d bytes)\n", it.LetterID, it.Mailbox, it.Outcome, orDashStr(it.Case),
			it.Since.Format(time.DateOnly), it.Size, it.Attachments, it.AttachmentBytes)
	}
	tw.Flush()
	if !*apply {
		fmt.Fprintf(stdout, "dry run: %d letter(s), %d bytes would be purged; run again with --apply to purge them\n", res.Letters, res.Bytes)
		return 0
	}
	fmt.Fprintf(stdout, "purged %d letter(s): %d blob(s), %d bytes deleted (shared bytes still named by other letters kept); run %s, audit entries %v\n",
		res.Letters, res.BlobsDeleted, res.BlobBytes, res.Run, res.AuditIDs)
	return 0
}

func orDashStr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runStore is `sigintake store keygen|keys|rekey`.
func runStore(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: sigintake store keygen                       print a new random encryption key (base64)")
		fmt.Fprintln(stderr, "       sigintake store keys  --config FILE          blobs per key id (\"plaintext\" for none)")
		fmt.Fprintln(stderr, "       sigintake store rekey --config FILE          re-encrypt every blob under the newest key")
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	switch args[0] {
	case "keygen":
		k, err := store.GenerateKey()
		if err != nil {
			fmt.Fprintf(stderr, "sigintake store keygen: %v\n", err)
			return 1
		}
		kk, _ := store.ParseKey(k)
		fmt.Fprintln(stdout, k)
		fmt.Fprintf(stderr, "key id %s: put the line first in the key file (encryption_key_file), keep the old keys below it, then run sigintake store rekey\n", kk.ID)
		return 0
	case "keys", "rekey":
	default:
		return usage()
	}
	fs := flag.NewFlagSet("store "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := addPrivacyFlags(fs)
	batch := fs.Int("batch", 200, "blobs per transaction (rekey)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, p, err := pf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake store: %v\n", err)
		return 1
	}
	defer st.Close()
	show := func(m map[string]int64) {
		for k, n := range m {
			name := k
			if k == "" {
				name = "plaintext"
			}
			mark := ""
			if k != "" && k == p.Keyring.Current() {
				mark = " (current)"
			}
			fmt.Fprintf(stdout, "%s%s\t%d blob(s)\n", name, mark, n)
		}
	}
	if args[0] == "keys" {
		m, err := st.BlobKeys(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake store keys: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "configured keys (newest first): %v\n", p.Keyring.IDs())
		show(m)
		return 0
	}
	res, err := st.Rekey(ctx, "cli:rekey", *batch)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake store rekey: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "re-encrypted %d blob(s) under key %s\n", res.Rekeyed, res.Key)
	for sum, why := range res.Failed {
		fmt.Fprintf(stdout, "left as it was: %s: %s\n", sum, why)
	}
	if len(res.Remained) > 0 {
		fmt.Fprintln(stdout, "still under other keys (keep those keys configured):")
		show(res.Remained)
		return 1
	}
	fmt.Fprintln(stdout, "every blob is under the newest key: older keys may be removed from the key file")
	return 0
}
