package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/bothy-chat/bothy/bot/config"
)

func init() {
	registerCLI(&cliCommand{
		Name: "version", Usage: "", Summary: "print the version",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, cliCommands["version"])
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "bothy %s\n", version)
			return nil
		},
	})
	registerCLI(&cliCommand{
		Name: "init", Usage: "[--config FILE] [--force]", Summary: "write an annotated example bothy.yaml",
		Run: func(ctx context.Context, env *Env, args []string) error {
			fs := newFlagSet(env, cliCommands["init"])
			path := fs.String("config", "bothy.yaml", "where to write the example configuration")
			force := fs.Bool("force", false, "overwrite an existing file")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if *force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(*path, flags, 0o640)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists (use --force to overwrite)", *path)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(config.Example); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %s; edit it, then run: bothy --config %s\n", *path, *path)
			return nil
		},
	})
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
