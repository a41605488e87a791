package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/store"
)

const testPassword = "correct horse battery"

// fixture is a store with users, letters in review, an accepted letter with
// a case and a rejected one, served by New.
type fixture struct {
	st      *store.Store
	h       http.Handler
	srv     *httptest.Server
	review  []int64 // letters in review, oldest first
	accLtr  int64   // accepted letter with a case
	caseID  int64
	rejLtr  int64 // rejected, no case
	pending int64 // pending letter (no review, no case): clerks must not see it
	attID   int64 // an attachment of review[0]
	now     time.Time
	path    string
}

func (f *fixture) dbPath() string { return f.path }

func newFixture(t testing.TB, opt Options) *fixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, now: time.Now().UTC(), path: path}
	cheap := hashWith(testPassword, 8*1024, 1, 1)
	for _, u := range []struct {
		n string
		r store.Role
	}{{"clerk1", store.RoleClerk}, {"clerk2", store.RoleClerk}, {"auditor1", store.RoleAuditor}, {"admin1", store.RoleAdmin}} {
		if _, err := st.CreateUser(ctx, "test", u.n, u.r, cheap); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		id := f.addLetter(t, i+1, "ekase", store.Review, fmt.Sprintf("Iesniegums Nr. %d — līgums", i+1))
		f.review = append(f.review, id)
	}
	f.accLtr = f.addLetter(t, 10, "ekase", store.Accepted, "Pieņemts iesniegums")
	f.rejLtr = f.addLetter(t, 11, "pasts", store.Rejected, "Bez paraksta")
	sv, err := st.SaveRawLetter(ctx, store.RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: 12, From: "x@example.lv",
		Subject: "pending", Raw: makeEML(12, "pending")})
	if err != nil {
		t.Fatal(err)
	}
	f.pending = sv.ID
	l, err := st.Letter(ctx, f.accLtr)
	if err != nil {
		t.Fatal(err)
	}
	f.caseID = l.CaseID
	atts, err := st.Attachments(ctx, f.review[0])
	if err != nil || len(atts) == 0 {
		t.Fatal(err, len(atts))
	}
	f.attID = atts[0].ID
	f.h = New(st, &StoreDecider{Store: st, Replies: PlainReplies("ekase@kase.gov.lv")}, opt)
	f.srv = httptest.NewServer(f.h)
	t.Cleanup(f.srv.Close)
	return f
}

// makeEML is a letter with a text part, a hostile HTML part and a signed
// attachment.
func makeEML(n int, subject string) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf(`From: Jānis Bērziņš <janis%d@example.lv>
To: ekase@kase.gov.lv
Subject: =?utf-8?q?%s?=
Date: Mon, 02 Mar 2026 10:00:00 +0200
Message-ID: <letter-%d@example.lv>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: multipart/alternative; boundary="b2"

--b2
Content-Type: text/plain; charset=utf-8

Labdien! Pielikumā parakstīts iesniegums. <script>alert(1)</script>
--b2
Content-Type: text/html; charset=utf-8

<p>Labdien!</p><script>alert(1)</script><img src="http://tracker.example/x.png">
--b2--
--b1
Content-Type: application/pdf
Content-Disposition: attachment; filename="iesniegums-%d.pdf"

%%PDF-1.7 signed document %d
--b1--
`, n, qenc(subject), n, n, n), "\n", "\r\n"))
}

func qenc(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c > 32 && c < 127 && c != '=' && c != '?' && c != '_' {
			b.WriteByte(c)
		} else if c == ' ' {
			b.WriteByte('_')
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func (f *fixture) addLetter(t testing.TB, uid int, mbox string, outcome store.OutcomeKind, subject string) int64 {
	t.Helper()
	ctx := context.Background()
	raw := makeEML(uid, subject)
	sv, err := f.st.SaveRawLetter(ctx, store.RawLetter{Mailbox: mbox, UIDValidity: 1, UID: uint32(uid), MessageID: fmt.Sprintf("letter-%d@example.lv", uid),
		From: fmt.Sprintf("Jānis Bērziņš <janis%d@example.lv>", uid), Subject: subject, ReceivedAt: time.Date(2026, 3, 2, 8, uid, 0, 0, time.UTC), Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("%%PDF-1.7 signed document %d", uid) // the CRLF before the boundary is not content
	rep := sampleReport(uid, outcome)
	o := store.Outcome{LetterID: sv.ID, Outcome: outcome, Classification: "new",
		Reasons:     []store.Reason{{Code: "signature_indeterminate", File: fmt.Sprintf("iesniegums-%d.pdf", uid)}},
		Attachments: []store.Attachment{{PartPath: "2", Name: fmt.Sprintf("iesniegums-%d.pdf", uid), ContentType: "application/pdf", Size: int64(len(body)), SHA256: store.SHA256Hex([]byte(body))}},
		Reports:     []store.Report{rep}}
	switch outcome {
	case store.Review:
		o.Review = "signature_indeterminate"
		if uid == 3 {
			o.Review = "revocation_unknown"
		}
	case store.Accepted:
		o.NewCase = &store.NewCase{Pattern: "VK-{YYYY}/{SEQ:6}"}
		o.Reply = &store.Reply{Kind: store.ReplyAck, Recipient: fmt.Sprintf("janis%d@example.lv", uid), MessageID: fmt.Sprintf("ack-%d@kase", uid), Raw: []byte("ack")}
	case store.Rejected:
		o.Reply = &store.Reply{Kind: store.ReplyReject, Recipient: fmt.Sprintf("janis%d@example.lv", uid), MessageID: fmt.Sprintf("rej-%d@kase", uid), Raw: []byte("rej")}
	}
	if _, err := f.st.RecordOutcome(ctx, o); err != nil {
		t.Fatal(err)
	}
	return sv.ID
}

func sampleReport(uid int, outcome store.OutcomeKind) store.Report {
	ind, sub, qual, verdict := "INDETERMINATE", "TRY_LATER", "INDETERMINATE_QESig", "review"
	switch outcome {
	case store.Accepted:
		ind, sub, qual, verdict = "TOTAL_PASSED", "", "QESig", "accepted"
	case store.Rejected:
		ind, sub, qual, verdict = "TOTAL_FAILED", "HASH_FAILURE", "NA", "rejected"
	}
	signer := fmt.Sprintf("CN=Jānis Bērziņš %d,serialNumber=PNOLV-32%04d-12345,C=LV", uid, uid)
	js, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("S-%d", uid), "indication": ind, "subindication": sub,
		"qualification": qual, "signer": map[string]string{"subject": signer}, "errors": []string{"revocation status not known"},
		"warnings": []string{"no timestamp"}, "revocation": map[string]string{"source": "ocsp", "status": "unknown"}})
	return store.Report{AttachmentPart: "2", FileName: fmt.Sprintf("iesniegums-%d.pdf", uid), Format: "PAdES",
		Indication: ind, SubIndication: sub, Qualification: qual, Level: "PAdES-BASELINE-B", SignerSubject: signer,
		SignerSerial: fmt.Sprintf("PNOLV-32%04d-12345", uid), Issuer: "CN=E-ME SI (CA1),O=VAS Latvijas Valsts radio un televīzijas centrs,C=LV",
		CertSHA256: strings.Repeat("ab", 32), CertSerial: "0a0b", SigningTime: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		Verdict: verdict, JSON: js, ValidatedAt: time.Date(2026, 3, 2, 8, uid, 30, 0, time.UTC), ValidatorVersion: "test"}
}

// client is a logged-in browser-like HTTP client (cookies, no redirects
// followed).
type client struct {
	t    testing.TB
	base string
	c    *http.Client
	csrf string
}

func (f *fixture) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs in through the HTML form and fetches the API CSRF token.
func (f *fixture) login(t testing.TB, name string) *client {
	t.Helper()
	c := f.client(t)
	body := c.get("/login", 200)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no login csrf")
	}
	resp := c.post("/login", url.Values{"csrf": {m[1]}, "name": {name}, "password": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", name, resp.StatusCode)
	}
	var me struct{ CSRF string }
	json.Unmarshal([]byte(c.get("/api/v1/me", 200)), &me)
	c.csrf = me.CSRF
	return c
}

func (c *client) do(req *http.Request) *http.Response {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func (c *client) get(path string, want int) string {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	resp := c.do(req)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if want != 0 && resp.StatusCode != want {
		c.t.Fatalf("GET %s: %d, want %d: %.300s", path, resp.StatusCode, want, b)
	}
	return string(b)
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := c.do(req)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// postCSRF posts a form with the session's CSRF token.
func (c *client) postCSRF(path string, form url.Values) *http.Response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	return c.post(path, form)
}
