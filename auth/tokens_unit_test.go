package auth

import (
	"strings"
	"testing"
)

func TestSplitToken(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		id, secret string
		ok         bool
	}{
		{"simple", "abc.def", "abc", "def", true},
		{"secret with dots", "abc.d.e.f", "abc", "d.e.f", true},
		{"id max 64", strings.Repeat("i", 64) + ".s", strings.Repeat("i", 64), "s", true},
		{"secret max 128", "i." + strings.Repeat("s", 128), "i", strings.Repeat("s", 128), true},
		{"empty", "", "", "", false},
		{"no dot", "abcdef", "", "", false},
		{"empty id", ".secret", "", "", false},
		{"empty secret", "id.", "", "", false},
		{"only dot", ".", "", "", false},
		{"id too long 65", strings.Repeat("i", 65) + ".s", "", "", false},
		{"secret too long 129", "i." + strings.Repeat("s", 129), "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, secret, ok := SplitToken(tt.in)
			if id != tt.id || secret != tt.secret || ok != tt.ok {
				t.Fatalf("SplitToken(%q) = (%q, %q, %v), want (%q, %q, %v)", tt.in, id, secret, ok, tt.id, tt.secret, tt.ok)
			}
		})
	}
}

func TestOpaqueTokenAndSecretMatches(t *testing.T) {
	id, secret, tok := NewOpaqueToken()
	gotID, gotSecret, ok := SplitToken(tok)
	if !ok || gotID != id || gotSecret != secret {
		t.Fatalf("NewOpaqueToken token %q does not split into its parts", tok)
	}
	id2, _, _ := NewOpaqueToken()
	if id2 == id {
		t.Fatal("two opaque tokens share an id")
	}
	h := HashSecret(secret)
	if !SecretMatches(h, secret) {
		t.Fatal("SecretMatches(HashSecret(s), s) = false")
	}
	if SecretMatches(h, secret+"x") || SecretMatches(nil, secret) {
		t.Fatal("SecretMatches accepted a wrong secret")
	}
}

func TestNewKeyIDIsStableAndOpaque(t *testing.T) {
	a := NewKey([]byte("key-one-key-one-key-one-key-one!"))
	b := NewKey([]byte("key-one-key-one-key-one-key-one!"))
	c := NewKey([]byte("key-two-key-two-key-two-key-two!"))
	if a.ID != b.ID || a.ID == c.ID || len(a.ID) != 8 {
		t.Fatalf("kids: %q %q %q", a.ID, b.ID, c.ID)
	}
	if strings.Contains(string(a.Secret), a.ID) {
		t.Fatal("kid leaks the key")
	}
}
