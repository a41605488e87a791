package pdf

import (
	"fmt"
	"sort"
	"strconv"
)

// Object is a PDF object (ISO 32000-1 §7.3): nil (null), bool, int64,
// float64, Name, String, Array, Dict, *Stream or Ref.
type Object any

// Name is a PDF name object without its leading slash, #xx escapes decoded.
type Name string

// String is a PDF string object. Start and End are the file offsets of the
// token including its delimiters ("<" ... ">" or "(" ... ")"), or -1 for a
// string read from a decompressed object stream.
type String struct {
	Value      []byte
	Hex        bool
	Start, End int64
}

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary.
type Dict map[Name]Object

// Ref is an indirect reference "Num Gen R".
type Ref struct {
	Num int
	Gen int
}

func (r Ref) String() string { return strconv.Itoa(r.Num) + " " + strconv.Itoa(r.Gen) + " R" }

// Stream is a stream object: its dictionary and its encoded data as stored
// in the file (a slice of the input).
type Stream struct {
	Dict Dict
	Raw  []byte
	// Offset is the file offset of the first data byte, -1 when unknown.
	Offset int64
}

// Name returns d[key] when it is a name, "" otherwise (no resolution).
func (d Dict) Name(key Name) Name {
	n, _ := d[key].(Name)
	return n
}

// Int returns d[key] when it is an integer.
func (d Dict) Int(key Name) (int64, bool) {
	i, ok := d[key].(int64)
	return i, ok
}

// Equal reports whether two objects are the same value: references are
// compared as references (not resolved), streams by dictionary and raw data.
func Equal(a, b Object) bool {
	return equal(a, b, 0)
}

func equal(a, b Object, depth int) bool {
	if depth > maxDepthDefault {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, int64, Name, Ref:
		return a == b
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int64:
			return x == float64(y)
		}
		return false
	case String:
		y, ok := b.(String)
		return ok && string(x.Value) == string(y.Value)
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case Dict:
		y, ok := b.(Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w, depth+1) {
				return false
			}
		}
		return true
	case *Stream:
		y, ok := b.(*Stream)
		if !ok {
			return false
		}
		return string(x.Raw) == string(y.Raw) && equalStreamDict(x.Dict, y.Dict, depth)
	}
	return false
}

// equalStreamDict compares stream dictionaries ignoring /Length, whose
// value (direct or indirect) does not change what the stream holds once
// the raw data are equal.
func equalStreamDict(x, y Dict, depth int) bool {
	n := 0
	for k, v := range x {
		if k == "Length" {
			continue
		}
		n++
		w, ok := y[k]
		if !ok || !equal(v, w, depth+1) {
			return false
		}
	}
	m := 0
	for k := range y {
		if k != "Length" {
			m++
		}
	}
	return n == m
}

// DiffKeys returns the keys whose values differ between two dictionaries
// (present in one only, or different).
func DiffKeys(a, b Dict) []Name {
	var out []Name
	for k, v := range a {
		if w, ok := b[k]; !ok || !Equal(v, w) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Describe renders a short form of o for messages.
func Describe(o Object) string {
	switch x := o.(type) {
	case nil:
		return "null"
	case Name:
		return "/" + string(x)
	case Ref:
		return x.String()
	case Dict:
		if t := x.Name("Type"); t != "" {
			return "a /" + string(t) + " dictionary"
		}
		return "a dictionary"
	case *Stream:
		if t := x.Dict.Name("Type"); t != "" {
			return "a /" + string(t) + " stream"
		}
		return "a stream"
	case Array:
		return fmt.Sprintf("an array of %d", len(x))
	}
	return fmt.Sprintf("%v", o)
}
