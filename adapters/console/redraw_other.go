//go:build !unix

package console

// redrawPrompt does nothing where there is no SIGWINCH: the prompt is
// drawn again when the next key is pressed.
func redrawPrompt() {}
