package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bothy-chat/bothy/knowledge"
	"github.com/bothy-chat/bothy/knowledge/chat"
	"github.com/bothy-chat/bothy/knowledge/llm"
)

func runKBIngest(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give at least one folder of Markdown files")
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	progress := func(done, total int) {
		fmt.Fprintf(env.Stderr, "kb ingest: %d of %d documents indexed…\n", done, total)
	}
	base, err := knowledge.Open(ctx, app.DB, knowledge.Options{Logger: app.Log, NoStarter: true, MinConfidence: app.Config.Knowledge.MinConfidence, Progress: progress})
	if err != nil {
		return err
	}
	rep, err := base.Ingest(ctx, fs.Args()...)
	if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(env.Stderr, e)
	}
	fmt.Fprintf(env.Stdout, "%s\n", rep)
	if len(rep.Errors) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d file(s) skipped because of errors", len(rep.Errors))}
	}
	return nil
}

// askJSON is the contract of bothy ask --json.
type askJSON struct {
	Answer    string          `json:"answer"`
	Confident bool            `json:"confident"`
	Sources   []askJSONSource `json:"sources"`
	// Passages are the sections a model would be given, best first; the
	// first is what the extractive answer quotes.
	Passages []askJSONPassage `json:"passages"`
	// Declined is set when the language model read the passages and
	// found no answer in them, so Bothy abstained (confident is false).
	Declined bool `json:"declined,omitempty"`
	// Confidence is the calibrated score that confident compares with
	// knowledge.min_confidence.
	Confidence float64 `json:"confidence"`
	// Explain is what --explain prints, when asked for with --json.
	Explain string `json:"explain,omitempty"`
}

type askJSONPassage struct {
	ID      string  `json:"id"`
	Section string  `json:"section"`
	Text    string  `json:"text"`
	Score   float64 `json:"score"`
}

type askJSONSource struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
}

func runAsk(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	asJSON := fs.Bool("json", false, "print one JSON object: answer, confident, confidence, sources, passages")
	explain := fs.Bool("explain", false, "show how the question was understood and ranked (with --json: in its explain field)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if question == "" {
		return usagef("what is the question? e.g. bothy ask \"how do we handle abusive comments\"")
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	base, err := knowledge.Open(ctx, app.DB, knowledgeOptions(app))
	if err != nil {
		return err
	}
	var why string
	if *explain {
		if why, err = base.Explain(ctx, question); err != nil {
			return err
		}
		if !*asJSON {
			fmt.Fprint(env.Stdout, why)
			return nil
		}
	}
	ans, err := base.Ask(ctx, knowledge.Question{Text: question, UserID: osUser(env), Platform: "cli"})
	if err != nil {
		return err
	}
	if *asJSON {
		out := askJSON{Answer: ans.Text, Confident: ans.Confident, Sources: []askJSONSource{}, Passages: []askJSONPassage{}, Declined: ans.Declined,
			Confidence: roundScore(ans.Confidence), Explain: why}
		for _, p := range ans.Passages {
			out.Passages = append(out.Passages, askJSONPassage{ID: p.ID, Section: p.Section, Text: p.Text, Score: roundScore(p.Score)})
		}
		for _, h := range ans.Ranked {
			out.Sources = append(out.Sources, askJSONSource{ID: h.ID, Title: h.Title, Kind: h.Kind, Score: roundScore(h.Score)})
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	fmt.Fprintln(env.Stdout, chat.PlainAnswer(ans, app.Config.Web.PublicURL))
	return nil
}

func roundScore(f float64) float64 { return float64(int64(f*10000+0.5)) / 10000 }

func runKBEval(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	cf := addCommonFlags(fs)
	misses := fs.Bool("misses", false, "also list the questions ranked or answered wrongly")
	all := fs.Bool("all", false, "also list every question with its confidence and ranking")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one question file (JSON lines of {\"q\": ..., \"expect\": [...]})")
	}
	qs, err := knowledge.ReadEvalFile(fs.Arg(0))
	if err != nil {
		return err
	}
	app, err := openApp(ctx, env, cf)
	if err != nil {
		return err
	}
	defer app.Close()
	base, err := knowledge.Open(ctx, app.DB, knowledgeOptions(app))
	if err != nil {
		return err
	}
	// A misspelt key or document id would quietly count a question as
	// out of scope or missed: say so before the figures.
	warns, err := base.CheckEval(ctx, qs, fs.Arg(0))
	if err != nil {
		return err
	}
	for _, w := range warns {
		fmt.Fprintln(env.Stderr, "warning:", w)
	}
	mine, baseline, err := base.Eval(ctx, qs)
	if err != nil {
		return err
	}
	knowledge.FormatEval(env.Stdout, mine, baseline)
	if *all {
		for _, l := range mine.Lines {
			fmt.Fprintln(env.Stdout, l)
		}
	}
	if *misses {
		for _, m := range mine.Misses {
			fmt.Fprintln(env.Stdout, "miss:", m)
		}
	}
	return nil
}

// knowledgeOptions builds the knowledge base options from configuration,
// including the language model when an endpoint is configured. Without
// one, answers are extractive and nothing leaves the machine.
func knowledgeOptions(app *App) knowledge.Options {
	cfg := app.Config
	opts := knowledge.Options{
		Logger: app.Log, Clock: app.Clock, Metrics: app.Metrics,
		Dirs: cfg.Knowledge.Dirs, MinConfidence: cfg.Knowledge.MinConfidence,
	}
	if cfg.LLM.BaseURL == "" {
		return opts
	}
	client := llm.New(llm.Config{
		BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model,
		EmbeddingsModel: cfg.LLM.EmbeddingsModel, Timeout: cfg.LLM.Timeout, Metrics: app.Metrics,
	}, app.Log)
	if cfg.LLM.Model != "" {
		opts.Writer = llmWriter{client}
		opts.WriterTimeout = cfg.LLM.Timeout
		opts.WriterMinConfidence = cfg.LLM.MinConfidence
	}
	if client.CanEmbed() {
		opts.Embedder = client
		opts.EmbedModel = cfg.LLM.EmbeddingsModel
	}
	return opts
}

func runKBExportStarter(ctx context.Context, env *Env, c *cliCommand, args []string) error {
	fs := newFlagSet(env, c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the folder to copy the starter documents into, e.g. bothy kb export-starter knowledge")
	}
	dir := fs.Arg(0)
	written, skipped, err := knowledge.ExportStarter(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Copied %d starter documents into %s", len(written), dir)
	if len(skipped) > 0 {
		fmt.Fprintf(env.Stdout, " (%d already there, left as they were)", len(skipped))
	}
	fmt.Fprintf(env.Stdout, ".\nTo answer from them, set knowledge.dirs: [%s] in bothy.yaml (or BOTHY_KNOWLEDGE_DIRS=%s).\n", dir, dir)
	return nil
}
