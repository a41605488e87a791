package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/sigintake/sigintake/store"
)

const (
	sessionCookie = "sigintake_session"
	loginCookie   = "sigintake_login" // pre-login CSRF token (double submit)
	langCookie    = "sigintake_lang"
)

// ErrPassword is returned by HashPassword for an unacceptable password.
var ErrPassword = errors.New("web: password must have at least 12 characters")

// argon2id parameters: OWASP's password storage recommendation
// (m=19 MiB, t=2, p=1), RFC 9106 §3.1 encoding. CheckPassword reads the
// parameters from each hash, so they can be raised later.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword hashes a password with argon2id into the PHC string form
// $argon2id$v=19$m=...,t=...,p=...$salt$hash.
func HashPassword(pw string) (string, error) {
	if len([]rune(pw)) < 12 {
		return "", ErrPassword
	}
	return hashWith(pw, argonMemory, argonTime, argonThreads), nil
}

func hashWith(pw string, m, t uint32, p uint8) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, t, m, p, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether pw matches an argon2id hash made by
// HashPassword (any parameters within sane bounds).
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m < 8*1024 || m > 1024*1024 || t < 1 || t > 20 || p < 1 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked for unknown users so that a login takes as long
// whether the name exists or not.
var dummyHash = sync.OnceValue(func() string {
	return hashWith("not-a-password-of-anyone", argonMemory, argonTime, argonThreads)
})

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// authenticate loads the session from the cookie (or logs in through the
// trusted proxy header) into rq. It reports false when there is none.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request, rq *request) (bool, error) {
	ctx := r.Context()
	proxyUser := s.proxyUser(r)
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		se, u, err := s.st.SessionUser(ctx, sessionID(c.Value))
		switch {
		case err == nil && (proxyUser == "" || proxyUser == u.Name):
			now := s.opt.Now()
			// Idle and absolute expiry: the store keeps one expiry, moved
			// forward on use and never past the absolute limit.
			if now.Sub(se.CreatedAt) >= s.opt.AbsoluteTimeout {
				s.st.DeleteSession(ctx, se.ID)
				break
			}
			if next := s.expiry(se.CreatedAt, now); next.Sub(se.ExpiresAt) > time.Minute {
				if err := s.st.TouchSession(ctx, se.ID, next); err != nil {
					return false, err
				}
				se.ExpiresAt = next
			}
			rq.user, rq.sess = u, se
			return true, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return false, err
		}
	}
	if proxyUser != "" {
		u, err := s.st.UserByName(ctx, proxyUser)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			return false, errStatus(http.StatusForbidden, "err.403")
		}
		if err != nil {
			return false, err
		}
		se, err := s.startSession(ctx, w, r, u, "proxy")
		if err != nil {
			return false, err
		}
		rq.user, rq.sess = u, se
		return true, nil
	}
	return false, nil
}

// proxyUser is the single sign-on user named by the trusted proxy, or "".
func (s *server) proxyUser(r *http.Request) string {
	if s.opt.ProxyUserHeader == "" {
		return ""
	}
	v := strings.TrimSpace(r.Header.Get(s.opt.ProxyUserHeader))
	if v == "" || !s.fromTrustedProxy(r) {
		return ""
	}
	return v
}

func (s *server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.opt.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the peer address, or the nearest X-Forwarded-For hop when the
// peer is a trusted proxy.
func (s *server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.fromTrustedProxy(r) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			hops := strings.Split(xff, ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
				return ip.String()
			}
		}
	}
	return host
}

func (s *server) expiry(created, now time.Time) time.Time {
	return minTime(now.Add(s.opt.IdleTimeout), created.Add(s.opt.AbsoluteTimeout))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *server) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, u store.User, how string) (store.Session, error) {
	now := s.opt.Now().UTC()
	token := newToken()
	se := store.Session{ID: sessionID(token), UserID: u.ID, CSRF: newToken(), CreatedAt: now, ExpiresAt: s.expiry(now, now)}
	if err := s.st.CreateSession(ctx, se); err != nil {
		return store.Session{}, err
	}
	d, _ := json.Marshal(map[string]string{"via": how, "ip": s.clientIP(r)})
	if _, err := s.st.AppendAudit(ctx, store.AuditEntry{Actor: u.Name, Action: "user.login", Object: "user:" + u.Name, Details: d}); err != nil {
		return store.Session{}, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(s.opt.AbsoluteTimeout / time.Second)})
	return se, nil
}

// csrfOK checks the session's token in the form field "csrf" or the
// X-CSRF-Token header, and that a browser's Origin, when sent, is ours.
func (s *server) csrfOK(r *http.Request, rq *request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && rq.sess.CSRF != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(rq.sess.CSRF)) == 1
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.showLogin(w, r, rq, "", http.StatusOK)
}

func (s *server) showLogin(w http.ResponseWriter, r *http.Request, rq *request, msg string, code int) error {
	tok := newToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	next := r.FormValue("next")
	p := page{L: rq.lang, Title: rq.lang.T("login.title"), Path: "/login", CSRF: tok,
		Data: map[string]string{"Next": next, "Error": msg, "Name": r.PostFormValue("name")}}
	return s.exec(w, "login", p, code)
}

type loginJSON struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login checks a password. The HTML form carries a double-submit token
// (cookie and field); the JSON API takes {"name","password"} and needs no
// token since it sets no state before success and is not a form post.
func (s *server) login(w http.ResponseWriter, r *http.Request, rq *request) error {
	var name, pw string
	if rq.api {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			return errStatus(http.StatusUnsupportedMediaType, "err.400")
		}
		var in loginJSON
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return errStatus(http.StatusBadRequest, "err.400")
		}
		name, pw = in.Name, in.Password
	} else {
		c, err := r.Cookie(loginCookie)
		if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
			return errStatus(http.StatusForbidden, "err.403csrf")
		}
		name, pw = r.PostFormValue("name"), r.PostFormValue("password")
	}
	name = strings.TrimSpace(name)
	ip := s.clientIP(r)
	if wait := s.thr.blocked(name, ip, s.opt.Now()); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		mins := int(wait.Minutes()) + 1
		if rq.api {
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": rq.lang.T("login.throttled", mins), "code": "err.429"})
			return nil
		}
		return s.showLogin(w, r, rq, rq.lang.T("login.throttled", mins), http.StatusTooManyRequests)
	}
	u, err := s.st.UserByName(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash()
	}
	if !CheckPassword(hash, pw) || err != nil || u.Disabled {
		s.thr.fail(name, ip, s.opt.Now())
		if rq.api {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": rq.lang.T("login.failed"), "code": "login.failed"})
			return nil
		}
		return s.showLogin(w, r, rq, rq.lang.T("login.failed"), http.StatusUnauthorized)
	}
	s.thr.success(name)
	se, err := s.startSession(r.Context(), w, r, u, "password")
	if err != nil {
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusOK, map[string]any{"name": u.Name, "role": u.Role, "csrf": se.CSRF, "expires_at": se.ExpiresAt})
		return nil
	}
	next := r.PostFormValue("next")
	if !localPath(next) {
		next = homeOf(u.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// localPath accepts only a path on this server (no scheme, no host, no
// protocol-relative //host, no backslash tricks).
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n") &&
		!strings.HasPrefix(p, "/login")
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.st.DeleteSession(r.Context(), rq.sess.ID); err != nil {
		return err
	}
	d, _ := json.Marshal(map[string]string{"ip": s.clientIP(r)})
	if _, err := s.st.AppendAudit(r.Context(), store.AuditEntry{Actor: rq.user.Name, Action: "user.logout", Object: "user:" + rq.user.Name, Details: d}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if rq.api {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		return nil
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// throttle counts failed logins per user name and per client address, in
// memory (per process).
type throttle struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	lockout time.Duration
	m       map[string]*attempts
}

type attempts struct {
	n     int
	first time.Time
	until time.Time
}

func newThrottle(max int, window, lockout time.Duration) *throttle {
	return &throttle{max: max, window: window, lockout: lockout, m: map[string]*attempts{}}
}

func (t *throttle) keys(name, ip string) [2]string {
	return [2]string{"u:" + strings.ToLower(name), "ip:" + ip}
}

// blocked returns how long logins for name or from ip stay refused.
func (t *throttle) blocked(name, ip string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range t.keys(name, ip) {
		if a := t.m[k]; a != nil && now.Before(a.until) {
			wait = max(wait, a.until.Sub(now))
		}
	}
	return wait
}

func (t *throttle) fail(name, ip string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 100000 {
		for k, a := range t.m {
			if now.Sub(a.first) > t.window && now.After(a.until) {
				delete(t.m, k)
			}
		}
	}
	for i, k := range t.keys(name, ip) {
		limit := t.max
		if i == 1 {
			limit = 4 * t.max
		}
		a := t.m[k]
		if a == nil || (now.Sub(a.first) > t.window && now.After(a.until)) {
			a = &attempts{first: now}
			t.m[k] = a
		}
		a.n++
		if a.n >= limit {
			a.until = now.Add(t.lockout)
		}
	}
}

func (t *throttle) success(name string) {
	t.mu.Lock()
	delete(t.m, "u:"+strings.ToLower(name))
	t.mu.Unlock()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
