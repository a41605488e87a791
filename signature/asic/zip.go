package asic

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits bound the work done on an untrusted ZIP archive. Zero fields take
// the defaults of DefaultLimits.
type Limits struct {
	// MaxEntries is the largest number of entries (files and folders).
	MaxEntries int
	// MaxEntrySize is the largest uncompressed size of one entry.
	MaxEntrySize int64
	// MaxTotalSize is the largest uncompressed size of all entries together.
	MaxTotalSize int64
	// MaxRatio is the largest compression ratio (uncompressed/compressed)
	// of an entry larger than 1 MiB uncompressed.
	MaxRatio int64
}

// DefaultLimits are generous for letters (a State Treasury mailbox takes
// attachments of tens of MB) and stop zip bombs early.
var DefaultLimits = Limits{MaxEntries: 1000, MaxEntrySize: 64 << 20, MaxTotalSize: 128 << 20, MaxRatio: 200}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = DefaultLimits.MaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultLimits.MaxTotalSize
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultLimits.MaxRatio
	}
	return l
}

// Errors of the container reader; test with errors.Is.
var (
	ErrNotZip      = errors.New("asic: not a readable ZIP archive")
	ErrLimit       = errors.New("asic: archive exceeds a size, count or compression limit")
	ErrPath        = errors.New("asic: unsafe or invalid entry name")
	ErrDuplicate   = errors.New("asic: duplicate entry name")
	ErrOverlap     = errors.New("asic: overlapping entries")
	ErrEncrypted   = errors.New("asic: encrypted entry")
	ErrMethod      = errors.New("asic: unsupported compression method")
	ErrCorrupt     = errors.New("asic: corrupt entry")
	ErrContainer   = errors.New("asic: not a valid ASiC container")
	ErrUnsupported = errors.New("asic: unsupported container content")
)

// Entry is one file of an archive, read and decompressed within the limits.
type Entry struct {
	Name string
	// Method is the ZIP compression method (0 stored, 8 deflated).
	Method uint16
	// Extra is the length of the entry's extra field in the central directory.
	Extra int
	Data  []byte
	// Dir is true for a folder entry (name ending in "/", no data).
	Dir bool
}

// Archive is a ZIP archive read in full: every entry decompressed and
// checked. Entries are in central-directory order.
type Archive struct {
	Entries []*Entry
	// FirstLocalName is the file name in the first local file header, and
	// FirstDataOffset the offset of its data (ASiC's mimetype rule).
	FirstLocalName  string
	FirstDataOffset int64
	Comment         string
	byName          map[string]*Entry
}

// Lookup returns the entry named name (exactly).
func (a *Archive) Lookup(name string) (*Entry, bool) {
	e, ok := a.byName[name]
	return e, ok
}

// ReadZip reads data as a ZIP archive (APPNOTE 6.3.x as archive/zip
// implements it) within the limits. It never trusts the sizes in the
// headers: every entry is decompressed as a stream with a cap. It refuses
// unsafe names (absolute, "..", backslashes, drive letters, control
// characters, invalid UTF-8), names that are equal or equal ignoring case,
// overlapping entries (the overlap zip bomb), encryption and methods other
// than stored and deflate.
func ReadZip(data []byte, l Limits) (*Archive, error) {
	l = l.withDefaults()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %v", ErrNotZip, err)
	}
	if zr == nil {
		return nil, ErrNotZip
	}
	if len(zr.File) == 0 {
		return nil, fmt.Errorf("%w: the archive has no entries", ErrContainer)
	}
	if len(zr.File) > l.MaxEntries {
		return nil, fmt.Errorf("%w: %d entries (at most %d)", ErrLimit, len(zr.File), l.MaxEntries)
	}
	a := &Archive{byName: map[string]*Entry{}, Comment: zr.Comment}
	if len(data) >= 30 && string(data[:4]) == "PK\x03\x04" {
		n := int(data[26]) | int(data[27])<<8
		x := int(data[28]) | int(data[29])<<8
		if 30+n <= len(data) {
			a.FirstLocalName = string(data[30 : 30+n])
			a.FirstDataOffset = int64(30 + n + x)
		}
	}
	folded := map[string]string{}
	type span struct{ start, end int64 }
	var spans []span
	var total int64
	for _, f := range zr.File {
		if err := checkName(f.Name); err != nil {
			return nil, err
		}
		if _, dup := a.byName[f.Name]; dup {
			return nil, fmt.Errorf("%w: %q", ErrDuplicate, f.Name)
		}
		key := strings.ToLower(f.Name)
		if other, dup := folded[key]; dup {
			return nil, fmt.Errorf("%w: %q and %q differ only in case", ErrDuplicate, other, f.Name)
		}
		folded[key] = f.Name
		if f.Flags&0x1 != 0 {
			return nil, fmt.Errorf("%w: %q", ErrEncrypted, f.Name)
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, fmt.Errorf("%w: %q uses method %d", ErrMethod, f.Name, f.Method)
		}
		off, err := f.DataOffset()
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrCorrupt, f.Name, err)
		}
		if f.CompressedSize64 > uint64(len(data)) || off+int64(f.CompressedSize64) > int64(len(data)) {
			return nil, fmt.Errorf("%w: %q extends past the end of the archive", ErrCorrupt, f.Name)
		}
		spans = append(spans, span{off, off + int64(f.CompressedSize64)})
		e := &Entry{Name: f.Name, Method: f.Method, Extra: len(f.Extra), Dir: strings.HasSuffix(f.Name, "/")}
		e.Data, err = readEntry(f, l, l.MaxTotalSize-total)
		if err != nil {
			return nil, err
		}
		if e.Dir && len(e.Data) > 0 {
			return nil, fmt.Errorf("%w: folder entry %q has data", ErrCorrupt, f.Name)
		}
		total += int64(len(e.Data))
		a.Entries = append(a.Entries, e)
		a.byName[f.Name] = e
	}
	// A data region shared by two entries is the overlap zip bomb
	// (D. Fifield, "A better zip bomb", 2019); honest archives never do it.
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return nil, fmt.Errorf("%w: two entries share compressed data", ErrOverlap)
		}
	}
	return a, nil
}

// readEntry decompresses f, stopping at the limits whatever the headers say.
func readEntry(f *zip.File, l Limits, totalLeft int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	limit := min(l.MaxEntrySize, totalLeft)
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %q declares %d bytes", ErrLimit, f.Name, f.UncompressedSize64)
	}
	// The ratio cap: 1 MiB of slack, then at most MaxRatio times the
	// compressed size.
	ratioCap := int64(1<<20) + int64(f.CompressedSize64)*l.MaxRatio
	limit = min(limit, ratioCap)
	var buf bytes.Buffer
	if f.UncompressedSize64 < uint64(limit) {
		buf.Grow(int(f.UncompressedSize64))
	}
	n, err := io.Copy(&buf, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrCorrupt, f.Name, err)
	}
	if n > limit {
		what := "size"
		if limit == ratioCap {
			what = "compression ratio"
		}
		return nil, fmt.Errorf("%w: %q exceeds the %s limit", ErrLimit, f.Name, what)
	}
	return buf.Bytes(), nil
}

// checkName refuses entry names that could escape a folder or confuse a
// reader (zip-slip).
func checkName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrPath, name, why) }
	switch {
	case name == "":
		return bad("empty name")
	case !utf8.ValidString(name):
		return bad("not UTF-8")
	case strings.ContainsRune(name, '\\'):
		return bad("backslash")
	case strings.HasPrefix(name, "/"):
		return bad("absolute path")
	case len(name) >= 2 && name[1] == ':':
		return bad("drive letter")
	case len(name) > 1024:
		return bad("too long")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return bad("control character")
		}
	}
	trimmed := strings.TrimSuffix(name, "/")
	for _, seg := range strings.Split(trimmed, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return bad("empty, . or .. path segment")
		}
	}
	if path.Clean(trimmed) != trimmed {
		return bad("not a clean path")
	}
	return nil
}
