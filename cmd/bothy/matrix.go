package main

import (
	"context"

	"github.com/bothy-chat/bothy/adapters/matrix"
	"github.com/bothy-chat/bothy/bot"
	"github.com/bothy-chat/bothy/bot/config"
)

func init() {
	registerAdapter(adapterFactory{
		Name:    matrix.Name,
		Enabled: (*config.Config).MatrixEnabled,
		Build: func(ctx context.Context, app *App) (bot.Adapter, error) {
			ad, err := matrix.New(matrix.OptionsFromConfig(&app.Config, app.DB, app.Log))
			if err != nil {
				return nil, err
			}
			app.Provide("matrix", ad)
			return ad, nil
		},
	})
}
