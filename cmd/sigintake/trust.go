package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/trust"
)

// trustFlags are the flags every trust subcommand shares.
type trustFlags struct {
	lists, lotls, urls, signers multiFlag
	at                          string
	cache                       string
	follow                      bool
}

func (f *trustFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.lists, "trusted-list", "trusted list (national list or LOTL) XML `file` (repeatable)")
	fs.Var(&f.lotls, "lotl", "LOTL or pivot LOTL XML `file` (repeatable)")
	fs.Var(&f.urls, "url", "trusted list `URL` to fetch (repeatable; default for refresh: the EU LOTL)")
	fs.Var(&f.signers, "trusted-list-signer", "PEM `file` of certificates allowed to sign the LOTL (repeatable; the EU Official Journal ones)")
	fs.StringVar(&f.at, "at", "", "validation time, RFC 3339 (default: now)")
	fs.StringVar(&f.cache, "cache", "", "`directory` caching fetched lists (last good copy kept)")
	fs.BoolVar(&f.follow, "follow", false, "fetch the national lists the LOTL points to")
}

func (f *trustFlags) options() (trust.LoadOptions, error) {
	o := trust.LoadOptions{Files: f.lists, LOTLFiles: f.lotls, URLs: f.urls, CacheDir: f.cache, FollowPointers: f.follow, At: time.Now().UTC()}
	if f.at != "" {
		t, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return o, fmt.Errorf("--at: %w", err)
		}
		o.At = t
	}
	signers, err := readCertificates(f.signers)
	if err != nil {
		return o, fmt.Errorf("--trusted-list-signer: %w", err)
	}
	o.Signers = signers
	return o, nil
}

func runTrust(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: sigintake trust show|refresh|explain [flags]")
		return 2
	}
	switch args[0] {
	case "show":
		return trustShow(args[1:], stdout, stderr, false)
	case "refresh":
		return trustShow(args[1:], stdout, stderr, true)
	case "explain":
		return trustExplain(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "sigintake trust: unknown subcommand %q (show, refresh, explain)\n", args[0])
	return 2
}

// trustShow loads the lists and prints one line per list. refresh fetches
// the EU LOTL (and, with --follow, the national lists) into the cache.
func trustShow(args []string, stdout, stderr io.Writer, refresh bool) int {
	name := "show"
	if refresh {
		name = "refresh"
	}
	fs := flag.NewFlagSet("trust "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf trustFlags
	tf.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o, err := tf.options()
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust %s: %v\n", name, err)
		return 2
	}
	if refresh && len(o.URLs) == 0 {
		o.URLs = []string{trust.DefaultLOTLURL}
		o.FollowPointers = true
	}
	if len(o.Files)+len(o.LOTLFiles)+len(o.URLs) == 0 {
		fmt.Fprintf(stderr, "sigintake trust %s: no lists given (--trusted-list, --lotl or --url)\n", name)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := progressBar(stderr, "fetching trusted lists")
	o.Progress = func(done, total int, _ string) { bar(done, total) }
	ls, err := trust.Load(ctx, o)
	bar(-1, -1)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust %s: %v\n", name, err)
		return 1
	}
	sums := ls.Summaries()
	if *asJSON {
		if err := printJSON(stdout, sums); err != nil {
			return 2
		}
	} else {
		printSummaries(stdout, sums)
	}
	for _, s := range sums {
		if s.Status != trust.StatusOK {
			return 1
		}
	}
	return 0
}

func printSummaries(w io.Writer, sums []trust.ListSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TERRITORY\tTYPE\tSEQ\tISSUED\tNEXT UPDATE\tSTATUS\tSIGNATURE\tSERVICES\tSOURCE")
	for _, s := range sums {
		typ := "TL"
		if s.LOTL {
			typ = "LOTL"
		}
		counts := make([]string, 0, len(s.ServiceCounts))
		for k, n := range s.ServiceCounts {
			counts = append(counts, fmt.Sprintf("%s=%d", shortServiceType(k), n))
		}
		sort.Strings(counts)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d (%s)\t%s\n", s.Territory, typ, s.SequenceNumber,
			day(s.IssueDate), day(s.NextUpdate), s.Status, s.SignatureStatus, s.Services, strings.Join(counts, " "), s.Source)
		if s.Error != "" {
			fmt.Fprintf(tw, "\t\t\t\t\terror: %s\n", s.Error)
		}
		for _, warn := range s.Warnings {
			fmt.Fprintf(tw, "\t\t\t\t\twarning: %s\n", warn)
		}
	}
	tw.Flush()
}

func shortServiceType(uri string) string {
	const prefix = "http://uri.etsi.org/TrstSvc/Svctype/"
	return strings.TrimPrefix(uri, prefix)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// trustExplain says step by step why a certificate is or is not qualified.
func trustExplain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trust explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf trustFlags
	tf.register(fs)
	var intermediates multiFlag
	fs.Var(&intermediates, "intermediate", "PEM `file` of intermediate certificates (repeatable)")
	when := fs.String("time", "", "the time the qualification is asked for, RFC 3339, e.g. the signing time (default: --at)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: sigintake trust explain [flags] CERT.pem")
		return 2
	}
	o, err := tf.options()
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust explain: %v\n", err)
		return 2
	}
	qt := o.At
	if *when != "" {
		if qt, err = time.Parse(time.RFC3339, *when); err != nil {
			fmt.Fprintf(stderr, "sigintake trust explain: --time: %v\n", err)
			return 2
		}
	}
	certs, err := readCertificates([]string{fs.Arg(0)})
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust explain: %v\n", err)
		return 2
	}
	inter, err := readCertificates(intermediates)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust explain: --intermediate: %v\n", err)
		return 2
	}
	// Further certificates in the same file serve as intermediates.
	inter = append(inter, certs[1:]...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ls, err := trust.Load(ctx, o)
	if err != nil {
		fmt.Fprintf(stderr, "sigintake trust explain: %v\n", err)
		return 1
	}
	leaf := certs[0]
	var path pki.Path
	paths, err := pki.BuildPaths(ctx, leaf, pki.PathOptions{Anchors: pki.NewPool(ls.Anchors()...), Intermediates: pki.NewPool(inter...)})
	if err != nil || len(paths) == 0 {
		fmt.Fprintf(stdout, "No path from the certificate to a trust service of the lists: %v\n", err)
		path = pki.Path{leaf}
	} else {
		path = paths[0]
	}
	fmt.Fprintf(stdout, "Certificate: %s\nIssuer:      %s\nLists at:    %s\nAsked at:    %s\n\n", leaf.SubjectString(), leaf.IssuerString(), o.At.Format(time.RFC3339), qt.Format(time.RFC3339))
	for i, step := range ls.Explain(leaf, path, qt) {
		fmt.Fprintf(stdout, "%2d. %s\n", i+1, step)
	}
	q := ls.Qualify(path, qt)
	fmt.Fprintf(stdout, "\nQualification: %s\n", q.Qualification)
	if q.Qualification.Qualified() {
		return 0
	}
	return 1
}
