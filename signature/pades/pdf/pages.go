package pdf

import "fmt"

// MaxPages bounds the page tree walk.
const MaxPages = 100_000

// Pages returns the references of the page objects in order, walking the
// page tree from the catalog's /Pages (§7.7.3). Loops and over-deep trees
// are errors.
func (d *Document) Pages() ([]Ref, error) {
	root := d.Root()
	if root == nil {
		return nil, fmt.Errorf("%w: no catalog", ErrNotFound)
	}
	pr, ok := root["Pages"].(Ref)
	if !ok {
		return nil, fmt.Errorf("%w: the catalog's /Pages is not a reference", ErrSyntax)
	}
	var out []Ref
	seen := map[int]bool{}
	var walk func(r Ref, depth int) error
	walk = func(r Ref, depth int) error {
		if depth > d.lim.MaxDepth {
			return fmt.Errorf("%w: page tree deeper than %d", ErrLimit, d.lim.MaxDepth)
		}
		if seen[r.Num] {
			return fmt.Errorf("%w: page tree node %d reached twice", ErrLoop, r.Num)
		}
		seen[r.Num] = true
		n := d.Dict(r)
		if n == nil {
			return fmt.Errorf("%w: page tree node %d", ErrNotFound, r.Num)
		}
		kids, isNode := d.Resolve(n["Kids"]).(Array)
		if n.Name("Type") == "Page" || !isNode {
			out = append(out, r)
			if len(out) > MaxPages {
				return fmt.Errorf("%w: more than %d pages", ErrLimit, MaxPages)
			}
			return nil
		}
		for _, k := range kids {
			kr, ok := k.(Ref)
			if !ok {
				return fmt.Errorf("%w: page tree kid is not a reference", ErrSyntax)
			}
			if err := walk(kr, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(pr, 0); err != nil {
		return out, err
	}
	return out, nil
}

// Reachable returns the object numbers reachable from o by references,
// at most max of them (ok false when the bound was hit).
func (d *Document) Reachable(o Object, max int) (map[int]bool, bool) {
	seen := map[int]bool{}
	stack := []Object{o}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch v := x.(type) {
		case Ref:
			if seen[v.Num] {
				continue
			}
			if len(seen) >= max {
				return seen, false
			}
			seen[v.Num] = true
			if obj, err := d.Get(v.Num); err == nil {
				stack = append(stack, obj)
			}
		case Array:
			for _, e := range v {
				stack = append(stack, e)
			}
		case Dict:
			for _, e := range v {
				stack = append(stack, e)
			}
		case *Stream:
			for _, e := range v.Dict {
				stack = append(stack, e)
			}
		}
	}
	return seen, true
}
