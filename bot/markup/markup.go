// Package markup renders the light Markdown of Bothy's replies as HTML
// for the places that show HTML (Matrix formatted bodies, the community
// page). Reply text can carry what members wrote, so a link never hides
// where it goes: VisibleLinks shows every link's address, and only http,
// https and mailto addresses are linked.
package markup

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/bothy-chat/bothy/bot"
)

// page renders with goldmark's defaults, which leave raw HTML out, plus
// visible links.
var page = goldmark.New(goldmark.WithExtensions(VisibleLinks{}))

// HTML renders text (an answer, a reply) as an HTML fragment that is safe
// to put in a page: raw HTML is left out and links show their address.
func HTML(text string) (string, error) {
	var b bytes.Buffer
	if err := page.Convert([]byte(text), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// VisibleLinks renders Markdown links and images as their label followed by
// the address, and makes only the address itself a link, so
// "[login](https://evil.example/login)" shows its domain. Addresses other
// than http, https and mailto are shown as text, never linked.
type VisibleLinks struct{}

// Extend adds the link renderers to m.
func (VisibleLinks) Extend(m goldmark.Markdown) {
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(VisibleLinks{}, 0)))
}

// RegisterFuncs implements renderer.NodeRenderer.
func (VisibleLinks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindImage, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
}

// renderLink lets the label render as ordinary inline text and adds the
// address after it; a label that is just the address is not repeated.
func renderLink(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	var dest string
	switch l := n.(type) {
	case *ast.Link:
		dest = string(l.Destination)
	case *ast.Image:
		dest = string(l.Destination)
	}
	label := strings.TrimSpace(inlineText(n, source))
	sameAsAddress := label == dest || label == strings.TrimPrefix(strings.TrimPrefix(dest, "https://"), "http://") || label == strings.TrimPrefix(dest, "mailto:")
	if entering {
		if sameAsAddress {
			writeAddress(w, dest)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	}
	if !sameAsAddress {
		_, _ = w.WriteString(" (")
		writeAddress(w, dest)
		_ = w.WriteByte(')')
	}
	return ast.WalkContinue, nil
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := string(n.Label(source))
	dest := string(n.URL(source))
	if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
		dest = "mailto:" + dest
	}
	if !bot.LinkAllowed(dest) {
		_, _ = w.Write(util.EscapeHTML([]byte(label)))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(dest), false)))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(util.EscapeHTML([]byte(label)))
	_, _ = w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

// writeAddress writes dest as a link showing itself, or as text when its
// scheme is not one Bothy links.
func writeAddress(w util.BufWriter, dest string) {
	text := util.EscapeHTML([]byte(dest))
	if !bot.LinkAllowed(dest) {
		_, _ = w.Write(text)
		return
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(dest), false)))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(text)
	_, _ = w.WriteString("</a>")
}

// inlineText is the plain text of an inline node's children.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(source))
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}
