package mailbox

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

type sink struct {
	mu       sync.Mutex
	got      [][]byte
	from     []string
	to       [][]string
	rcptCode int // reply to RCPT with this code when non-zero
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s    *sink
	from string
	to   []string
	auth bool
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "reply" || pass != "pw" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.auth = true
		return nil
	}), nil
}
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if c := ss.s.rcptCode; c != 0 {
		return &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{c / 100, 1, 1}, Message: "no"}
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.got = append(ss.s.got, b)
	ss.s.from = append(ss.s.from, ss.from)
	ss.s.to = append(ss.s.to, ss.to)
	return nil
}
func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }

func startSink(t *testing.T, s *sink) int {
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

func TestSMTPSend(t *testing.T) {
	raw := []byte("From: ekase@example.lv\r\nTo: janis@example.lv\r\nSubject: Re: Iesniegums\r\nAuto-Submitted: auto-replied\r\n\r\nLabdien!\r\n.\r\nnot the end\r\n")
	s := &sink{}
	port := startSink(t, s)
	ctx := context.Background()
	snd, err := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSPlain, User: "reply", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(ctx, "bounces@example.lv", []string{"janis@example.lv"}, raw); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 1 || string(s.got[0]) != string(raw) || s.from[0] != "bounces@example.lv" || s.to[0][0] != "janis@example.lv" {
		t.Fatalf("sink got %q from %v to %v", s.got, s.from, s.to)
	}

	t.Run("fail/bad-password", func(t *testing.T) {
		snd, _ := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSPlain, User: "reply", Password: "no"})
		err := snd.Send(ctx, "a@example.lv", []string{"b@example.lv"}, raw)
		if !errors.Is(err, ErrAuth) || !errors.Is(err, ErrPermanent) {
			t.Fatalf("%v", err)
		}
	})
	for _, tc := range []struct {
		name string
		code int
		temp bool
	}{{"fail/4xx-temporary", 451, true}, {"fail/5xx-permanent", 550, false}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sink{rcptCode: tc.code}
			port := startSink(t, s)
			snd, _ := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSPlain})
			err := snd.Send(ctx, "a@example.lv", []string{"b@example.lv"}, raw)
			if err == nil || IsTemporary(err) != tc.temp || errors.Is(err, ErrPermanent) == tc.temp {
				t.Fatalf("%v", err)
			}
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != tc.code {
				t.Fatalf("SMTP error not kept: %v", err)
			}
		})
	}
	t.Run("fail/plain-remote", func(t *testing.T) {
		_, err := NewSMTPSender(SMTPConfig{Host: "smtp.example.lv", TLS: TLSPlain})
		if !errors.Is(err, ErrConfig) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("fail/refused-temporary", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		snd, _ := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: p, TLS: TLSPlain})
		if err := snd.Send(ctx, "a@example.lv", []string{"b@example.lv"}, raw); !IsTemporary(err) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("fail/silent-server-cancel", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err == nil {
				time.Sleep(5 * time.Second)
				c.Close()
			}
		}()
		snd, _ := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: TLSPlain})
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := snd.Send(cctx, "a@example.lv", []string{"b@example.lv"}, raw)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
	})
}
