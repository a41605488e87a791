package intake_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake"
	"github.com/sigintake/sigintake/store"
	"github.com/sigintake/sigintake/store/pgtest"
)

// Dovecot restarted and PostgreSQL restarted while the daemon runs: it
// reconnects and nothing is lost or done twice. /metrics, /healthz and
// /readyz answer on the configured address.
func TestServerRestartsPostgres(t *testing.T) {
	f := newFlow(t, pgtest.Start(t))
	f.cfg.Replies.PerRecipientPerDay = 0
	f.cfg.HTTP.Listen = "127.0.0.1:0"
	cfg := *f.cfg
	cfg.Instance = "r"
	dm, err := intake.New(context.Background(), &cfg, f.st, intake.Deps{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Options: f.opts})
	if err != nil {
		t.Fatal(err)
	}
	if err := dm.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { dm.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + dm.Addr() + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ek, pa := plainLetters(60, "restart")
	appendAll(t, f.dc, "ekase", ek[:10])
	appendAll(t, f.dc, "pasts", pa[:10])
	f.settle(20, true)
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d %s", code, body)
	}

	f.dc.Restart()
	appendAll(t, f.dc, "ekase", ek[10:20])
	appendAll(t, f.dc, "pasts", pa[10:20])
	f.settle(40, true)

	pgtest.Restart(t)
	appendAll(t, f.dc, "ekase", ek[20:])
	appendAll(t, f.dc, "pasts", pa[20:])
	ls := f.settle(60, true)
	letters, cases, sent := f.counts()
	if letters != 60 || cases != 30 || sent != 60 {
		t.Fatalf("letters %d cases %d sent %d, want 60 30 60", letters, cases, sent)
	}
	for _, l := range ls {
		if l.Reply != store.ReplySent {
			t.Fatalf("letter %d reply %s", l.ID, l.Reply)
		}
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz %d %q", code, body)
	}
	code, body := get("/metrics")
	for _, want := range []string{`sigintake_letters_decided_total{mailbox="ekase",outcome="rejected"} 30`, `sigintake_letters_decided_total{mailbox="pasts",outcome="accepted"} 30`, "sigintake_replies_sent_total 60", `sigintake_mailbox_connected{mailbox="ekase"} 1`, "# TYPE sigintake_imap_reconnects_total counter"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	// Dovecot down: not ready.
	f.dc.Stop()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := get("/readyz"); code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			_, m := get("/metrics")
			var conn []string
			for _, l := range strings.Split(m, "\n") {
				if strings.HasPrefix(l, "sigintake_mailbox_connected") {
					conn = append(conn, l)
				}
			}
			t.Fatalf("/readyz still ready 20 s after Dovecot stopped: %v", conn)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A letter APPENDed while the daemon idles is filed quickly (IDLE): the
// 95th percentile is logged; it must stay under 2 s here (target 1 s).
func TestIdleLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("latency measurement")
	}
	f := newFlow(t, "sqlite:"+t.TempDir()+"/store.db")
	f.cfg.Replies.PerRecipientPerDay = 0
	stop := f.daemon("idle", false)
	defer stop()
	ek, _ := plainLetters(40, "idle")
	ctx := context.Background()
	var lat []time.Duration
	for i, raw := range ek {
		time.Sleep(300 * time.Millisecond) // let it go back to IDLE
		t0 := time.Now()
		f.dc.Append("ekase", "INBOX", raw)
		for {
			ls, _ := f.st.ListLetters(ctx, store.LetterFilter{AfterID: int64(i), Limit: 1})
			if len(ls) == 1 && ls[0].Outcome != store.Pending {
				break
			}
			if time.Since(t0) > 10*time.Second {
				t.Fatalf("letter %d not filed in 10 s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
	t.Logf("APPEND to decided over IDLE, %d letters: p50 %v, p95 %v, max %v", len(lat), p50.Round(time.Millisecond), p95.Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	if p95 > 2*time.Second && os.Getenv("SIGINTAKE_BENCH") == "" {
		t.Errorf("p95 %v over 2 s", p95)
	}
}
