package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/sigintake/sigintake/mailbox"
	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/store"
)

const pageSize = 50

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusNotFound, "err.404")
	}
	return id, nil
}

func pageNum(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1000000 {
		return 1
	}
	return n
}

// pager is the paging state of a list.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string // query strings, "" when there is none
}

func newPager(r *http.Request, page, total int) pager {
	p := pager{Page: page, Total: total, Pages: (total + pageSize - 1) / pageSize}
	if p.Pages == 0 {
		p.Pages = 1
	}
	q := r.URL.Query()
	q.Del("lang")
	if page > 1 {
		q.Set("page", strconv.Itoa(page-1))
		p.Prev = "?" + q.Encode()
	}
	if page < p.Pages {
		q.Set("page", strconv.Itoa(page+1))
		p.Next = "?" + q.Encode()
	}
	return p
}

type queueView struct {
	Items     []store.ReviewEntry `json:"items"`
	Total     int                 `json:"total"`
	Page      pager               `json:"-"`
	Mailbox   string              `json:"-"`
	Reason    string              `json:"-"`
	Mailboxes []string            `json:"-"`
	Reasons   []string            `json:"-"`
}

func (s *server) queue(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	q := r.URL.Query()
	pg := pageNum(r)
	v := queueView{Mailbox: q.Get("mailbox"), Reason: q.Get("reason")}
	var err error
	v.Items, v.Total, err = s.st.ReviewDesk(ctx, store.ReviewFilter{Mailbox: v.Mailbox, Reason: v.Reason,
		Offset: (pg - 1) * pageSize, Limit: pageSize})
	if err != nil {
		return err
	}
	if v.Items == nil {
		v.Items = []store.ReviewEntry{}
	}
	v.Page = newPager(r, pg, v.Total)
	if !rq.api {
		if v.Mailboxes, err = s.st.Mailboxes(ctx); err != nil {
			return err
		}
		if v.Reasons, err = s.st.ReviewReasons(ctx); err != nil {
			return err
		}
	}
	return s.render(w, r, rq, "queue", "queue.title", v)
}

// canSeeLetter is the object check: auditors see every letter; clerks see
// letters that went to review or belong to a case. Anything else is 404, so
// guessing ids reveals nothing.
func (s *server) loadLetter(r *http.Request, rq *request) (store.Letter, *store.ReviewItem, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.Letter{}, nil, err
	}
	l, err := s.st.Letter(r.Context(), id)
	if err != nil {
		return store.Letter{}, nil, err
	}
	var item *store.ReviewItem
	ri, err := s.st.ReviewForLetter(r.Context(), id)
	switch {
	case err == nil:
		item = &ri
	case !errors.Is(err, store.ErrNotFound):
		return store.Letter{}, nil, err
	}
	if rq.user.Role == store.RoleAuditor {
		return l, item, nil
	}
	if rq.user.Role == store.RoleClerk && (item != nil || l.CaseID != 0) {
		return l, item, nil
	}
	return store.Letter{}, nil, errStatus(http.StatusNotFound, "err.404")
}

type headerView struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type sigView struct {
	store.Report
	Detail signature.Report `json:"-"`
}

type letterView struct {
	Letter      store.Letter          `json:"letter"`
	Review      *store.ReviewItem     `json:"review,omitempty"`
	Headers     []headerView          `json:"headers"`
	Text        string                `json:"text"`
	HTML        string                `json:"html,omitempty"` // the HTML part's source, to be shown as text
	Attachments []store.Attachment    `json:"attachments"`
	Signatures  []sigView             `json:"signatures"`
	Replies     []store.OutboxMessage `json:"replies"`
	Problems    []string              `json:"problems,omitempty"`
	BlobError   string                `json:"blob_error,omitempty"` // corrupt, missing, purged
	Purged      string                `json:"purged,omitempty"`     // for a purged letter: when, in words

	CanClaim, CanDecide, ClaimedByOther bool `json:"-"`
	RejectReasons, InfoReasons          []Reason
}

func (s *server) letter(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	l, item, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	v := letterView{Letter: l, Review: item, RejectReasons: RejectReasons, InfoReasons: InfoReasons}
	raw, _, err := s.st.LetterOriginal(ctx, l.ID)
	var purged *store.PurgedError
	switch {
	case err == nil:
		m := mailbox.Parse(raw, mailbox.Limits{})
		v.Headers = letterHeaders(m)
		v.Text, v.HTML = m.Text, m.HTML
		for _, p := range m.Problems {
			v.Problems = append(v.Problems, fmt.Sprint(p))
		}
	case errors.As(err, &purged):
		v.BlobError = "purged"
		v.Purged = PurgedNotice(rq.lang, purged)
	case errors.Is(err, store.ErrBlobCorrupt):
		v.BlobError = "corrupt"
	case errors.Is(err, store.ErrNotFound):
		v.BlobError = "missing"
	default:
		return err
	}
	if v.Attachments, err = s.st.Attachments(ctx, l.ID); err != nil {
		return err
	}
	reps, err := s.st.LetterReports(ctx, l.ID)
	if err != nil {
		return err
	}
	v.Signatures = make([]sigView, len(reps))
	for i, rp := range reps {
		v.Signatures[i].Report = rp
		json.Unmarshal(rp.JSON, &v.Signatures[i].Detail)
	}
	if v.Replies, err = s.st.OutboxForLetter(ctx, l.ID); err != nil {
		return err
	}
	if v.Attachments == nil {
		v.Attachments = []store.Attachment{}
	}
	if rq.user.Role == store.RoleClerk && item != nil && item.DecidedAt.IsZero() {
		switch item.ClaimedBy {
		case "":
			v.CanClaim = true
		case rq.user.Name:
			v.CanDecide = true
		default:
			v.ClaimedByOther = true
		}
	}
	return s.render(w, r, rq, "letter", "letter.title", v, l.ID)
}

func letterHeaders(m *mailbox.Letter) []headerView {
	var out []headerView
	addr := func(name string, as []mailbox.Address) {
		if len(as) == 0 {
			return
		}
		parts := make([]string, len(as))
		for i, a := range as {
			parts[i] = a.String()
		}
		out = append(out, headerView{name, strings.Join(parts, ", ")})
	}
	addr("From", m.From)
	addr("To", m.To)
	addr("Cc", m.Cc)
	addr("Reply-To", m.ReplyTo)
	if !m.Date.IsZero() {
		out = append(out, headerView{"Date", m.Date.Format("2006-01-02 15:04:05 -0700")})
	}
	out = append(out, headerView{"Subject", m.Subject})
	if m.MessageID != "" {
		out = append(out, headerView{"Message-ID", "<" + m.MessageID + ">"})
	}
	return out
}

// attachment sends one attachment of a letter the caller may see, always as
// a download (Content-Disposition: attachment, octet-stream, nosniff), after
// checking its bytes against the recorded SHA-256.
func (s *server) attachment(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	l, _, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	atts, err := s.st.Attachments(ctx, l.ID)
	if err != nil {
		return err
	}
	var att *store.Attachment
	for i := range atts {
		if atts[i].ID == aid {
			att = &atts[i]
		}
	}
	if att == nil {
		return errStatus(http.StatusNotFound, "err.404")
	}
	data, err := s.attachmentBytes(r, l.ID, *att)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", dispositionAttachment(att.Name, fmt.Sprintf("letter-%d-part-%s.bin", l.ID, att.PartPath)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("X-Sigintake-SHA256", att.SHA256)
	_, err = w.Write(data)
	return err
}

func (s *server) attachmentBytes(r *http.Request, letterID int64, a store.Attachment) ([]byte, error) {
	raw, _, err := s.st.LetterOriginal(r.Context(), letterID)
	if errors.Is(err, store.ErrPurged) {
		return nil, purgedError(err)
	}
	if err == nil {
		m := mailbox.Parse(raw, mailbox.Limits{})
		for _, p := range m.Attachments {
			if p.Path == a.PartPath && p.SHA256 == a.SHA256 && !p.Truncated {
				return p.Data, nil
			}
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if a.SHA256 == "" {
		return nil, errStatus(http.StatusNotFound, "err.404")
	}
	return s.st.Blob(r.Context(), a.SHA256) // a separately stored attachment, checked by the store
}

// dispositionAttachment builds Content-Disposition: attachment with an ASCII
// fallback name and the UTF-8 name (RFC 6266, RFC 8187).
func dispositionAttachment(name, fallback string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || unicode.IsControl(r) || r == '"' {
			return '_'
		}
		return r
	}, name)
	if strings.Trim(clean, ". _") == "" {
		clean = fallback
	}
	ascii := strings.Map(func(r rune) rune {
		if r > 126 || r < 32 || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, clean)
	v := mime.FormatMediaType("attachment", map[string]string{"filename": clean})
	if v == "" || ascii != clean {
		return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + pctEncode(clean)
	}
	return v
}

func pctEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (s *server) claim(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, item, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	if item == nil {
		return errStatus(http.StatusNotFound, "err.404")
	}
	it, err := s.st.ClaimReview(r.Context(), item.ID, rq.user.Name)
	if err != nil {
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusOK, it)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/letters/%d?done=claim.done", l.ID), http.StatusSeeOther)
	return nil
}

func (s *server) decide(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, item, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	if item == nil {
		return errStatus(http.StatusNotFound, "err.404")
	}
	if s.dec == nil {
		return &statusError{code: http.StatusServiceUnavailable, key: "err.500", cause: errNoDecider}
	}
	in, err := formInput(r)
	if err != nil {
		return err
	}
	d := Decision{ReviewID: item.ID, LetterID: l.ID, Clerk: rq.user.Name, Reason: in["reason"],
		Comment: strings.TrimSpace(in["comment"]), Text: strings.TrimSpace(in["text"])}
	if len(d.Comment) > 4000 || len(d.Text) > 4000 {
		return errStatus(http.StatusBadRequest, "err.400")
	}
	var res Result
	action := in["action"]
	switch action {
	case "accept":
		d.Reason = ""
		res, err = s.dec.Accept(r.Context(), d)
	case "reject":
		res, err = s.dec.Reject(r.Context(), d)
	case "info":
		res, err = s.dec.AskInfo(r.Context(), d)
	default:
		return errStatus(http.StatusBadRequest, "err.400")
	}
	if err != nil {
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/letters/%d?done=decide.done.%s", l.ID, action), http.StatusSeeOther)
	return nil
}

// formInput reads a POST's fields from a form or a flat JSON object.
func formInput(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, errStatus(http.StatusBadRequest, "err.400")
		}
		for k, v := range m {
			switch v := v.(type) {
			case string:
				out[k] = v
			case bool:
				out[k] = strconv.FormatBool(v)
			case float64:
				out[k] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, errStatus(http.StatusBadRequest, "err.400")
	}
	for k := range r.PostForm {
		out[k] = r.PostForm.Get(k)
	}
	return out, nil
}

type casesView struct {
	Cases   []store.Case `json:"cases"`
	Mailbox string       `json:"-"`
	Status  string       `json:"-"`
	Next    string       `json:"next,omitempty"`
}

func (s *server) cases(w http.ResponseWriter, r *http.Request, rq *request) error {
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	v := casesView{Mailbox: q.Get("mailbox"), Status: q.Get("status")}
	cs, err := s.st.ListCases(r.Context(), store.CaseFilter{Mailbox: v.Mailbox, Status: store.CaseStatus(v.Status),
		AfterID: after, Limit: pageSize + 1})
	if err != nil {
		return err
	}
	if len(cs) > pageSize {
		cs = cs[:pageSize]
		nq := r.URL.Query()
		nq.Del("lang")
		nq.Set("after", strconv.FormatInt(cs[len(cs)-1].ID, 10))
		v.Next = "?" + nq.Encode()
	}
	v.Cases = cs
	if v.Cases == nil {
		v.Cases = []store.Case{}
	}
	return s.render(w, r, rq, "cases", "cases.title", v)
}

type caseView struct {
	Case    store.Case            `json:"case"`
	Events  []store.CaseEvent     `json:"events"`
	Letters []store.Letter        `json:"letters"`
	Replies []store.OutboxMessage `json:"replies"`
}

func (s *server) caseView(w http.ResponseWriter, r *http.Request, rq *request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var v caseView
	if v.Case, err = s.st.Case(ctx, id); err != nil {
		return err
	}
	if v.Events, err = s.st.CaseEvents(ctx, id); err != nil {
		return err
	}
	if v.Letters, err = s.st.ListLetters(ctx, store.LetterFilter{CaseID: id, Limit: 1000}); err != nil {
		return err
	}
	if v.Replies, err = s.st.OutboxForCase(ctx, id); err != nil {
		return err
	}
	return s.render(w, r, rq, "case", "case.title", v, v.Case.Number)
}
