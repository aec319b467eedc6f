package slack

import _ "embed"

// Manifest is the Slack app manifest (manifest.yaml) an admin pastes into
// "Create New App -> From an app manifest"; `bothy slack-manifest` prints it.
//
//go:embed manifest.yaml
var Manifest []byte
