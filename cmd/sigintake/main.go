// Command sigintake takes in signed letters by e-mail for the Latvian State
// Treasury and validates their electronic signatures.
//
// Usage:
//
//	sigintake verify [flags] FILE...   validate signed files
//	sigintake version                  print the version
//
// Run "sigintake help" for the list of commands.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// command is one subcommand: its name, a one-line summary and its entry point,
// which returns the process exit status.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"verify", "validate signed files (eDoc/ASiC, PAdES, CAdES/CMS, XAdES, S/MIME)", runVerify},
		{"trust", "EU trusted lists: show, refresh, explain CERT", runTrust},
		{"reverify", "validate stored letters again and show what would now be decided differently", runReverify},
		{"version", "print the version and build information", runVersion},
		{"run", "run the intake daemon (--config FILE)", runRun},
		{"demo", "run the whole intake on built-in servers and test letters", runDemo},
		{"config", "check a configuration file (config check FILE)", runConfig},
		{"migrate", "apply the database migrations", runMigrate},
		{"letters", "list letters and their outcomes (letters list)", runLetters},
		{"cases", "list cases or show one (cases list|show)", runCases},
		{"serve", "serve the clerks' and auditors' web desk (--db DSN --listen ADDR)", runServe},
		{"users", "web desk accounts: users add|passwd|disable|enable|list", runUsers},
		{"purge", "remove raw letters past their retention (dry run unless --apply)", runPurge},
		{"store", "encryption keys: store keygen|keys|rekey", runStore},
		{"feedback", "service-quality feedback: feedback report|tag", runFeedback},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sigintake: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sigintake COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	version := "(devel)"
	var rev, when string
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			}
		}
		fmt.Fprintf(stdout, "sigintake %s %s", version, bi.GoVersion)
	} else {
		fmt.Fprintf(stdout, "sigintake %s", version)
	}
	if rev != "" {
		fmt.Fprintf(stdout, " %s %s", rev, when)
	}
	fmt.Fprintln(stdout)
	return 0
}

// printJSON writes v as indented JSON: the --json output of every command.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
