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
}

// New derives the sealing key from the 32-byte root key.
func New(root []byte) (*Box, error) {
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
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, root: append([]byte(nil), root...)}, nil
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
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad(owner, field))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func aad(owner, field string) []byte { return []byte(owner + "\x00" + field) }
