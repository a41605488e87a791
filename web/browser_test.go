package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/web/webtest"
)

// docs/screenshots, from the package directory.
const screenshotDir = "../docs/screenshots"

func browserLogin(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	webtest.Step(t, ctx, "login "+name,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	)
}

// TestBrowserClerk: a clerk logs in, opens the queue, claims and accepts a
// flagged letter, sees the case and its queued acknowledgement, rejects
// another letter with a reason; a forged form without the CSRF token is
// refused; the clerk cannot open the auditor or user admin pages.
func TestBrowserClerk(t *testing.T) {
	ctx := webtest.Browser(t, 1280, 800)
	f := newFixture(t, Options{})
	base := f.srv.URL
	browserLogin(t, ctx, base, "clerk1")
	webtest.Step(t, ctx, "queue", chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.CSS("#queue")))
	if got := webtest.Text(t, ctx, "h1"); got != "Pārbaudes rinda" {
		t.Fatalf("queue heading %q", got)
	}
	if got := webtest.Text(t, ctx, "#queue tbody tr:first-child .letter-link"); got != "Iesniegums Nr. 1 — līgums" {
		t.Fatalf("oldest letter first: %q", got)
	}
	webtest.Screenshot(t, ctx, screenshotDir, "review-queue")

	// Claim and accept the first letter.
	webtest.Step(t, ctx, "open letter",
		chromedp.Click(chromedp.CSS("#queue tbody tr:first-child .letter-link")),
		chromedp.WaitVisible(chromedp.CSS("#claim")),
	)
	if body := webtest.Text(t, ctx, "#body-text"); !strings.Contains(body, "<script>alert(1)</script>") {
		t.Fatalf("the text body is not shown as text: %q", body)
	}
	webtest.Step(t, ctx, "claim", chromedp.Click(chromedp.CSS("#claim")), chromedp.WaitVisible(chromedp.CSS("#accept")))
	if got := webtest.Text(t, ctx, "#claimed"); got != "clerk1" {
		t.Fatalf("claimed by %q", got)
	}
	webtest.Screenshot(t, ctx, screenshotDir, "letter")
	webtest.Step(t, ctx, "accept",
		chromedp.SendKeys(chromedp.CSS("#accept-comment"), "Paraksts pārbaudīts ar eParakstītāju"),
		chromedp.Click(chromedp.CSS("#accept")),
		chromedp.WaitVisible(chromedp.CSS("#case-link")),
	)
	if got := webtest.Text(t, ctx, "#outcome"); got != "pieņemta" {
		t.Fatalf("outcome %q", got)
	}
	caseNo := webtest.Text(t, ctx, "#case-link")
	if !strings.HasPrefix(caseNo, "VK-") {
		t.Fatalf("case number %q", caseNo)
	}
	if got := webtest.Text(t, ctx, "#replies .reply-status"); got != "gaida nosūtīšanu" {
		t.Fatalf("reply status %q", got)
	}
	webtest.Step(t, ctx, "case page", chromedp.Click(chromedp.CSS("#case-link")), chromedp.WaitVisible(chromedp.CSS("#timeline")))
	if tl := webtest.Text(t, ctx, "#timeline"); !strings.Contains(tl, "Lieta atvērta") || !strings.Contains(tl, "Lietveža darbība") ||
		!strings.Contains(tl, "Atbilde ievietota izsūtāmo rindā") {
		t.Fatalf("timeline %q", tl)
	}
	if got := webtest.Text(t, ctx, "#case-replies .reply-status"); got != "gaida nosūtīšanu" {
		t.Fatalf("case reply %q", got)
	}

	// Reject the second letter with a reason.
	second := f.review[1]
	webtest.Step(t, ctx, "reject",
		chromedp.Navigate(fmt.Sprintf("%s/letters/%d", base, second)),
		chromedp.Click(chromedp.CSS("#claim")),
		chromedp.WaitVisible(chromedp.CSS("#reject")),
		chromedp.SetValue(chromedp.CSS("#reject-reason"), "invalid_signature"),
		chromedp.SendKeys(chromedp.CSS("#reject-text"), "Lūdzam parakstīt dokumentu vēlreiz."),
		chromedp.Click(chromedp.CSS("#reject")),
		chromedp.WaitVisible(chromedp.CSS("#outcome.outcome-rejected")),
	)
	if got := webtest.Text(t, ctx, "#outcome"); got != "noraidīta" {
		t.Fatalf("outcome after reject %q", got)
	}
	out, _ := f.st.OutboxForLetter(context.Background(), second)
	if len(out) != 1 || out[0].Kind != store.ReplyReject || !strings.Contains(string(out[0].Raw), "Paraksts nav derīgs") {
		t.Fatalf("rejection not queued: %+v", out)
	}

	// A forged form on another origin, without the token, is refused.
	third := f.review[2]
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<form method="post" action="%s/letters/%d/claim"><button id="go">win a prize</button></form>`, base, third)
	}))
	defer evil.Close()
	webtest.Step(t, ctx, "forged form", chromedp.Navigate(evil.URL), chromedp.Click(chromedp.CSS("#go")), chromedp.WaitVisible(chromedp.CSS(".error")))
	if got := webtest.Text(t, ctx, ".error"); !strings.Contains(got, "CSRF") {
		t.Fatalf("forged form: %q", got)
	}
	if it, _ := f.st.ReviewForLetter(context.Background(), third); it.ClaimedBy != "" {
		t.Fatal("the forged form claimed a letter")
	}

	// The auditor's and the administrator's pages are closed to a clerk.
	for _, p := range []string{"/audit/reports", fmt.Sprintf("/audit/letters/%d/eml", third), "/audit/log", "/admin/users"} {
		webtest.Step(t, ctx, "forbidden "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS(".error")))
		if got := webtest.Text(t, ctx, ".error"); !strings.Contains(got, "Jums nav piekļuves") {
			t.Fatalf("%s as clerk: %q", p, got)
		}
	}
	// Switch to English and log out.
	webtest.Step(t, ctx, "english", chromedp.Navigate(base+"/review"), chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitReady(chromedp.CSS(`html[lang="en"] #queue`)))
	if got := webtest.Text(t, ctx, "h1"); got != "Review queue" {
		t.Fatalf("english heading %q", got)
	}
	webtest.Step(t, ctx, "logout", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form")))
}

// TestBrowserAuditor: an auditor searches signature results, exports CSV,
// downloads an .eml whose SHA-256 matches the page, and cannot accept or
// reject.
func TestBrowserAuditor(t *testing.T) {
	ctx := webtest.Browser(t, 1280, 800)
	f := newFixture(t, Options{})
	base := f.srv.URL
	browserLogin(t, ctx, base, "auditor1")
	webtest.Step(t, ctx, "search",
		chromedp.Navigate(base+"/audit/reports"),
		chromedp.WaitVisible(chromedp.CSS("#search-form")),
		chromedp.SendKeys(chromedp.CSS("#s-issuer"), "E-ME"),
		chromedp.SetValue(chromedp.CSS("#s-ind"), "INDETERMINATE"),
		chromedp.Click(chromedp.CSS("#search-submit")),
		chromedp.WaitReady(chromedp.CSS("#s-ind option[selected]")), // only on the page of the new search
		chromedp.WaitVisible(chromedp.CSS("#results")),
	)
	if got := webtest.Text(t, ctx, "#search-total"); got != "Atrasti 3 rezultāti." {
		t.Fatalf("search total %q", got)
	}
	if loc := webtest.Location(t, ctx); !strings.Contains(loc, "indication=INDETERMINATE") {
		t.Fatalf("search URL %s", loc)
	}
	webtest.Screenshot(t, ctx, screenshotDir, "auditor-search")
	data, _ := webtest.Download(t, ctx, "#export-csv")
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "report_id" {
		t.Fatalf("csv %v %v", rows, err)
	}
	for _, r := range rows[1:] {
		if r[6] != "INDETERMINATE" {
			t.Fatalf("csv row not filtered: %v", r)
		}
	}

	// Evidence: the .eml and its hash.
	id := f.review[0]
	webtest.Step(t, ctx, "evidence", chromedp.Navigate(fmt.Sprintf("%s/audit/letters/%d", base, id)), chromedp.WaitVisible(chromedp.CSS("#eml-check")))
	shown := webtest.Text(t, ctx, "#sha256")
	if got := webtest.Text(t, ctx, "#eml-check"); !strings.Contains(got, "atbilst") {
		t.Fatalf("check %q", got)
	}
	eml, sum := webtest.Download(t, ctx, "#eml-download")
	if sum != shown || !strings.Contains(string(eml), "Message-ID: <letter-1@example.lv>") {
		t.Fatalf("eml hash %s, page shows %s", sum, shown)
	}

	// Read-only: the letter page offers no claim or decision, and a
	// hand-made POST is refused.
	webtest.Step(t, ctx, "letter as auditor", chromedp.Navigate(fmt.Sprintf("%s/letters/%d", base, id)), chromedp.WaitVisible(chromedp.CSS("#h-review")))
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if err != nil || strings.Contains(html, `id="accept"`) || strings.Contains(html, `id="claim"`) || strings.Contains(html, `id="reject"`) {
		t.Fatalf("auditor offered actions (%v)", err)
	}
	c := f.login(t, "auditor1")
	for _, a := range []string{"accept", "reject"} {
		if resp := c.postCSRF(fmt.Sprintf("/letters/%d/decide", id), map[string][]string{"action": {a}, "reason": {"other"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("auditor %s: %d", a, resp.StatusCode)
		}
	}
	if l, _ := f.st.Letter(context.Background(), id); l.Outcome != store.Review {
		t.Fatalf("auditor changed the letter: %s", l.Outcome)
	}
	webtest.Step(t, ctx, "chain", chromedp.Navigate(base+"/audit/log/verify"), chromedp.WaitVisible(chromedp.CSS("#chain-result")))
	if got := webtest.Text(t, ctx, "#chain-result"); !strings.Contains(got, "Ķēde ir vesela") {
		t.Fatalf("chain %q", got)
	}
	webtest.Step(t, ctx, "users forbidden", chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(".error")))
}
