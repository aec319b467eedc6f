package wordvec

import "testing"

func TestEveryWordIsFoundWhereItIs(t *testing.T) {
	tb := Default()
	if tb.Len() != 50000 {
		t.Fatalf("table holds %d words, want 50000", tb.Len())
	}
	for i := 0; i < tb.Len(); i++ {
		w := tb.Word(i)
		if j, ok := tb.Lookup(w); !ok || j != i {
			t.Fatalf("Lookup(%q) = %d, %v; want %d", w, j, ok, i)
		}
	}
	for _, w := range []string{"", "zzzzzzzzzz", "Police", "aardvarkx"} {
		if _, ok := tb.Lookup(w); ok {
			t.Errorf("Lookup(%q) found a word that is not in the table", w)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tb := Default()
	id := func(w string) int {
		i, ok := tb.Lookup(w)
		if !ok {
			t.Fatalf("%q is not in the table", w)
		}
		return i
	}
	for _, tc := range []struct{ w, near, far string }{
		{"police", "officers", "banana"},
		{"journalist", "reporter", "salt"},
		{"children", "pupils", "firewall"},
		{"equipment", "kit", "holiday"},
	} {
		a, b, c := id(tc.w), id(tc.near), id(tc.far)
		if tb.Sim(a, a) < 0.99 {
			t.Errorf("Sim(%s, %s) = %.2f, want about 1", tc.w, tc.w, tb.Sim(a, a))
		}
		if tb.Sim(a, b) != tb.Sim(b, a) {
			t.Errorf("Sim is not symmetric for %s, %s", tc.w, tc.near)
		}
		if near, far := tb.Sim(a, b), tb.Sim(a, c); near <= far+0.2 {
			t.Errorf("Sim(%s, %s) = %.2f, not clearly above Sim(%s, %s) = %.2f", tc.w, tc.near, near, tc.w, tc.far, far)
		}
	}
}

func TestParseRefusesOtherData(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("BOTHYWV1xxxxxx"), append([]byte("BOTHYWV2"), 1, 0, 0, 0, 2, 0)} {
		if _, err := parse(b); err == nil {
			t.Errorf("parse(%q) accepted it", b)
		}
	}
}
