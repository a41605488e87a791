package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"text/tabwriter"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/store"
)

// runFeedback is `sigintake feedback report|tag|suggest`.
func runFeedback(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintln(stderr, "usage: sigintake feedback report  [--from YYYY-MM] [--to YYYY-MM] [--csv] --config FILE")
		fmt.Fprintln(stderr, "       sigintake feedback suggest --letter ID --config FILE")
		fmt.Fprintln(stderr, "       sigintake feedback tag     --letter ID --tag praise|complaint|suggestion --clerk NAME [--note TEXT] --config FILE")
		return 2
	}
	if len(args) == 0 {
		return usage()
	}
	sub := args[0]
	fs := flag.NewFlagSet("feedback "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	pf := addPrivacyFlags(fs)
	from := fs.String("from", "", "first month `YYYY-MM` (received)")
	to := fs.String("to", "", "last month `YYYY-MM` (received), inclusive")
	asCSV := fs.Bool("csv", false, "print CSV (month,tag,letters)")
	letter := fs.Int64("letter", 0, "letter `id`")
	tag := fs.String("tag", "", "praise, complaint or suggestion")
	clerk := fs.String("clerk", "", "clerk `name` recorded with the tag and in the audit log")
	note := fs.String("note", "", "clerk's note")
	switch sub {
	case "report", "suggest", "tag":
	default:
		return usage()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, _, err := pf.open(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake feedback: %v\n", err)
		return 1
	}
	defer st.Close()
	fail := func(err error) int {
		fmt.Fprintf(stderr, "sigintake feedback %s: %v\n", sub, err)
		if errors.Is(err, store.ErrInvalid) {
			return 2
		}
		return 1
	}
	switch sub {
	case "report":
		rows, err := st.FeedbackReport(ctx, *from, *to)
		if err != nil {
			return fail(err)
		}
		if *asCSV {
			return writeFeedbackCSV(stdout, rows)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MONTH\tTAG\tLETTERS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", r.Month, r.Tag, r.Letters)
		}
		tw.Flush()
		return 0
	case "suggest":
		b, _, err := st.LetterOriginal(ctx, *letter)
		if err != nil {
			return fail(err)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(intake.SuggestFeedbackForLetter(b))
		return 0
	default: // tag
		f := store.Feedback{LetterID: *letter, Tag: store.FeedbackTag(*tag), TaggedBy: *clerk, Note: *note}
		if b, _, err := st.LetterOriginal(ctx, *letter); err == nil {
			f.Suggested = intake.SuggestFeedbackForLetter(b).Tag
		}
		f, err := st.TagFeedback(ctx, f)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "letter %d tagged %s by %s (suggested: %s)\n", f.LetterID, f.Tag, f.TaggedBy, orDashStr(string(f.Suggested)))
		return 0
	}
}

// writeFeedbackCSV writes the report as CSV with a header row.
func writeFeedbackCSV(w io.Writer, rows []store.FeedbackRow) int {
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "tag", "letters"})
	for _, r := range rows {
		cw.Write([]string{r.Month, string(r.Tag), strconv.Itoa(r.Letters)})
	}
	cw.Flush()
	if cw.Error() != nil {
		return 1
	}
	return 0
}
