package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/revocation"
	"github.com/sigintake/sigintake/signature/trust"
	"github.com/sigintake/sigintake/signature/verify"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var anchors, intermediates, lists, listSigners multiFlag
	fs.Var(&anchors, "trust-anchor", "PEM `file` of trusted anchor certificates (repeatable)")
	fs.Var(&intermediates, "intermediate", "PEM `file` of extra intermediate certificates (repeatable)")
	fs.Var(&lists, "trusted-list", "EU trusted list or LOTL XML `file` (repeatable)")
	fs.Var(&listSigners, "trusted-list-signer", "PEM `file` of certificates allowed to sign the trusted lists (repeatable)")
	at := fs.String("at", "", "validation time, RFC 3339 (default: now)")
	offline := fs.Bool("offline", false, "use only revocation data embedded in the signatures; fetch nothing")
	asJSON := fs.Bool("json", false, "print one JSON array, an object per file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sigintake verify [--trust-anchor PEM]... [--trusted-list FILE]... [--trusted-list-signer PEM]...")
		fmt.Fprintln(stderr, "                        [--at RFC3339] [--offline] [--json] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	o := signature.Options{Time: time.Now().UTC()}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake verify: --at: %v\n", err)
			return 2
		}
		o.Time = t
	}
	var err error
	if o.Anchors, err = readCertificates(anchors); err != nil {
		fmt.Fprintf(stderr, "sigintake verify: --trust-anchor: %v\n", err)
		return 2
	}
	if o.Intermediates, err = readCertificates(intermediates); err != nil {
		fmt.Fprintf(stderr, "sigintake verify: --intermediate: %v\n", err)
		return 2
	}
	if !*offline {
		o.Fetcher = &revocation.HTTPFetcher{Now: time.Now} // cmd owns the clock: answers are cached until their NextUpdate
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(lists) > 0 || len(listSigners) > 0 {
		if len(lists) == 0 {
			fmt.Fprintln(stderr, "sigintake verify: --trusted-list-signer needs --trusted-list")
			return 2
		}
		signers, err := readCertificates(listSigners)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake verify: --trusted-list-signer: %v\n", err)
			return 2
		}
		ls, err := trust.Load(ctx, trust.LoadOptions{Files: lists, Signers: signers, At: o.Time})
		if err != nil {
			fmt.Fprintf(stderr, "sigintake verify: --trusted-list: %v\n", err)
			return 2
		}
		for _, s := range ls.Summaries() {
			if s.Status != trust.StatusOK {
				fmt.Fprintf(stderr, "sigintake verify: warning: trusted list %s (%s) is %s: %s %s\n", s.Territory, s.Source, s.Status, s.SignatureStatus, s.Error)
			}
		}
		o.Trust = ls
	}

	// Large inputs are mapped (readInput): a fault on a file truncated
	// meanwhile becomes a panic that verify.File recovers (review).
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	reports := make([]signature.FileReport, 0, fs.NArg())
	for _, name := range fs.Args() {
		data, release, err := readInput(name)
		if err != nil {
			fmt.Fprintf(stderr, "sigintake verify: %v\n", err)
			return 2
		}
		var releases []func()
		dir := filepath.Dir(name)
		in := verify.Input{
			Name: name,
			Data: data,
			Sibling: func(sib string) ([]byte, bool) {
				b, rel, err := readInput(filepath.Join(dir, filepath.Base(sib)))
				if err != nil {
					return nil, false
				}
				releases = append(releases, rel)
				return b, true
			},
		}
		reports = append(reports, verify.File(ctx, in, o))
		release()
		for _, rel := range releases {
			rel()
		}
	}
	if *asJSON {
		if err := printJSON(stdout, reports); err != nil {
			fmt.Fprintf(stderr, "sigintake verify: %v\n", err)
			return 2
		}
	} else {
		for i := range reports {
			printReport(stdout, &reports[i], o.Time)
		}
	}
	for _, r := range reports {
		if r.Verdict != signature.Accepted {
			return 1
		}
	}
	return 0
}

// readCertificates reads every certificate of the PEM (or DER) files.
func readCertificates(files []string) ([]*pki.Certificate, error) {
	var out []*pki.Certificate
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		certs, err := pki.ParsePEM(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

// printReport prints a report the way DSS's simple report reads.
func printReport(w io.Writer, r *signature.FileReport, at time.Time) {
	fmt.Fprintf(w, "File:        %s\n", r.File)
	fmt.Fprintf(w, "Format:      %s\n", r.Format)
	fmt.Fprintf(w, "Verdict:     %s\n", strings.ToUpper(string(r.Verdict)))
	fmt.Fprintf(w, "Validated:   %s\n", at.UTC().Format(time.RFC3339))
	for _, s := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", s)
	}
	fmt.Fprintf(w, "Signatures:  %d\n", len(r.Signatures))
	for i := range r.Signatures {
		printSignature(w, &r.Signatures[i], "  ")
	}
	fmt.Fprintln(w)
}

func printSignature(w io.Writer, s *signature.Report, ind string) {
	fmt.Fprintf(w, "\n%sSignature %s\n", ind, s.ID)
	ind2 := ind + "  "
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%s%-22s %s\n", ind2, k+":", v)
		}
	}
	res := string(s.Indication)
	if s.SubIndication != "" {
		res += " / " + string(s.SubIndication)
	}
	line("Indication", res)
	line("Qualification", string(s.Qualification))
	line("Level", s.Level)
	line("Signed by", s.Signer.Subject)
	line("Personal/org code", s.Signer.SerialNumber)
	line("Organisation", s.Signer.Organization)
	line("Issuer", s.Issuer)
	line("Certificate SHA-256", s.CertificateSHA256)
	if s.SigningTime != nil {
		line("Claimed signing time", s.SigningTime.UTC().Format(time.RFC3339))
	}
	if !s.BestSignatureTime.IsZero() {
		line("Best signature time", s.BestSignatureTime.UTC().Format(time.RFC3339))
	}
	for _, t := range s.Timestamps {
		q := ""
		if t.Qualified {
			q = ", qualified"
		}
		line("Timestamp ("+t.Type+")", fmt.Sprintf("%s by %s: %s%s", t.Time.UTC().Format(time.RFC3339), t.TSA, t.Indication, q))
	}
	rev := string(s.Revocation.Status) + " (" + string(s.Revocation.Source) + ")"
	if s.Revocation.ProducedAt != nil {
		rev += " produced " + s.Revocation.ProducedAt.UTC().Format(time.RFC3339)
	}
	line("Revocation", rev)
	for _, c := range s.Covered {
		line("Covers", c)
	}
	for _, e := range s.Errors {
		line("Error", e)
	}
	for _, e := range s.Warnings {
		line("Warning", e)
	}
	for _, e := range s.Infos {
		line("Info", e)
	}
	for i := range s.CounterSignatures {
		printSignature(w, &s.CounterSignatures[i], ind2)
	}
}
