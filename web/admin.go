package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sigintake/sigintake/store"
)

type usersView struct {
	Users []store.User `json:"users"`
	Error string       `json:"-"`
}

func (s *server) users(w http.ResponseWriter, r *http.Request, rq *request) error {
	us, err := s.st.ListUsers(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, rq, "users", "users.title", usersView{Users: us})
}

func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._@-", c)) {
			return false
		}
	}
	return true
}

// addUser creates an account: name, role, password (at least 12 characters).
func (s *server) addUser(w http.ResponseWriter, r *http.Request, rq *request) error {
	in, err := formInput(r)
	if err != nil {
		return err
	}
	role := store.Role(in["role"])
	if !validName(in["name"]) || (role != store.RoleClerk && role != store.RoleAuditor && role != store.RoleAdmin) {
		return errStatus(http.StatusBadRequest, "err.400")
	}
	hash, err := HashPassword(in["password"])
	if errors.Is(err, ErrPassword) {
		return errStatus(http.StatusBadRequest, "users.pwhint")
	}
	if err != nil {
		return err
	}
	u, err := s.st.CreateUser(r.Context(), rq.user.Name, in["name"], role, hash)
	if err != nil {
		if _, e := s.st.UserByName(r.Context(), in["name"]); e == nil {
			return errStatus(http.StatusConflict, "err.409")
		}
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusCreated, u)
		return nil
	}
	http.Redirect(w, r, "/admin/users?done=users.added", http.StatusSeeOther)
	return nil
}

func (s *server) setDisabled(w http.ResponseWriter, r *http.Request, rq *request, disabled bool) error {
	name := r.PathValue("name")
	if name == rq.user.Name && disabled {
		return errStatus(http.StatusBadRequest, "err.400") // do not lock yourself out
	}
	if err := s.st.UpdateUser(r.Context(), rq.user.Name, name, disabled, ""); err != nil {
		return err
	}
	if rq.api {
		writeJSON(w, http.StatusOK, map[string]any{"name": name, "disabled": disabled})
		return nil
	}
	http.Redirect(w, r, "/admin/users?done=users.updated", http.StatusSeeOther)
	return nil
}

func (s *server) disableUser(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.setDisabled(w, r, rq, true)
}

func (s *server) enableUser(w http.ResponseWriter, r *http.Request, rq *request) error {
	return s.setDisabled(w, r, rq, false)
}
