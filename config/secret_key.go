package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckSecretKey accepts base64 (standard or URL, padded or not) of exactly 32 bytes.
func CheckSecretKey(k string) error {
	_, err := DecodeSecretKey(k)
	return err
}

// DecodeSecretKey returns the 32 key bytes.
func DecodeSecretKey(k string) ([]byte, error) {
	k = strings.TrimSpace(k)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(k); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("must decode to 32 bytes, got %d", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("must be base64 of 32 random bytes (openssl rand -base64 32)")
}

// EnsureSecretKey fills c.SecretKey in embedded mode from <DataDir>/secret.key, creating it
// once. Production mode never generates one (Load already refused an empty key there).
func (c *Config) EnsureSecretKey() error {
	if c.SecretKey != "" || c.Mode != Embedded {
		return nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		c.SecretKey = strings.TrimSpace(string(b))
		return CheckSecretKey(c.SecretKey)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	key := base64.StdEncoding.EncodeToString(raw)
	// O_EXCL: when two processes start at once, one writes and the other reads the winner.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return rerr
		}
		c.SecretKey = strings.TrimSpace(string(b))
		return CheckSecretKey(c.SecretKey)
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	c.SecretKey = key
	return nil
}
