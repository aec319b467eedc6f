package config

import _ "embed"

// Example is the annotated configuration `bothy init` writes.
//
//go:embed example.yaml
var Example []byte
