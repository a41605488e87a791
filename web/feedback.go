package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/store"
)

type feedbackView struct {
	Letter     store.Letter               `json:"letter"`
	Tag        *store.Feedback            `json:"tag,omitempty"`
	Suggestion *intake.FeedbackSuggestion `json:"suggestion,omitempty"`
	Purged     bool                       `json:"purged"`
	Tags       []store.FeedbackTag        `json:"-"`
}

// feedbackPage shows a letter's feedback tag, the suggested tag and, for
// clerks, the form to set it.
func (s *server) feedbackPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, _, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	v := feedbackView{Letter: l, Tags: store.FeedbackTags}
	if f, err := s.st.LetterFeedback(r.Context(), l.ID); err == nil {
		v.Tag = &f
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	raw, _, err := s.st.LetterOriginal(r.Context(), l.ID)
	switch {
	case err == nil:
		sug := intake.SuggestFeedbackForLetter(raw)
		v.Suggestion = &sug
	case errors.Is(err, store.ErrPurged):
		v.Purged = true
	default:
		return err
	}
	return s.render(w, r, rq, "feedback", "feedback.title", v, l.ID)
}

// tagFeedback records a clerk's tag (form fields tag, note).
func (s *server) tagFeedback(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, _, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	in, err := formInput(r)
	if err != nil {
		return err
	}
	f := store.Feedback{LetterID: l.ID, Tag: store.FeedbackTag(in["tag"]), TaggedBy: rq.user.Name,
		Note: strings.TrimSpace(in["note"])}
	if !f.Tag.Valid() || len(f.Note) > 4000 {
		return errStatus(http.StatusBadRequest, "err.400")
	}
	if raw, _, err := s.st.LetterOriginal(r.Context(), l.ID); err == nil {
		f.Suggested = intake.SuggestFeedbackForLetter(raw).Tag
	}
	f, err = s.st.TagFeedback(r.Context(), f)
	if err != nil {
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusOK, f)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/letters/%d/feedback?done=feedback.done", l.ID), http.StatusSeeOther)
	return nil
}

type feedbackReportView struct {
	Rows   []store.FeedbackRow `json:"rows"`
	From   string              `json:"from,omitempty"`
	To     string              `json:"to,omitempty"`
	Totals map[string]int      `json:"totals"`
	CSV    string              `json:"-"`
}

func (s *server) feedbackRows(r *http.Request) (feedbackReportView, error) {
	q := r.URL.Query()
	v := feedbackReportView{From: q.Get("from"), To: q.Get("to"), Totals: map[string]int{}}
	rows, err := s.st.FeedbackReport(r.Context(), v.From, v.To)
	if err != nil {
		return v, err
	}
	v.Rows = rows
	for _, row := range rows {
		v.Totals[string(row.Tag)] += row.Letters
	}
	cq := q
	cq.Del("lang")
	v.CSV = "/feedback/report.csv"
	if enc := cq.Encode(); enc != "" {
		v.CSV += "?" + enc
	}
	return v, nil
}

// feedbackReport is the monthly report by tag for the service-quality review.
func (s *server) feedbackReport(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := s.feedbackRows(r)
	if err != nil {
		return err
	}
	return s.render(w, r, rq, "feedbackreport", "feedback.report", v)
}

// feedbackCSV exports the report as CSV (month,tag,letters).
func (s *server) feedbackCSV(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := s.feedbackRows(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="feedback-report.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"month", "tag", "letters"})
	for _, row := range v.Rows {
		cw.Write([]string{row.Month, string(row.Tag), strconv.Itoa(row.Letters)})
	}
	cw.Flush()
	return cw.Error()
}
