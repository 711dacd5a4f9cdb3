package simulator_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/sharecast/sharecast/wechat/simulator"
)

func TestLoadOrCreateKeysWritesParsableFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	k, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}

	// merchant.json: every field in the shape an independent client expects.
	raw, err := os.ReadFile(filepath.Join(dir, "merchant.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	shapes := map[string]string{
		"mch_id":                    `^[1-9][0-9]{9}$`,
		"appid":                     `^wx0000000000000001$`,
		"app_secret":                `^[0-9a-f]{32}$`,
		"merchant_serial_no":        `^[0-9A-F]{40}$`,
		"public_key_id":             `^PUB_KEY_ID_[0-9]+$`,
		"apiv3_key":                 `^[0-9A-Za-z]{32}$`,
		"channels_token":            `^[0-9A-Za-z]{3,32}$`,
		"channels_encoding_aes_key": `^[0-9A-Za-z+/]{43}$`,
	}
	for field, shape := range shapes {
		if !regexp.MustCompile(shape).MatchString(m[field]) {
			t.Errorf("merchant.json %s = %q, want %s", field, m[field], shape)
		}
	}
	if aes, err := base64.StdEncoding.DecodeString(m["channels_encoding_aes_key"] + "="); err != nil || len(aes) != 32 {
		t.Errorf("channels_encoding_aes_key does not decode to 32 bytes: %v", err)
	}
	if k.AppID != m["appid"] || k.AppSecret != m["app_secret"] || k.MchID != m["mch_id"] ||
		k.PublicKeyID != m["public_key_id"] || k.APIv3Key != m["apiv3_key"] {
		t.Errorf("Keys %+v disagree with merchant.json %v", k, m)
	}

	// The PEM files: PKCS#8 private keys, PKIX public keys, RSA 2048, halves that match.
	priv := func(name string) *rsa.PrivateKey {
		block := readPEM(t, filepath.Join(dir, name), "PRIVATE KEY")
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rk := key.(*rsa.PrivateKey)
		if rk.N.BitLen() != 2048 {
			t.Errorf("%s: %d bits", name, rk.N.BitLen())
		}
		return rk
	}
	pub := func(name string) *rsa.PublicKey {
		block := readPEM(t, filepath.Join(dir, name), "PUBLIC KEY")
		key, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return key.(*rsa.PublicKey)
	}
	merchant, platform := priv("merchant_private.pem"), priv("wechatpay_private.pem")
	if !merchant.PublicKey.Equal(pub("merchant_public.pem")) || !platform.PublicKey.Equal(pub("wechatpay_public.pem")) {
		t.Error("a public key does not match its private key")
	}
	if merchant.Equal(platform) {
		t.Error("merchant and platform share a key")
	}
	if !k.MerchantPrivateKey.Equal(merchant) || !k.WechatPayPublicKey.Equal(&platform.PublicKey) {
		t.Error("Keys hold other keys than the files")
	}
}

func readPEM(t *testing.T, path, wantType string) *pem.Block {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(raw)
	if block == nil || block.Type != wantType || len(rest) != 0 {
		t.Fatalf("%s: want exactly one PEM %q block", path, wantType)
	}
	return block
}

func TestLoadOrCreateKeysFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "simulator")
	if _, err := simulator.LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 5 {
		t.Errorf("%d entries in %s, want the 5 key files (no temp files left)", len(entries), dir)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
	siblings, _ := os.ReadDir(filepath.Dir(dir))
	if len(siblings) != 1 {
		t.Errorf("temp directories left next to the key dir: %v", siblings)
	}
}

func TestLoadOrCreateKeysReusesFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	first, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, first, second)
}

func sameKeys(t *testing.T, a, b *simulator.Keys) {
	t.Helper()
	if a.MchID != b.MchID || a.AppSecret != b.AppSecret || a.MerchantSerialNo != b.MerchantSerialNo ||
		a.PublicKeyID != b.PublicKeyID || a.APIv3Key != b.APIv3Key || a.ChannelsToken != b.ChannelsToken ||
		a.ChannelsEncodingAESKey != b.ChannelsEncodingAESKey {
		t.Fatalf("merchant fields differ: %+v vs %+v", a, b)
	}
	if !a.MerchantPrivateKey.Equal(b.MerchantPrivateKey) || !a.WechatPayPrivateKey.Equal(b.WechatPayPrivateKey) {
		t.Fatal("RSA keys differ")
	}
}

// Processes that start at once must end up with one and the same complete set.
func TestLoadOrCreateKeysConcurrentStarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	const starts = 4
	got := make([]*simulator.Keys, starts)
	errs := make([]error, starts)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range starts {
		wg.Go(func() {
			<-start
			got[i], errs[i] = simulator.LoadOrCreateKeys(dir)
		})
	}
	close(start)
	wg.Wait()
	for i := range starts {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		sameKeys(t, got[0], got[i])
	}
	onDisk, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, got[0], onDisk)
}

// A key dir that already holds other files cannot be renamed into place; the keys are written
// file by file instead.
func TestLoadOrCreateKeysIntoADirWithOtherFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	second, err := simulator.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, first, second)
	if b, err := os.ReadFile(filepath.Join(dir, "notes.txt")); err != nil || string(b) != "mine" {
		t.Error("a foreign file was touched")
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", st.Mode().Perm())
	}
}

func TestLoadOrCreateKeysRefusesMismatchedFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	if _, err := simulator.LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(dir, "wechatpay_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "merchant_public.pem"), other, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := simulator.LoadOrCreateKeys(dir); err == nil {
		t.Fatal("a mixed-up key set was accepted")
	}
}

func TestLoadOrCreateKeysRefusesAnIncompleteSet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "simulator")
	if _, err := simulator.LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "merchant_private.pem")); err != nil {
		t.Fatal(err)
	}
	// Regenerating would silently replace keys that clients already trust.
	if _, err := simulator.LoadOrCreateKeys(dir); err == nil {
		t.Fatal("a set without merchant_private.pem was accepted")
	}
}

func TestNewRegistersTheDemoApp(t *testing.T) {
	dataDir := t.TempDir()
	sim, err := simulator.New(simulator.Options{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := simulator.LoadOrCreateKeys(simulator.KeyDir(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, sim.Keys(), onDisk)
	e := &env{t: t, sim: sim}
	c := e.demoLogin()
	if out := e.code2Session(e.demoQuery(c.Code)); errcode(out) != 0 {
		t.Fatalf("demo app with its secret: %v", out)
	}
	wrong := e.demoQuery(e.demoLogin().Code)
	wrong.Set("secret", "not-the-secret")
	if got := errcode(e.code2Session(wrong)); got != 40125 {
		t.Fatalf("demo app with a wrong secret: errcode %d", got)
	}
}

func TestNewWithoutDataDirKeepsKeysInMemory(t *testing.T) {
	sim, err := simulator.New(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k := sim.Keys(); k.Dir != "" || k.MerchantPrivateKey == nil || k.AppID != simulator.DemoAppID {
		t.Fatalf("keys %+v", k)
	}
}
