package knowledge

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Meta is the front matter Bothy writes for a document it creates (an
// answered gap, a promoted case study), in the format the parser reads.
type Meta struct {
	ID    string   `yaml:"id"`
	Title string   `yaml:"title"`
	Kind  string   `yaml:"kind"`
	Tags  []string `yaml:"tags,flow"`
	// Organisation is written even when empty: a key for an organiser to
	// fill in.
	Organisation string `yaml:"organisation"`
	Updated      string `yaml:"updated,omitempty"`
	ReviewBy     string `yaml:"review_by,omitempty"`
	// Draft keeps the document out of answers until it is published.
	Draft bool `yaml:"draft,omitempty"`
}

// NewDocument renders meta as front matter followed by body: the one
// place documents are written, so they always parse.
func NewDocument(meta Meta, body string) ([]byte, error) {
	head, err := yaml.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("knowledge: front matter for %s: %w", meta.ID, err)
	}
	var b strings.Builder
	b.WriteString("---\n")
	b.Write(head)
	b.WriteString("---\n")
	b.WriteString(body)
	return []byte(b.String()), nil
}
