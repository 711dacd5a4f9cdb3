package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordsHashCheck(t *testing.T) {
	p := Passwords{Cost: 4}
	tests := []struct {
		name    string
		pw      string
		wantErr error
	}{
		{"min length 10", strings.Repeat("a", 10), nil},
		{"max length 72", strings.Repeat("b", 72), nil},
		{"unicode", "pässwörd-ü-ß", nil},
		{"too short 9", strings.Repeat("a", 9), ErrWeakPassword},
		{"empty", "", ErrWeakPassword},
		{"too long 73", strings.Repeat("c", 73), ErrWeakPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := p.Hash(tt.pw)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Hash err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if h != "" {
					t.Fatalf("Hash returned %q with an error", h)
				}
				return
			}
			if h == tt.pw || h == "" {
				t.Fatalf("hash %q looks wrong", h)
			}
			if !p.Check(h, tt.pw) {
				t.Fatal("Check(hash, pw) = false, want true")
			}
			// Change the first byte: bcrypt only reads 72 bytes, so an appended byte on a
			// 72-byte password would not be noticed.
			if p.Check(h, "#"+tt.pw[1:]) {
				t.Fatal("Check accepted a different password")
			}
			if p.Check("", tt.pw) {
				t.Fatal(`Check("", pw) = true, want false`)
			}
		})
	}
}

func TestPasswordsCheckEmptyHashAndGarbage(t *testing.T) {
	p := Passwords{Cost: 4}
	if p.Check("", "") {
		t.Fatal(`Check("", "") = true`)
	}
	if p.Check("not-a-bcrypt-hash", "whatever-password") {
		t.Fatal("Check accepted a garbage hash")
	}
}
