// Package secrets seals credentials at rest (brand app secrets, WeChat Pay keys, members' real
// names) with AES-256-GCM under a key derived from SHARECAST_SECRET_KEY. The associated data
// names the owner and the field, so a sealed value copied into another brand's row or another
// column does not open.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

const version byte = 1

// ErrOpen is returned for a sealed value that does not open (wrong key, wrong owner, tampered).
var ErrOpen = errors.New("secrets: sealed value does not open")

// Box seals and opens values.
type Box struct {
	aead cipher.AEAD
	root []byte
	// previous root keys (SHARECAST_SECRET_KEY_PREVIOUS) still open what they sealed, until
	// `sharecast secrets rotate` has re-sealed everything under the current key.
	prevAEAD []cipher.AEAD
	prevRoot [][]byte
}

// New derives the sealing key from the 32-byte root key. previous root keys are only used to
// open values sealed before a key rotation (README "Rotating the secret key").
func New(root []byte, previous ...[]byte) (*Box, error) {
	aead, err := sealer(root)
	if err != nil {
		return nil, err
	}
	b := &Box{aead: aead, root: append([]byte(nil), root...)}
	for i, p := range previous {
		a, err := sealer(p)
		if err != nil {
			return nil, fmt.Errorf("secrets: previous key %d: %w", i+1, err)
		}
		b.prevAEAD = append(b.prevAEAD, a)
		b.prevRoot = append(b.prevRoot, append([]byte(nil), p...))
	}
	return b, nil
}

func sealer(root []byte) (cipher.AEAD, error) {
	if len(root) != 32 {
		return nil, fmt.Errorf("secrets: root key must be 32 bytes, got %d", len(root))
	}
	k, err := hkdf.Key(sha256.New, root, nil, "sharecast seal v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// DerivePrevious returns Derive(purpose) of each previous root key (e.g. token keys that still
// verify during a rotation).
func (b *Box) DerivePrevious(purpose string) [][]byte {
	out := make([][]byte, 0, len(b.prevRoot))
	for _, r := range b.prevRoot {
		k, err := hkdf.Key(sha256.New, r, nil, "sharecast "+purpose, 32)
		if err != nil {
			panic(err)
		}
		out = append(out, k)
	}
	return out
}

// Reseal re-seals a value under the current key when only a previous key opens it. changed
// is false (and resealed nil) when the current key already opens it or it is empty; a value
// no key opens is ErrOpen.
func (b *Box) Reseal(owner, field string, sealed []byte) (resealed []byte, changed bool, err error) {
	if len(sealed) == 0 {
		return nil, false, nil
	}
	if _, err := openWith(b.aead, owner, field, sealed); err == nil {
		return nil, false, nil
	}
	pt, err := b.Open(owner, field, sealed)
	if err != nil {
		return nil, false, err
	}
	out, err := b.Seal(owner, field, pt)
	return out, err == nil, err
}

// Derive returns a 32-byte key for another purpose (e.g. signing tokens), independent of the
// sealing key.
func (b *Box) Derive(purpose string) []byte {
	k, err := hkdf.Key(sha256.New, b.root, nil, "sharecast "+purpose, 32)
	if err != nil {
		panic(err) // only for lengths hkdf refuses; 32 is always fine
	}
	return k
}

// Seal encrypts plaintext for (owner, field). An empty plaintext seals to nil.
func (b *Box) Seal(owner, field string, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, aad(owner, field)), nil
}

// Open decrypts a value sealed for (owner, field). nil opens to nil.
func (b *Box) Open(owner, field string, sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, nil
	}
	if pt, err := openWith(b.aead, owner, field, sealed); err == nil {
		return pt, nil
	}
	for _, a := range b.prevAEAD {
		if pt, err := openWith(a, owner, field, sealed); err == nil {
			return pt, nil
		}
	}
	return nil, ErrOpen
}

func openWith(a cipher.AEAD, owner, field string, sealed []byte) ([]byte, error) {
	ns := a.NonceSize()
	if len(sealed) < 1+ns+a.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := a.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad(owner, field))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func aad(owner, field string) []byte { return []byte(owner + "\x00" + field) }
