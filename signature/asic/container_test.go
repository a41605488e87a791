package asic

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigintake/sigintake/signature"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/sigtest"
)

type fixture struct {
	p    *sigtest.PKI
	leaf *sigtest.Leaf
	opts signature.Options
}

func newFixture(t *testing.T) *fixture {
	p := sigtest.New(t)
	leaf := p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified()})
	return &fixture{p: p, leaf: leaf, opts: signature.Options{Time: sigtest.Now.Add(time.Hour), Trust: p.Trust()}}
}

var docs = []dataFile{
	{Name: "Iesniegums par nodokli.pdf", MediaType: "application/pdf", Data: []byte("%PDF-1.7 letter to the Treasury")},
	{Name: "pielikums+1.txt", MediaType: "text/plain", Data: []byte("attachment one")},
}

func validate(t *testing.T, f *fixture, data []byte) *Result {
	t.Helper()
	res, err := Validate(context.Background(), data, Limits{}, f.opts)
	if err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return res
}

func TestBuiltContainers(t *testing.T) {
	f := newFixture(t)
	type check func(t *testing.T, r *Result)
	indication := func(ind signature.Indication, sub signature.SubIndication) check {
		return func(t *testing.T, r *Result) {
			if len(r.Signatures) != 1 {
				t.Fatalf("%d signatures", len(r.Signatures))
			}
			s := r.Signatures[0]
			if s.Indication != ind || s.SubIndication != sub {
				t.Fatalf("got %s %s (%v), want %s %s", s.Indication, s.SubIndication, s.Errors, ind, sub)
			}
		}
	}
	level := func(l string) check {
		return func(t *testing.T, r *Result) {
			if r.Signatures[0].Level != l {
				t.Fatalf("level %q, want %q", r.Signatures[0].Level, l)
			}
		}
	}
	problems := func(n int, contains string) check {
		return func(t *testing.T, r *Result) {
			if len(r.Problems) != n || n > 0 && !strings.Contains(strings.Join(r.Problems, "\n"), contains) {
				t.Fatalf("problems %q, want %d containing %q", r.Problems, n, contains)
			}
		}
	}
	covers := func(names ...string) check {
		return func(t *testing.T, r *Result) {
			got := strings.Join(r.Signatures[0].Covered, "|")
			if got != strings.Join(names, "|") {
				t.Fatalf("covered %q, want %q", got, names)
			}
		}
	}
	sign := func(o buildOpts) []byte { return signXAdES(t, f.p, f.leaf, docs, o) }
	tampered := append([]dataFile{}, docs...)
	tampered[1] = dataFile{Name: docs[1].Name, MediaType: "text/plain", Data: []byte("attachment 0ne")}
	extra := append(append([]dataFile{}, docs...), dataFile{Name: "photo.jpg", MediaType: "image/jpeg", Data: []byte("jpeg")})

	cases := []struct {
		name   string
		data   func() []byte
		checks []check
	}{
		{"ok/B", func() []byte { return container(t, docs, sign(buildOpts{})) },
			[]check{indication(signature.Indeterminate, signature.NoCertificateChainFound), level("XAdES-BASELINE-B"), problems(0, ""), covers(docs[0].Name, docs[1].Name)}},
		{"ok/T", func() []byte { return container(t, docs, sign(buildOpts{Level: "T"})) },
			[]check{indication(signature.Indeterminate, signature.NoCertificateChainFound), level("XAdES-BASELINE-T"), problems(0, "")}},
		{"ok/LT", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT"})) },
			[]check{indication(signature.TotalPassed, ""), level("XAdES-BASELINE-LT"), problems(0, ""), func(t *testing.T, r *Result) {
				s := r.Signatures[0]
				if s.Qualification != signature.QESig || len(s.Timestamps) != 1 || s.Timestamps[0].Indication != signature.TotalPassed {
					t.Fatalf("qualification %s timestamps %+v", s.Qualification, s.Timestamps)
				}
				if s.Revocation.Source != signature.RevocationEmbedded {
					t.Fatalf("revocation %+v", s.Revocation)
				}
			}}},
		{"fail/tampered-file", func() []byte { return container(t, tampered, sign(buildOpts{Level: "LT"})) },
			[]check{indication(signature.TotalFailed, signature.HashFailure), problems(2, "not covered")}},
		{"fail/extra-unsigned-file", func() []byte { return container(t, extra, sign(buildOpts{Level: "LT"})) },
			[]check{indication(signature.TotalPassed, ""), problems(1, `"photo.jpg" is not covered`)}},
		{"fail/removed-file", func() []byte { return container(t, docs[:1], sign(buildOpts{Level: "LT"})) },
			[]check{indication(signature.Indeterminate, signature.SignedDataNotFound)}},
		{"fail/wrong-signing-certificate-digest", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", WrongCertDigest: true})) },
			[]check{indication(signature.Indeterminate, signature.NoSigningCertificateFound)}},
		{"fail/wrong-issuer-serial", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", WrongSerial: true})) },
			[]check{indication(signature.Indeterminate, signature.NoSigningCertificateFound)}},
		{"fail/changed-signing-time", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", AlterSigningTime: true})) },
			[]check{indication(signature.TotalFailed, signature.HashFailure)}},
		{"fail/signed-properties-untyped", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", NoSignedPropsType: true})) },
			[]check{indication(signature.TotalFailed, signature.FormatFailure)}},
		{"fail/id-wrapping", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", IDWrap: true})) },
			[]check{indication(signature.TotalFailed, signature.FormatFailure)}},
		{"fail/media-type-differs", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", DOFMediaType: "text/html"})) },
			[]check{indication(signature.TotalPassed, ""), problems(2, "differs from the manifest")}},
		{"fail/timestamp-over-other-data", func() []byte { return container(t, docs, sign(buildOpts{Level: "LT", TSDigestOf: []byte("x")})) },
			[]check{func(t *testing.T, r *Result) {
				ts := r.Signatures[0].Timestamps
				if len(ts) != 1 || ts[0].SubIndication != signature.HashFailure {
					t.Fatalf("timestamps %+v", ts)
				}
			}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := validate(t, f, c.data())
			for _, ch := range c.checks {
				ch(t, r)
			}
		})
	}
}

func TestOfflineUsesNoNetwork(t *testing.T) {
	f := newFixture(t)
	data := container(t, docs, signXAdES(t, f.p, f.leaf, docs, buildOpts{Level: "LT"}))
	before := f.p.Requests().Total()
	r := validate(t, f, data)
	if !r.Signatures[0].Passed() || f.p.Requests().Total() != before {
		t.Fatalf("%+v, %d requests", r.Signatures[0], f.p.Requests().Total()-before)
	}
}

func TestECDSAAndAnchors(t *testing.T) {
	f := newFixture(t)
	leaf := f.p.Issue(sigtest.LeafOptions{QC: sigtest.Qualified(), KeyType: sigtest.ECDSAP256, Issuer: f.p.IntermediateEC})
	data := container(t, docs, signXAdES(t, f.p, leaf, docs, buildOpts{Level: "LT"}))
	root, err := pki.ParseCertificate(f.p.Root.DER)
	if err != nil {
		t.Fatal(err)
	}
	f.opts.Trust, f.opts.Anchors = nil, []*pki.Certificate{root}
	r := validate(t, f, data)
	if s := r.Signatures[0]; !s.Passed() || s.Qualification != signature.QualNA {
		t.Fatalf("%s %s %v %s", s.Indication, s.SubIndication, s.Errors, s.Qualification)
	}
}

func TestContainerRules(t *testing.T) {
	f := newFixture(t)
	sig := signXAdES(t, f.p, f.leaf, docs[:1], buildOpts{Level: "LT"})
	man := manifestXML(docs[:1])
	mt := []byte(MediaTypeASiCE)
	cases := []struct {
		name    string
		entries []zipEntry
		err     error
		problem string
	}{
		{"fail/no-mimetype", []zipEntry{{Name: docs[0].Name, Data: docs[0].Data}, {Name: "META-INF/manifest.xml", Data: man}, {Name: "META-INF/signatures0.xml", Data: sig}}, nil, "no mimetype"},
		{"fail/no-manifest", []zipEntry{{Name: "mimetype", Data: mt}, {Name: docs[0].Name, Data: docs[0].Data}, {Name: "META-INF/signatures0.xml", Data: sig}}, nil, "no META-INF/manifest.xml"},
		{"fail/unlisted-file", []zipEntry{{Name: "mimetype", Data: mt}, {Name: docs[0].Name, Data: docs[0].Data}, {Name: "x.txt", Data: []byte("x")}, {Name: "META-INF/manifest.xml", Data: man}, {Name: "META-INF/signatures0.xml", Data: sig}}, nil, `"x.txt" is not listed`},
		{"fail/no-signature", []zipEntry{{Name: "mimetype", Data: mt}, {Name: docs[0].Name, Data: docs[0].Data}, {Name: "META-INF/manifest.xml", Data: man}}, ErrContainer, ""},
		{"fail/zip-slip", []zipEntry{{Name: "mimetype", Data: mt}, {Name: "../../etc/passwd", Data: []byte("x")}, {Name: "META-INF/signatures0.xml", Data: sig}}, ErrPath, ""},
		{"fail/backslash", []zipEntry{{Name: "mimetype", Data: mt}, {Name: `..\x.txt`, Data: []byte("x")}, {Name: "META-INF/signatures0.xml", Data: sig}}, ErrPath, ""},
		{"fail/duplicate", []zipEntry{{Name: "mimetype", Data: mt}, {Name: "a.txt", Data: []byte("x")}, {Name: "a.txt", Data: []byte("y")}, {Name: "META-INF/signatures0.xml", Data: sig}}, ErrDuplicate, ""},
		{"fail/duplicate-case", []zipEntry{{Name: "mimetype", Data: mt}, {Name: "a.txt", Data: []byte("x")}, {Name: "A.txt", Data: []byte("y")}, {Name: "META-INF/signatures0.xml", Data: sig}}, ErrDuplicate, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Validate(context.Background(), makeZip(t, c.entries), Limits{}, f.opts)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) == 0 || !strings.Contains(strings.Join(res.Problems, "\n"), c.problem) {
				t.Fatalf("problems %q, want %q", res.Problems, c.problem)
			}
		})
	}
}

func TestZipBomb(t *testing.T) {
	big := make([]byte, 8<<20) // zeros compress ~1000:1
	data := makeZip(t, []zipEntry{{Name: "mimetype", Data: []byte(MediaTypeASiCE)}, {Name: "zeros.bin", Data: big, Deflate: true}, {Name: "META-INF/signatures0.xml", Data: []byte("<x/>")}})
	start := time.Now()
	_, err := ReadZip(data, Limits{})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > timeBound {
		t.Fatalf("took %v", time.Since(start))
	}
	if _, err := ReadZip(data, Limits{MaxRatio: 10000}); err != nil {
		t.Fatalf("with a higher ratio: %v", err)
	}
	if _, err := ReadZip(data, Limits{MaxRatio: 10000, MaxEntrySize: 1 << 20}); !errors.Is(err, ErrLimit) {
		t.Fatalf("entry size: %v", err)
	}
	many := []zipEntry{}
	for i := 0; i < 20; i++ {
		many = append(many, zipEntry{Name: strings.Repeat("d", i+1)})
	}
	if _, err := ReadZip(makeZip(t, many), Limits{MaxEntries: 10}); !errors.Is(err, ErrLimit) {
		t.Fatalf("entries: %v", err)
	}
}
