package trust

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

// TestFetchAndCache serves a test LOTL and national list over HTTP and
// checks conditional GET, the on-disk cache and the last good copy.
func TestFetchAndCache(t *testing.T) {
	f := newFixture(t)
	var (
		mu       sync.Mutex
		lvBody   []byte
		notMod   int
		requests int
		down     bool
	)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	lotl := signList(t, genList{territory: "EU", lotl: true, seq: 100, issue: sigtest.Now.AddDate(0, -1, 0), nextUpdate: sigtest.Now.AddDate(0, 5, 0),
		pointers: []genPointer{{territory: "EU", signerDER: f.lotlKey.DER, lotl: true}, {territory: "LV", signerDER: f.operator.DER, location: srv.URL + "/lv.xml"}}}.xml(),
		f.lotlKey.Key, f.lotlKey.DER)
	good := signList(t, f.national(f.caService(granted())).xml(), f.operator.Key, f.operator.DER)
	lvBody = good
	serve := func(body func() []byte, etag string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			requests++
			if down {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			b := body()
			tag := etag + "-" + string(rune('a'+len(b)%26))
			if r.Header.Get("If-None-Match") == tag {
				notMod++
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", tag)
			w.Write(b)
		}
	}
	mux.Handle("/lotl.xml", serve(func() []byte { return lotl }, `"lotl"`))
	mux.Handle("/lv.xml", serve(func() []byte { return lvBody }, `"lv"`))

	cache := t.TempDir()
	load := func() *Lists {
		ls, err := Load(context.Background(), LoadOptions{
			URLs: []string{srv.URL + "/lotl.xml"}, FollowPointers: true, CacheDir: cache,
			Signers: []*pki.Certificate{toPKI(t, f.lotlKey.DER)}, At: sigtest.Now, HTTPClient: srv.Client(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	check := func(ls *Lists, wantWarning bool) {
		t.Helper()
		sums := ls.Summaries()
		if len(sums) != 2 || sums[0].Status != StatusOK || sums[1].Status != StatusOK || sums[1].Territory != "LV" {
			t.Fatalf("%+v", sums)
		}
		if (len(sums[1].Warnings) > 0) != wantWarning {
			t.Fatalf("warnings %q, want some: %v", sums[1].Warnings, wantWarning)
		}
	}
	t.Run("ok/first-fetch", func(t *testing.T) { check(load(), false) })
	t.Run("ok/not-modified", func(t *testing.T) {
		check(load(), false)
		if notMod != 2 {
			t.Fatalf("304 answers: %d", notMod)
		}
	})
	t.Run("ok/tampered-download-keeps-last-good", func(t *testing.T) {
		mu.Lock()
		lvBody = []byte(strings.Replace(string(good), "Test TSP", "Evil TSP!", 1))
		mu.Unlock()
		ls := load()
		check(ls, true)
		if ls.ListsOf()[1].TSPs[0].Name != "Test TSP" {
			t.Fatal("tampered copy used")
		}
	})
	t.Run("ok/server-down-uses-cache", func(t *testing.T) {
		mu.Lock()
		down = true
		mu.Unlock()
		check(load(), true)
	})
	t.Run("fail/server-down-no-cache", func(t *testing.T) {
		ls, _ := Load(context.Background(), LoadOptions{
			URLs: []string{srv.URL + "/lotl.xml"}, Files: []string{writeTemp(t, "lv.xml", good)},
			Signers: []*pki.Certificate{toPKI(t, f.operator.DER)}, At: sigtest.Now, HTTPClient: srv.Client(),
		})
		sums := ls.Summaries() // files first, then URLs
		if sums[1].Status != StatusFetchFailed || sums[1].Error == "" {
			t.Fatalf("%+v", sums[1])
		}
		// The file still loads: a broken source never breaks the others.
		if sums[0].Status != StatusOK {
			t.Fatalf("%+v", sums[0])
		}
	})
	t.Run("ok/progress", func(t *testing.T) {
		mu.Lock()
		down = false
		mu.Unlock()
		var calls []string
		_, err := Load(context.Background(), LoadOptions{
			URLs: []string{srv.URL + "/lotl.xml"}, FollowPointers: true, CacheDir: t.TempDir(),
			Signers: []*pki.Certificate{toPKI(t, f.lotlKey.DER)}, At: sigtest.Now, HTTPClient: srv.Client(),
			Progress: func(done, total int, source string) {
				calls = append(calls, fmt.Sprintf("%d/%d %s", done, total, source))
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) != 1 || calls[0] != "1/1 "+srv.URL+"/lv.xml" {
			t.Fatalf("progress calls %q", calls)
		}
	})
}
