package secrets

import (
	"bytes"
	"errors"
	"testing"
)

func newBox(t testing.TB, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewRejectsWrongKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New(%d bytes) accepted", n)
		}
	}
}

func TestNewCopiesRoot(t *testing.T) {
	root := bytes.Repeat([]byte{7}, 32)
	b, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	before := b.Derive("x")
	root[0] ^= 0xff
	if !bytes.Equal(before, b.Derive("x")) {
		t.Fatal("Box keeps a reference to the caller's root slice")
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	for _, pt := range [][]byte{[]byte("x"), []byte("app-secret-0123456789"), bytes.Repeat([]byte{0}, 4096)} {
		sealed, err := b.Seal("brand-1", "mp_app_secret", pt)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, pt) && len(pt) > 4 {
			t.Fatal("sealed value contains the plaintext")
		}
		if sealed[0] != version {
			t.Fatalf("version byte = %d", sealed[0])
		}
		got, err := b.Open("brand-1", "mp_app_secret", sealed)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Open = %q, %v", got, err)
		}
		again, _ := b.Seal("brand-1", "mp_app_secret", pt)
		if bytes.Equal(again, sealed) {
			t.Fatal("two seals of one value are identical (nonce reuse)")
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	b := newBox(t, 1)
	sealed, err := b.Seal("brand-1", "mp_app_secret", []byte("top secret"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name         string
		box          *Box
		owner, field string
		sealed       []byte
	}{
		{"other owner", b, "brand-2", "mp_app_secret", sealed},
		{"other field", b, "brand-1", "pay_apiv3_key", sealed},
		{"owner/field boundary shifted", b, "brand-1mp_app_secret", "", sealed},
		{"wrong key", newBox(t, 2), "brand-1", "mp_app_secret", sealed},
		{"version byte", b, "brand-1", "mp_app_secret", flip(0)},
		{"nonce byte", b, "brand-1", "mp_app_secret", flip(1)},
		{"ciphertext byte", b, "brand-1", "mp_app_secret", flip(len(sealed) / 2)},
		{"tag byte", b, "brand-1", "mp_app_secret", flip(len(sealed) - 1)},
		{"truncated", b, "brand-1", "mp_app_secret", sealed[:len(sealed)-1]},
		{"too short", b, "brand-1", "mp_app_secret", sealed[:5]},
		{"single byte", b, "brand-1", "mp_app_secret", []byte{version}},
		{"appended", b, "brand-1", "mp_app_secret", append(bytes.Clone(sealed), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.owner, tt.field, tt.sealed)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open err = %v, want ErrOpen", err)
			}
			if got != nil {
				t.Fatalf("Open returned %q with an error", got)
			}
		})
	}
}

func TestEmptyValues(t *testing.T) {
	b := newBox(t, 1)
	for _, pt := range [][]byte{nil, {}} {
		sealed, err := b.Seal("o", "f", pt)
		if err != nil || sealed != nil {
			t.Fatalf("Seal(%v) = %v, %v; want nil, nil", pt, sealed, err)
		}
	}
	for _, s := range [][]byte{nil, {}} {
		got, err := b.Open("o", "f", s)
		if err != nil || got != nil {
			t.Fatalf("Open(%v) = %v, %v; want nil, nil", s, got, err)
		}
	}
}

func TestDerive(t *testing.T) {
	b := newBox(t, 1)
	purposes := []string{"jwt", "session", "seal v1", "", "jwt2"}
	seen := map[string]string{}
	for _, p := range purposes {
		k := b.Derive(p)
		if len(k) != 32 {
			t.Fatalf("Derive(%q) is %d bytes", p, len(k))
		}
		if !bytes.Equal(k, b.Derive(p)) {
			t.Fatalf("Derive(%q) not deterministic", p)
		}
		if !bytes.Equal(k, newBox(t, 1).Derive(p)) {
			t.Fatalf("Derive(%q) differs between boxes with one root", p)
		}
		if bytes.Equal(k, newBox(t, 2).Derive(p)) {
			t.Fatalf("Derive(%q) ignores the root", p)
		}
		if bytes.Equal(k, bytes.Repeat([]byte{1}, 32)) {
			t.Fatalf("Derive(%q) returns the root", p)
		}
		if other, dup := seen[string(k)]; dup {
			t.Fatalf("Derive(%q) == Derive(%q)", p, other)
		}
		seen[string(k)] = p
	}
}

func FuzzSealOpen(f *testing.F) {
	f.Add("brand-1", "mp_app_secret", []byte("secret"))
	f.Add("", "", []byte{0})
	f.Add("a\x00b", "c", []byte("x"))
	f.Add("01HV0000000000000000000000", "pay_private_key", bytes.Repeat([]byte("k"), 300))
	f.Add("o", "f", []byte{})
	b := newBox(f, 9)
	f.Fuzz(func(t *testing.T, owner, field string, pt []byte) {
		sealed, err := b.Seal(owner, field, pt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Open(owner, field, sealed)
		if err != nil {
			t.Fatalf("Open(Seal(x)): %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("Open(Seal(%q)) = %q", pt, got)
		}
		if len(pt) == 0 {
			if sealed != nil {
				t.Fatal("empty plaintext sealed to non-nil")
			}
			return
		}
		for i := range sealed {
			c := bytes.Clone(sealed)
			c[i] ^= 0x80
			if _, err := b.Open(owner, field, c); !errors.Is(err, ErrOpen) {
				t.Fatalf("flipping byte %d of %d: err = %v", i, len(sealed), err)
			}
		}
		if _, err := b.Open(owner+"x", field, sealed); !errors.Is(err, ErrOpen) {
			t.Fatal("opened under another owner")
		}
		if _, err := b.Open(owner, field+"x", sealed); !errors.Is(err, ErrOpen) {
			t.Fatal("opened under another field")
		}
	})
}

// Rotation: a box with the new key and the old one as previous opens both; Reseal moves an
// old value to the new key (once: a second Reseal changes nothing); then the new key alone
// opens it. A value of neither key does not open.
func TestRotationWithPreviousKeys(t *testing.T) {
	oldKey, newKey, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	oldBox, _ := New(oldKey)
	sealedOld, err := oldBox.Seal("brand-1", "mp_app_secret", []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	both, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := both.Open("brand-1", "mp_app_secret", sealedOld); err != nil || string(pt) != "s3cret" {
		t.Fatalf("previous key does not open: %q %v", pt, err)
	}
	if _, err := both.Open("brand-2", "mp_app_secret", sealedOld); !errors.Is(err, ErrOpen) {
		t.Fatal("previous key opened a value of another owner")
	}
	resealed, changed, err := both.Reseal("brand-1", "mp_app_secret", sealedOld)
	if err != nil || !changed {
		t.Fatalf("reseal: %v %v", changed, err)
	}
	if _, changed, err := both.Reseal("brand-1", "mp_app_secret", resealed); changed || err != nil {
		t.Fatalf("second reseal changed=%v err=%v", changed, err)
	}
	newOnly, _ := New(newKey)
	if pt, err := newOnly.Open("brand-1", "mp_app_secret", resealed); err != nil || string(pt) != "s3cret" {
		t.Fatalf("resealed value does not open with the new key alone: %v", err)
	}
	if _, err := newOnly.Open("brand-1", "mp_app_secret", sealedOld); !errors.Is(err, ErrOpen) {
		t.Fatal("the new key alone opened the old value")
	}
	otherBox, _ := New(other)
	foreign, _ := otherBox.Seal("brand-1", "mp_app_secret", []byte("x"))
	if _, _, err := both.Reseal("brand-1", "mp_app_secret", foreign); !errors.Is(err, ErrOpen) {
		t.Fatalf("reseal of a value no key opens: %v", err)
	}
	if _, changed, err := both.Reseal("brand-1", "mp_app_secret", nil); changed || err != nil {
		t.Fatal("empty value")
	}
	if d := both.DerivePrevious("jwt"); len(d) != 1 || !bytes.Equal(d[0], oldBox.Derive("jwt")) {
		t.Fatal("DerivePrevious differs from the old box's Derive")
	}
	if _, err := New(newKey, make([]byte, 16)); err == nil {
		t.Fatal("a short previous key was accepted")
	}
}
