package trust

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/sigintake/sigintake/signature/pki"
	"github.com/sigintake/sigintake/signature/xmldsig"
)

// LoadOptions say which lists to read and whom to trust. Time is an input:
// At (the validation time) is required; it decides whether a list is past
// its NextUpdate.
type LoadOptions struct {
	// LOTLFiles are LOTL files, including pivot LOTLs; the one with the
	// highest sequence number whose signature verifies is used.
	LOTLFiles []string
	// Files are national trusted lists (or a LOTL: the type is read from
	// the file).
	Files []string
	// URLs are fetched with a conditional GET and cached in CacheDir; a LOTL
	// or a national list is recognised by its TSLType. DefaultLOTLURL is
	// the EU LOTL.
	URLs []string
	// FollowPointers fetches the national lists the LOTL points to
	// (restricted to Territories when not empty).
	FollowPointers bool
	Territories    []string
	// Signers are the certificates allowed to sign the LOTL (those
	// published in the Official Journal). They also sign a national list
	// when no verified LOTL points to its territory (the case of
	// `sigintake verify --trusted-list FILE --trusted-list-signer PEM`).
	Signers []*pki.Certificate
	// At is the validation time: lists are checked for freshness at At.
	At         time.Time
	HTTPClient *http.Client
	// CacheDir keeps fetched lists (the last good copy of each URL); empty
	// means no cache.
	CacheDir string
	// Progress, when set, is told how many of the lists to fetch online have
	// been fetched (for a progress bar); source is the URL just fetched.
	Progress func(done, total int, source string)
	// SkipSignatureCheck accepts lists without checking their signatures.
	// For tests of edited lists only; never set it in production.
	SkipSignatureCheck bool
}

// ListStatus says whether a list may be used.
type ListStatus string

// List statuses.
const (
	StatusOK          ListStatus = "ok"
	StatusUnchecked   ListStatus = "signature-not-checked" // SkipSignatureCheck
	StatusBadSig      ListStatus = "signature-invalid"
	StatusNoSigners   ListStatus = "no-allowed-signers"
	StatusExpired     ListStatus = "expired"
	StatusNotYetValid ListStatus = "not-yet-valid"
	StatusUnparseable ListStatus = "unparseable"
	StatusFetchFailed ListStatus = "fetch-failed"
)

// Usable reports whether lists with this status may decide qualification.
func (s ListStatus) Usable() bool { return s == StatusOK || s == StatusUnchecked }

// ListSummary describes one loaded list for `sigintake trust show`.
type ListSummary struct {
	Territory       string
	LOTL            bool
	SequenceNumber  int
	IssueDate       time.Time
	NextUpdate      time.Time
	Status          ListStatus
	SignatureStatus string // "valid", "invalid: ...", "not checked"
	Signer          string // subject of the certificate that signed the list
	Services        int
	ServiceCounts   map[string]int // by service type URI
	Source          string
	Error           string
	Warnings        []string
}

type loadedList struct {
	list     *List
	doc      *etree.Document
	source   string
	status   ListStatus
	err      error
	sigState string
	signer   *pki.Certificate
	warnings []string
	fallback []byte // last good cached copy, for URLs
	url      string
	raw      []byte // bytes of a fetched list, to cache when good
	meta     cacheMeta
}

// Lists is a set of loaded trusted lists with an index of their services
// by key and subject key identifier. It is safe for concurrent use once
// loaded.
type Lists struct {
	lists []*loadedList
	lotl  *loadedList
	byKey map[[32]byte][]*Service
	bySKI map[string][]*Service
	at    time.Time
}

// Load reads, verifies and indexes the lists. It returns an error only
// when the options are unusable; a list that cannot be read, fetched or
// verified is kept with its status and reason (see Summaries).
func Load(ctx context.Context, o LoadOptions) (*Lists, error) {
	if o.At.IsZero() {
		return nil, errors.New("trust: LoadOptions.At (validation time) is required")
	}
	ls := &Lists{at: o.At}
	var lotls, nationals []*loadedList
	add := func(l *loadedList, lotlHint bool) {
		ls.lists = append(ls.lists, l)
		if l.list != nil && (l.list.IsLOTL() || (lotlHint && l.list.Type == "")) {
			lotls = append(lotls, l)
		} else if l.list != nil {
			nationals = append(nationals, l)
		}
	}
	lotlRead := parallel(o.LOTLFiles, readFile)
	fileRead := parallel(o.Files, readFile)
	for _, l := range lotlRead {
		add(l, true)
	}
	for _, l := range fileRead {
		add(l, false)
	}
	f := newFetcher(o)
	for _, u := range o.URLs {
		add(f.get(ctx, u), false)
	}

	// Pivot LOTLs announced by a fetched LOTL (SchemeInformationURI) are
	// fetched too, as DSS does.
	have := map[string]bool{}
	for _, l := range ls.lists {
		have[l.source] = true
	}
	for _, l := range append([]*loadedList(nil), lotls...) {
		if l.url == "" {
			continue
		}
		for _, u := range l.list.SchemeInformationURIs {
			if isPivotURL(u) && !have[u] {
				have[u] = true
				add(f.get(ctx, u), true)
			}
		}
	}

	// LOTLs: oldest first; each verified one announces the keys for the
	// next (pivot LOTLs, as DSS follows them), the configured keys stay.
	sort.SliceStable(lotls, func(i, j int) bool { return lotls[i].list.SequenceNumber < lotls[j].list.SequenceNumber })
	allowed := o.Signers
	for _, l := range lotls {
		verifyList(l, allowed, o)
		if l.status == StatusBadSig && l.fallback != nil {
			retryFallback(l, allowed, o)
		}
		if l.sigState == "valid" || l.status == StatusUnchecked {
			ls.lotl = l
			next := append([]*pki.Certificate(nil), o.Signers...)
			for _, p := range l.list.Pointers {
				if p.Type == TSLTypeLOTL {
					next = append(next, p.Signers...)
				}
			}
			allowed = next
		}
	}
	if ls.lotl != nil && o.FollowPointers {
		want := map[string]bool{}
		for _, t := range o.Territories {
			want[t] = true
		}
		var fetch []Pointer
		for _, p := range ls.lotl.list.Pointers {
			if p.Type == TSLTypeLOTL || p.Location == "" || (len(want) > 0 && !want[p.Territory]) ||
				(p.MimeType != "" && p.MimeType != "application/vnd.etsi.tsl+xml") {
				continue
			}
			fetch = append(fetch, p)
		}
		for i, p := range fetch {
			l := f.get(ctx, p.Location)
			if o.Progress != nil {
				o.Progress(i+1, len(fetch), p.Location)
			}
			ls.lists = append(ls.lists, l)
			if l.list != nil {
				nationals = append(nationals, l)
			}
		}
	}
	parallel(nationals, func(l *loadedList) *loadedList {
		signers := o.Signers
		if ls.lotl != nil {
			if ps := ls.lotl.list.pointerSigners(l.list.Territory); ps != nil {
				signers = ps
			}
		}
		verifyList(l, signers, o)
		if !l.status.Usable() && l.fallback != nil {
			retryFallback(l, signers, o)
		}
		if ls.lotl != nil && ls.lotl.status != StatusOK && ls.lotl.status != StatusUnchecked {
			l.warnings = append(l.warnings, fmt.Sprintf("its signers come from a LOTL that is %s (sequence %d)", ls.lotl.status, ls.lotl.list.SequenceNumber))
		}
		return l
	})
	for _, l := range ls.lists {
		if l.url != "" && l.status == StatusOK && f.cache != "" {
			f.store(l)
		}
		l.doc = nil // the tree is not needed once verified
	}
	ls.index()
	return ls, nil
}

func (l *List) pointerSigners(territory string) []*pki.Certificate {
	var out []*pki.Certificate
	found := false
	for _, p := range l.Pointers {
		if p.Territory == territory && p.Type != TSLTypeLOTL {
			found = true
			out = append(out, p.Signers...)
		}
	}
	if !found {
		return nil
	}
	return out
}

func readFile(path string) *loadedList {
	l := &loadedList{source: path}
	fi, err := os.Stat(path)
	if err == nil && fi.Size() > MaxListSize {
		err = fmt.Errorf("%w: %d bytes", ErrParse, fi.Size())
	}
	var data []byte
	if err == nil {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		l.status, l.err = StatusUnparseable, err
		return l
	}
	parseInto(l, data)
	return l
}

// parseInto parses the XML and the scheme information; the providers and
// services are read by verifyList, concurrently with the signature check.
func parseInto(l *loadedList, data []byte) {
	doc, err := xmldsig.Parse(data, listLimits)
	if err != nil {
		l.status, l.err = StatusUnparseable, fmt.Errorf("%w: %w", ErrParse, err)
		return
	}
	list, err := parseScheme(doc)
	if err != nil {
		l.status, l.err = StatusUnparseable, err
		return
	}
	l.list, l.doc = list, doc
}

func retryFallback(l *loadedList, signers []*pki.Certificate, o LoadOptions) {
	failed := l.err
	nl := &loadedList{source: l.source, url: l.url}
	parseInto(nl, l.fallback)
	if nl.list == nil {
		return
	}
	verifyList(nl, signers, o)
	if nl.status.Usable() {
		nl.warnings = append(nl.warnings, fmt.Sprintf("the downloaded copy failed (%v); using the last good cached copy", failed))
		*l = *nl
	}
}

// verifyList reads the list's services and checks its signature (both at
// once) and freshness, and sets its status.
func verifyList(l *loadedList, signers []*pki.Certificate, o LoadOptions) {
	if l.list == nil {
		return
	}
	var tspErr error
	var wg sync.WaitGroup
	if l.list.TSPs == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tspErr = parseTSPs(l.doc, l.list)
		}()
	}
	var sigErr error
	if !o.SkipSignatureCheck {
		sigErr = checkSignature(l, signers)
	}
	wg.Wait()
	for _, tsp := range l.list.TSPs {
		for _, s := range tsp.Services {
			s.list = l
		}
	}
	switch {
	case tspErr != nil:
		l.status, l.err = StatusUnparseable, tspErr
		l.list.TSPs = nil
		return
	case o.SkipSignatureCheck:
		l.status, l.sigState = StatusUnchecked, "not checked"
	case sigErr != nil:
		l.err = sigErr
		l.sigState = "invalid: " + sigErr.Error()
		l.status = StatusBadSig
		if errors.Is(sigErr, ErrNoSigners) {
			l.status = StatusNoSigners
		}
		return
	default:
		l.status, l.sigState = StatusOK, "valid"
	}
	switch {
	case !l.list.NextUpdate.IsZero() && o.At.After(l.list.NextUpdate):
		l.status = StatusExpired
		l.err = fmt.Errorf("%w: NextUpdate %s is before %s", ErrExpired, l.list.NextUpdate.Format(time.RFC3339), o.At.Format(time.RFC3339))
	case l.list.IssueDate.After(o.At):
		l.status = StatusNotYetValid
		l.err = fmt.Errorf("%w: issued %s, validation time %s", ErrNotYet, l.list.IssueDate.Format(time.RFC3339), o.At.Format(time.RFC3339))
	}
}

func checkSignature(l *loadedList, signers []*pki.Certificate) error {
	if len(signers) == 0 {
		return fmt.Errorf("%w (territory %s)", ErrNoSigners, l.list.Territory)
	}
	sigs := xmldsig.FindSignatures(l.doc.Root())
	if len(sigs) != 1 {
		return fmt.Errorf("%w: %d signature elements, want exactly 1", ErrSignature, len(sigs))
	}
	keys := make([]crypto.PublicKey, len(signers))
	for i, c := range signers {
		keys[i] = c.Key
	}
	res, err := xmldsig.Verify(l.doc, sigs[0], xmldsig.Options{Keys: keys, MaxReferences: 8})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	if !res.Covers(l.doc.Root()) {
		return fmt.Errorf("%w: the signature does not cover the whole list", ErrSignature)
	}
	l.signer = signers[res.KeyIndex]
	return nil
}

// index builds the key and SKI maps over every list, usable or not (an
// unusable list makes its results INDETERMINATE rather than invisible).
func (ls *Lists) index() {
	ls.byKey = map[[32]byte][]*Service{}
	ls.bySKI = map[string][]*Service{}
	for _, l := range ls.lists {
		if l.list == nil || l.list.IsLOTL() {
			continue
		}
		for _, tsp := range l.list.TSPs {
			for _, s := range tsp.Services {
				seenK := map[[32]byte]bool{}
				seenS := map[string]bool{}
				for _, c := range s.Identity.Certificates {
					k := sha256.Sum256(c.RawSubjectPublicKeyInfo)
					if !seenK[k] {
						seenK[k] = true
						ls.byKey[k] = append(ls.byKey[k], s)
					}
					if ski := string(skiOf(c)); ski != "" && !seenS[ski] {
						seenS[ski] = true
						ls.bySKI[ski] = append(ls.bySKI[ski], s)
					}
				}
				for _, ski := range s.Identity.SKIs {
					if !seenS[string(ski)] {
						seenS[string(ski)] = true
						ls.bySKI[string(ski)] = append(ls.bySKI[string(ski)], s)
					}
				}
			}
		}
	}
}

// Summaries describes every list, in load order.
func (ls *Lists) Summaries() []ListSummary {
	var out []ListSummary
	for _, l := range ls.lists {
		s := ListSummary{Source: l.source, Status: l.status, SignatureStatus: l.sigState, Warnings: l.warnings}
		if l.err != nil {
			s.Error = l.err.Error()
		}
		if l.signer != nil {
			s.Signer = l.signer.SubjectString()
		}
		if l.list != nil {
			s.Territory, s.LOTL = l.list.Territory, l.list.IsLOTL()
			s.SequenceNumber, s.IssueDate, s.NextUpdate = l.list.SequenceNumber, l.list.IssueDate, l.list.NextUpdate
			s.ServiceCounts = map[string]int{}
			for _, t := range l.list.TSPs {
				for _, sv := range t.Services {
					s.Services++
					s.ServiceCounts[sv.Versions[0].Type]++
				}
			}
			if s.LOTL {
				s.Services = len(l.list.Pointers)
			}
		}
		out = append(out, s)
	}
	return out
}

// ListsOf returns the parsed lists (for display and tests).
func (ls *Lists) ListsOf() []*List {
	var out []*List
	for _, l := range ls.lists {
		if l.list != nil {
			out = append(out, l.list)
		}
	}
	return out
}

func cacheName(dir, url string) string {
	h := sha256.Sum256([]byte(url))
	return filepath.Join(dir, fmt.Sprintf("%x", h[:16]))
}

// isPivotURL recognises the pivot LOTL locations the EU LOTL lists in its
// SchemeInformationURI (e.g. .../eu-lotl-pivot-300.xml).
func isPivotURL(u string) bool {
	return strings.Contains(u, "pivot") && strings.HasSuffix(u, ".xml") &&
		(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"))
}

// parallel applies fn to each input on GOMAXPROCS workers, keeping order.
func parallel[T any](in []T, fn func(T) *loadedList) []*loadedList {
	out := make([]*loadedList, len(in))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, x := range in {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = fn(x)
		}()
	}
	wg.Wait()
	return out
}
