package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime reports this process's user+system CPU time per op as
// "cpu-ns/op" when the benchmark ends: less sensitive than ns/op to a busy
// machine and to fsync latency (the PostgreSQL server's CPU is not counted).
func cpuTime(b *testing.B) {
	start := rusage()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64((rusage()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	})
}

func rusage() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchLetters runs fn under b.Run once per letter size with a fresh store
// from open and a random body of that size; ns/op and cpu-ns/op are per
// letter.
func benchLetters(b *testing.B, name string, open func(testing.TB) *Store, fn func(b *testing.B, s *Store, body []byte)) {
	for _, size := range []int{4 << 10, 200 << 10} {
		b.Run(fmt.Sprintf("%s/%dKB", name, size>>10), func(b *testing.B) {
			s := open(b)
			body := make([]byte, size)
			rand.Read(body)
			b.SetBytes(int64(size))
			cpuTime(b)
			b.ResetTimer()
			fn(b, s, body)
		})
	}
}

// benchRaw is letter i of a benchmark: a unique Message-ID and the body.
func benchRaw(i int, body []byte) RawLetter {
	return RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(i + 1),
		Raw: append(fmt.Appendf(nil, "Message-ID: <b%d@example.lv>\r\n\r\n", i), body...)}
}

// accepted is the outcome of saved letter i: accepted into a new case, its
// attachment named by the letter's own bytes.
func accepted(sv Saved, i, size int) Outcome {
	o := acceptOutcome(sv.ID, i)
	o.Attachments[0].Data = nil
	o.Attachments[0].Size, o.Attachments[0].SHA256 = int64(size), sv.SHA256
	return o
}

// saveBatch stores letters i..i+batch (at most n) in one transaction.
func saveBatch(b *testing.B, s *Store, i, batch, n int, body []byte) []Saved {
	var ins []RawLetter
	for j := i; j < i+batch && j < n; j++ {
		ins = append(ins, benchRaw(j, body))
	}
	svs, err := s.SaveRawLetters(context.Background(), ins)
	if err != nil {
		b.Fatal(err)
	}
	return svs
}

// BenchmarkSaveAndRecord measures the store's cost per letter in the
// intake: SaveRawLetter (durable commit of the raw bytes) then
// RecordOutcome (attachment row, signature report, numbered case, queued
// reply, case events, audit entry) in its own transaction.
func BenchmarkSaveAndRecord(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		benchLetters(b, db.name, db.open, func(b *testing.B, s *Store, body []byte) {
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				sv, err := s.SaveRawLetter(ctx, benchRaw(i, body))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.RecordOutcome(ctx, accepted(sv, i, len(body))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBatchSaveAndRecord is the backlog drain: raw letters saved 50 per
// transaction (SaveRawLetters), then one RecordOutcome per letter. ns/op is
// per letter.
func BenchmarkBatchSaveAndRecord(b *testing.B) {
	const batch = 50
	benchLetters(b, "sqlite", openSQLite, func(b *testing.B, s *Store, body []byte) {
		for i := 0; i < b.N; i += batch {
			for k, sv := range saveBatch(b, s, i, batch, b.N, body) {
				if _, err := s.RecordOutcome(context.Background(), accepted(sv, i+k, len(body))); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkGroupCommit is the backlog drain with group commit on both
// sides: SaveRawLetters and RecordOutcomes 50 letters per transaction.
// ns/op is per letter.
func BenchmarkGroupCommit(b *testing.B) {
	const batch = 50
	benchLetters(b, "sqlite", openSQLite, func(b *testing.B, s *Store, body []byte) {
		for i := 0; i < b.N; i += batch {
			svs := saveBatch(b, s, i, batch, b.N, body)
			outs := make([]Outcome, len(svs))
			for k, sv := range svs {
				outs[k] = accepted(sv, i+k, len(body))
			}
			_, errs, err := s.RecordOutcomes(context.Background(), outs)
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
