package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigintake/sigintake/intake/demo"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestDemoServesTheDesk runs the demo as `sigintake demo` does (not --once)
// and logs in to its web desk as the demo clerk: the review queue holds the
// letters the demo sent to review.
func TestDemoServesTheDesk(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		_, err := demo.Run(ctx, demo.Options{Out: out, Dir: t.TempDir(), Desk: demoDesk, DeskAddr: "127.0.0.1:0"})
		done <- err
	}()
	webRE := regexp.MustCompile(`WEB   (http://[0-9.:]+)/`)
	var base string
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("demo ended: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if m := webRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	body, _ := json.Marshal(map[string]string{"name": "lietvedis", "password": "demo-lietvedis"})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/review", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var q struct {
		Total int `json:"total"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&q); err != nil || resp.StatusCode != 200 {
		t.Fatalf("review queue: %d %v", resp.StatusCode, err)
	}
	if q.Total == 0 || !strings.Contains(out.String(), "review") {
		t.Fatalf("the demo's review letters are not in the clerk's queue (total %d)\n%s", q.Total, out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
}
