package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"text/tabwriter"

	"github.com/sigintake/sigintake/store"
)

// runCases is `sigintake cases list|show`.
func runCases(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: sigintake cases list [--json] [--mailbox M] [--status S] [--since T] [--store DSN | --config FILE]")
		fmt.Fprintln(stderr, "       sigintake cases show [--json] [--store DSN | --config FILE] NUMBER|ID")
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	fs := flag.NewFlagSet("cases "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	mbox := fs.String("mailbox", "", "only this `mailbox` (list)")
	status := fs.String("status", "", "only this `status`: open, closed, redirected (list)")
	since := fs.String("since", "", "opened at or after `T` (list)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch args[0] {
	case "list":
		t, err := parseSince(*since)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 2
		}
		st, err := sf.open(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 1
		}
		defer st.Close()
		f := store.CaseFilter{Mailbox: *mbox, Status: store.CaseStatus(*status), Since: t, Limit: 1000}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		if !*asJSON {
			fmt.Fprintln(tw, "NUMBER\tMAILBOX\tSTATUS\tOPENED\tCLIENT\tSUBJECT")
		}
		enc := json.NewEncoder(stdout)
		for {
			cs, err := st.ListCases(ctx, f)
			if err != nil {
				fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
				return 1
			}
			for _, c := range cs {
				if *asJSON {
					enc.Encode(c)
				} else {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Number, c.Mailbox, c.Status, c.OpenedAt.Local().Format("2006-01-02 15:04"), c.ClientAddress, c.Subject)
				}
				f.AfterID = c.ID
			}
			if len(cs) < f.Limit {
				break
			}
		}
		tw.Flush()
		return 0
	case "show":
		if fs.NArg() != 1 {
			return usage()
		}
		st, err := sf.open(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 1
		}
		defer st.Close()
		c, err := st.FindCaseByNumber(ctx, fs.Arg(0))
		if errors.Is(err, store.ErrNotFound) {
			if id, perr := strconv.ParseInt(fs.Arg(0), 10, 64); perr == nil {
				c, err = st.Case(ctx, id)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %s: %v\n", fs.Arg(0), err)
			return 1
		}
		evs, err := st.CaseEvents(ctx, c.ID)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 1
		}
		letters, err := st.ListLetters(ctx, store.LetterFilter{CaseID: c.ID, Limit: 1000})
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 1
		}
		out, err := st.OutboxForCase(ctx, c.ID)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake cases: %v\n", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(map[string]any{"case": c, "events": evs, "letters": letters, "replies": out})
			return 0
		}
		fmt.Fprintf(stdout, "Case %s (%s, %s)\n  opened %s by %s\n  subject: %s\n", c.Number, c.Mailbox, c.Status,
			c.OpenedAt.Local().Format("2006-01-02 15:04:05"), c.ClientAddress, c.Subject)
		fmt.Fprintln(stdout, "\nLetters:")
		for _, l := range letters {
			fmt.Fprintf(stdout, "  #%d %s %s %q %s sha256:%s\n", l.ID, l.ReceivedAt.Local().Format("2006-01-02 15:04"), l.From, l.Subject, l.Outcome, l.SHA256)
		}
		fmt.Fprintln(stdout, "\nReplies:")
		for _, m := range out {
			fmt.Fprintf(stdout, "  #%d %s to %s: %s (attempts %d) <%s>\n", m.ID, m.Kind, m.Recipient, m.Status, m.Attempts, m.MessageID)
		}
		fmt.Fprintln(stdout, "\nTimeline:")
		for _, e := range evs {
			fmt.Fprintf(stdout, "  %s %s %s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Kind, e.Actor)
		}
		return 0
	}
	return usage()
}
