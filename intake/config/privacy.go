package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/sigintake/sigintake/store"
)

// Issue 9's settings: encryption at rest, retention and the directory of
// institutions letters are redirected to. They live in the same file:
//
//	[store]
//	encryption_key_file = "/etc/sigintake/blob.keys"  # or encryption_key_env = "SIGINTAKE_BLOB_KEYS"
//
//	[retention]          # days; 0 keeps forever
//	rejected_days = 365  # from the decision
//	ignored_days  = 30   # automatic mail (auto-replies, bounces, lists)
//	accepted_days = 0    # from the closing of the letter's case (archive rules)
//	review_days   = 365  # letters left in review, from the clerk's decision
//
//	[[institution]]
//	id      = "vid"
//	name    = "Valsts ieņēmumu dienests"
//	name_en = "State Revenue Service"
//	address = "vid@vid.gov.lv"
//
// The key file (or variable) holds one or more base64 keys of 32 bytes,
// one per line (white space or commas between them in a variable), newest
// first: the newest seals new blobs, all of them open. Lines starting with
// # are comments.
//
// LoadPrivacy reads only these keys and ignores the rest of the file, so it
// works before Config carries them (see docs/PRIVACY.md for the wiring).

// Encryption names the blob keys ([store] table).
type Encryption struct {
	DSN     string `toml:"dsn"` // the store, as in Config.Store.DSN
	KeyFile string `toml:"encryption_key_file"`
	KeyEnv  string `toml:"encryption_key_env"`
}

// Retention says how long raw letters and attachments are kept per outcome,
// in days (0: forever). See store.RetentionPolicy.
type Retention struct {
	RejectedDays int `toml:"rejected_days"`
	IgnoredDays  int `toml:"ignored_days"`
	AcceptedDays int `toml:"accepted_days"`
	ReviewDays   int `toml:"review_days"`
}

// Policy converts the days to a store.RetentionPolicy.
func (r Retention) Policy() store.RetentionPolicy {
	d := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	return store.RetentionPolicy{Rejected: d(r.RejectedDays), Ignored: d(r.IgnoredDays), Accepted: d(r.AcceptedDays),
		Review: d(r.ReviewDays)}
}

// DefaultRetention is the retention without a [retention] table: rejected
// letters one year, ignored automatic mail 30 days, letters in review one
// year after the decision, accepted letters (cases) kept until the archive
// rules are configured.
func DefaultRetention() Retention {
	return Retention{RejectedDays: 365, IgnoredDays: 30, AcceptedDays: 0, ReviewDays: 365}
}

// Institution is a competent institution a clerk may redirect a letter to.
type Institution struct {
	ID      string `toml:"id"`      // short key, e.g. "vid"
	Name    string `toml:"name"`    // Latvian name, as the client reads it
	NameEN  string `toml:"name_en"` // English name (default: Name)
	Address string `toml:"address"` // e-mail address the letter is forwarded to
}

// Privacy is issue 9's part of the configuration.
type Privacy struct {
	Encryption   Encryption
	Retention    Retention
	Institutions []Institution
	// Keyring holds the resolved keys (nil: blobs stay plaintext).
	Keyring *store.Keyring
}

// Institution returns the institution with that id.
func (p *Privacy) Institution(id string) (Institution, bool) {
	for _, in := range p.Institutions {
		if in.ID == id {
			return in, true
		}
	}
	return Institution{}, false
}

// LoadPrivacy reads the privacy settings of the file at path.
func LoadPrivacy(path string) (*Privacy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParsePrivacy(path, data, os.Getenv)
}

// ParsePrivacy decodes and checks the privacy settings in data, resolving
// the encryption keys.
func ParsePrivacy(path string, data []byte, getenv func(string) string) (*Privacy, error) {
	var f struct {
		Store        Encryption    `toml:"store"`
		Retention    *Retention    `toml:"retention"`
		Institutions []Institution `toml:"institution"`
	}
	errs := &Errors{File: path}
	lines := indexLines(data)
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			errs.List = append(errs.List, FieldError{Line: pe.Position.Line, Field: orDash(pe.LastKey), Msg: pe.Message})
		} else {
			errs.List = append(errs.List, FieldError{Field: "-", Msg: err.Error()})
		}
		return nil, errs
	}
	add := func(field, format string, args ...any) {
		errs.List = append(errs.List, FieldError{Line: lines[field], Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	p := &Privacy{Encryption: f.Store, Retention: DefaultRetention(), Institutions: f.Institutions}
	if f.Retention != nil {
		p.Retention = *f.Retention
	}
	for field, n := range map[string]int{"retention.rejected_days": p.Retention.RejectedDays,
		"retention.ignored_days": p.Retention.IgnoredDays, "retention.accepted_days": p.Retention.AcceptedDays,
		"retention.review_days": p.Retention.ReviewDays} {
		if n < 0 || n > 100*366 {
			add(field, "days must be between 0 (keep forever) and 36600, not %d", n)
		}
	}
	seen := map[string]bool{}
	for i := range p.Institutions {
		in := &p.Institutions[i]
		base := fmt.Sprintf("institution[%d]", i)
		if !nameRE().MatchString(in.ID) {
			add(base+".id", "want a short key of a-z, 0-9, _ and -, not %q", in.ID)
		} else if seen[in.ID] {
			add(base+".id", "%q given twice", in.ID)
		}
		seen[in.ID] = true
		if strings.TrimSpace(in.Name) == "" {
			add(base+".name", "required")
		}
		if in.NameEN == "" {
			in.NameEN = in.Name
		}
		if a, err := mail.ParseAddress(in.Address); err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
			add(base+".address", "want a plain e-mail address, not %q", in.Address)
		}
	}
	if f.Store.KeyFile != "" && f.Store.KeyEnv != "" {
		add("store.encryption_key_file", "give encryption_key_file or encryption_key_env, not both")
	} else if f.Store.KeyFile != "" || f.Store.KeyEnv != "" {
		var text, field string
		if f.Store.KeyFile != "" {
			field = "store.encryption_key_file"
			p.Encryption.KeyFile = resolve(filepath.Dir(path), f.Store.KeyFile)
			b, err := os.ReadFile(p.Encryption.KeyFile)
			if err != nil {
				add(field, "cannot read the key file: %v", err)
			}
			text = string(b)
		} else {
			field = "store.encryption_key_env"
			text = getenv(f.Store.KeyEnv)
			if text == "" {
				add(field, "the environment variable %s is empty", f.Store.KeyEnv)
			}
		}
		if text != "" {
			kr, err := parseKeys(text)
			if err != nil {
				// Never print the key text itself.
				add(field, "%v", err)
			}
			p.Keyring = kr
		}
	}
	if len(errs.List) > 0 {
		return nil, errs
	}
	return p, nil
}

// parseKeys reads base64 keys, newest first, one per line or separated by
// white space or commas; # starts a comment line.
func parseKeys(text string) (*store.Keyring, error) {
	var keys []store.Key
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\r' }) {
			k, err := store.ParseKey(f)
			if err != nil {
				return nil, fmt.Errorf("key %d: %w", len(keys)+1, err)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no keys found")
	}
	return store.NewKeyring(keys...)
}
