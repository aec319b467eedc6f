package knowledge

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"time"
)

// SQL and search for kb_vectors: optional embeddings, fused with BM25.

type vecEntry struct {
	chunkID int64
	docID   string
	vec     []float32 // unit length
}

// rrfK is the usual reciprocal-rank-fusion constant: it keeps one list's
// top rank from drowning the other list.
const rrfK = 60

func loadVectors(ctx context.Context, q queryer, model string) ([]vecEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.chunk_id, c.doc_id, v.vec FROM kb_vectors v JOIN kb_chunks c ON c.id = v.chunk_id WHERE v.model = ?`, model)
	if err != nil {
		return nil, fmt.Errorf("knowledge: load vectors: %w", err)
	}
	defer rows.Close()
	var out []vecEntry
	for rows.Next() {
		var e vecEntry
		var blob []byte
		if err := rows.Scan(&e.chunkID, &e.docID, &blob); err != nil {
			return nil, fmt.Errorf("knowledge: load vectors: %w", err)
		}
		e.vec = decodeVec(blob)
		out = append(out, e)
	}
	return out, rows.Err()
}

func encodeVec(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeVec(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func normalise(v []float32) []float32 {
	var s float64
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	if s == 0 {
		return v
	}
	n := float32(1 / math.Sqrt(s))
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = f * n
	}
	return out
}

// embedMissing embeds sections that have no vector for the configured
// model. Failures are logged: lexical search works without vectors.
func (b *Base) embedMissing(ctx context.Context) {
	if b.opts.Embedder == nil {
		return
	}
	rows, err := b.db.Write.QueryContext(ctx, `SELECT c.id, d.title, c.headings, c.body FROM kb_chunks c JOIN kb_documents d ON d.id = c.doc_id
		WHERE NOT EXISTS (SELECT 1 FROM kb_vectors v WHERE v.chunk_id = c.id AND v.model = ?) ORDER BY c.id`, b.opts.EmbedModel)
	if err != nil {
		b.log.Warn("listing sections to embed", "err", err)
		return
	}
	var ids []int64
	var texts []string
	for rows.Next() {
		var id int64
		var title, heads, body string
		if err := rows.Scan(&id, &title, &heads, &body); err != nil {
			rows.Close()
			b.log.Warn("listing sections to embed", "err", err)
			return
		}
		ids = append(ids, id)
		texts = append(texts, joinNonEmpty("\n", title, heads, body))
	}
	rows.Close()
	const batch = 64
	for i := 0; i < len(texts); i += batch {
		j := min(i+batch, len(texts))
		ectx, cancel := context.WithTimeout(ctx, 2*b.opts.WriterTimeout)
		vecs, err := b.opts.Embedder.Embed(ectx, texts[i:j])
		cancel()
		if err == nil && len(vecs) != j-i {
			err = fmt.Errorf("got %d vectors for %d texts", len(vecs), j-i)
		}
		if err != nil {
			b.log.Warn("embedding sections failed; answers use keyword search only", "err", err)
			return
		}
		for k, v := range vecs {
			if _, err := b.db.Write.ExecContext(ctx, "INSERT OR REPLACE INTO kb_vectors(chunk_id, model, vec) VALUES (?, ?, ?)",
				ids[i+k], b.opts.EmbedModel, encodeVec(normalise(v))); err != nil {
				b.log.Warn("saving vectors", "err", err)
				return
			}
		}
	}
	if len(ids) > 0 {
		if err := bumpGeneration(ctx, b.db.Write); err != nil {
			b.log.Warn("bumping generation", "err", err)
		}
	}
}

// fuse re-orders lexical hits by reciprocal rank fusion with a vector
// search over all sections. Documents only the vector search found are
// added with the coverage the lexical side gave them (none), so they can
// be offered but do not make the bot answer on their own.
func (b *Base) fuse(ctx context.Context, ix *index, question string, lexical []Hit) []Hit {
	ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	vs, err := b.opts.Embedder.Embed(ectx, []string{question})
	if err != nil || len(vs) != 1 {
		b.log.Warn("embedding the question failed; using keyword search only", "err", err)
		return lexical
	}
	q := normalise(vs[0])
	best := map[string]float64{}
	bestChunk := map[string]int64{}
	for _, e := range ix.vecs {
		if len(e.vec) != len(q) {
			continue
		}
		var dot float32
		for i := range q {
			dot += q[i] * e.vec[i]
		}
		if s, ok := best[e.docID]; !ok || float64(dot) > s {
			best[e.docID] = float64(dot)
			bestChunk[e.docID] = e.chunkID
		}
	}
	type ds struct {
		id  string
		cos float64
	}
	var vrank []ds
	for id, s := range best {
		vrank = append(vrank, ds{id, s})
	}
	sort.Slice(vrank, func(i, j int) bool {
		if vrank[i].cos != vrank[j].cos {
			return vrank[i].cos > vrank[j].cos
		}
		return vrank[i].id < vrank[j].id
	})
	if len(vrank) > 20 {
		vrank = vrank[:20]
	}
	fused := map[string]float64{}
	byID := map[string]Hit{}
	for i, h := range lexical {
		fused[h.ID] += 1 / float64(rrfK+i+1)
		byID[h.ID] = h
	}
	for i, v := range vrank {
		fused[v.id] += 1 / float64(rrfK+i+1)
		if _, ok := byID[v.id]; !ok {
			if d := ix.docs[v.id]; d != nil {
				byID[v.id] = Hit{ID: d.ID, Title: d.Title, Kind: d.Kind, URL: d.URL, Updated: d.Updated, chunkID: bestChunk[v.id]}
			}
		}
	}
	out := make([]Hit, 0, len(byID))
	for id, h := range byID {
		h.Score = fused[id]
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out
}
