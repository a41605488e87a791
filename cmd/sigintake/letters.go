package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sigintake/sigintake/store"
)

// letterJSON is the contract of `sigintake letters list --json`.
type letterJSON struct {
	ID         int64          `json:"id"`
	Mailbox    string         `json:"mailbox"`
	MessageID  string         `json:"message_id"`
	From       string         `json:"from"`
	Subject    string         `json:"subject"`
	ReceivedAt time.Time      `json:"received_at"`
	SHA256     string         `json:"sha256"`
	Outcome    string         `json:"outcome"`
	Case       string         `json:"case"`
	Reply      string         `json:"reply"`
	Reasons    []store.Reason `json:"reasons"`
}

// parseSince takes RFC 3339, a date (2006-01-02) or a duration back from now (24h).
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since: want RFC 3339, YYYY-MM-DD or a duration like 24h, not %q", s)
}

// runLetters is `sigintake letters list [--json] [--mailbox M] [--outcome O] [--since T]`.
func runLetters(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(stderr, "usage: sigintake letters list [--json] [--mailbox M] [--outcome O] [--since T] [--store DSN | --config FILE]")
		return 2
	}
	fs := flag.NewFlagSet("letters list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON objects, one per line")
	mbox := fs.String("mailbox", "", "only this `mailbox`")
	outcome := fs.String("outcome", "", "only this `outcome`: accepted, rejected, review, ignored, pending")
	since := fs.String("since", "", "received at or after `T` (RFC 3339, YYYY-MM-DD, or a duration such as 24h)")
	limit := fs.Int("limit", 1000, "at most `N` letters")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	switch *outcome {
	case "", "accepted", "rejected", "review", "ignored", "pending":
	default:
		fmt.Fprintf(stderr, "sigintake letters: --outcome: unknown outcome %q\n", *outcome)
		return 2
	}
	t, err := parseSince(*since)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake letters: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := sf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake letters: %v\n", err)
		return 1
	}
	defer st.Close()
	f := store.LetterFilter{Mailbox: *mbox, Outcome: store.OutcomeKind(*outcome), Since: t, Limit: min(*limit, 10000)}
	var tw *tabwriter.Writer
	if !*asJSON {
		tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMAILBOX\tRECEIVED\tFROM\tSUBJECT\tOUTCOME\tCASE\tREPLY\tREASONS")
	}
	enc := json.NewEncoder(stdout)
	n := 0
	for n < *limit {
		ls, err := st.ListLetters(ctx, f)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake letters: %v\n", err)
			return 1
		}
		if len(ls) == 0 {
			break
		}
		for _, l := range ls {
			reasons := l.Reasons
			if reasons == nil {
				reasons = []store.Reason{}
			}
			if *asJSON {
				enc.Encode(letterJSON{ID: l.ID, Mailbox: l.Mailbox, MessageID: l.MessageID, From: l.From, Subject: l.Subject,
					ReceivedAt: l.ReceivedAt, SHA256: l.SHA256, Outcome: string(l.Outcome), Case: l.Case, Reply: string(l.Reply), Reasons: reasons})
			} else {
				var codes []string
				for _, r := range reasons {
					codes = append(codes, r.Code)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Mailbox, l.ReceivedAt.Local().Format("2006-01-02 15:04"),
					l.From, l.Subject, l.Outcome, dash(l.Case), l.Reply, strings.Join(codes, ","))
			}
			n++
			f.AfterID = l.ID
		}
		f.Limit = min(*limit-n, 10000)
		if f.Limit <= 0 {
			break
		}
	}
	if tw != nil {
		tw.Flush()
	}
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
