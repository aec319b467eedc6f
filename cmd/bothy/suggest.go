package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/llm"
)

// runKBSuggestQuestions drafts, with the configured language model, the
// ways people might ask for each section of a document, and prints them as
// the questions: block of its front matter. It changes nothing: the
// organiser keeps the drafts people would really ask and pastes them in.
func runKBSuggestQuestions(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	per := fs.Int("per", 3, "questions to draft for each section (1 to 10)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one document id, e.g. bothy kb suggest-questions it-blocked-social-media")
	}
	if *per < 1 || *per > 10 {
		return usagef("--per must be between 1 and 10, not %d", *per)
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	cfg := app.Config.LLM
	if cfg.BaseURL == "" || cfg.Model == "" {
		return usagef("drafting questions needs a language model: set llm.base_url and llm.model (BOTHY_LLM_BASE_URL, BOTHY_LLM_MODEL)")
	}
	base, err := knowledge.Open(ctx, app.DB, knowledge.Options{Logger: app.Log, Clock: app.Clock, Dirs: app.Config.Knowledge.Dirs})
	if err != nil {
		return err
	}
	doc, err := base.Document(ctx, fs.Arg(0))
	if errors.Is(err, knowledge.ErrNotFound) {
		return usagef("no document has the id %q (bothy ask --json shows documents' ids)", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	client := llm.New(llm.Config{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, Model: cfg.Model, Timeout: cfg.Timeout, Metrics: app.Metrics}, app.Log)
	drafts := draftQuestions(ctx, env, client, doc, *per)
	if len(drafts.Content) == 0 {
		return fmt.Errorf("the model drafted no questions for %s", doc.ID)
	}
	out, err := yaml.Marshal(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "questions"}, drafts,
	}})
	if err != nil {
		return fmt.Errorf("kb suggest-questions: %w", err)
	}
	fmt.Fprintf(env.Stdout, "# Drafted by %s for %s: keep the questions people would really ask, then put\n# this block in the document's front matter (it replaces any questions: there).\n%s", cfg.Model, doc.ID, out)
	return nil
}

// draftQuestions asks the model about each section in turn, saying how far
// it has got on standard error, and returns the questions: mapping: each
// heading (the title for the text before the first heading) to its drafts.
// A section the model fails on is reported and left out; the rest stand.
func draftQuestions(ctx context.Context, env *Env, client *llm.Client, doc knowledge.DocumentPage, per int) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	var done []string
	for i, s := range doc.Sections {
		key := s.Heading
		if key == "" {
			key = doc.Title
		}
		// A heading used twice is one key: the questions go to both.
		if slices.Contains(done, strings.ToLower(key)) {
			continue
		}
		done = append(done, strings.ToLower(key))
		fmt.Fprintf(env.Stderr, "section %d of %d: %s\n", i+1, len(doc.Sections), key)
		qs, err := client.SuggestQuestions(ctx, doc.Title, s.Heading, s.Text, per)
		if err != nil {
			fmt.Fprintf(env.Stderr, "  skipped: %v\n", err)
			continue
		}
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, q := range qs {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: q})
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key, Style: yaml.DoubleQuotedStyle}, list)
	}
	return m
}
