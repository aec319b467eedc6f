package bot

import "testing"

func TestLinkAllowed(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://example.org/guide", true},
		{"http://example.org", true},
		{"HTTPS://example.org", true},
		{"mailto:comms@example.org", true},
		{"javascript:alert(2)", false},
		{"JavaScript:alert(2)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"vbscript:msgbox", false},
		{"file:///etc/passwd", false},
		{"https://user:pass@evil.example/", false},
		{"//evil.example/login", false},
		{"/relative/path", false},
		{"https://", false},
		{"https://exa mple.org", false},
		{"https://example.org/\nx", false},
		{"mailto:", false},
		{"", false},
	} {
		if got := LinkAllowed(tc.url); got != tc.ok {
			t.Errorf("LinkAllowed(%q) = %v, want %v", tc.url, got, tc.ok)
		}
	}
}
