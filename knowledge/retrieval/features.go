package retrieval

// FeatureRow is what the offline fit scripts read of one question
// (knowledge/testdata/fit_models.py and fit_confidence.py, through the
// kbfeatures tool): the question's own features, its concept count, every
// ranked document with its ranking features, and every section of the
// best documents with the section features.
type FeatureRow struct {
	Question QuestionFeatures
	Concepts int
	Hits     []FeatureHit
	Sections []FeatureSection
	// QVec and TopDocVec are the directions of the question's and the
	// best document's word vectors, from which the fit learns errandDir.
	QVec, TopDocVec []float32
}

// FeatureHit is one ranked document as the fit scripts read it.
type FeatureHit struct {
	ID    string
	Score float64
	F     Features
}

// FeatureSection is one section of a best document as the fit scripts
// read it.
type FeatureSection struct {
	Doc, Section string
	F            SectionFeatures
}

// FeatureRow describes the ranking for the fit scripts; read is as for
// Passages. Unlike Passages, every section of the passageDocs best
// documents is listed, whatever their confidence.
func (r *Ranking) FeatureRow(read SectionReader) (FeatureRow, error) {
	row := FeatureRow{Question: r.q, Concepts: len(r.concepts), QVec: r.qunit}
	if len(r.hits) > 0 {
		if d := r.ix.docs[r.hits[0].ID]; d != nil {
			row.TopDocVec = d.vec
		}
	}
	var ids []string
	for _, h := range r.hits {
		row.Hits = append(row.Hits, FeatureHit{h.ID, h.Score, h.feats})
		if len(ids) < passageDocs {
			ids = append(ids, h.ID)
		}
	}
	ps, err := r.scoredSections(read, ids)
	if err != nil {
		return row, err
	}
	row.Sections = make([]FeatureSection, len(ps))
	for i, p := range ps {
		p.describe()
		row.Sections[i] = FeatureSection{p.DocID(), p.Section, p.feats}
	}
	return row, nil
}
