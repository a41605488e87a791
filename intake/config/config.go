// Package config reads and checks sigintake's configuration file (TOML).
//
// Every problem in a file is reported at once, each with its line and field
// (see Errors). Secrets are never in the file itself: passwords come from an
// environment variable (password_env) or a file (password_file), read when
// the configuration is loaded and never printed.
//
// What it does not do: it does not dial servers or open the store; a file
// that passes Load may still name a server that does not answer.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/store"
)

// ErrInvalid is wrapped by every configuration error.
var ErrInvalid = errors.New("config: invalid configuration")

// Policy is a mailbox's intake policy (DESIGN.md "Policy").
type Policy string

const (
	// PolicyEkase needs a qualified signature: unsigned letters are rejected.
	PolicyEkase Policy = "ekase"
	// PolicyPasts files unsigned feedback; signatures are checked where present.
	PolicyPasts Policy = "pasts"
)

// Duration is a time.Duration written as a Go duration string ("90s", "24h").
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (e.g. \"90s\", \"24h\"): %q", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Secret is a password given by environment variable or file.
type Secret struct {
	Env  string `toml:"password_env"`
	File string `toml:"password_file"`
}

// IMAP is one mailbox's IMAP account.
type IMAP struct {
	Host         string `toml:"host"`
	Port         int    `toml:"port"`
	TLS          string `toml:"tls"` // implicit | starttls | plain (loopback only)
	User         string `toml:"user"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`
	Folder       string `toml:"folder"` // default INBOX

	Password string `toml:"-"` // resolved by Load
}

// Folders are where letters are moved on the server after their outcome is
// committed.
type Folders struct {
	Accepted string `toml:"accepted"`
	Rejected string `toml:"rejected"`
	Review   string `toml:"review"`
	Ignored  string `toml:"ignored"`
}

// Mailbox is one intake mailbox (ekase@, pasts@).
type Mailbox struct {
	Name    string  `toml:"name"`    // key in the store, e.g. "ekase"
	Address string  `toml:"address"` // the public address, e.g. ekase@kase.gov.lv
	Policy  Policy  `toml:"policy"`
	From    string  `toml:"reply_from"` // From of replies, default Address
	IMAP    IMAP    `toml:"imap"`
	Folders Folders `toml:"folders"`
}

// SMTP is the submission server for replies.
type SMTP struct {
	Host           string `toml:"host"`
	Port           int    `toml:"port"`
	TLS            string `toml:"tls"` // implicit | starttls | plain (loopback only)
	User           string `toml:"user"`
	PasswordEnv    string `toml:"password_env"`
	PasswordFile   string `toml:"password_file"`
	EnvelopeSender string `toml:"envelope_sender"` // MAIL FROM; "" means the null path <>
	HeloName       string `toml:"helo"`

	Password string `toml:"-"`
}

// Store names the database.
type Store struct {
	DSN string `toml:"dsn"` // sqlite:PATH, PATH, or postgres://...
}

// Trust are the validation's trust settings.
type Trust struct {
	// Anchors are PEM files (globs allowed) of trust anchors.
	Anchors []string `toml:"anchors"`
	// Intermediates are PEM files (globs allowed) of extra CA certificates.
	Intermediates []string `toml:"intermediates"`
	// TrustedLists are EU trusted list / LOTL XML files (globs allowed);
	// without them qualification is NA and every letter goes to review.
	TrustedLists []string `toml:"trusted_lists"`
	// TrustedListSigners are PEM files of the certificates allowed to sign them.
	TrustedListSigners []string `toml:"trusted_list_signers"`
	// Offline: no OCSP/CRL requests; only embedded revocation data is used.
	Offline bool `toml:"offline"`
	// RevocationCache is a directory for cached OCSP/CRL answers.
	RevocationCache string `toml:"revocation_cache"`
}

// Replies configure reply composition and sending.
type Replies struct {
	TemplatesDir string `toml:"templates_dir"` // overrides the embedded defaults file by file
	// MessageIDDomain is the right-hand side of our Message-IDs.
	MessageIDDomain string `toml:"message_id_domain"`
	// PerRecipientPerDay caps replies to one address per UTC day.
	PerRecipientPerDay int `toml:"per_recipient_per_day"`
	// RequireDMARCPass answers only letters whose Authentication-Results
	// from AuthServID say dmarc=pass (against backscatter).
	RequireDMARCPass bool   `toml:"require_dmarc_pass"`
	AuthServID       string `toml:"authserv_id"`
	// Contacts of the service centre, printed in every reply.
	ServiceName  string `toml:"service_name"`
	ServicePhone string `toml:"service_phone"`
	ServiceEmail string `toml:"service_email"`
	ServiceWeb   string `toml:"service_web"`
}

// Limits bound the work done per letter.
type Limits struct {
	MaxMessageBytes    int64    `toml:"max_message_bytes"`
	MaxAttachmentBytes int64    `toml:"max_attachment_bytes"`
	LetterTimeout      Duration `toml:"letter_timeout"`  // validation of one letter
	RetryFor           Duration `toml:"retry_for"`       // temporary failures, then review
	RetryInterval      Duration `toml:"retry_interval"`  // first wait after a temporary failure
	PollInterval       Duration `toml:"poll_interval"`   // without IDLE
	IdleRestart        Duration `toml:"idle_restart"`    // IDLE is restarted after this (< 29m)
	Workers            int      `toml:"workers"`         // letters validated in parallel
	OutboxInterval     Duration `toml:"outbox_interval"` // how often the outbox is polled
	ReconnectMax       Duration `toml:"reconnect_max"`   // cap of the reconnect backoff
}

// HTTP is the metrics and health listener.
type HTTP struct {
	Listen string `toml:"listen"` // e.g. 127.0.0.1:9464; "" disables it
}

// Web is the clerks' and auditors' desk served by `sigintake run`.
type Web struct {
	// Listen is the desk's address, e.g. 127.0.0.1:8080; "" serves no desk
	// (run `sigintake serve` separately).
	Listen string `toml:"listen"`
	// TLSCert and TLSKey serve HTTPS; HTTPSProxy says a TLS-terminating
	// proxy is in front (cookies are then Secure).
	TLSCert    string   `toml:"tls_cert"`
	TLSKey     string   `toml:"tls_key"`
	HTTPSProxy bool     `toml:"https_proxy"`
	Idle       Duration `toml:"idle_timeout"`    // a session ends after this without use (default 30m)
	Session    Duration `toml:"session_timeout"` // and this after login (default 12h)
}

// Cases configure case numbers.
type Cases struct {
	// Pattern: {YYYY} or {YY}, {SEQ} or {SEQ:n}; e.g. "VK-{YYYY}/{SEQ:6}".
	Pattern string `toml:"pattern"`
}

// Config is the whole file.
type Config struct {
	// Instance names this daemon in mailbox leases and outbox claims: unique
	// among running daemons, stable across restarts. Default: the host name.
	Instance  string    `toml:"instance"`
	Store     Store     `toml:"store"`
	Trust     Trust     `toml:"trust"`
	Replies   Replies   `toml:"replies"`
	Limits    Limits    `toml:"limits"`
	HTTP      HTTP      `toml:"http"`
	Web       Web       `toml:"web"`
	Cases     Cases     `toml:"cases"`
	SMTP      SMTP      `toml:"smtp"`
	Mailboxes []Mailbox `toml:"mailbox"`
}

// FieldError is one problem, at a line of the file (0 when unknown).
type FieldError struct {
	Line  int
	Field string // e.g. "mailbox[0].imap.host"
	Msg   string
}

func (e FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

// Errors are all the problems of one file.
type Errors struct {
	File string
	List []FieldError
}

func (e *Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %s: %d problem(s):", e.File, len(e.List))
	for _, fe := range e.List {
		b.WriteString("\n  ")
		b.WriteString(fe.Error())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *Errors) Unwrap() error { return ErrInvalid }

// Defaults returns the configuration every file starts from.
func Defaults() Config {
	return Config{
		Store: Store{DSN: "sqlite:/var/lib/sigintake/store.db"},
		Replies: Replies{
			PerRecipientPerDay: 5,
			ServiceName:        "Valsts kases Klientu apkalpošanas centrs",
			ServicePhone:       "+371 67094222",
			ServiceEmail:       "info@kase.gov.lv",
			ServiceWeb:         "https://www.kase.gov.lv",
		},
		Limits: Limits{
			MaxMessageBytes:    50 << 20,
			MaxAttachmentBytes: 40 << 20,
			LetterTimeout:      Duration{2 * time.Minute},
			RetryFor:           Duration{24 * time.Hour},
			RetryInterval:      Duration{5 * time.Minute},
			PollInterval:       Duration{time.Minute},
			IdleRestart:        Duration{25 * time.Minute},
			Workers:            2,
			OutboxInterval:     Duration{5 * time.Second},
			ReconnectMax:       Duration{5 * time.Minute},
		},
		Cases: Cases{Pattern: "VK-{YYYY}/{SEQ:6}"},
		SMTP:  SMTP{TLS: "starttls", Port: 587},
	}
}

// Load reads, decodes and checks the file at path, resolving secrets.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data, os.Getenv)
}

// Parse decodes and checks data (named path in messages); getenv resolves
// password_env. Relative file names in the file are resolved against the
// file's directory.
func Parse(path string, data []byte, getenv func(string) string) (*Config, error) {
	cfg := Defaults()
	errs := &Errors{File: path}
	lines := indexLines(data)
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			errs.List = append(errs.List, FieldError{Line: pe.Position.Line, Field: orDash(pe.LastKey), Msg: pe.Message})
		} else {
			errs.List = append(errs.List, FieldError{Field: "-", Msg: err.Error()})
		}
		return nil, errs
	}
	for _, k := range md.Undecoded() {
		if foreignKey(k) {
			continue
		}
		f := keyPath(k, lines)
		errs.List = append(errs.List, FieldError{Line: lines[f], Field: f, Msg: "unknown field"})
	}
	base := filepath.Dir(path)
	c := &checker{lines: lines, errs: errs}
	cfg.check(c, base, getenv)
	// The privacy settings (encryption keys, retention, institutions) are
	// read by ParsePrivacy; their errors belong to the same report.
	if _, err := ParsePrivacy(path, data, getenv); err != nil {
		var pe *Errors
		if errors.As(err, &pe) {
			errs.List = append(errs.List, pe.List...)
		} else {
			errs.List = append(errs.List, FieldError{Field: "-", Msg: err.Error()})
		}
	}
	if len(errs.List) > 0 {
		sort.SliceStable(errs.List, func(i, j int) bool { return errs.List[i].Line < errs.List[j].Line })
		return nil, errs
	}
	return &cfg, nil
}

// foreignKey reports keys that other parts of sigintake read from the same
// file (see ParsePrivacy: encryption at rest, retention, institutions), so
// that they are not reported as unknown here.
func foreignKey(k toml.Key) bool {
	switch {
	case len(k) == 0:
		return false
	case k[0] == "retention" || k[0] == "institution":
		return true
	case len(k) == 2 && k[0] == "store" && (k[1] == "encryption_key_file" || k[1] == "encryption_key_env"):
		return true
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type checker struct {
	lines map[string]int
	errs  *Errors
}

func (c *checker) add(field, format string, args ...any) {
	line := c.lines[field]
	if line == 0 { // the table the field would be in
		f := field
		for line == 0 && strings.Contains(f, ".") {
			f = f[:strings.LastIndexByte(f, '.')]
			line = c.lines[f]
		}
	}
	c.errs.List = append(c.errs.List, FieldError{Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`) })

func (cfg *Config) check(c *checker, base string, getenv func(string) string) {
	if cfg.Store.DSN == "" {
		c.add("store.dsn", "required")
	}
	if (cfg.Web.TLSCert == "") != (cfg.Web.TLSKey == "") {
		c.add("web.tls_cert", "tls_cert and tls_key go together")
	}
	if cfg.Web.TLSCert != "" {
		cfg.Web.TLSCert, cfg.Web.TLSKey = resolve(base, cfg.Web.TLSCert), resolve(base, cfg.Web.TLSKey)
	}
	if _, err := store.FormatCaseNumber(cfg.Cases.Pattern, 2026, 1); err != nil {
		c.add("cases.pattern", "invalid pattern %q: needs {SEQ} or {SEQ:n}, may have {YYYY} or {YY}", cfg.Cases.Pattern)
	}
	for i, a := range cfg.Trust.Anchors {
		cfg.Trust.Anchors[i] = resolve(base, a)
		if m, _ := filepath.Glob(cfg.Trust.Anchors[i]); len(m) == 0 {
			c.add("trust.anchors", "no file matches %q", a)
		}
	}
	for i, a := range cfg.Trust.Intermediates {
		cfg.Trust.Intermediates[i] = resolve(base, a)
		if m, _ := filepath.Glob(cfg.Trust.Intermediates[i]); len(m) == 0 {
			c.add("trust.intermediates", "no file matches %q", a)
		}
	}
	for _, f := range []struct {
		name string
		l    []string
	}{{"trust.trusted_lists", cfg.Trust.TrustedLists}, {"trust.trusted_list_signers", cfg.Trust.TrustedListSigners}} {
		for i, a := range f.l {
			f.l[i] = resolve(base, a)
			if m, _ := filepath.Glob(f.l[i]); len(m) == 0 {
				c.add(f.name, "no file matches %q", a)
			}
		}
	}
	if len(cfg.Trust.TrustedLists) > 0 && len(cfg.Trust.TrustedListSigners) == 0 {
		c.add("trust.trusted_list_signers", "required with trusted_lists: the certificates allowed to sign the lists")
	}
	if cfg.Trust.RevocationCache != "" {
		cfg.Trust.RevocationCache = resolve(base, cfg.Trust.RevocationCache)
	}
	if cfg.Replies.TemplatesDir != "" {
		cfg.Replies.TemplatesDir = resolve(base, cfg.Replies.TemplatesDir)
		if st, err := os.Stat(cfg.Replies.TemplatesDir); err != nil || !st.IsDir() {
			c.add("replies.templates_dir", "not a directory: %q", cfg.Replies.TemplatesDir)
		}
	}
	if cfg.Replies.PerRecipientPerDay < 0 {
		c.add("replies.per_recipient_per_day", "must be 0 (no cap) or more")
	}
	if cfg.Replies.RequireDMARCPass && cfg.Replies.AuthServID == "" {
		c.add("replies.authserv_id", "required when require_dmarc_pass is set")
	}
	l := &cfg.Limits
	if l.MaxMessageBytes < 1024 {
		c.add("limits.max_message_bytes", "at least 1024")
	}
	if l.MaxAttachmentBytes < 1024 {
		c.add("limits.max_attachment_bytes", "at least 1024")
	}
	if l.Workers < 1 || l.Workers > 64 {
		c.add("limits.workers", "between 1 and 64")
	}
	for f, d := range map[string]Duration{"letter_timeout": l.LetterTimeout, "retry_interval": l.RetryInterval, "poll_interval": l.PollInterval, "idle_restart": l.IdleRestart, "outbox_interval": l.OutboxInterval, "reconnect_max": l.ReconnectMax} {
		if d.Duration <= 0 {
			c.add("limits."+f, "must be positive")
		}
	}
	if l.RetryFor.Duration < 0 {
		c.add("limits.retry_for", "must not be negative")
	}
	if l.IdleRestart.Duration > mailbox.MaxIdle {
		c.add("limits.idle_restart", "at most %v (RFC 2177 servers drop IDLE after 30 minutes)", mailbox.MaxIdle)
	}
	if cfg.HTTP.Listen != "" {
		if _, _, err := splitHostPort(cfg.HTTP.Listen); err != nil {
			c.add("http.listen", "not host:port: %q", cfg.HTTP.Listen)
		}
	}
	// SMTP.
	s := &cfg.SMTP
	if s.Host == "" {
		c.add("smtp.host", "required")
	}
	checkTLS(c, "smtp", s.TLS, s.Host)
	if s.Port <= 0 || s.Port > 65535 {
		c.add("smtp.port", "not a port: %d", s.Port)
	}
	if s.User != "" {
		pw, err := secret(base, s.PasswordEnv, s.PasswordFile, getenv)
		if err != nil {
			c.add("smtp."+secretField(s.PasswordEnv, s.PasswordFile), "%v", err)
		}
		s.Password = pw
	}
	if len(cfg.Mailboxes) == 0 {
		c.add("mailbox", "at least one [[mailbox]] is required")
	}
	names := map[string]bool{}
	addrs := map[string]bool{}
	for i := range cfg.Mailboxes {
		m := &cfg.Mailboxes[i]
		p := fmt.Sprintf("mailbox[%d]", i)
		if !nameRE().MatchString(m.Name) {
			c.add(p+".name", "required: lower-case letters, digits, - and _ (e.g. \"ekase\")")
		} else if names[m.Name] {
			c.add(p+".name", "duplicate mailbox name %q", m.Name)
		}
		names[m.Name] = true
		if !strings.Contains(m.Address, "@") {
			c.add(p+".address", "required: an e-mail address")
		} else if addrs[strings.ToLower(m.Address)] {
			c.add(p+".address", "duplicate address %q", m.Address)
		}
		addrs[strings.ToLower(m.Address)] = true
		if m.From == "" {
			m.From = m.Address
		}
		switch m.Policy {
		case PolicyEkase, PolicyPasts:
		default:
			c.add(p+".policy", "must be \"ekase\" or \"pasts\", not %q", m.Policy)
		}
		im := &m.IMAP
		if im.Host == "" {
			c.add(p+".imap.host", "required")
		}
		if im.TLS == "" {
			im.TLS = "implicit"
		}
		checkTLS(c, p+".imap", im.TLS, im.Host)
		if im.Port == 0 {
			im.Port = 993
			if im.TLS != "implicit" {
				im.Port = 143
			}
		}
		if im.Port < 0 || im.Port > 65535 {
			c.add(p+".imap.port", "not a port: %d", im.Port)
		}
		if im.User == "" {
			c.add(p+".imap.user", "required")
		}
		pw, err := secret(base, im.PasswordEnv, im.PasswordFile, getenv)
		if err != nil {
			c.add(p+".imap."+secretField(im.PasswordEnv, im.PasswordFile), "%v", err)
		}
		im.Password = pw
		if im.Folder == "" {
			im.Folder = "INBOX"
		}
		f := &m.Folders
		for k, v := range map[string]*string{"accepted": &f.Accepted, "rejected": &f.Rejected, "review": &f.Review, "ignored": &f.Ignored} {
			if *v == "" {
				// Flat names: the hierarchy separator differs between
				// servers (Dovecot Maildir '.', others '/').
				*v = "sigintake-" + k
			}
			if strings.EqualFold(*v, im.Folder) {
				c.add(p+".folders."+k, "must differ from the intake folder %q", im.Folder)
			}
		}
	}
}

func checkTLS(c *checker, p, mode, host string) {
	switch mailbox.TLSMode(mode) {
	case mailbox.TLSImplicit, mailbox.TLSStartTLS:
	case mailbox.TLSPlain:
		if host != "" && !mailbox.IsLoopback(host) {
			c.add(p+".tls", "plain is allowed only to a loopback host, not %q", host)
		}
	default:
		c.add(p+".tls", "must be implicit, starttls or plain, not %q", mode)
	}
}

func secret(base, env, file string, getenv func(string) string) (string, error) {
	switch {
	case env != "" && file != "":
		return "", errors.New("give password_env or password_file, not both")
	case env != "":
		v := getenv(env)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty or unset", env)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(resolve(base, file))
		if err != nil {
			return "", fmt.Errorf("password_file: %v", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("password_file %s is empty", file)
		}
		return v, nil
	}
	return "", errors.New("a password is required: password_env or password_file")
}

func secretField(env, file string) string {
	if file != "" && env == "" {
		return "password_file"
	}
	return "password_env"
}

func resolve(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

func splitHostPort(s string) (string, int, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, errors.New("no port")
	}
	port, err := strconv.Atoi(s[i+1:])
	if err != nil || port < 0 || port > 65535 {
		return "", 0, errors.New("bad port")
	}
	return s[:i], port, nil
}

// keyPath turns a decoded key into the field name used in messages,
// choosing array indexes by the order of [[tables]] in the file.
func keyPath(k toml.Key, lines map[string]int) string {
	// Undecoded keys inside arrays of tables come without an index; find the
	// first indexed path that has a line.
	s := k.String()
	if lines[s] != 0 {
		return s
	}
	parts := strings.Split(s, ".")
	for i := 0; i < 100; i++ {
		cand := parts[0] + "[" + strconv.Itoa(i) + "]"
		if len(parts) > 1 {
			cand += "." + strings.Join(parts[1:], ".")
		}
		if lines[cand] != 0 {
			return cand
		}
	}
	return s
}

var (
	tableRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?`) })
	keyRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*([A-Za-z0-9_\-]+)\s*=`) })
)

// indexLines maps field paths ("smtp.host", "mailbox[1].imap.port") and
// table paths to their line numbers. It understands the TOML this package
// documents ([table], [[array]], key = value); values spanning several
// lines are skipped over only where they are strings or arrays on one line.
func indexLines(data []byte) map[string]int {
	out := map[string]int{}
	counts := map[string]int{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if m := tableRE().FindStringSubmatch(line); m != nil {
			name := strings.ReplaceAll(m[2], " ", "")
			if m[1] == "[[" {
				idx := counts[name]
				counts[name]++
				cur = fmt.Sprintf("%s[%d]", name, idx)
			} else {
				// a sub-table of the last array element: mailbox.imap -> mailbox[i].imap
				cur = name
				for arr, c := range counts {
					if strings.HasPrefix(name, arr+".") {
						cur = fmt.Sprintf("%s[%d]%s", arr, c-1, name[len(arr):])
					}
				}
			}
			if _, ok := out[cur]; !ok {
				out[cur] = n
			}
			continue
		}
		if m := keyRE().FindStringSubmatch(line); m != nil {
			k := m[1]
			if cur != "" {
				k = cur + "." + k
			}
			if _, ok := out[k]; !ok {
				out[k] = n
			}
		}
	}
	return out
}
