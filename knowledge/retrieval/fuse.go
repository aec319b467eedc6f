package retrieval

import "sort"

// rrfK is the usual reciprocal-rank-fusion constant: it keeps one list's
// top rank from drowning the other list.
const rrfK = 60

// Fuse re-orders the hits by reciprocal rank fusion with a vector search
// over all sections, for the question's embedding q (of unit length).
// Documents only the vector search found are added with the coverage the
// lexical side gave them (none), so they can be offered but do not make
// the bot answer on their own.
func (r *Ranking) Fuse(q []float32) {
	best := map[string]float64{}
	for _, e := range r.ix.vecs {
		if len(e.vec) != len(q) {
			continue
		}
		var dot float32
		for i := range q {
			dot += q[i] * e.vec[i]
		}
		if s, ok := best[e.docID]; !ok || float64(dot) > s {
			best[e.docID] = float64(dot)
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
	for i, h := range r.hits {
		fused[h.ID] += 1 / float64(rrfK+i+1)
		byID[h.ID] = h
	}
	for i, v := range vrank {
		fused[v.id] += 1 / float64(rrfK+i+1)
		if _, ok := byID[v.id]; !ok {
			if d := r.ix.docs[v.id]; d != nil {
				byID[v.id] = Hit{ID: d.ID, Title: d.Title, Kind: d.Kind, URL: d.URL, Updated: d.Updated}
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
	r.hits = out
}
