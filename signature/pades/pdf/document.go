package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
)

// Errors of the reader, wrapped with details.
var (
	ErrSyntax   = errors.New("pdf: syntax error")
	ErrLimit    = errors.New("pdf: limit exceeded")
	ErrXref     = errors.New("pdf: broken cross-reference data")
	ErrNotFound = errors.New("pdf: object not found")
	ErrLoop     = errors.New("pdf: reference loop")
	ErrFilter   = errors.New("pdf: unsupported or broken stream filter")
	ErrNotPDF   = errors.New("pdf: not a PDF file")
)

const maxDepthDefault = 64

// Limits bound what the reader accepts. A zero field means its default.
type Limits struct {
	MaxSize     int // input bytes; default 64 MiB
	MaxObjects  int // highest object number and xref entries; default 1,000,000
	MaxDepth    int // nesting of arrays/dictionaries and reference chains; default 64
	MaxElements int // elements in one object; default 1,000,000
	// MaxStream is the largest decoded stream (xref and object streams);
	// default 8 MiB (an xref stream of a million objects is about 5 MiB).
	// MaxDecoded bounds all decoding of one Document; default 64 MiB.
	MaxStream  int
	MaxDecoded int
	// MaxSections is the number of cross-reference sections followed
	// through /Prev; default 4096.
	MaxSections int
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxSize, 64<<20)
	def(&l.MaxObjects, 1_000_000)
	def(&l.MaxDepth, maxDepthDefault)
	def(&l.MaxElements, 1_000_000)
	def(&l.MaxStream, 8<<20)
	def(&l.MaxDecoded, 64<<20)
	def(&l.MaxSections, 4096)
	return l
}

// Entry is one cross-reference entry (ISO 32000-1 §7.5.4, §7.5.8.3).
type Entry struct {
	// Type: 0 free, 1 in use at Offset, 2 compressed in object stream
	// Stream at Index.
	Type   int
	Offset int64
	Gen    int
	Stream int
	Index  int
}

// Section is one cross-reference section with its trailer: one revision's
// update (ISO 32000-1 §7.5.6).
type Section struct {
	// Offset is the section's startxref offset.
	Offset  int64
	Stream  bool // a cross-reference stream (§7.5.8)
	Trailer Dict
	Entries map[int]Entry
}

// Document is a parsed PDF: its cross-reference sections, newest first,
// merged into one object table. Objects are parsed on demand and cached.
type Document struct {
	data []byte
	lim  Limits
	// Sections are newest first, following /Prev.
	Sections []Section
	// Trailer is the newest trailer (Root, Info, ID, Encrypt).
	Trailer Dict
	// Repaired is set when the cross-reference data was broken and the
	// object table was reconstructed by scanning the file; Problems say
	// what was wrong.
	Repaired bool
	Problems []string

	table   map[int]Entry
	cache   map[int]Object
	busy    map[int]bool
	objstm  map[int]*objStream
	decoded int
	scanned map[int]int64 // reconstructed "N G obj" offsets (last wins)
	// misplaced objects: their cross-reference offset holds another
	// object or none, and they were found by scanning instead.
	misplaced map[int]bool
	byOffset  map[int64]parsed
	// offsets (sorted) and hits serve RawContains.
	offsets []int64
	hits    map[string][]int64
}

// Misplaced reports whether object num's cross-reference entry points to
// bytes that are not that object (readers then disagree on what it is).
// Only objects read so far are known.
func (d *Document) Misplaced(num int) bool { return d.misplaced[num] }

// Open parses data. An error means no object table could be built at all,
// even by reconstruction.
func Open(data []byte, lim Limits) (*Document, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrLimit, len(data), lim.MaxSize)
	}
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, ErrNotPDF
	}
	d := &Document{data: data, lim: lim, table: map[int]Entry{}, cache: map[int]Object{}, busy: map[int]bool{}, objstm: map[int]*objStream{}}
	err := d.readXref()
	if err == nil && d.Root() == nil {
		// A chain that parses but does not lead to the catalog (an empty
		// update section without /Prev): readers repair; so do we.
		err = fmt.Errorf("%w: the catalog %v is not in the cross-reference data", ErrXref, d.Trailer["Root"])
		d.Sections = nil
	}
	if err != nil {
		d.Problems = append(d.Problems, err.Error())
		if rerr := d.reconstruct(); rerr != nil {
			return nil, fmt.Errorf("%w (reconstruction: %v)", err, rerr)
		}
	}
	return d, nil
}

// Data returns the bytes the document was opened from.
func (d *Document) Data() []byte { return d.data }

// Len returns the number of bytes of the document.
func (d *Document) Len() int { return len(d.data) }

// StartXref returns the offset after the last "startxref" keyword, -1 if
// none.
func StartXref(data []byte) int64 {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return -1
	}
	p := &parser{b: data, pos: i + len("startxref"), base: 0, lim: &Limits{}}
	n, ok := p.readInt()
	if !ok {
		return -1
	}
	return n
}

func (d *Document) readXref() error {
	off := StartXref(d.data)
	if off < 0 {
		return fmt.Errorf("%w: no startxref", ErrXref)
	}
	seen := map[int64]bool{}
	for off >= 0 {
		if seen[off] {
			return fmt.Errorf("%w: /Prev loop at offset %d", ErrXref, off)
		}
		seen[off] = true
		if len(d.Sections) >= d.lim.MaxSections {
			return fmt.Errorf("%w: more than %d cross-reference sections", ErrLimit, d.lim.MaxSections)
		}
		sec, err := d.readSection(off)
		if err != nil {
			return err
		}
		d.Sections = append(d.Sections, *sec)
		off = -1
		if prev, ok := sec.Trailer["Prev"].(int64); ok {
			off = prev
		}
	}
	// Merge: newest first wins.
	for i := len(d.Sections) - 1; i >= 0; i-- {
		for n, e := range d.Sections[i].Entries {
			d.table[n] = e
		}
	}
	d.Trailer = d.Sections[0].Trailer
	if _, ok := d.Trailer["Root"].(Ref); !ok {
		return fmt.Errorf("%w: the trailer has no /Root reference", ErrXref)
	}
	return nil
}

func (d *Document) readSection(off int64) (*Section, error) {
	if off < 0 || off >= int64(len(d.data)) {
		return nil, fmt.Errorf("%w: section offset %d outside the file", ErrXref, off)
	}
	p := &parser{b: d.data, pos: int(off), base: 0, lim: &d.lim}
	p.skipWS()
	if bytes.HasPrefix(d.data[p.pos:], []byte("xref")) {
		p.pos += 4
		sec, err := d.readTable(p, off)
		if err != nil {
			return nil, err
		}
		// Hybrid files (§7.5.8.4): entries of the /XRefStm stream fill in
		// what the table leaves out.
		if xs, ok := sec.Trailer["XRefStm"].(int64); ok {
			if s2, err := d.readXrefStream(xs); err == nil {
				for n, e := range s2.Entries {
					if _, ok := sec.Entries[n]; !ok {
						sec.Entries[n] = e
					}
				}
			} else {
				d.Problems = append(d.Problems, "hybrid /XRefStm unreadable: "+err.Error())
			}
		}
		return sec, nil
	}
	return d.readXrefStream(off)
}

func (d *Document) readTable(p *parser, off int64) (*Section, error) {
	sec := &Section{Offset: off, Entries: map[int]Entry{}}
	for {
		start, ok := p.readInt()
		if !ok {
			break
		}
		count, ok := p.readInt()
		if !ok {
			return nil, fmt.Errorf("%w: bad subsection header at %d", ErrXref, p.pos)
		}
		if start+count > int64(d.lim.MaxObjects) || count < 0 {
			return nil, fmt.Errorf("%w: subsection %d+%d exceeds %d objects", ErrLimit, start, count, d.lim.MaxObjects)
		}
		for i := int64(0); i < count; i++ {
			o, ok1 := p.readInt()
			g, ok2 := p.readInt()
			p.skipWS()
			t := p.token()
			if !ok1 || !ok2 || len(t) != 1 || (t[0] != 'n' && t[0] != 'f') {
				return nil, fmt.Errorf("%w: bad entry %d of subsection %d", ErrXref, i, start)
			}
			n := int(start + i)
			if _, dup := sec.Entries[n]; dup {
				continue
			}
			if t[0] == 'n' {
				sec.Entries[n] = Entry{Type: 1, Offset: o, Gen: int(g)}
			} else {
				sec.Entries[n] = Entry{Type: 0, Gen: int(g)}
			}
		}
	}
	if !p.expectKeyword("trailer") {
		return nil, fmt.Errorf("%w: no trailer after the table at %d", ErrXref, off)
	}
	t, err := p.object(0)
	if err != nil {
		return nil, fmt.Errorf("%w: trailer: %v", ErrXref, err)
	}
	td, ok := t.(Dict)
	if !ok {
		return nil, fmt.Errorf("%w: trailer is not a dictionary", ErrXref)
	}
	sec.Trailer = td
	return sec, nil
}

func (d *Document) readXrefStream(off int64) (*Section, error) {
	obj, _, err := d.parseIndirectAt(off, -1)
	if err != nil {
		return nil, fmt.Errorf("%w: at %d: %v", ErrXref, off, err)
	}
	st, ok := obj.(*Stream)
	if !ok || st.Dict.Name("Type") != "XRef" {
		return nil, fmt.Errorf("%w: no xref table or stream at offset %d", ErrXref, off)
	}
	data, err := d.Decode(st)
	if err != nil {
		return nil, fmt.Errorf("%w: xref stream: %v", ErrXref, err)
	}
	w, ok := st.Dict["W"].(Array)
	if !ok || len(w) != 3 {
		return nil, fmt.Errorf("%w: xref stream /W", ErrXref)
	}
	var ws [3]int
	for i := range ws {
		v, ok := w[i].(int64)
		if !ok || v < 0 || v > 8 {
			return nil, fmt.Errorf("%w: xref stream /W", ErrXref)
		}
		ws[i] = int(v)
	}
	size, _ := st.Dict.Int("Size")
	index := []int64{0, size}
	if ia, ok := st.Dict["Index"].(Array); ok {
		index = index[:0]
		for _, v := range ia {
			n, ok := v.(int64)
			if !ok {
				return nil, fmt.Errorf("%w: xref stream /Index", ErrXref)
			}
			index = append(index, n)
		}
		if len(index)%2 != 0 {
			return nil, fmt.Errorf("%w: xref stream /Index", ErrXref)
		}
	}
	rec := ws[0] + ws[1] + ws[2]
	if rec == 0 {
		return nil, fmt.Errorf("%w: xref stream /W all zero", ErrXref)
	}
	sec := &Section{Offset: off, Stream: true, Trailer: st.Dict, Entries: map[int]Entry{}}
	pos := 0
	field := func(n int) int64 {
		var v int64
		for i := 0; i < n; i++ {
			v = v<<8 | int64(data[pos])
			pos++
		}
		return v
	}
	for i := 0; i+1 < len(index); i += 2 {
		start, count := index[i], index[i+1]
		if start < 0 || count < 0 || start+count > int64(d.lim.MaxObjects) {
			return nil, fmt.Errorf("%w: xref stream subsection %d+%d", ErrLimit, start, count)
		}
		for k := int64(0); k < count; k++ {
			if pos+rec > len(data) {
				return nil, fmt.Errorf("%w: xref stream data too short", ErrXref)
			}
			typ := int64(1)
			if ws[0] > 0 {
				typ = field(ws[0])
			}
			f2, f3 := field(ws[1]), field(ws[2])
			n := int(start + k)
			if _, dup := sec.Entries[n]; dup {
				continue
			}
			switch typ {
			case 0:
				sec.Entries[n] = Entry{Type: 0, Gen: int(f3)}
			case 1:
				sec.Entries[n] = Entry{Type: 1, Offset: f2, Gen: int(f3)}
			case 2:
				sec.Entries[n] = Entry{Type: 2, Stream: int(f2), Index: int(f3)}
			}
		}
	}
	return sec, nil
}

// reconstruct builds the object table by scanning for "N G obj" (the last
// definition of a number wins, as in an incremental file) and takes the
// last trailer with a /Root, or the last /Type /Catalog object.
func (d *Document) reconstruct() error {
	d.Repaired = true
	d.scan()
	d.table = map[int]Entry{}
	for n, off := range d.scanned {
		d.table[n] = Entry{Type: 1, Offset: off}
	}
	// Objects inside object streams: read every ObjStm found.
	nums := make([]int, 0, len(d.scanned))
	for n := range d.scanned {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		obj, err := d.Get(n)
		if err != nil {
			continue
		}
		st, ok := obj.(*Stream)
		if !ok || st.Dict.Name("Type") != "ObjStm" {
			continue
		}
		os, err := d.objStream(n)
		if err != nil {
			continue
		}
		for i, num := range os.nums {
			if _, ok := d.table[num]; !ok {
				d.table[num] = Entry{Type: 2, Stream: n, Index: i}
			}
		}
	}
	d.cache = map[int]Object{}
	var trailer Dict
	for i := bytes.LastIndex(d.data, []byte("trailer")); i >= 0; {
		p := &parser{b: d.data, pos: i + len("trailer"), lim: &d.lim}
		if t, err := p.object(0); err == nil {
			if td, ok := t.(Dict); ok {
				if _, ok := td["Root"].(Ref); ok {
					trailer = td
					break
				}
			}
		}
		i = bytes.LastIndex(d.data[:i], []byte("trailer"))
	}
	if trailer == nil {
		// Cross-reference streams carry the trailer keys.
		for _, n := range nums {
			if obj, err := d.Get(n); err == nil {
				if st, ok := obj.(*Stream); ok && st.Dict.Name("Type") == "XRef" {
					if _, ok := st.Dict["Root"].(Ref); ok {
						trailer = st.Dict
					}
				}
			}
		}
	}
	if trailer == nil {
		for i := len(nums) - 1; i >= 0; i-- {
			if obj, err := d.Get(nums[i]); err == nil {
				if dd, ok := obj.(Dict); ok && dd.Name("Type") == "Catalog" {
					trailer = Dict{"Root": Ref{Num: nums[i]}}
					break
				}
			}
		}
	}
	if trailer == nil {
		return fmt.Errorf("%w: no trailer and no catalog found", ErrXref)
	}
	d.Trailer = trailer
	return nil
}

// scan finds every "N G obj" at the start of a line (or of the file).
func (d *Document) scan() {
	if d.scanned != nil {
		return
	}
	d.scanned = map[int]int64{}
	b := d.data
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("obj"))
		if j < 0 {
			return
		}
		k := i + j
		i = k + 3
		if i < len(b) && isRegular(b[i]) {
			continue
		}
		// Walk back over "N G ".
		q := k - 1
		for q >= 0 && isWhite(b[q]) {
			q--
		}
		ge := q + 1
		for q >= 0 && b[q] >= '0' && b[q] <= '9' {
			q--
		}
		if q+1 == ge {
			continue
		}
		ne := q
		for q >= 0 && isWhite(b[q]) {
			q--
		}
		if q == ne {
			continue
		}
		nEnd := q + 1
		for q >= 0 && b[q] >= '0' && b[q] <= '9' {
			q--
		}
		if q+1 == nEnd || nEnd-(q+1) > 9 {
			continue
		}
		if q >= 0 && !isWhite(b[q]) && !isDelim(b[q]) {
			continue
		}
		n := 0
		for _, c := range b[q+1 : nEnd] {
			n = n*10 + int(c-'0')
		}
		if n > d.lim.MaxObjects {
			continue
		}
		if len(d.scanned) >= d.lim.MaxObjects {
			return
		}
		d.scanned[n] = int64(q + 1)
	}
}

// Numbers returns the object numbers of the table in use, sorted.
func (d *Document) Numbers() []int {
	out := make([]int, 0, len(d.table))
	for n, e := range d.table {
		if e.Type != 0 {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

// Entry returns the merged cross-reference entry of object num.
func (d *Document) Entry(num int) (Entry, bool) {
	e, ok := d.table[num]
	return e, ok
}

// Get returns object num (not resolving references inside it). A free or
// missing object is nil with ErrNotFound.
func (d *Document) Get(num int) (Object, error) {
	if o, ok := d.cache[num]; ok {
		return o, nil
	}
	if d.busy[num] {
		return nil, fmt.Errorf("%w: object %d refers to itself while being read", ErrLoop, num)
	}
	if len(d.busy) >= d.lim.MaxDepth {
		return nil, fmt.Errorf("%w: object %d: reading it needs more than %d other objects first", ErrLimit, num, d.lim.MaxDepth)
	}
	e, ok := d.table[num]
	if !ok || e.Type == 0 {
		return nil, fmt.Errorf("%w: object %d", ErrNotFound, num)
	}
	d.busy[num] = true
	defer delete(d.busy, num)
	var obj Object
	var err error
	switch e.Type {
	case 1:
		var gotNum int
		obj, gotNum, err = d.parseIndirectAt(e.Offset, num)
		if err == nil && gotNum != num {
			err = fmt.Errorf("%w: offset %d holds object %d, not %d", ErrXref, e.Offset, gotNum, num)
		}
		if err != nil {
			// Tolerate wrong offsets: use the scanned position.
			d.scan()
			if off, ok := d.scanned[num]; ok && off != e.Offset {
				if o2, n2, err2 := d.parseIndirectAt(off, num); err2 == nil && n2 == num {
					if d.misplaced == nil {
						d.misplaced = map[int]bool{}
					}
					d.misplaced[num] = true
					d.Problems = append(d.Problems, fmt.Sprintf("object %d: cross-reference offset %d is wrong; found at %d", num, e.Offset, off))
					obj, err = o2, nil
				}
			}
		}
	case 2:
		obj, err = d.fromObjStream(e.Stream, e.Index, num)
	}
	if err != nil {
		return nil, err
	}
	d.cache[num] = obj
	return obj, nil
}

// Resolve follows references until a direct object (nil when missing).
func (d *Document) Resolve(o Object) Object {
	for i := 0; i < d.lim.MaxDepth; i++ {
		r, ok := o.(Ref)
		if !ok {
			return o
		}
		var err error
		o, err = d.Get(r.Num)
		if err != nil {
			return nil
		}
	}
	return nil
}

// Dict resolves o to a dictionary (a stream's dictionary too), nil if not.
func (d *Document) Dict(o Object) Dict {
	switch x := d.Resolve(o).(type) {
	case Dict:
		return x
	case *Stream:
		return x.Dict
	}
	return nil
}

// Root returns the document catalog.
func (d *Document) Root() Dict { return d.Dict(d.Trailer["Root"]) }

type parsed struct {
	obj Object
	num int
	err error
}

// parseIndirectAt parses "N G obj ... endobj" at off, once per offset
// (cross-reference entries that all point at one large object cost one
// parse).
func (d *Document) parseIndirectAt(off int64, want int) (Object, int, error) {
	if r, ok := d.byOffset[off]; ok {
		return r.obj, r.num, r.err
	}
	obj, num, err := d.parseIndirectAtOnce(off, want)
	if d.byOffset == nil {
		d.byOffset = map[int64]parsed{}
	}
	d.byOffset[off] = parsed{obj, num, err}
	return obj, num, err
}

func (d *Document) parseIndirectAtOnce(off int64, want int) (Object, int, error) {
	if off < 0 || off >= int64(len(d.data)) {
		return nil, 0, fmt.Errorf("%w: offset %d outside the file", ErrXref, off)
	}
	p := &parser{b: d.data, pos: int(off), base: 0, lim: &d.lim}
	n, ok1 := p.readInt()
	_, ok2 := p.readInt()
	if !ok1 || !ok2 || !p.expectKeyword("obj") {
		return nil, 0, fmt.Errorf("%w: no object header at offset %d", ErrSyntax, off)
	}
	obj, err := p.object(0)
	if err != nil {
		return nil, int(n), err
	}
	if _, ok := obj.(keyword); ok {
		if obj == keyword("endobj") {
			return nil, int(n), nil
		}
		return nil, int(n), p.errorf("unexpected keyword")
	}
	dict, isDict := obj.(Dict)
	save := p.pos
	if isDict && p.expectKeyword("stream") {
		// §7.3.8.1: "stream" is followed by CRLF or LF.
		if p.pos < len(p.b) && p.b[p.pos] == '\r' {
			p.pos++
		}
		if p.pos < len(p.b) && p.b[p.pos] == '\n' {
			p.pos++
		}
		start := p.pos
		length := int64(-1)
		switch l := dict["Length"].(type) {
		case int64:
			length = l
		case Ref:
			if l.Num != int(n) {
				if v, ok := d.Resolve(l).(int64); ok {
					length = v
				}
			}
		}
		end := -1
		if length >= 0 && int64(start)+length <= int64(len(p.b)) {
			q := &parser{b: p.b, pos: start + int(length), lim: p.lim}
			if q.expectKeyword("endstream") {
				end = start + int(length)
			}
		}
		if end < 0 {
			// Wrong or missing /Length: the data end at "endstream".
			k := bytes.Index(p.b[start:], []byte("endstream"))
			if k < 0 {
				return nil, int(n), p.errorf("stream without endstream")
			}
			end = start + k
			for end > start && (p.b[end-1] == '\n' || p.b[end-1] == '\r') {
				end--
				if p.b[end] == '\n' && end > start && p.b[end-1] == '\r' {
					end--
				}
				break
			}
		}
		return &Stream{Dict: dict, Raw: p.b[start:end:end], Offset: int64(start)}, int(n), nil
	}
	p.pos = save
	return obj, int(n), nil
}

// FirstObjectOffset returns the smallest file offset of an object in use
// in the cross-reference table, -1 when none.
func (d *Document) FirstObjectOffset() int64 {
	first := int64(-1)
	for _, e := range d.table {
		if e.Type == 1 && (first < 0 || e.Offset < first) {
			first = e.Offset
		}
	}
	return first
}

// RawContains reports whether the bytes of object num, from its offset to
// the next object's offset, contain s: a look at objects without parsing
// them. The occurrences of s are found once per document.
func (d *Document) RawContains(num int, s string) bool {
	e, ok := d.table[num]
	if !ok || e.Type != 1 || e.Offset < 0 || e.Offset >= int64(len(d.data)) {
		return false
	}
	if d.offsets == nil {
		for _, e := range d.table {
			if e.Type == 1 {
				d.offsets = append(d.offsets, e.Offset)
			}
		}
		sort.Slice(d.offsets, func(i, j int) bool { return d.offsets[i] < d.offsets[j] })
		d.hits = map[string][]int64{}
	}
	hits, ok := d.hits[s]
	if !ok {
		for i := 0; ; {
			j := bytes.Index(d.data[i:], []byte(s))
			if j < 0 {
				break
			}
			hits = append(hits, int64(i+j))
			i += j + 1
		}
		d.hits[s] = hits
	}
	end := int64(len(d.data))
	if k := sort.Search(len(d.offsets), func(i int) bool { return d.offsets[i] > e.Offset }); k < len(d.offsets) {
		end = d.offsets[k]
	}
	k := sort.Search(len(hits), func(i int) bool { return hits[i] >= e.Offset })
	return k < len(hits) && hits[k] < end
}
