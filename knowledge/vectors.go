package knowledge

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/bothy-chat/bothy/bot/store"
	"github.com/bothy-chat/bothy/knowledge/retrieval"
)

// SQL for kb_vectors: optional embeddings, fused with BM25 (see
// retrieval's Fuse).

// loadVectors adds the sections' vectors for model to the snapshot.
func loadVectors(ctx context.Context, q queryer, model string, b *retrieval.Builder) error {
	rows, err := q.QueryContext(ctx, `SELECT c.doc_id, v.vec FROM kb_vectors v JOIN kb_chunks c ON c.id = v.chunk_id WHERE v.model = ?`, model)
	if err != nil {
		return fmt.Errorf("knowledge: load vectors: %w", err)
	}
	defer rows.Close()
	// Streamed, not store.List: every section's vector goes straight into the snapshot builder.
	for rows.Next() {
		var docID string
		var blob []byte
		if err := rows.Scan(&docID, &blob); err != nil {
			return fmt.Errorf("knowledge: load vectors: %w", err)
		}
		b.AddVector(docID, decodeVec(blob))
	}
	return rows.Err()
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

// normalise scales an embedding to unit length; an all-zero one stays as
// it is.
func normalise(v []float32) []float32 {
	if u := retrieval.UnitVec(v); u != nil {
		return u
	}
	return v
}

// embedMissing embeds sections that have no vector for the configured
// model. Failures are logged: lexical search works without vectors.
func (b *Base) embedMissing(ctx context.Context) {
	if b.opts.Embedder == nil {
		return
	}
	type todo struct {
		id   int64
		text string
	}
	missing, err := store.List(ctx, b.db.Write, func(sc store.Scanner) (todo, error) {
		var id int64
		var title, heads, body string
		err := sc.Scan(&id, &title, &heads, &body)
		return todo{id, joinNonEmpty("\n", title, heads, body)}, err
	}, `SELECT c.id, d.title, c.headings, c.body FROM kb_chunks c JOIN kb_documents d ON d.id = c.doc_id
		WHERE NOT EXISTS (SELECT 1 FROM kb_vectors v WHERE v.chunk_id = c.id AND v.model = ?) ORDER BY c.id`, b.opts.EmbedModel)
	if err != nil {
		b.log.Warn("listing sections to embed", "err", err)
		return
	}
	ids := make([]int64, len(missing))
	texts := make([]string, len(missing))
	for i, m := range missing {
		ids[i], texts[i] = m.id, m.text
	}
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

// fuse re-orders the ranking's hits by reciprocal rank fusion with a
// vector search (retrieval's Fuse), once the question is embedded; when
// that fails, the keyword ranking stands.
func (b *Base) fuse(ctx context.Context, r *retrieval.Ranking, question string) {
	ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	vs, err := b.opts.Embedder.Embed(ectx, []string{question})
	if err != nil || len(vs) != 1 {
		b.log.Warn("embedding the question failed; using keyword search only", "err", err)
		return
	}
	r.Fuse(normalise(vs[0]))
}
