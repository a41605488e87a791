package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigintake/sigintake/store"
)

// TestRoutesByRole checks every route for every role: anonymous visitors are
// sent to the login page (HTML) or get 401 (API and POST), other roles get
// 403, object checks give 404.
func TestRoutesByRole(t *testing.T) {
	f := newFixture(t, Options{})
	other := f.review[1]
	otherAtts, _ := f.st.Attachments(context.Background(), other)
	cs := map[string]*client{"anon": f.client(t), "clerk": f.login(t, "clerk1"), "auditor": f.login(t, "auditor1"), "admin": f.login(t, "admin1")}
	r0 := f.review[0]
	type exp struct{ anon, clerk, auditor, admin int }
	gets := []struct {
		path string
		want exp
	}{
		{"/review", exp{303, 200, 403, 403}},
		{"/review?mailbox=ekase&reason=revocation_unknown", exp{303, 200, 403, 403}},
		{fmt.Sprintf("/letters/%d", r0), exp{303, 200, 200, 403}},
		{fmt.Sprintf("/letters/%d", f.accLtr), exp{303, 200, 200, 403}},
		{fmt.Sprintf("/letters/%d", f.rejLtr), exp{303, 404, 200, 403}},  // no review, no case: not a clerk's
		{fmt.Sprintf("/letters/%d", f.pending), exp{303, 404, 200, 403}}, // pending: not a clerk's
		{"/letters/999999", exp{303, 404, 404, 403}},
		{"/letters/abc", exp{303, 404, 404, 403}},
		{fmt.Sprintf("/letters/%d/attachments/%d", r0, f.attID), exp{303, 200, 200, 403}},
		{fmt.Sprintf("/letters/%d/attachments/%d", r0, otherAtts[0].ID), exp{303, 404, 404, 403}}, // another letter's attachment
		{"/cases", exp{303, 200, 200, 403}},
		{fmt.Sprintf("/cases/%d", f.caseID), exp{303, 200, 200, 403}},
		{"/cases/999999", exp{303, 404, 404, 403}},
		{"/audit/reports", exp{303, 403, 200, 403}},
		{"/audit/reports?indication=TOTAL_FAILED&since=2026-01-01&until=2026-12-31", exp{303, 403, 200, 403}},
		{"/audit/reports?since=yesterday", exp{303, 403, 400, 403}},
		{"/audit/reports.csv", exp{303, 403, 200, 403}},
		{"/audit/reports.json", exp{303, 403, 200, 403}},
		{fmt.Sprintf("/audit/letters/%d", r0), exp{303, 403, 200, 403}},
		{fmt.Sprintf("/audit/letters/%d/report.json", r0), exp{303, 403, 200, 403}},
		{fmt.Sprintf("/audit/letters/%d/eml", r0), exp{303, 403, 200, 403}},
		{"/audit/log", exp{303, 403, 200, 403}},
		{"/audit/log/verify", exp{303, 403, 200, 403}},
		{"/admin/users", exp{303, 403, 403, 200}},
		{"/api/v1/me", exp{401, 200, 200, 200}},
		{"/api/v1/review", exp{401, 200, 403, 403}},
		{fmt.Sprintf("/api/v1/letters/%d", r0), exp{401, 200, 200, 403}},
		{fmt.Sprintf("/api/v1/letters/%d", f.pending), exp{401, 404, 200, 403}},
		{"/api/v1/cases", exp{401, 200, 200, 403}},
		{fmt.Sprintf("/api/v1/cases/%d", f.caseID), exp{401, 200, 200, 403}},
		{"/api/v1/audit/reports", exp{401, 403, 200, 403}},
		{fmt.Sprintf("/api/v1/audit/letters/%d", r0), exp{401, 403, 200, 403}},
		{"/api/v1/audit/log", exp{401, 403, 200, 403}},
		{"/api/v1/audit/log/verify", exp{401, 403, 200, 403}},
		{"/api/v1/admin/users", exp{401, 403, 403, 200}},
		{"/login", exp{200, 200, 200, 200}},
		{"/static/style.css", exp{200, 200, 200, 200}},
		{"/", exp{303, 303, 303, 303}},
		{"/nonexistent", exp{404, 404, 404, 404}},
	}
	for _, g := range gets {
		for role, want := range map[string]int{"anon": g.want.anon, "clerk": g.want.clerk, "auditor": g.want.auditor, "admin": g.want.admin} {
			t.Run(fmt.Sprintf("GET %s as %s", g.path, role), func(t *testing.T) {
				c := *cs[role]
				c.t = t
				c.get(g.path, want)
			})
		}
	}
	// State changes by a role that may not make them: refused before any
	// effect, with a valid CSRF token (so the role check is what refuses).
	posts := []struct {
		path  string
		roles map[string]int
	}{
		{fmt.Sprintf("/letters/%d/claim", r0), map[string]int{"anon": 401, "auditor": 403, "admin": 403}},
		{fmt.Sprintf("/letters/%d/decide", r0), map[string]int{"anon": 401, "auditor": 403, "admin": 403}},
		{fmt.Sprintf("/api/v1/letters/%d/decide", r0), map[string]int{"anon": 401, "auditor": 403, "admin": 403}},
		{fmt.Sprintf("/letters/%d/claim", f.pending), map[string]int{"clerk": 404}},
		{"/admin/users", map[string]int{"anon": 401, "clerk": 403, "auditor": 403}},
		{"/admin/users/clerk2/disable", map[string]int{"anon": 401, "clerk": 403, "auditor": 403}},
		{"/api/v1/admin/users/clerk2/disable", map[string]int{"anon": 401, "clerk": 403, "auditor": 403}},
		{"/audit/log", map[string]int{"auditor": 405}},
	}
	for _, p := range posts {
		for role, want := range p.roles {
			t.Run(fmt.Sprintf("POST %s as %s", p.path, role), func(t *testing.T) {
				c := *cs[role]
				c.t = t
				resp := c.postCSRF(p.path, url.Values{"action": {"accept"}, "name": {"x"}, "role": {"admin"}, "password": {testPassword}})
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d", resp.StatusCode, want)
				}
			})
		}
	}
	// Nothing changed.
	it, err := f.st.ReviewForLetter(context.Background(), r0)
	if err != nil || it.ClaimedBy != "" || !it.DecidedAt.IsZero() {
		t.Fatalf("review item changed by refused requests: %+v %v", it, err)
	}
	if u, err := f.st.UserByName(context.Background(), "clerk2"); err != nil || u.Disabled {
		t.Fatalf("clerk2 changed: %+v %v", u, err)
	}
	if _, err := f.st.UserByName(context.Background(), "x"); err == nil {
		t.Fatal("user x created by a refused request")
	}
}

func TestSecurityHeadersAndSafeLetter(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.login(t, "clerk1")
	req, _ := http.NewRequest("GET", f.srv.URL+fmt.Sprintf("/letters/%d", f.review[0]), nil)
	resp := c.do(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	h := resp.Header
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<img src=\"http://tracker") {
		t.Fatal("the letter's HTML reached the page unescaped")
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Jānis Bērziņš", "Iesniegums Nr. 1 — līgums",
		"Paraksta derīgumu nevarēja noteikt", "INDETERMINATE", "TRY_LATER", "iesniegums-1.pdf", "revocation status not known"} {
		if !strings.Contains(body, want) {
			t.Errorf("letter page lacks %q", want)
		}
	}
	// English.
	body = c.get(fmt.Sprintf("/letters/%d?lang=en", f.review[0]), 200)
	if !strings.Contains(body, "could not be determined") || !strings.Contains(body, `lang="en"`) {
		t.Error("English page not in English")
	}
	body = c.get("/review", 200) // the cookie keeps English
	if !strings.Contains(body, "Review queue") {
		t.Error("language choice not kept")
	}
	// Attachment download.
	req, _ = http.NewRequest("GET", f.srv.URL+fmt.Sprintf("/letters/%d/attachments/%d", f.review[0], f.attID), nil)
	resp = c.do(req)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("attachment: %d %v", resp.StatusCode, resp.Header)
	}
	if string(b) != "%PDF-1.7 signed document 1" {
		t.Fatalf("attachment bytes %q", b)
	}
}

func TestCSRFRefused(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.login(t, "clerk1")
	path := fmt.Sprintf("/letters/%d/claim", f.review[0])
	for name, mk := range map[string]func() *http.Request{
		"fail/no token": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(""))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		},
		"fail/wrong token": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader("csrf=forged"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		},
		"fail/foreign origin": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader("csrf="+url.QueryEscape(c.csrf)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "https://evil.example")
			return r
		},
		"fail/api without header": func() *http.Request {
			r, _ := http.NewRequest("POST", f.srv.URL+"/api/v1"+path, strings.NewReader("{}"))
			r.Header.Set("Content-Type", "application/json")
			return r
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp := c.do(mk())
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	if it, _ := f.st.ReviewForLetter(context.Background(), f.review[0]); it.ClaimedBy != "" {
		t.Fatal("a forged request claimed the letter")
	}
	// Login form without its double-submit token.
	anon := f.client(t)
	resp := anon.post("/login", url.Values{"name": {"clerk1"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without token: %d", resp.StatusCode)
	}
	t.Run("ok/api header", func(t *testing.T) {
		r, _ := http.NewRequest("POST", f.srv.URL+"/api/v1"+path, nil)
		r.Header.Set("X-CSRF-Token", c.csrf)
		resp := c.do(r)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

// testClock is a settable clock for the web desk and the store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLoginThrottling(t *testing.T) {
	clk := &testClock{t: time.Now()}
	f := newFixture(t, Options{Now: clk.Now})
	try := func(name, pw string) int {
		c := f.client(t)
		m := csrfRe.FindStringSubmatch(c.get("/login", 200))
		return c.post("/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {pw}}).StatusCode
	}
	for i := 0; i < 5; i++ {
		if got := try("clerk1", "wrong password!"); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, got)
		}
	}
	if got := try("clerk1", testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %d, want 429", got)
	}
	if got := try("CLERK1", testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("name case does not bypass the lock: %d", got)
	}
	// Another user from the same address is not locked yet (the address
	// limit is 4 times the user limit).
	if got := try("clerk2", testPassword); got != http.StatusSeeOther {
		t.Fatalf("other user: %d", got)
	}
	// The API shares the counters.
	r, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/login", strings.NewReader(`{"name":"clerk1","password":"`+testPassword+`"}`))
	r.Header.Set("Content-Type", "application/json")
	resp := f.client(t).do(r)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("api while locked: %d", resp.StatusCode)
	}
	clk.Add(16 * time.Minute)
	if got := try("clerk1", testPassword); got != http.StatusSeeOther {
		t.Fatalf("after the lockout: %d", got)
	}
	// Per address: many names from one address.
	for i := 0; i < 20; i++ {
		try(fmt.Sprintf("nobody%d", i), "x")
	}
	if got := try("clerk2", testPassword); got != http.StatusTooManyRequests {
		t.Fatalf("address lock: %d", got)
	}
}

func TestSessionExpiry(t *testing.T) {
	clk := &testClock{t: time.Now().UTC()}
	f := newFixture(t, Options{Now: clk.Now, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 2 * time.Hour})
	f.st.SetClock(clk.Now)
	t.Run("idle", func(t *testing.T) {
		c := f.login(t, "clerk1")
		clk.Add(20 * time.Minute)
		c.get("/review", 200) // use moves the idle expiry
		clk.Add(20 * time.Minute)
		c.get("/review", 200)
		clk.Add(31 * time.Minute)
		c.get("/review", 303)
		c.get("/api/v1/review", 401)
	})
	t.Run("absolute", func(t *testing.T) {
		c := f.login(t, "clerk1")
		for i := 0; i < 4; i++ {
			clk.Add(25 * time.Minute)
			c.get("/review", 200)
		}
		clk.Add(25 * time.Minute) // 2h05 after login, used 25 minutes ago: over the absolute limit
		c.get("/review", 303)
	})
	t.Run("logout", func(t *testing.T) {
		c := f.login(t, "clerk1")
		if resp := c.postCSRF("/logout", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout %d", resp.StatusCode)
		}
		c.get("/review", 303)
	})
	t.Run("disabled user", func(t *testing.T) {
		c := f.login(t, "clerk2")
		a := f.login(t, "admin1")
		if resp := a.postCSRF("/admin/users/clerk2/disable", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable %d", resp.StatusCode)
		}
		c.get("/review", 303)
		cl := f.client(t)
		m := csrfRe.FindStringSubmatch(cl.get("/login", 200))
		if resp := cl.post("/login", url.Values{"csrf": {m[1]}, "name": {"clerk2"}, "password": {testPassword}}); resp.StatusCode != 401 {
			t.Fatalf("disabled login %d", resp.StatusCode)
		}
	})
}

func TestClaimsByTwoClerks(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	c1, c2 := f.login(t, "clerk1"), f.login(t, "clerk2")
	id := f.review[0]
	claim := fmt.Sprintf("/letters/%d/claim", id)
	decide := fmt.Sprintf("/letters/%d/decide", id)
	if resp := c1.postCSRF(claim, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clerk1 claim %d", resp.StatusCode)
	}
	if resp := c1.postCSRF(claim, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clerk1 claims again (idempotent) %d", resp.StatusCode)
	}
	if resp := c2.postCSRF(claim, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("clerk2 claim %d, want 409", resp.StatusCode)
	}
	if resp := c2.postCSRF(decide, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("clerk2 decides a letter clerk1 holds: %d, want 409", resp.StatusCode)
	}
	page := c2.get(fmt.Sprintf("/letters/%d", id), 200)
	if strings.Contains(page, `id="accept"`) || strings.Contains(page, `id="claim"`) {
		t.Fatal("clerk2 is offered actions on clerk1's letter")
	}
	page = c1.get(fmt.Sprintf("/letters/%d", id), 200)
	if !strings.Contains(page, `id="accept"`) {
		t.Fatal("clerk1 is not offered the decision")
	}
	if resp := c1.postCSRF(decide, url.Values{"action": {"accept"}, "comment": {"Paraksts pārbaudīts manuāli"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept %d", resp.StatusCode)
	}
	l, _ := f.st.Letter(ctx, id)
	if l.Outcome != store.Accepted || l.Case == "" || l.Reply != store.ReplyQueued {
		t.Fatalf("after accept: %+v", l)
	}
	out, _ := f.st.OutboxForLetter(ctx, id)
	if len(out) != 1 || out[0].Kind != store.ReplyAck || !strings.Contains(string(out[0].Raw), l.Case) ||
		!strings.Contains(string(out[0].Raw), "Auto-Submitted: auto-replied") || out[0].Recipient != "janis1@example.lv" {
		t.Fatalf("ack: %+v %s", out, out[0].Raw)
	}
	evs, _ := f.st.CaseEvents(ctx, l.CaseID)
	kinds := []string{}
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "opened,clerk_action,reply_queued" {
		t.Fatalf("timeline %v", kinds)
	}
	au, _ := f.st.AuditLog(ctx, fmt.Sprintf("letter:%d", id), 0, 100)
	if last := au[len(au)-1]; last.Action != "review.accept" || last.Actor != "clerk1" || !strings.Contains(string(last.Details), "Paraksts pārbaudīts manuāli") {
		t.Fatalf("audit %+v", last)
	}
	if resp := c1.postCSRF(decide, url.Values{"action": {"reject"}, "reason": {"other"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second decision %d, want 409", resp.StatusCode)
	}
	// The case page shows the timeline and the queued reply.
	cp := c1.get(fmt.Sprintf("/cases/%d", l.CaseID), 200)
	if !strings.Contains(cp, l.Case) || !strings.Contains(cp, "Lietveža darbība") || !strings.Contains(cp, "gaida nosūtīšanu") {
		t.Fatalf("case page: %.3000s", cp)
	}

	// Two clerks race for one letter: exactly one wins.
	id2 := f.review[1]
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, c := range []*client{c1, c2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = c.postCSRF(fmt.Sprintf("/letters/%d/claim", id2), nil).StatusCode
		}()
	}
	wg.Wait()
	if !(codes[0] == 303 && codes[1] == 409 || codes[0] == 409 && codes[1] == 303) {
		t.Fatalf("race: %v", codes)
	}
}

func TestRejectAndAskInfo(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	c := f.login(t, "clerk1")
	id := f.review[1]
	c.postCSRF(fmt.Sprintf("/letters/%d/claim", id), nil)
	decide := fmt.Sprintf("/letters/%d/decide", id)
	if resp := c.postCSRF(decide, url.Values{"action": {"reject"}, "reason": {"made_up"}}); resp.StatusCode != 400 {
		t.Fatalf("unknown reason %d", resp.StatusCode)
	}
	if resp := c.postCSRF(decide, url.Values{"action": {"explode"}}); resp.StatusCode != 400 {
		t.Fatalf("unknown action %d", resp.StatusCode)
	}
	if resp := c.postCSRF(decide, url.Values{"action": {"info"}, "reason": {"missing_document"}, "text": {"Lūdzu, atsūtiet pilnvaru."}, "comment": {"trūkst pilnvaras"}}); resp.StatusCode != 303 {
		t.Fatalf("info %d", resp.StatusCode)
	}
	l, _ := f.st.Letter(ctx, id)
	it, _ := f.st.ReviewForLetter(ctx, id)
	if l.Outcome != store.Review || !it.DecidedAt.IsZero() || it.ClaimedBy != "clerk1" {
		t.Fatalf("after info the letter stays in review, claimed: %+v %+v", l, it)
	}
	if resp := c.postCSRF(decide, url.Values{"action": {"reject"}, "reason": {"no_qualified_signature"}, "text": {"Papildu paskaidrojums."}}); resp.StatusCode != 303 {
		t.Fatalf("reject %d", resp.StatusCode)
	}
	l, _ = f.st.Letter(ctx, id)
	if l.Outcome != store.Rejected || l.CaseID != 0 {
		t.Fatalf("after reject: %+v", l)
	}
	out, _ := f.st.OutboxForLetter(ctx, id)
	if len(out) != 2 || out[0].Kind != store.ReplyInfo || out[1].Kind != store.ReplyReject {
		t.Fatalf("outbox %+v", out)
	}
	raw := string(out[1].Raw)
	if !strings.Contains(raw, "Nav droša (kvalificēta) elektroniskā paraksta") || !strings.Contains(raw, "No qualified electronic signature") ||
		!strings.Contains(raw, "In-Reply-To: <letter-2@example.lv>") || !strings.Contains(raw, "Papildu paskaidrojums.") {
		t.Fatalf("rejection:\n%s", raw)
	}
	// JSON API decision on another letter.
	id3 := f.review[2]
	r, _ := http.NewRequest("POST", f.srv.URL+fmt.Sprintf("/api/v1/letters/%d/claim", id3), nil)
	r.Header.Set("X-CSRF-Token", c.csrf)
	resp := c.do(r)
	resp.Body.Close()
	r, _ = http.NewRequest("POST", f.srv.URL+fmt.Sprintf("/api/v1/letters/%d/decide", id3), strings.NewReader(`{"action":"accept","comment":"ok"}`))
	r.Header.Set("X-CSRF-Token", c.csrf)
	r.Header.Set("Content-Type", "application/json")
	resp = c.do(r)
	var res Result
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if resp.StatusCode != 200 || res.CaseNumber == "" || res.OutboxID == 0 || res.AuditID == 0 {
		t.Fatalf("api accept %d %+v", resp.StatusCode, res)
	}
	var q struct{ Total int }
	json.Unmarshal([]byte(c.get("/api/v1/review", 200)), &q)
	if q.Total != 1 { // review[0] is left
		t.Fatalf("queue total %d", q.Total)
	}
}

func openRawDB(t *testing.T, f *fixture) *sql.DB {
	// The fixture's database file, opened beside the store to tamper with it.
	db, err := sql.Open("sqlite", f.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestEmlAndCorruptBlob(t *testing.T) {
	f := newFixture(t, Options{})
	a := f.login(t, "auditor1")
	id := f.review[0]
	req, _ := http.NewRequest("GET", f.srv.URL+fmt.Sprintf("/audit/letters/%d/eml", id), nil)
	resp := a.do(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(b)
	l, _ := f.st.Letter(context.Background(), id)
	if resp.StatusCode != 200 || hex.EncodeToString(sum[:]) != l.SHA256 || resp.Header.Get("X-Sigintake-SHA256") != l.SHA256 ||
		resp.Header.Get("Content-Type") != "message/rfc822" {
		t.Fatalf("eml %d %s", resp.StatusCode, resp.Header)
	}
	if page := a.get(fmt.Sprintf("/audit/letters/%d", id), 200); !strings.Contains(page, "atbilst SHA-256") || !strings.Contains(page, l.SHA256) {
		t.Fatal("evidence page does not confirm the hash")
	}
	db := openRawDB(t, f)
	if _, err := db.Exec(`UPDATE blobs SET data = CAST('tampered' AS BLOB) WHERE sha256 = ?`, l.SHA256); err != nil {
		t.Fatal(err)
	}
	if page := a.get(fmt.Sprintf("/audit/letters/%d", id), 200); !strings.Contains(page, "vairs neatbilst SHA-256") || strings.Contains(page, "eml-download") {
		t.Fatal("evidence page does not report the corrupt blob")
	}
	var ev evidenceView
	json.Unmarshal([]byte(a.get(fmt.Sprintf("/api/v1/audit/letters/%d", id), 200)), &ev)
	if ev.Intact || ev.Status != "corrupt" {
		t.Fatalf("api evidence %+v", ev)
	}
	a.get(fmt.Sprintf("/audit/letters/%d/eml", id), http.StatusConflict)
}

func TestExport(t *testing.T) {
	f := newFixture(t, Options{})
	a := f.login(t, "auditor1")
	rows, err := csv.NewReader(strings.NewReader(a.get("/audit/reports.csv", 200))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("csv rows %d: %v", len(rows), rows[0])
	}
	rows, _ = csv.NewReader(strings.NewReader(a.get("/audit/reports.csv?indication=TOTAL_FAILED", 200))).ReadAll()
	if len(rows) != 2 || rows[1][6] != "TOTAL_FAILED" || rows[1][2] != "pasts" || rows[1][11] != "PNOLV-320011-12345" {
		t.Fatalf("filtered csv %v", rows)
	}
	rows, _ = csv.NewReader(strings.NewReader(a.get("/audit/reports.csv?signer=PNOLV-320002-12345", 200))).ReadAll()
	if len(rows) != 2 || rows[1][1] != fmt.Sprint(f.review[1]) {
		t.Fatalf("serial csv %v", rows)
	}
	rows, _ = csv.NewReader(strings.NewReader(a.get("/audit/reports.csv?since=2030-01-01", 200))).ReadAll()
	if len(rows) != 1 {
		t.Fatalf("period csv %v", rows)
	}
	var js struct {
		Reports []store.Report
		Count   int
	}
	if err := json.Unmarshal([]byte(a.get("/audit/reports.json?verdict=review", 200)), &js); err != nil {
		t.Fatal(err)
	}
	if js.Count != 3 || len(js.Reports) != 3 || len(js.Reports[0].JSON) == 0 {
		t.Fatalf("json export %+v", js)
	}
	// The search page and API agree.
	var api struct{ Total int }
	json.Unmarshal([]byte(a.get("/api/v1/audit/reports?qualification=QESig", 200)), &api)
	if api.Total != 1 {
		t.Fatalf("api search total %d", api.Total)
	}
	page := a.get("/audit/reports?issuer=E-ME", 200)
	if !strings.Contains(page, "Atrasti 5 rezultāti") {
		t.Fatalf("search page %.2000s", page)
	}
	// The export links carry the search, the pager its page.
	if page := a.get("/audit/reports?indication=TOTAL_FAILED&mailbox=pasts", 200); !strings.Contains(page, `href="/audit/reports.csv?indication=TOTAL_FAILED&amp;mailbox=pasts"`) {
		t.Fatal("export link lost the search")
	}
	// Spreadsheet formulas are defused.
	if csvSafe("=HYPERLINK(1)") != "'=HYPERLINK(1)" || csvSafe("PNOLV") != "PNOLV" {
		t.Fatal("csvSafe")
	}
	// Full report.
	var rep struct {
		Letter  store.Letter
		Reports []store.Report
	}
	json.Unmarshal([]byte(a.get(fmt.Sprintf("/audit/letters/%d/report.json", f.rejLtr), 200)), &rep)
	if rep.Letter.ID != f.rejLtr || len(rep.Reports) != 1 || !strings.Contains(string(rep.Reports[0].JSON), "HASH_FAILURE") {
		t.Fatalf("report json %+v", rep)
	}
}

func TestAuditChain(t *testing.T) {
	f := newFixture(t, Options{})
	a := f.login(t, "auditor1")
	if page := a.get("/audit/log/verify", 200); !strings.Contains(page, "Ķēde ir vesela") {
		t.Fatalf("verify: %.1500s", page)
	}
	log := a.get("/audit/log", 200)
	if !strings.Contains(log, "letter.review") || !strings.Contains(log, "user.login") {
		t.Fatal("audit log lacks the automatic decisions or logins")
	}
	db := openRawDB(t, f)
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	var v chainView
	json.Unmarshal([]byte(a.get("/api/v1/audit/log/verify", 200)), &v)
	if v.OK || v.BadID != 3 {
		t.Fatalf("tampered chain: %+v", v)
	}
	if page := a.get("/audit/log/verify", 200); !strings.Contains(page, "bojāta pie ieraksta 3") {
		t.Fatal("verify page does not report the break")
	}
}

func TestProxySSO(t *testing.T) {
	t.Run("off by default", func(t *testing.T) {
		f := newFixture(t, Options{})
		r, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/me", nil)
		r.Header.Set("X-Remote-User", "clerk1")
		resp := f.client(t).do(r)
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
	for name, tc := range map[string]struct {
		prefix string
		user   string
		want   int
	}{
		"ok/trusted":        {"127.0.0.0/8", "clerk1", 200},
		"fail/untrusted":    {"10.0.0.0/8", "clerk1", 401},
		"fail/unknown user": {"127.0.0.0/8", "mallory", 403},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{ProxyUserHeader: "X-Remote-User", TrustedProxies: []netip.Prefix{netip.MustParsePrefix(tc.prefix)}})
			c := f.client(t)
			r, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/review", nil)
			r.Header.Set("X-Remote-User", tc.user)
			resp := c.do(r)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("%d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func TestAPILoginAndAdmin(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.client(t)
	r, _ := http.NewRequest("POST", f.srv.URL+"/api/v1/login", strings.NewReader(`{"name":"admin1","password":"`+testPassword+`"}`))
	r.Header.Set("Content-Type", "application/json")
	resp := c.do(r)
	var me struct{ CSRF, Role string }
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Role != "admin" || me.CSRF == "" {
		t.Fatalf("api login %d %+v", resp.StatusCode, me)
	}
	c.csrf = me.CSRF
	if resp := c.postCSRF("/admin/users", url.Values{"name": {"clerk3"}, "role": {"clerk"}, "password": {"short"}}); resp.StatusCode != 400 {
		t.Fatalf("short password %d", resp.StatusCode)
	}
	if resp := c.postCSRF("/admin/users", url.Values{"name": {"clerk3"}, "role": {"clerk"}, "password": {"a long enough secret"}}); resp.StatusCode != 303 {
		t.Fatalf("add user %d", resp.StatusCode)
	}
	if resp := c.postCSRF("/admin/users", url.Values{"name": {"clerk3"}, "role": {"clerk"}, "password": {"a long enough secret"}}); resp.StatusCode != 409 {
		t.Fatalf("duplicate user %d", resp.StatusCode)
	}
	u, err := f.st.UserByName(context.Background(), "clerk3")
	if err != nil || u.Role != store.RoleClerk || !CheckPassword(u.PasswordHash, "a long enough secret") || CheckPassword(u.PasswordHash, "wrong") {
		t.Fatalf("clerk3 %+v %v", u, err)
	}
	if resp := c.postCSRF("/admin/users/admin1/disable", nil); resp.StatusCode != 400 {
		t.Fatalf("self-disable %d", resp.StatusCode)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatal(h, err)
	}
	if !CheckPassword(h, "correct horse battery staple") || CheckPassword(h, "correct horse battery stapl") {
		t.Fatal("check")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$2a$10$abc", h[:len(h)-4]} {
		if CheckPassword(bad, "correct horse battery staple") {
			t.Fatalf("accepted %q", bad)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for p, want := range map[string]bool{"/review": true, "/letters/1?x=1": true, "//evil.example": false, "https://evil": false,
		"/\\evil": false, "": false, "/login": false} {
		if localPath(p) != want {
			t.Errorf("localPath(%q) = %v", p, !want)
		}
	}
}

var _ = httptest.NewRecorder
var _ = filepath.Join
