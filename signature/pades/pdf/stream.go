package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"fmt"
	"io"
)

// Decode returns the decoded data of a stream. Only the filters needed for
// the document structure are supported: FlateDecode (with PNG and TIFF
// predictors), ASCIIHexDecode and none. The decoded size is bounded by
// Limits.MaxStream per stream and Limits.MaxDecoded per document (deflate
// bombs stop there).
func (d *Document) Decode(st *Stream) ([]byte, error) {
	data := st.Raw
	filters := []Object{}
	switch f := d.Resolve(st.Dict["Filter"]).(type) {
	case nil:
	case Name:
		filters = append(filters, f)
	case Array:
		filters = f
	default:
		return nil, fmt.Errorf("%w: /Filter is %s", ErrFilter, Describe(f))
	}
	parms := []Object{}
	switch p := d.Resolve(st.Dict["DecodeParms"]).(type) {
	case Dict:
		parms = append(parms, p)
	case Array:
		parms = p
	}
	if len(filters) > 4 {
		return nil, fmt.Errorf("%w: %d filters", ErrFilter, len(filters))
	}
	for i, f := range filters {
		var parm Dict
		if i < len(parms) {
			parm = d.Dict(parms[i])
		}
		var err error
		switch d.Resolve(f) {
		case Name("FlateDecode"), Name("Fl"):
			data, err = d.inflate(data)
			if err == nil {
				data, err = unpredict(data, parm)
			}
		case Name("ASCIIHexDecode"), Name("AHx"):
			data, err = asciiHex(data)
		default:
			return nil, fmt.Errorf("%w: %s", ErrFilter, Describe(f))
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (d *Document) inflate(data []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: flate: %v", ErrFilter, err)
	}
	defer zr.Close()
	budget := d.lim.MaxStream
	if rest := d.lim.MaxDecoded - d.decoded; rest < budget {
		budget = rest
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(zr, int64(budget)+1))
	d.decoded += int(n)
	if n > int64(budget) {
		return nil, fmt.Errorf("%w: a stream decodes to more than %d bytes", ErrLimit, budget)
	}
	if err != nil && buf.Len() == 0 {
		return nil, fmt.Errorf("%w: flate: %v", ErrFilter, err)
	}
	// A truncated flate stream keeps what was decoded, as readers do.
	return buf.Bytes(), nil
}

func asciiHex(data []byte) ([]byte, error) {
	var clean []byte
	for _, c := range data {
		if c == '>' {
			break
		}
		if !isWhite(c) {
			clean = append(clean, c)
		}
	}
	if len(clean)%2 == 1 {
		clean = append(clean, '0')
	}
	out := make([]byte, len(clean)/2)
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, fmt.Errorf("%w: ASCIIHex: %v", ErrFilter, err)
	}
	return out, nil
}

// unpredict undoes PNG (10-15) and TIFF (2) predictors (§7.4.4.4).
func unpredict(data []byte, parm Dict) ([]byte, error) {
	if parm == nil {
		return data, nil
	}
	pred, _ := parm.Int("Predictor")
	if pred <= 1 {
		return data, nil
	}
	cols, ok := parm.Int("Columns")
	if !ok {
		cols = 1
	}
	colors, ok := parm.Int("Colors")
	if !ok {
		colors = 1
	}
	bpc, ok := parm.Int("BitsPerComponent")
	if !ok {
		bpc = 8
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16 {
		return nil, fmt.Errorf("%w: predictor parameters", ErrFilter)
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((cols*colors*bpc + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, fmt.Errorf("%w: TIFF predictor with %d bits", ErrFilter, bpc)
		}
		out := append([]byte(nil), data...)
		for r := 0; r+row <= len(out); r += row {
			for i := bpp; i < row; i++ {
				out[r+i] += out[r+i-bpp]
			}
		}
		return out, nil
	}
	if pred < 10 {
		return nil, fmt.Errorf("%w: predictor %d", ErrFilter, pred)
	}
	out := make([]byte, 0, len(data)/(row+1)*row)
	prev := make([]byte, row)
	for r := 0; r+row+1 <= len(data); r += row + 1 {
		typ := data[r]
		cur := append([]byte(nil), data[r+1:r+1+row]...)
		for i := 0; i < row; i++ {
			var a, b, c byte
			if i >= bpp {
				a = cur[i-bpp]
				c = prev[i-bpp]
			}
			b = prev[i]
			switch typ {
			case 0:
			case 1:
				cur[i] += a
			case 2:
				cur[i] += b
			case 3:
				cur[i] += byte((int(a) + int(b)) / 2)
			case 4:
				cur[i] += paeth(a, b, c)
			default:
				return nil, fmt.Errorf("%w: PNG filter type %d", ErrFilter, typ)
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

type objStream struct {
	data  []byte
	first int
	nums  []int
	offs  []int
	index map[int]int // object number -> position (first occurrence)
}

func (d *Document) objStream(num int) (*objStream, error) {
	if os, ok := d.objstm[num]; ok {
		if os == nil {
			return nil, fmt.Errorf("%w: object stream %d is unreadable", ErrSyntax, num)
		}
		return os, nil
	}
	d.objstm[num] = nil
	obj, err := d.Get(num)
	if err != nil {
		return nil, err
	}
	st, ok := obj.(*Stream)
	if !ok || st.Dict.Name("Type") != "ObjStm" {
		return nil, fmt.Errorf("%w: object %d is not an object stream", ErrXref, num)
	}
	data, err := d.Decode(st)
	if err != nil {
		return nil, err
	}
	n, _ := st.Dict.Int("N")
	first, _ := st.Dict.Int("First")
	if n < 0 || n > int64(d.lim.MaxObjects) || first < 0 || first > int64(len(data)) {
		return nil, fmt.Errorf("%w: object stream %d header", ErrSyntax, num)
	}
	os := &objStream{data: data, first: int(first)}
	p := &parser{b: data[:first], base: -1, lim: &d.lim}
	for i := int64(0); i < n; i++ {
		on, ok1 := p.readInt()
		off, ok2 := p.readInt()
		if !ok1 || !ok2 {
			break
		}
		os.nums = append(os.nums, int(on))
		os.offs = append(os.offs, int(off))
	}
	os.index = make(map[int]int, len(os.nums))
	for i := len(os.nums) - 1; i >= 0; i-- {
		os.index[os.nums[i]] = i
	}
	d.objstm[num] = os
	return os, nil
}

func (d *Document) fromObjStream(stm, idx, num int) (Object, error) {
	os, err := d.objStream(stm)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= len(os.nums) || os.nums[idx] != num {
		// Tolerate a wrong index: look the number up.
		i, ok := os.index[num]
		idx = i
		if !ok {
			return nil, fmt.Errorf("%w: object %d not in object stream %d", ErrNotFound, num, stm)
		}
	}
	start := os.first + os.offs[idx]
	if start < os.first || start > len(os.data) {
		return nil, fmt.Errorf("%w: object %d offset in object stream %d", ErrSyntax, num, stm)
	}
	p := &parser{b: os.data, pos: start, base: -1, lim: &d.lim}
	obj, err := p.object(0)
	if err != nil {
		return nil, err
	}
	if _, ok := obj.(keyword); ok {
		return nil, fmt.Errorf("%w: object %d in object stream %d", ErrSyntax, num, stm)
	}
	return obj, nil
}
