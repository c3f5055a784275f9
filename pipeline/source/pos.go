package source

import (
	"reflect"
	"slices"
	"sync"

	"github.com/plandata/plandata/pipeline/plan"
)

// positions records where every decoded value was read, for Docs.Pos. A map from every
// value's address to its position would cost about a hundred bytes per value, gigabytes for
// a million measures; positions keeps one record per struct, slice and pointed-to value and
// eight bytes per field or element, and finds a value by its address when asked, which
// happens only when an issue is reported.
//
// A value is identified as in a map keyed by its pointer: by address and type, so that a
// struct, its first field and a struct nested there (same address) are told apart.
type positions struct {
	files  []string
	types  []reflect.Type
	typeID map[reflect.Type]int32
	recs   chunked[posRec]
	inner  chunked[lineCol] // positions of the fields of a struct or the elements of a slice

	sortOnce sync.Once
	byAddr   []int32 // recs in order of address, the outer of nested records first
}

type lineCol struct{ line, col int32 }

type recKind uint8

const (
	recValue  recKind = iota // a value read from one node: a pointed-to value or an override
	recStruct                // a struct; inner holds one position per field
	recSlice                 // the backing array of a slice; inner holds one per element
)

type posRec struct {
	addr  uintptr
	size  uintptr // bytes the record spans
	typ   int32   // the struct, the element type of a slice, or the value's type
	file  int32
	first int32 // index of the first field or element in inner
	kind  recKind
	top   bool    // the record spans a whole allocation: a slice's array, a pointed-to value
	self  lineCol // where the struct, sequence or value itself was read
}

func newPositions() *positions {
	return &positions{typeID: map[reflect.Type]int32{}}
}

func (ps *positions) file(name string) int32 {
	if n := len(ps.files); n > 0 && ps.files[n-1] == name {
		return int32(n - 1)
	}
	ps.files = append(ps.files, name)
	return int32(len(ps.files) - 1)
}

func (ps *positions) typ(t reflect.Type) int32 {
	id, ok := ps.typeID[t]
	if !ok {
		id = int32(len(ps.types))
		ps.types = append(ps.types, t)
		ps.typeID[t] = id
	}
	return id
}

// add records a struct, a slice's backing array (v is the slice) or a single value (v is
// addressable) read at self, and returns the record's index. top says that the record spans
// a whole allocation (always so for a slice). Fields and elements start without a position;
// setInner gives them one.
func (ps *positions) add(file int32, kind recKind, v reflect.Value, self lineCol, top bool) int {
	r := posRec{file: file, kind: kind, self: self, first: int32(ps.inner.n), top: top || kind == recSlice}
	n := 0 // fields or elements
	switch kind {
	case recSlice:
		if v.Len() == 0 {
			return -1
		}
		et := v.Type().Elem()
		r.addr, r.size, r.typ = v.Pointer(), uintptr(v.Len())*et.Size(), ps.typ(et)
		n = v.Len()
	case recStruct:
		r.addr, r.size, r.typ = v.Addr().Pointer(), v.Type().Size(), ps.typ(v.Type())
		n = v.NumField()
	default:
		r.addr, r.size, r.typ = v.Addr().Pointer(), v.Type().Size(), ps.typ(v.Type())
	}
	for range n {
		ps.inner.push(lineCol{})
	}
	ps.recs.push(r)
	return ps.recs.n - 1
}

// chunked is an append-only list kept in blocks of a fixed size, so that a list of tens of
// millions of entries needs no single huge array, nor the copy that growing one costs.
type chunked[T any] struct {
	blocks [][]T
	n      int
}

const chunkBits = 16

func (c *chunked[T]) at(i int) *T { return &c.blocks[i>>chunkBits][i&(1<<chunkBits-1)] }

func (c *chunked[T]) push(v T) {
	if c.n>>chunkBits == len(c.blocks) {
		c.blocks = append(c.blocks, nil)
		if c.n > 0 {
			c.blocks[len(c.blocks)-1] = make([]T, 0, 1<<chunkBits)
		}
	}
	last := &c.blocks[len(c.blocks)-1]
	*last = append(*last, v) // the first block grows as a slice does, up to the block size
	c.n++
}

// setInner records where field or element i of record rec was read.
func (ps *positions) setInner(rec, i int, at lineCol) {
	if rec >= 0 {
		*ps.inner.at(int(ps.recs.at(rec).first) + i) = at
	}
}

// override makes the value p points to read at pos, whatever was recorded for it.
func (ps *positions) override(p any, pos plan.Pos) {
	v := reflect.ValueOf(p).Elem()
	for i := ps.recs.n - 1; i >= 0; i-- {
		r := ps.recs.at(i)
		if r.addr == v.Addr().Pointer() && ps.types[r.typ] == v.Type() && r.kind != recSlice {
			r.file, r.self = ps.file(pos.File), lineCol{int32(pos.Line), int32(pos.Col)}
			return
		}
	}
	ps.add(ps.file(pos.File), recValue, v, lineCol{int32(pos.Line), int32(pos.Col)}, true)
}

// lookup returns where the value p points to was read, or the zero Pos.
func (ps *positions) lookup(p any) plan.Pos {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return plan.Pos{}
	}
	ps.sortOnce.Do(ps.sort)
	addr, typ := v.Pointer(), v.Type().Elem()
	// Going back from addr, the records met first are those of the allocation holding addr,
	// if one does, innermost first (nested records come after their container in byAddr),
	// ending with the record of the allocation itself. Allocations do not overlap, so a
	// record of a whole allocation that does not span addr means that none before it does.
	i, _ := slices.BinarySearchFunc(ps.byAddr, addr+1, func(r int32, a uintptr) int {
		if ps.recs.at(int(r)).addr < a {
			return -1
		}
		return 1
	})
	for i--; i >= 0; i-- {
		r := ps.recs.at(int(ps.byAddr[i]))
		if addr >= r.addr+r.size {
			if r.top {
				break
			}
			continue
		}
		if pos, ok := ps.match(r, addr, typ); ok {
			return pos
		}
	}
	return plan.Pos{}
}

// match reports the position of the value of type typ at addr, if record r holds it.
func (ps *positions) match(r *posRec, addr uintptr, typ reflect.Type) (plan.Pos, bool) {
	at := func(lc lineCol) (plan.Pos, bool) {
		if lc == (lineCol{}) {
			return plan.Pos{}, false
		}
		return plan.Pos{File: ps.files[r.file], Line: int(lc.line), Col: int(lc.col)}, true
	}
	rt := ps.types[r.typ]
	switch r.kind {
	case recSlice:
		off := addr - r.addr
		if rt == typ && off%rt.Size() == 0 {
			return at(*ps.inner.at(int(r.first) + int(off/rt.Size())))
		}
	case recStruct:
		if addr == r.addr && rt == typ {
			return at(r.self)
		}
		off := addr - r.addr
		for i := range rt.NumField() {
			if f := rt.Field(i); f.Offset == off && f.Type == typ {
				return at(*ps.inner.at(int(r.first) + i))
			}
		}
	default:
		if addr == r.addr && rt == typ {
			return at(r.self)
		}
	}
	return plan.Pos{}, false
}

// sort orders the records by address; of records at the same address, the larger (outer)
// first, and of equal ones the later recorded (an override) last, so that it is met first.
func (ps *positions) sort() {
	ps.byAddr = make([]int32, ps.recs.n)
	for i := range ps.byAddr {
		ps.byAddr[i] = int32(i)
	}
	slices.SortStableFunc(ps.byAddr, func(a, b int32) int {
		ra, rb := ps.recs.at(int(a)), ps.recs.at(int(b))
		switch {
		case ra.addr != rb.addr:
			if ra.addr < rb.addr {
				return -1
			}
			return 1
		case ra.size != rb.size:
			if ra.size > rb.size {
				return -1
			}
			return 1
		}
		return 0
	})
}
