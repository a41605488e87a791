package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
)

// runReverify is `sigintake reverify`: validate stored letters again with
// today's trust settings, record the new reports beside the old ones, change
// no past decision, and say what would now be decided differently.
func runReverify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reverify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration `file` (store, trust settings and mailbox policies)")
	since := fs.String("since", "", "only letters received at or after `T` (RFC 3339, YYYY-MM-DD, or a duration such as 720h)")
	mbox := fs.String("mailbox", "", "only this `mailbox`")
	dry := fs.Bool("dry-run", false, "compute the differences without recording new reports")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cfgPath == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: sigintake reverify --config FILE [--since T] [--mailbox M] [--dry-run] [--json]")
		return 2
	}
	t, err := parseSince(*since)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sf := storeFlags{config: cfgPath, dsn: new(string)}
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 1
	}
	defer st.Close()
	if _, err := privacy(*cfgPath, st); err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 2
	}
	opts, err := intake.TrustOptions(ctx, cfg.Trust)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 1
	}
	bar := progressBar(stderr, "re-verifying")
	res, err := intake.Reverify(ctx, st, cfg.Mailboxes, opts, intake.ReverifyOptions{Mailbox: *mbox, Since: t, DryRun: *dry, Progress: bar})
	bar(-1, -1)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake reverify: %v\n", err)
		return 1
	}
	if *asJSON {
		if err := printJSON(stdout, res); err != nil {
			return 1
		}
	} else {
		verb := "recorded"
		if *dry {
			verb = "computed (dry run, nothing recorded)"
		}
		fmt.Fprintf(stdout, "%d letters re-verified, %d new reports %s, %d skipped (purged or unreadable).\n", res.Letters, res.Reports, verb, res.Skipped)
		fmt.Fprintf(stdout, "%d would now be decided differently (past decisions are not changed):\n", len(res.Changed))
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LETTER\tMAILBOX\tWAS\tNOW\tREASONS")
		for _, c := range res.Changed {
			reasons := ""
			for i, r := range c.Reasons {
				if i > 0 {
					reasons += ", "
				}
				reasons += r.Code
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.LetterID, c.Mailbox, c.Was, c.Now, reasons)
		}
		tw.Flush()
		for _, e := range res.Errors {
			fmt.Fprintln(stderr, "error:", e)
		}
	}
	if len(res.Errors) > 0 {
		return 1
	}
	return 0
}

// progressBar draws "what [#####.....] done/total" on a terminal; called with
// (-1, -1) it clears the line. Off a terminal it prints nothing.
func progressBar(w io.Writer, what string) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok {
		return func(int, int) {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func(int, int) {}
	}
	return func(done, total int) {
		if done < 0 {
			fmt.Fprint(f, "\r\033[K")
			return
		}
		const width = 30
		n := 0
		if total > 0 {
			n = done * width / total
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < n {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(f, "\r%s [%s] %d/%d", what, bar, done, total)
	}
}
