package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/intake/config"
	"github.com/sigintake/sigintake/store"
)

// Redirecter performs the clerk action "outside our competence". The
// Decider given to New provides it when it was made by WithRedirects.
type Redirecter interface {
	Institutions() []config.Institution
	Redirect(ctx context.Context, req intake.RedirectRequest) (store.Redirected, error)
}

type redirectingDecider struct {
	Decider
	r *intake.Redirector
}

func (d redirectingDecider) Institutions() []config.Institution { return d.r.Institutions }

func (d redirectingDecider) Redirect(ctx context.Context, req intake.RedirectRequest) (store.Redirected, error) {
	return d.r.Redirect(ctx, req)
}

// WithRedirects returns d extended with redirects by r, for New.
func WithRedirects(d Decider, r *intake.Redirector) Decider {
	return redirectingDecider{Decider: d, r: r}
}

type redirectView struct {
	Letter       store.Letter         `json:"letter"`
	Institutions []config.Institution `json:"institutions"`
}

func (s *server) redirecter() (Redirecter, error) {
	rd, ok := s.dec.(Redirecter)
	if !ok {
		return nil, &statusError{code: http.StatusServiceUnavailable, key: "err.500", cause: errors.New("web: redirects are not configured")}
	}
	return rd, nil
}

// redirectPage shows the redirect form for a letter a clerk may act on.
func (s *server) redirectPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, _, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	rd, err := s.redirecter()
	if err != nil {
		return err
	}
	return s.render(w, r, rq, "redirect", "redirect.title", redirectView{Letter: l, Institutions: rd.Institutions()}, l.ID)
}

// redirect performs the action (form fields institution, note).
func (s *server) redirect(w http.ResponseWriter, r *http.Request, rq *request) error {
	l, _, err := s.loadLetter(r, rq)
	if err != nil {
		return err
	}
	rd, err := s.redirecter()
	if err != nil {
		return err
	}
	in, err := formInput(r)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(in["note"])
	if len(note) > 4000 {
		return errStatus(http.StatusBadRequest, "err.400")
	}
	res, err := rd.Redirect(r.Context(), intake.RedirectRequest{LetterID: l.ID, Institution: in["institution"], Note: note,
		Clerk: rq.user.Name})
	switch {
	case errors.Is(err, intake.ErrUnknownInstitution):
		return &statusError{code: http.StatusBadRequest, key: "redirect.unknown", cause: err}
	case err != nil:
		return purgedError(err)
	}
	if rq.api {
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/letters/%d?done=redirect.done", l.ID), http.StatusSeeOther)
	return nil
}
