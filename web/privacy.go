package web

import (
	"errors"
	"net/http"

	"github.com/sigintake/sigintake/store"
)

// Issue 9's pages: feedback tags and the monthly feedback report
// (feedback.go), and the redirect of a letter to a competent institution
// (redirect.go). They use the desk's sessions, roles, CSRF and templates.
//
// New registers them with the desk's own routes.

// privacyRoutes are issue 9's routes and the roles allowed on them.
func (s *server) privacyRoutes() []route {
	reportReaders := []store.Role{store.RoleAuditor, store.RoleAdmin}
	return []route{
		{"GET", "/letters/{id}/feedback", readers, true, s.feedbackPage},
		{"POST", "/letters/{id}/feedback", clerk, true, s.tagFeedback},
		{"GET", "/feedback/report", reportReaders, true, s.feedbackReport},
		{"GET", "/feedback/report.csv", reportReaders, false, s.feedbackCSV},
		{"GET", "/letters/{id}/redirect", clerk, true, s.redirectPage},
		{"POST", "/letters/{id}/redirect", clerk, true, s.redirect},
	}
}

func init() {
	pageNames = append(pageNames, "feedback", "feedbackreport", "redirect")
	for k, v := range privacyTexts {
		if _, dup := catalogue[k]; !dup {
			catalogue[k] = v
		}
	}
}

// purgedError turns a purged letter into 410 Gone with the date in the
// message ("purged on ...").
func purgedError(err error) error {
	var pe *store.PurgedError
	if errors.As(err, &pe) {
		return &statusError{code: http.StatusGone, key: "evidence.purged", cause: err}
	}
	return err
}

// PurgedNotice is what a page shows for a purged letter, e.g. for the
// evidence download: "Vēstules oriģināls dzēsts 2027-04-19 (glabāšanas
// termiņš beidzies)" / "The original was purged on 2027-04-19 ...".
func PurgedNotice(l Lang, pe *store.PurgedError) string {
	return l.T("evidence.purgedon", pe.At.In(riga()).Format("2006-01-02 15:04"))
}

var privacyTexts = map[string][2]string{
	"evidence.purged":   {"Vēstules oriģināls ir dzēsts, jo beidzies tā glabāšanas termiņš; saglabāts tikai tā SHA-256 un lēmums.", "The original letter was purged at the end of its retention period; only its SHA-256 and the decision are kept."},
	"evidence.purgedon": {"Vēstules oriģināls dzēsts %s (beidzies glabāšanas termiņš); saglabāts tikai tā SHA-256 un lēmums.", "The original letter was purged on %s (end of its retention period); only its SHA-256 and the decision are kept."},

	"feedback.title":      {"Atsauksme par apkalpošanu — vēstule %d", "Feedback on service — letter %d"},
	"feedback.tag":        {"Atzīme", "Tag"},
	"feedback.none":       {"Nav atzīmes", "Not tagged"},
	"feedback.praise":     {"Pateicība", "Praise"},
	"feedback.complaint":  {"Sūdzība", "Complaint"},
	"feedback.suggestion": {"Ierosinājums", "Suggestion"},
	"feedback.suggested":  {"Ieteiktā atzīme (pēc atslēgvārdiem; pārbaudiet!)", "Suggested tag (from keywords; check it!)"},
	"feedback.nosuggest":  {"Atslēgvārdi neliecina par konkrētu atzīmi.", "The keywords suggest no particular tag."},
	"feedback.matched":    {"Atrastie atslēgvārdi", "Keywords found"},
	"feedback.note":       {"Piezīme", "Note"},
	"feedback.save":       {"Saglabāt atzīmi", "Save tag"},
	"feedback.by":         {"Atzīmēja %s, %s", "Tagged by %s, %s"},
	"feedback.done":       {"Atzīme saglabāta.", "Tag saved."},
	"feedback.link":       {"Atsauksme par apkalpošanu", "Feedback on service"},
	"feedback.report":     {"Atsauksmes pa mēnešiem", "Feedback by month"},
	"feedback.from":       {"No (GGGG-MM)", "From (YYYY-MM)"},
	"feedback.to":         {"Līdz (GGGG-MM)", "To (YYYY-MM)"},
	"feedback.show":       {"Rādīt", "Show"},
	"feedback.csv":        {"Lejupielādēt CSV", "Download CSV"},
	"feedback.month":      {"Mēnesis", "Month"},
	"feedback.letters":    {"Vēstules", "Letters"},
	"feedback.empty":      {"Šajā periodā nav atzīmētu atsauksmju.", "No tagged feedback in this period."},
	"feedback.purged":     {"Vēstules teksts dzēsts; ieteikumu nevar aprēķināt.", "The letter's text was purged; no suggestion can be made."},

	"redirect.title":       {"Pārsūtīt pēc piekritības — vēstule %d", "Redirect to the competent institution — letter %d"},
	"redirect.desc":        {"Jautājums nav Valsts kases kompetencē: vēstule (nemainīta) un tās parakstu pārskats tiks pārsūtīti izvēlētajai iestādei, klientam tiks nosūtīta atbilde latviešu un angļu valodā, un lieta tiks slēgta kā pārsūtīta.", "The matter is outside the State Treasury's competence: the letter (unchanged) and its signature report are forwarded to the chosen institution, the client is answered in Latvian and English, and the case is closed as redirected."},
	"redirect.institution": {"Iestāde", "Institution"},
	"redirect.note":        {"Piezīme iestādei", "Note to the institution"},
	"redirect.submit":      {"Pārsūtīt", "Redirect"},
	"redirect.none":        {"Konfigurācijā nav norādīta neviena iestāde ([[institution]]).", "No institution is configured ([[institution]])."},
	"redirect.done":        {"Vēstule pārsūtīta; lieta slēgta kā pārsūtīta.", "Letter redirected; the case is closed as redirected."},
	"redirect.link":        {"Pārsūtīt pēc piekritības", "Redirect (outside our competence)"},
	"redirect.unknown":     {"Nezināma iestāde.", "Unknown institution."},
}
