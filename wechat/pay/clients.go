package pay

import (
	"context"
	"crypto/sha256"
	"sync"

	"github.com/sharecast/sharecast/brands"
)

// BrandService is what Clients needs from the brands domain; *brands.Service satisfies it.
type BrandService interface {
	Brand(ctx context.Context, id string) (brands.Brand, error)
	CredentialOpener
}

// maxCachedClients bounds the cache; past it, it starts over (a rebuild costs a key parse).
const maxCachedClients = 10_000

// Clients hands out one Client per brand, built from the brand's current settings and reused
// until they change (parsing the RSA key on every call would be waste; keeping a stale key
// after a rotation would be wrong). Safe for concurrent use.
type Clients struct {
	brands BrandService
	opts   Options

	mu sync.Mutex
	m  map[string]cachedClient
}

type cachedClient struct {
	fingerprint [32]byte
	client      *Client
}

// NewClients builds the per-brand cache; opts apply to every client (base URL, HTTP client).
func NewClients(b BrandService, opts Options) *Clients {
	return &Clients{brands: b, opts: opts, m: map[string]cachedClient{}}
}

// For answers the brand's client: the brands domain's error for an unknown brand,
// ErrNotConfigured for a brand without WeChat Pay, or the configuration's error.
func (cs *Clients) For(ctx context.Context, brandID string) (*Client, error) {
	b, err := cs.brands.Brand(ctx, brandID)
	if err != nil {
		return nil, err
	}
	cfg, err := BrandConfig(b, cs.brands)
	if err != nil {
		return nil, err
	}
	fp := cfg.fingerprint()
	cs.mu.Lock()
	c, ok := cs.m[brandID]
	cs.mu.Unlock()
	if ok && c.fingerprint == fp {
		return c.client, nil
	}
	client, err := New(cfg, cs.opts)
	if err != nil {
		return nil, err
	}
	cs.mu.Lock()
	if len(cs.m) >= maxCachedClients {
		cs.m = map[string]cachedClient{}
	}
	cs.m[brandID] = cachedClient{fingerprint: fp, client: client}
	cs.mu.Unlock()
	return client, nil
}

// fingerprint identifies a configuration without keeping its secrets in the cache's keys.
func (c Config) fingerprint() [32]byte {
	h := sha256.New()
	for _, f := range []string{c.MchID, c.AppID, c.MerchantSerialNo, c.MerchantPrivateKeyPEM, c.APIv3Key,
		c.PublicKeyID, c.PublicKeyPEM, c.PlatformCertificatesPEM} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}
