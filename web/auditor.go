package web

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sigintake/sigintake/store"
)

// maxExport bounds one CSV or JSON export.
const maxExport = 100000

// searchForm is the auditor's search, as query parameters:
// since, until (YYYY-MM-DD, until inclusive), mailbox, signer (name,
// organisation or exact serial number), issuer, format, indication,
// subindication, qualification, verdict, page.
type searchForm struct {
	Since, Until, Mailbox, Signer, Issuer, Format, Indication, SubIndication, Qualification, Verdict string
}

func parseSearch(q url.Values) (searchForm, store.ReportFilter, error) {
	f := searchForm{Since: q.Get("since"), Until: q.Get("until"), Mailbox: q.Get("mailbox"), Signer: q.Get("signer"),
		Issuer: q.Get("issuer"), Format: q.Get("format"), Indication: q.Get("indication"),
		SubIndication: q.Get("subindication"), Qualification: q.Get("qualification"), Verdict: q.Get("verdict")}
	rf := store.ReportFilter{Mailbox: f.Mailbox, Signer: f.Signer, Issuer: f.Issuer, Format: f.Format,
		Indication: f.Indication, SubIndication: f.SubIndication, Qualification: f.Qualification, Verdict: f.Verdict}
	for _, v := range []string{f.Mailbox, f.Signer, f.Issuer, f.Format, f.Indication, f.SubIndication, f.Qualification, f.Verdict} {
		if len(v) > 200 {
			return f, rf, errStatus(http.StatusBadRequest, "err.400")
		}
	}
	if f.Since != "" {
		t, err := time.ParseInLocation("2006-01-02", f.Since, riga())
		if err != nil {
			return f, rf, errStatus(http.StatusBadRequest, "err.400")
		}
		rf.Since = t
	}
	if f.Until != "" {
		t, err := time.ParseInLocation("2006-01-02", f.Until, riga())
		if err != nil {
			return f, rf, errStatus(http.StatusBadRequest, "err.400")
		}
		rf.Until = t.AddDate(0, 0, 1)
	}
	return f, rf, nil
}

type searchView struct {
	Reports []store.Report `json:"reports"`
	Total   int            `json:"total"`
	Page    pager          `json:"-"`
	Form    searchForm     `json:"-"`
	CSVURL  template.URL   `json:"-"`
	JSONURL template.URL   `json:"-"`

	Mailboxes, Formats, Indications, SubIndications, Qualifications, Verdicts []string `json:"-"`
}

func (s *server) search(w http.ResponseWriter, r *http.Request, rq *request) error {
	form, rf, err := parseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	pg := pageNum(r)
	rf.Offset, rf.Limit = (pg-1)*pageSize, pageSize
	v := searchView{Form: form}
	if v.Reports, v.Total, err = s.st.SearchReports(r.Context(), rf); err != nil {
		return err
	}
	if v.Reports == nil {
		v.Reports = []store.Report{}
	}
	if rq.api {
		// The list omits each report's full JSON; fetch it per letter.
		for i := range v.Reports {
			v.Reports[i].JSON = nil
		}
	}
	v.Page = newPager(r, pg, v.Total)
	q := r.URL.Query()
	q.Del("page")
	q.Del("lang")
	// Built here: html/template would escape = and & of a query
	// inserted after the "?" of an href.
	v.CSVURL = template.URL("/audit/reports.csv?" + q.Encode())
	v.JSONURL = template.URL("/audit/reports.json?" + q.Encode())
	if !rq.api {
		if v.Mailboxes, err = s.st.Mailboxes(r.Context()); err != nil {
			return err
		}
		v.Formats = []string{"CAdES", "CMS", "S/MIME", "PAdES", "XAdES", "ASiC-E", "ASiC-S", "unknown"}
		v.Indications = []string{"TOTAL_PASSED", "TOTAL_FAILED", "INDETERMINATE"}
		v.SubIndications = subIndications
		v.Qualifications = []string{"QESig", "QESeal", "AdESig-QC", "AdESeal-QC", "AdESig", "AdESeal", "NA",
			"INDETERMINATE_QESig", "INDETERMINATE_QESeal", "INDETERMINATE_AdESig-QC", "INDETERMINATE_AdESeal-QC",
			"INDETERMINATE_AdESig", "INDETERMINATE_AdESeal"}
		v.Verdicts = []string{"accepted", "rejected", "review"}
	}
	return s.render(w, r, rq, "search", "search.title", v)
}

var subIndications = []string{"FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE", "REVOKED", "EXPIRED",
	"NOT_YET_VALID", "SIG_CONSTRAINTS_FAILURE", "SIGNED_DATA_NOT_FOUND", "NO_SIGNING_CERTIFICATE_FOUND",
	"NO_CERTIFICATE_CHAIN_FOUND", "CHAIN_CONSTRAINTS_FAILURE", "CERTIFICATE_CHAIN_GENERAL_FAILURE",
	"CRYPTO_CONSTRAINTS_FAILURE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "TRY_LATER", "OUT_OF_BOUNDS_NO_POE",
	"OUT_OF_BOUNDS_NOT_REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE", "NO_POE", "TIMESTAMP_ORDER_FAILURE"}

// eachReport walks every report matching the search, newest first, in pages.
func (s *server) eachReport(r *http.Request, fn func(store.Report) error) (int, error) {
	_, rf, err := parseSearch(r.URL.Query())
	if err != nil {
		return 0, err
	}
	n := 0
	for rf.Offset = 0; n < maxExport; rf.Offset += rf.Limit {
		rf.Limit = 1000
		reps, _, err := s.st.SearchReports(r.Context(), rf)
		if err != nil {
			return n, err
		}
		for _, rp := range reps {
			if err := fn(rp); err != nil {
				return n, err
			}
			if n++; n >= maxExport {
				break
			}
		}
		if len(reps) < rf.Limit {
			break
		}
	}
	return n, nil
}

var csvHeader = []string{"report_id", "letter_id", "mailbox", "message_id", "file_name", "format", "indication",
	"subindication", "qualification", "level", "signer_subject", "signer_serial", "signer_org", "issuer",
	"cert_sha256", "cert_serial", "signing_time", "best_signature_time", "verdict", "validated_at", "validator_version"}

func tcsv(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvSafe defuses spreadsheet formulas (a cell starting with = + - @ tab or
// CR is prefixed with ').
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func (s *server) exportCSV(w http.ResponseWriter, r *http.Request, rq *request) error {
	if _, _, err := parseSearch(r.URL.Query()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="signature-reports.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	_, err := s.eachReport(r, func(rp store.Report) error {
		row := []string{strconv.FormatInt(rp.ID, 10), strconv.FormatInt(rp.LetterID, 10), rp.Mailbox, rp.MessageID,
			rp.FileName, rp.Format, rp.Indication, rp.SubIndication, rp.Qualification, rp.Level, rp.SignerSubject,
			rp.SignerSerial, rp.SignerOrg, rp.Issuer, rp.CertSHA256, rp.CertSerial, tcsv(rp.SigningTime),
			tcsv(rp.BestSignatureTime), rp.Verdict, tcsv(rp.ValidatedAt), rp.ValidatorVersion}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	})
	cw.Flush()
	if err != nil {
		s.opt.Logger.Error("web: csv export broken off", "user", rq.user.Name, "err", err)
	}
	return nil
}

// exportJSON streams {"reports":[...]} with every report's full validation
// JSON.
func (s *server) exportJSON(w http.ResponseWriter, r *http.Request, rq *request) error {
	if _, _, err := parseSearch(r.URL.Query()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="signature-reports.json"`)
	w.Write([]byte("{\"reports\": [\n"))
	first := true
	n, err := s.eachReport(r, func(rp store.Report) error {
		b, err := json.Marshal(rp)
		if err != nil {
			return err
		}
		if !first {
			w.Write([]byte(",\n"))
		}
		first = false
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		s.opt.Logger.Error("web: json export broken off", "user", rq.user.Name, "err", err)
		return nil // the body is then not valid JSON, which a client notices
	}
	fmt.Fprintf(w, "\n], \"count\": %d}\n", n)
	return nil
}

type evidenceView struct {
	Letter  store.Letter   `json:"letter"`
	SHA256  string         `json:"sha256"`
	Size    int64          `json:"size"`
	Intact  bool           `json:"intact"`
	Status  string         `json:"status"`           // ok, corrupt, missing, purged
	Purged  string         `json:"purged,omitempty"` // for a purged letter: when and why, in words
	Reports []store.Report `json:"reports"`
	Audit   []store.AuditEntry
}

// evidence checks the stored raw bytes against the letter's SHA-256 now.
func (s *server) evidence(w http.ResponseWriter, r *http.Request, rq *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	l, err := s.st.Letter(ctx, id)
	if err != nil {
		return err
	}
	v := evidenceView{Letter: l, SHA256: l.SHA256, Size: l.Size, Status: "ok"}
	_, _, err = s.st.LetterOriginal(ctx, id)
	var pe *store.PurgedError
	switch {
	case err == nil:
		v.Intact = true
	case errors.As(err, &pe):
		v.Status = "purged"
		v.Purged = PurgedNotice(rq.lang, pe)
	case errors.Is(err, store.ErrBlobCorrupt):
		v.Status = "corrupt"
	case errors.Is(err, store.ErrNotFound):
		v.Status = "missing"
	default:
		return err
	}
	if v.Reports, err = s.st.LetterReports(ctx, id); err != nil {
		return err
	}
	if v.Audit, err = s.st.AuditLog(ctx, fmt.Sprintf("letter:%d", id), 0, 1000); err != nil {
		return err
	}
	return s.render(w, r, rq, "evidence", "evidence.title", v, id)
}

// reportJSON is a letter's full validation report: every signature report
// with the validator's JSON.
func (s *server) reportJSON(w http.ResponseWriter, r *http.Request, rq *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.st.Letter(r.Context(), id)
	if err != nil {
		return err
	}
	reps, err := s.st.LetterReports(r.Context(), id)
	if err != nil {
		return err
	}
	if reps == nil {
		reps = []store.Report{}
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="letter-%d-report.json"`, id))
	writeJSON(w, http.StatusOK, map[string]any{"letter": l, "reports": reps})
	return nil
}

// eml sends the original message exactly as received, after checking it
// against its SHA-256 (409 with the reason when the stored bytes changed).
func (s *server) eml(w http.ResponseWriter, r *http.Request, rq *request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	raw, l, err := s.st.LetterOriginal(r.Context(), id)
	if errors.Is(err, store.ErrBlobCorrupt) {
		return &statusError{code: http.StatusConflict, key: "evidence.corrupt", cause: err}
	}
	if err != nil {
		return purgedError(err)
	}
	d, _ := json.Marshal(map[string]string{"sha256": l.SHA256})
	if _, err := s.st.AppendAudit(r.Context(), store.AuditEntry{Actor: rq.user.Name, Action: "letter.eml_downloaded",
		Object: fmt.Sprintf("letter:%d", id), Details: d}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="letter-%d.eml"`, id))
	w.Header().Set("X-Sigintake-SHA256", l.SHA256)
	w.Header().Set("Digest", "sha-256="+hexToB64(l.SHA256))
	_, err = w.Write(raw)
	return err
}

type auditView struct {
	Entries []store.AuditEntry `json:"entries"`
	Object  string             `json:"-"`
	Next    string             `json:"next,omitempty"`
}

func (s *server) auditLog(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	v := auditView{Object: q.Get("object")}
	es, err := s.st.AuditLog(r.Context(), v.Object, after, pageSize+1)
	if err != nil {
		return err
	}
	if len(es) > pageSize {
		es = es[:pageSize]
		nq := url.Values{}
		if v.Object != "" {
			nq.Set("object", v.Object)
		}
		nq.Set("after", strconv.FormatInt(es[len(es)-1].ID, 10))
		v.Next = "?" + nq.Encode()
	}
	v.Entries = es
	if v.Entries == nil {
		v.Entries = []store.AuditEntry{}
	}
	return s.render(w, r, rq, "audit", "audit.title", v)
}

type chainView struct {
	OK      bool   `json:"ok"`
	Checked int64  `json:"checked"`
	BadID   int64  `json:"bad_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (s *server) verifyChain(w http.ResponseWriter, r *http.Request, rq *request) error {
	n, err := s.st.VerifyAuditChain(r.Context())
	v := chainView{OK: err == nil, Checked: n}
	var ce *store.AuditChainError
	if errors.As(err, &ce) {
		v.BadID, v.Reason = ce.ID, ce.Reason
	} else if err != nil {
		return err
	}
	return s.render(w, r, rq, "chain", "audit.verify", v)
}
