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

// BenchmarkSaveAndRecord measures the store's cost per letter in the
// intake: SaveRawLetter (durable commit of the raw bytes) then
// RecordOutcome (attachment row, signature report, numbered case, queued
// reply, case events, audit entry) in its own transaction.
func BenchmarkSaveAndRecord(b *testing.B) {
	for _, size := range []int{4 << 10, 200 << 10} {
		for _, db := range []struct {
			name string
			open func(testing.TB) *Store
		}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
			b.Run(fmt.Sprintf("%s/%dKB", db.name, size>>10), func(b *testing.B) {
				s := db.open(b)
				ctx := context.Background()
				body := make([]byte, size)
				rand.Read(body)
				b.SetBytes(int64(size))
				cpuTime(b)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					msg := append(fmt.Appendf(nil, "Message-ID: <b%d@example.lv>\r\n\r\n", i), body...)
					sv, err := s.SaveRawLetter(ctx, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(i + 1), Raw: msg})
					if err != nil {
						b.Fatal(err)
					}
					o := acceptOutcome(sv.ID, i)
					o.Attachments[0].Data = nil
					o.Attachments[0].Size, o.Attachments[0].SHA256 = int64(size), sv.SHA256
					if _, err := s.RecordOutcome(ctx, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBatchSaveAndRecord is the backlog drain: raw letters saved 50 per
// transaction (SaveRawLetters), then one RecordOutcome per letter. ns/op is
// per letter.
func BenchmarkBatchSaveAndRecord(b *testing.B) {
	const batch = 50
	for _, size := range []int{4 << 10, 200 << 10} {
		b.Run(fmt.Sprintf("sqlite/%dKB", size>>10), func(b *testing.B) {
			s := openSQLite(b)
			ctx := context.Background()
			body := make([]byte, size)
			rand.Read(body)
			b.SetBytes(int64(size))
			cpuTime(b)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				var ins []RawLetter
				for j := i; j < i+batch && j < b.N; j++ {
					ins = append(ins, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(j + 1),
						Raw: append(fmt.Appendf(nil, "Message-ID: <b%d@example.lv>\r\n\r\n", j), body...)})
				}
				svs, err := s.SaveRawLetters(ctx, ins)
				if err != nil {
					b.Fatal(err)
				}
				for k, sv := range svs {
					o := acceptOutcome(sv.ID, i+k)
					o.Attachments[0].Data = nil
					o.Attachments[0].Size, o.Attachments[0].SHA256 = int64(size), sv.SHA256
					if _, err := s.RecordOutcome(ctx, o); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkGroupCommit is the backlog drain with group commit on both
// sides: SaveRawLetters and RecordOutcomes 50 letters per transaction.
// ns/op is per letter.
func BenchmarkGroupCommit(b *testing.B) {
	const batch = 50
	for _, size := range []int{4 << 10, 200 << 10} {
		b.Run(fmt.Sprintf("sqlite/%dKB", size>>10), func(b *testing.B) {
			s := openSQLite(b)
			ctx := context.Background()
			body := make([]byte, size)
			rand.Read(body)
			b.SetBytes(int64(size))
			cpuTime(b)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				var ins []RawLetter
				for j := i; j < i+batch && j < b.N; j++ {
					ins = append(ins, RawLetter{Mailbox: "ekase", UIDValidity: 1, UID: uint32(j + 1),
						Raw: append(fmt.Appendf(nil, "Message-ID: <b%d@example.lv>\r\n\r\n", j), body...)})
				}
				svs, err := s.SaveRawLetters(ctx, ins)
				if err != nil {
					b.Fatal(err)
				}
				os := make([]Outcome, len(svs))
				for k, sv := range svs {
					os[k] = acceptOutcome(sv.ID, i+k)
					os[k].Attachments[0].Data = nil
					os[k].Attachments[0].Size, os[k].Attachments[0].SHA256 = int64(size), sv.SHA256
				}
				_, errs, err := s.RecordOutcomes(ctx, os)
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
}
