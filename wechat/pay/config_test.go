package pay

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/brands"
)

func validConfig(t *testing.T) Config {
	k := merchantKeys(t)
	return Config{MchID: testMchID, AppID: "wx0000000000000001", MerchantSerialNo: "3775B6A45ACD588826D15E583A95F5DD7C1DBB72",
		MerchantPrivateKeyPEM: k.merchantPEM, APIv3Key: testAPIv3Key, PublicKeyID: testPublicKeyID, PublicKeyPEM: k.pubKeyPEM}
}

func TestConfigChecks(t *testing.T) {
	k := merchantKeys(t)
	const secretBody = "TOPSECRETKEYMATERIALTOPSECRETKEYMATERIAL"
	brokenKey := "-----BEGIN PRIVATE KEY-----\n" + secretBody + "\n-----END PRIVATE KEY-----\n"
	cases := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{name: "public key mode", ok: true},
		{name: "certificate mode", change: func(c *Config) { c.PublicKeyID, c.PublicKeyPEM, c.PlatformCertificatesPEM = "", "", k.certPEM }, ok: true},
		{name: "switching: both", change: func(c *Config) { c.PlatformCertificatesPEM = k.certPEM }, ok: true},
		{name: "no WeChat Pay key", change: func(c *Config) { c.PublicKeyID, c.PublicKeyPEM = "", "" }},
		{name: "public key id without its prefix", change: func(c *Config) { c.PublicKeyID = "0119000000012025" }},
		{name: "public key not PEM", change: func(c *Config) { c.PublicKeyPEM = "abc" }},
		{name: "certificate garbage", change: func(c *Config) {
			c.PlatformCertificatesPEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		}},
		{name: "text beside the certificates", change: func(c *Config) { c.PlatformCertificatesPEM = k.certPEM + "junk" }},
		{name: "APIv3 key of 16 characters", change: func(c *Config) { c.APIv3Key = "testMchAPIv3Key0" }},
		{name: "mch_id with letters", change: func(c *Config) { c.MchID = "19000x" }},
		{name: "no appid", change: func(c *Config) { c.AppID = "" }},
		{name: "serial not hex", change: func(c *Config) { c.MerchantSerialNo = "not hex" }},
		{name: "private key broken", change: func(c *Config) { c.MerchantPrivateKeyPEM = brokenKey }},
		{name: "private key missing", change: func(c *Config) { c.MerchantPrivateKeyPEM = "" }},
		{name: "a public key as the private key", change: func(c *Config) { c.MerchantPrivateKeyPEM = k.pubKeyPEM }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig(t)
			if tc.change != nil {
				tc.change(&cfg)
			}
			c, err := New(cfg, Options{})
			if tc.ok != (err == nil) {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), secretBody) {
				t.Fatalf("the error quotes the key: %v", err)
			}
			if tc.ok && c.Verifier() == nil {
				t.Fatal("no verifier")
			}
		})
	}
}

// opener plays brands.Service.Credential.
type opener map[string]string

func (o opener) Credential(_ brands.Brand, field string) (string, error) {
	v, ok := o[field]
	if !ok {
		return "", errors.New("sealed value does not open")
	}
	return v, nil
}

func TestBrandConfig(t *testing.T) {
	k := merchantKeys(t)
	full := brands.Brand{ID: "b1", MPAppID: "wx0000000000000001", PayMchID: testMchID, PaySerialNo: "ABCDEF",
		PayPublicKeyID: testPublicKeyID, PayPublicKey: k.pubKeyPEM,
		Sealed: map[string][]byte{brands.CredPayPrivateKey: []byte("sealed"), brands.CredPayAPIv3Key: []byte("sealed")}}
	creds := opener{brands.CredPayPrivateKey: k.merchantPEM, brands.CredPayAPIv3Key: testAPIv3Key}

	cfg, err := BrandConfig(full, creds)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MchID != testMchID || cfg.AppID != "wx0000000000000001" || cfg.MerchantPrivateKeyPEM != k.merchantPEM ||
		cfg.APIv3Key != testAPIv3Key || cfg.PublicKeyID != testPublicKeyID || cfg.MerchantSerialNo != "ABCDEF" {
		t.Errorf("config %+v", cfg)
	}
	if _, err := New(cfg, Options{}); err != nil {
		t.Errorf("New on the brand's config: %v", err)
	}

	noKey := full
	noKey.Sealed = map[string][]byte{brands.CredPayAPIv3Key: []byte("sealed")}
	if _, err := BrandConfig(noKey, creds); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("without the private key: %v", err)
	}
	noMch := full
	noMch.PayMchID = ""
	if _, err := BrandConfig(noMch, creds); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("without mch_id: %v", err)
	}
	if _, err := BrandConfig(full, opener{}); err == nil || errors.Is(err, ErrNotConfigured) {
		t.Errorf("with credentials that do not open: %v", err)
	}
}

// brandSource plays brands.Service for Clients.
type brandSource struct {
	opener
	brands map[string]brands.Brand
}

func (s brandSource) Brand(_ context.Context, id string) (brands.Brand, error) {
	b, ok := s.brands[id]
	if !ok {
		return brands.Brand{}, brands.ErrNotFound
	}
	return b, nil
}

func TestClientsCachePerBrand(t *testing.T) {
	k := merchantKeys(t)
	b := brands.Brand{ID: "b1", MPAppID: "wx0000000000000001", PayMchID: testMchID, PaySerialNo: "ABCDEF",
		PayPublicKeyID: testPublicKeyID, PayPublicKey: k.pubKeyPEM,
		Sealed: map[string][]byte{brands.CredPayPrivateKey: []byte("sealed"), brands.CredPayAPIv3Key: []byte("sealed")}}
	src := brandSource{opener: opener{brands.CredPayPrivateKey: k.merchantPEM, brands.CredPayAPIv3Key: testAPIv3Key},
		brands: map[string]brands.Brand{"b1": b, "b2": {ID: "b2", MPAppID: "wx0000000000000002"}}}
	cs := NewClients(src, Options{})
	ctx := context.Background()

	c1, err := cs.For(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := cs.For(ctx, "b1"); again != c1 {
		t.Error("unchanged settings built a new client")
	}
	b.PaySerialNo = "ABCDEF01"
	src.brands["b1"] = b
	if rotated, _ := cs.For(ctx, "b1"); rotated == c1 {
		t.Error("changed settings kept the old client")
	}
	if _, err := cs.For(ctx, "b2"); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("brand without WeChat Pay: %v", err)
	}
	if _, err := cs.For(ctx, "b3"); !errors.Is(err, brands.ErrNotFound) {
		t.Errorf("unknown brand: %v", err)
	}
}
