package web

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Riga without a system zone database
)

// riga is the time zone pages show times in.
var riga = sync.OnceValue(func() *time.Location {
	l, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		return time.UTC
	}
	return l
})

var funcs = template.FuncMap{
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(riga()).Format("2006-01-02 15:04:05")
	},
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
	"str":   func(v any) string { return fmt.Sprint(v) },
	"lower": strings.ToLower,
	"indclass": func(ind string) string {
		switch ind {
		case "TOTAL_PASSED":
			return "ok"
		case "TOTAL_FAILED":
			return "bad"
		}
		return "warn"
	},
	"sel": func(a, b string) bool { return a == b },
}

var pageNames = []string{"login", "error", "queue", "letter", "cases", "case", "search", "evidence", "audit", "chain", "users"}

func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		out[n] = template.Must(template.New(n).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+n+".html"))
	}
	return out
}

func hexToB64(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
