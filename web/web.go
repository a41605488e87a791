package web

import (
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/sigintake/sigintake/store"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Options configure the web desk. The zero value is the safe default: no
// proxy single sign-on, cookies Secure only under TLS.
type Options struct {
	// HTTPSProxy says the server sits behind a reverse proxy that
	// terminates HTTPS: cookies are marked Secure and HSTS is sent even
	// though requests arrive in plain HTTP.
	HTTPSProxy bool
	// IdleTimeout ends a session unused this long (default 30 minutes);
	// AbsoluteTimeout ends any session this long after login (default
	// 12 hours).
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// ProxyUserHeader, when set (e.g. "X-Remote-User"), logs in the
	// existing, enabled account the header names, but only for requests
	// whose peer address is in TrustedProxies. Off by default.
	ProxyUserHeader string
	TrustedProxies  []netip.Prefix
	// Login throttling: after MaxLoginFailures failures for one user name
	// (or 4 times as many from one address) within LoginWindow, logins
	// are refused for LoginLockout. Defaults 5, 15 minutes, 15 minutes.
	MaxLoginFailures int
	LoginWindow      time.Duration
	LoginLockout     time.Duration
	// Logger receives one line per server error; default slog.Default().
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests pin it. Session expiry in
	// the store follows the store's own clock (store.SetClock).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 30 * time.Minute
	}
	if o.AbsoluteTimeout <= 0 {
		o.AbsoluteTimeout = 12 * time.Hour
	}
	if o.MaxLoginFailures <= 0 {
		o.MaxLoginFailures = 5
	}
	if o.LoginWindow <= 0 {
		o.LoginWindow = 15 * time.Minute
	}
	if o.LoginLockout <= 0 {
		o.LoginLockout = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// server is the web desk.
type server struct {
	st    *store.Store
	dec   Decider
	opt   Options
	pages map[string]*template.Template
	thr   *throttle
	mux   *http.ServeMux
}

// New returns the web desk's handler: the clerks' review desk, the
// auditors' console, user administration and the JSON API under /api/v1.
// dec records clerk decisions; a nil dec refuses them (503).
func New(st *store.Store, dec Decider, opt Options) http.Handler {
	opt.defaults()
	s := &server{st: st, dec: dec, opt: opt, mux: http.NewServeMux(),
		thr: newThrottle(opt.MaxLoginFailures, opt.LoginWindow, opt.LoginLockout)}
	s.pages = parsePages()
	for _, rt := range append(s.routes(), s.privacyRoutes()...) {
		s.handle(rt)
	}
	static, _ := fs.Sub(assets, "static")
	fileServer := http.FileServerFS(static)
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})))
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if s.secure(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if l := r.URL.Query().Get("lang"); (l == "lv" || l == "en") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	}
	s.mux.ServeHTTP(w, r)
}

func (s *server) secure(r *http.Request) bool { return r.TLS != nil || s.opt.HTTPSProxy }

// Roles.
var (
	clerk   = []store.Role{store.RoleClerk}
	auditor = []store.Role{store.RoleAuditor}
	admin   = []store.Role{store.RoleAdmin}
	readers = []store.Role{store.RoleClerk, store.RoleAuditor}
	anyone  = []store.Role{store.RoleClerk, store.RoleAuditor, store.RoleAdmin}
)

// route is one page or API endpoint. roles nil: no login needed.
type route struct {
	method, path string
	roles        []store.Role
	api          bool // also served as JSON under /api/v1
	h            func(w http.ResponseWriter, r *http.Request, rq *request) error
}

// routes is the table of every route and the roles allowed on it. Object
// checks (which letter a clerk may open) are in the handlers.
func (s *server) routes() []route {
	return []route{
		{"GET", "/{$}", nil, false, s.home},
		{"GET", "/login", nil, false, s.loginPage},
		{"POST", "/login", nil, true, s.login},
		{"POST", "/logout", anyone, true, s.logout},
		{"GET", "/me", anyone, true, s.me},

		{"GET", "/review", clerk, true, s.queue},
		{"GET", "/letters/{id}", readers, true, s.letter},
		{"GET", "/letters/{id}/attachments/{aid}", readers, true, s.attachment},
		{"POST", "/letters/{id}/claim", clerk, true, s.claim},
		{"POST", "/letters/{id}/decide", clerk, true, s.decide},
		{"GET", "/cases", readers, true, s.cases},
		{"GET", "/cases/{id}", readers, true, s.caseView},

		{"GET", "/audit/reports", auditor, true, s.search},
		{"GET", "/audit/reports.csv", auditor, false, s.exportCSV},
		{"GET", "/audit/reports.json", auditor, false, s.exportJSON},
		{"GET", "/audit/letters/{id}", auditor, true, s.evidence},
		{"GET", "/audit/letters/{id}/report.json", auditor, false, s.reportJSON},
		{"GET", "/audit/letters/{id}/eml", auditor, false, s.eml},
		{"GET", "/audit/log", auditor, true, s.auditLog},
		{"GET", "/audit/log/verify", auditor, true, s.verifyChain},

		{"GET", "/admin/users", admin, true, s.users},
		{"POST", "/admin/users", admin, true, s.addUser},
		{"POST", "/admin/users/{name}/disable", admin, true, s.disableUser},
		{"POST", "/admin/users/{name}/enable", admin, true, s.enableUser},
	}
}

// request is what a handler knows about the caller.
type request struct {
	user store.User
	sess store.Session
	lang Lang
	api  bool
}

func (s *server) handle(rt route) {
	wrap := func(api bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rq := &request{lang: langOf(r), api: api}
			safe := r.Method == http.MethodGet || r.Method == http.MethodHead
			if rt.roles != nil {
				ok, err := s.authenticate(w, r, rq)
				if err != nil {
					s.fail(w, r, rq, err)
					return
				}
				if !ok {
					if api || !safe {
						s.fail(w, r, rq, errStatus(http.StatusUnauthorized, "err.403"))
						return
					}
					http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				if !hasRole(rt.roles, rq.user.Role) {
					s.fail(w, r, rq, errStatus(http.StatusForbidden, "err.403"))
					return
				}
				w.Header().Set("Cache-Control", "no-store")
				if !safe && !s.csrfOK(r, rq) {
					s.fail(w, r, rq, errStatus(http.StatusForbidden, "err.403csrf"))
					return
				}
			}
			if err := rt.h(w, r, rq); err != nil {
				s.fail(w, r, rq, err)
			}
		})
	}
	s.mux.Handle(rt.method+" "+rt.path, wrap(false))
	if rt.api {
		p := rt.path
		if p == "/{$}" {
			return
		}
		s.mux.Handle(rt.method+" /api/v1"+p, wrap(true))
	}
}

func hasRole(roles []store.Role, r store.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// statusError is an error with an HTTP status and a catalogue key for the
// user; the wrapped cause goes to the log only.
type statusError struct {
	code  int
	key   string
	cause error
}

func (e *statusError) Error() string {
	if e.cause != nil {
		return http.StatusText(e.code) + ": " + e.cause.Error()
	}
	return http.StatusText(e.code)
}
func (e *statusError) Unwrap() error { return e.cause }

func errStatus(code int, key string) error { return &statusError{code: code, key: key} }

func (s *server) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	var se *statusError
	switch {
	case errors.As(err, &se):
	case errors.Is(err, store.ErrNotFound):
		se = &statusError{code: http.StatusNotFound, key: "err.404"}
	case errors.Is(err, store.ErrLeaseHeld), errors.Is(err, store.ErrNotClaimed), errors.Is(err, store.ErrAlreadyDecided):
		se = &statusError{code: http.StatusConflict, key: "err.409"}
	case errors.Is(err, store.ErrInvalid):
		se = &statusError{code: http.StatusBadRequest, key: "err.400"}
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			se = &statusError{code: http.StatusRequestEntityTooLarge, key: "err.413"}
		} else {
			se = &statusError{code: http.StatusInternalServerError, key: "err.500"}
		}
	}
	if se.code >= 500 {
		s.opt.Logger.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "user", rq.user.Name, "err", err)
	}
	if rq.api {
		writeJSON(w, se.code, map[string]string{"error": rq.lang.T(se.key), "code": se.key})
		return
	}
	s.renderStatus(w, rq, "error", "err.title", map[string]any{"Message": rq.lang.T(se.key), "Code": se.code}, se.code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// page is what every template gets.
type page struct {
	L     Lang
	User  store.User
	CSRF  string
	Title string
	Path  string
	Flash string
	Data  any
}

// T translates for templates.
func (p page) T(key string, args ...any) string { return p.L.T(key, args...) }

// Role reports whether the viewer has role.
func (p page) Role(role string) bool { return string(p.User.Role) == role }

// render writes a page as HTML, or its data as JSON for the API.
func (s *server) render(w http.ResponseWriter, r *http.Request, rq *request, name, titleKey string, data any, titleArgs ...any) error {
	if rq.api {
		writeJSON(w, http.StatusOK, data)
		return nil
	}
	p := page{L: rq.lang, User: rq.user, CSRF: rq.sess.CSRF, Title: rq.lang.T(titleKey, titleArgs...),
		Path: r.URL.Path, Flash: r.URL.Query().Get("done"), Data: data}
	if p.Flash != "" {
		if _, ok := catalogue[p.Flash]; !ok {
			p.Flash = ""
		}
	}
	return s.exec(w, name, p, http.StatusOK)
}

func (s *server) renderStatus(w http.ResponseWriter, rq *request, name, titleKey string, data any, code int) {
	p := page{L: rq.lang, User: rq.user, CSRF: rq.sess.CSRF, Title: rq.lang.T(titleKey), Data: data}
	s.exec(w, name, p, code)
}

func (s *server) exec(w http.ResponseWriter, name string, p page, code int) error {
	t, ok := s.pages[name]
	if !ok {
		return errors.New("web: no template " + name)
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, err := w.Write([]byte(b.String()))
	return err
}

// home sends a user to their role's first page.
func (s *server) home(w http.ResponseWriter, r *http.Request, rq *request) error {
	ok, err := s.authenticate(w, r, rq)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, homeOf(rq.user.Role), http.StatusSeeOther)
	return nil
}

func homeOf(role store.Role) string {
	switch role {
	case store.RoleClerk:
		return "/review"
	case store.RoleAuditor:
		return "/audit/reports"
	default:
		return "/admin/users"
	}
}

func (s *server) me(w http.ResponseWriter, r *http.Request, rq *request) error {
	writeJSON(w, http.StatusOK, map[string]any{"name": rq.user.Name, "role": rq.user.Role, "csrf": rq.sess.CSRF,
		"expires_at": rq.sess.ExpiresAt})
	return nil
}
