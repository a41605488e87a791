package web

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// mountPrivacy registers issue 9's routes on a fixture's server unless New
// already does, and gives its Decider redirects.
func mountPrivacy(t *testing.T, f *fixture) {
	t.Helper()
	s := f.h.(*server)
	if _, pattern := s.mux.Handler(httptest.NewRequest("GET", "/feedback/report", nil)); pattern == "" {
		for _, rt := range s.privacyRoutes() {
			s.handle(rt)
		}
	}
	s.dec = WithRedirects(s.dec, &intake.Redirector{Store: f.st, MessageIDDomain: "kase.gov.lv", CasePattern: "VK-{YYYY}/{SEQ:6}",
		Senders:      map[string]string{"ekase": "ekase@kase.gov.lv", "pasts": "pasts@kase.gov.lv"},
		Institutions: []config.Institution{{ID: "vid", Name: "Valsts ieņēmumu dienests", NameEN: "State Revenue Service", Address: "vid@vid.gov.lv"}}})
}

func TestFeedbackPages(t *testing.T) {
	f := newFixture(t, Options{})
	mountPrivacy(t, f)
	clerk := f.login(t, "clerk1")
	auditor := f.login(t, "auditor1")
	page := fmt.Sprintf("/letters/%d/feedback", f.accLtr)

	t.Run("ok/clerk-sees-form-and-suggestion", func(t *testing.T) {
		body := html.UnescapeString(clerk.get(page, 200))
		for _, want := range []string{`id="feedback-form"`, "Nav atzīmes", "Ieteiktā atzīme", "Pateicība", "Sūdzība", "Ierosinājums"} {
			if !strings.Contains(body, want) {
				t.Fatalf("feedback page lacks %q:\n%s", want, body)
			}
		}
	})
	t.Run("ok/tag", func(t *testing.T) {
		resp := clerk.postCSRF(page, url.Values{"tag": {"complaint"}, "note": {"par gaidīšanu"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST: %d", resp.StatusCode)
		}
		body := html.UnescapeString(clerk.get(page+"?lang=en", 200))
		if !strings.Contains(body, "Complaint — Tagged by clerk1") || !strings.Contains(body, `<option value="complaint" selected>`) {
			t.Fatalf("after tagging:\n%s", body)
		}
		fb, err := f.st.LetterFeedback(context.Background(), f.accLtr)
		if err != nil || fb.Tag != store.FeedbackComplaint || fb.TaggedBy != "clerk1" || fb.Note != "par gaidīšanu" {
			t.Fatalf("stored = %+v, %v", fb, err)
		}
	})
	t.Run("fail/bad-tag-csrf-role-object", func(t *testing.T) {
		if resp := clerk.postCSRF(page, url.Values{"tag": {"spam"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad tag: %d", resp.StatusCode)
		}
		if resp := clerk.post(page, url.Values{"tag": {"praise"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("no CSRF: %d", resp.StatusCode)
		}
		if resp := auditor.postCSRF(page, url.Values{"tag": {"praise"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("auditor tagging: %d", resp.StatusCode)
		}
		clerk.get(fmt.Sprintf("/letters/%d/feedback", f.pending), 404) // not the clerk's letter
		clerk.get("/feedback/report", 403)
	})
	t.Run("ok/report-and-csv", func(t *testing.T) {
		l, _ := f.st.Letter(context.Background(), f.accLtr)
		month := l.ReceivedAt.UTC().Format("2006-01")
		body := html.UnescapeString(auditor.get("/feedback/report", 200))
		if !strings.Contains(body, `id="feedback-report"`) || !strings.Contains(body, month) {
			t.Fatalf("report page:\n%s", body)
		}
		csv := auditor.get("/feedback/report.csv?from="+month, 200)
		if csv != "month,tag,letters\n"+month+",praise,0\n"+month+",complaint,1\n"+month+",suggestion,0\n" {
			t.Fatalf("CSV:\n%s", csv)
		}
		js := auditor.get("/api/v1/feedback/report", 200)
		if !strings.Contains(js, `"tag": "complaint"`) {
			t.Fatalf("JSON: %s", js)
		}
		auditor.get("/feedback/report?from=2026-13", 400)
		admin := f.login(t, "admin1")
		admin.get("/feedback/report.csv", 200)
	})
	t.Run("ok/purged-letter", func(t *testing.T) {
		ctx := context.Background()
		ms, err := f.st.ClaimOutbox(ctx, "test", 100) // replies sent: nothing holds the purge back
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if err := f.st.MarkSent(ctx, m.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
		f.st.SetClock(func() time.Time { return time.Now().AddDate(2, 0, 0) })
		r, err := f.st.Purge(ctx, store.RetentionPolicy{Rejected: 24 * time.Hour}, true, "test")
		f.st.SetClock(time.Now) // sessions expire by the store's clock
		if err != nil || r.Letters != 1 {
			t.Fatalf("purge = %+v, %v", r, err)
		}
		body := html.UnescapeString(auditor.get(fmt.Sprintf("/letters/%d/feedback", f.rejLtr), 200))
		if !strings.Contains(body, "Vēstules teksts dzēsts") {
			t.Fatalf("purged letter page:\n%s", body)
		}
		_, _, err = f.st.LetterOriginal(ctx, f.rejLtr)
		var pe *store.PurgedError
		if !errors.As(err, &pe) || !strings.Contains(PurgedNotice(EN, pe), "purged on") {
			t.Fatalf("PurgedNotice: %v", err)
		}
		// The letter page and the evidence page say when it was purged; the
		// original is gone (410), never shown as "missing" or "corrupt".
		for _, path := range []string{fmt.Sprintf("/letters/%d", f.rejLtr), fmt.Sprintf("/audit/letters/%d", f.rejLtr)} {
			page := html.UnescapeString(auditor.get(path, 200))
			if !strings.Contains(page, "Vēstules oriģināls dzēsts") {
				t.Errorf("%s does not say the letter was purged:\n%s", path, page)
			}
		}
		auditor.get(fmt.Sprintf("/audit/letters/%d/eml", f.rejLtr), 410)
	})
}

func TestRedirectPages(t *testing.T) {
	f := newFixture(t, Options{})
	mountPrivacy(t, f)
	clerk := f.login(t, "clerk1")
	page := fmt.Sprintf("/letters/%d/redirect", f.accLtr)
	t.Run("ok/form", func(t *testing.T) {
		body := html.UnescapeString(clerk.get(page, 200))
		if !strings.Contains(body, `<option value="vid">Valsts ieņēmumu dienests (vid@vid.gov.lv)</option>`) {
			t.Fatalf("form:\n%s", body)
		}
		f.login(t, "auditor1").get(page, 403)
	})
	t.Run("fail/unknown-institution", func(t *testing.T) {
		if resp := clerk.postCSRF(page, url.Values{"institution": {"nope"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown institution: %d", resp.StatusCode)
		}
	})
	t.Run("ok/redirect", func(t *testing.T) {
		resp := clerk.postCSRF(page, url.Values{"institution": {"vid"}, "note": {"IIN jautājums"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "done=redirect.done") {
			t.Fatalf("POST: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		cs, err := f.st.Case(context.Background(), f.caseID)
		if err != nil || cs.Status != store.CaseRedirected {
			t.Fatalf("case = %+v, %v", cs, err)
		}
		ms, _ := f.st.OutboxForCase(context.Background(), f.caseID)
		n := 0
		for _, m := range ms {
			if m.Kind == store.ReplyRedirect {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d redirect messages queued", n)
		}
		if resp := clerk.postCSRF(page, url.Values{"institution": {"vid"}}); resp.StatusCode != http.StatusConflict {
			t.Fatalf("second redirect: %d", resp.StatusCode)
		}
	})
}
