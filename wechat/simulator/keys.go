package simulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DemoAppID is the demo mini-program's appid; the demo brand and the simulator share it.
const DemoAppID = "wx0000000000000001"

// File names under the key directory. They are part of the contract with independent clients
// (API.md, "Built-in simulator"), so they never change.
const (
	merchantFile         = "merchant.json"
	merchantPrivateFile  = "merchant_private.pem"
	merchantPublicFile   = "merchant_public.pem"
	wechatPayPublicFile  = "wechatpay_public.pem"
	wechatPayPrivateFile = "wechatpay_private.pem"
)

// Keys are the simulator's long-lived identities: the demo merchant's WeChat Pay credentials,
// the demo mini-program's secret, the Channels push credentials and the simulator's own
// WeChat Pay platform key. They live on disk so the demo brand, the simulator and any
// independent client agree across restarts and processes.
type Keys struct {
	// Dir is where the files live; "" for keys that were never written (Options.DataDir "").
	Dir string

	MchID                  string
	AppID                  string
	AppSecret              string
	MerchantSerialNo       string
	PublicKeyID            string
	APIv3Key               string
	ChannelsToken          string
	ChannelsEncodingAESKey string

	// MerchantPrivateKey signs the merchant's API requests; the simulator keeps the public
	// half to verify them.
	MerchantPrivateKey *rsa.PrivateKey
	MerchantPublicKey  *rsa.PublicKey
	// WechatPayPrivateKey is the simulator's platform key (it signs responses and callbacks);
	// WechatPayPublicKey is what merchants get to check them, under id PublicKeyID.
	WechatPayPrivateKey *rsa.PrivateKey
	WechatPayPublicKey  *rsa.PublicKey

	// The same keys as PEM, byte for byte what is on disk, for configuring a brand.
	MerchantPrivateKeyPEM  []byte
	MerchantPublicKeyPEM   []byte
	WechatPayPublicKeyPEM  []byte
	WechatPayPrivateKeyPEM []byte
}

// merchantJSON is the on-disk form of merchant.json.
type merchantJSON struct {
	MchID                  string `json:"mch_id"`
	AppID                  string `json:"appid"`
	AppSecret              string `json:"app_secret"`
	MerchantSerialNo       string `json:"merchant_serial_no"`
	PublicKeyID            string `json:"public_key_id"`
	APIv3Key               string `json:"apiv3_key"`
	ChannelsToken          string `json:"channels_token"`
	ChannelsEncodingAESKey string `json:"channels_encoding_aes_key"`
}

// KeyDir is the key directory for a data directory.
func KeyDir(dataDir string) string { return filepath.Join(dataDir, "simulator") }

// errNoKeys means merchant.json is absent: the key set was never created.
var errNoKeys = errors.New("simulator keys not created yet")

// LoadOrCreateKeys loads the key set from dir (the key directory itself, see KeyDir),
// generating and writing it first when merchant.json is absent. Existing files are never
// overwritten: keys that clients already trust must stay.
func LoadOrCreateKeys(dir string) (*Keys, error) {
	k, err := loadKeys(dir)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, errNoKeys) {
		return nil, err
	}
	files, err := newKeyFiles()
	if err != nil {
		return nil, err
	}
	if err := installKeyFiles(dir, files); err != nil {
		return nil, err
	}
	// Read back what is on disk: when another process won the race, its keys are the ones.
	return loadKeys(dir)
}

// generateKeys makes a key set that lives only in memory.
func generateKeys() (*Keys, error) {
	files, err := newKeyFiles()
	if err != nil {
		return nil, err
	}
	return parseKeyFiles("", files)
}

// keyFile is one file of the set with its content.
type keyFile struct {
	name string
	data []byte
}

// newKeyFiles generates a fresh set. merchant.json comes last: its presence marks a complete
// set, so it is written last.
func newKeyFiles() ([]keyFile, error) {
	m := merchantJSON{
		MchID:            randomString(digits[1:], 1) + randomString(digits, 9),
		AppID:            DemoAppID,
		AppSecret:        randomString(lowerHex, 32),
		MerchantSerialNo: randomString(upperHex, 40),
		// WeChat Pay's ids read PUB_KEY_ID_ followed by 28 digits.
		PublicKeyID:   "PUB_KEY_ID_" + randomString(digits, 28),
		APIv3Key:      randomString(alphanumeric, 32),
		ChannelsToken: randomString(alphanumeric, 32),
	}
	aes := make([]byte, 32)
	if _, err := rand.Read(aes); err != nil {
		return nil, err
	}
	// EncodingAESKey is 43 characters: 32 bytes in base64 with the trailing "=" dropped.
	m.ChannelsEncodingAESKey = base64.RawStdEncoding.EncodeToString(aes)
	meta, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}

	merchant, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate merchant key: %w", err)
	}
	platform, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate platform key: %w", err)
	}
	merchantPriv, merchantPub, err := encodeKeyPair(merchant)
	if err != nil {
		return nil, err
	}
	platformPriv, platformPub, err := encodeKeyPair(platform)
	if err != nil {
		return nil, err
	}
	return []keyFile{
		{merchantPrivateFile, merchantPriv},
		{merchantPublicFile, merchantPub},
		{wechatPayPrivateFile, platformPriv},
		{wechatPayPublicFile, platformPub},
		{merchantFile, append(meta, '\n')},
	}, nil
}

func encodeKeyPair(k *rsa.PrivateKey) (priv, pub []byte, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), nil
}

// installKeyFiles puts a whole set into dir without ever exposing half of one. The set is
// written into a fresh sibling directory and renamed into place in one step, so of two
// processes starting at once exactly one set lands and the loser reads the winner's. When dir
// already exists with other files in it the rename cannot succeed; then each file is written
// by temp file + rename, merchant.json last.
func installKeyFiles(dir string, files []keyFile) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("simulator keys: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".simulator-keys-*") // 0700
	if err != nil {
		return fmt.Errorf("simulator keys: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(tmp, f.name), f.data); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err == nil {
		return nil
	}
	// dir exists and is not empty. If it holds a complete set, another process won.
	if _, err := os.Stat(filepath.Join(dir, merchantFile)); err == nil {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("simulator keys: %w", err)
	}
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes data to path with mode 0600 so that a reader sees either the old
// file or the whole new one.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*") // 0600
	if err != nil {
		return fmt.Errorf("simulator keys: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("simulator keys: write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// loadKeys reads and checks a complete set; errNoKeys when merchant.json is absent.
func loadKeys(dir string) (*Keys, error) {
	files := make([]keyFile, 0, 5)
	for _, name := range []string{merchantFile, merchantPrivateFile, merchantPublicFile, wechatPayPrivateFile, wechatPayPublicFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if name == merchantFile && errors.Is(err, fs.ErrNotExist) {
			return nil, errNoKeys
		}
		if err != nil {
			return nil, fmt.Errorf("simulator keys: %w", err)
		}
		files = append(files, keyFile{name, data})
	}
	return parseKeyFiles(dir, files)
}

// parseKeyFiles builds Keys from file contents and refuses a set whose halves do not match
// (a hand-edited or mixed-up directory), since signatures would then fail far from the cause.
func parseKeyFiles(dir string, files []keyFile) (*Keys, error) {
	byName := make(map[string][]byte, len(files))
	for _, f := range files {
		byName[f.name] = f.data
	}
	var m merchantJSON
	if err := json.Unmarshal(byName[merchantFile], &m); err != nil {
		return nil, fmt.Errorf("simulator keys: %s: %w", merchantFile, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("simulator keys: %s: %w", merchantFile, err)
	}
	k := &Keys{
		Dir:                    dir,
		MchID:                  m.MchID,
		AppID:                  m.AppID,
		AppSecret:              m.AppSecret,
		MerchantSerialNo:       m.MerchantSerialNo,
		PublicKeyID:            m.PublicKeyID,
		APIv3Key:               m.APIv3Key,
		ChannelsToken:          m.ChannelsToken,
		ChannelsEncodingAESKey: m.ChannelsEncodingAESKey,
		MerchantPrivateKeyPEM:  byName[merchantPrivateFile],
		MerchantPublicKeyPEM:   byName[merchantPublicFile],
		WechatPayPrivateKeyPEM: byName[wechatPayPrivateFile],
		WechatPayPublicKeyPEM:  byName[wechatPayPublicFile],
	}
	var err error
	if k.MerchantPrivateKey, err = parsePrivateKey(merchantPrivateFile, k.MerchantPrivateKeyPEM); err != nil {
		return nil, err
	}
	if k.MerchantPublicKey, err = parsePublicKey(merchantPublicFile, k.MerchantPublicKeyPEM); err != nil {
		return nil, err
	}
	if k.WechatPayPrivateKey, err = parsePrivateKey(wechatPayPrivateFile, k.WechatPayPrivateKeyPEM); err != nil {
		return nil, err
	}
	if k.WechatPayPublicKey, err = parsePublicKey(wechatPayPublicFile, k.WechatPayPublicKeyPEM); err != nil {
		return nil, err
	}
	if !k.MerchantPrivateKey.PublicKey.Equal(k.MerchantPublicKey) {
		return nil, fmt.Errorf("simulator keys: %s does not match %s", merchantPublicFile, merchantPrivateFile)
	}
	if !k.WechatPayPrivateKey.PublicKey.Equal(k.WechatPayPublicKey) {
		return nil, fmt.Errorf("simulator keys: %s does not match %s", wechatPayPublicFile, wechatPayPrivateFile)
	}
	return k, nil
}

func (m merchantJSON) validate() error {
	switch {
	case m.MchID == "", m.AppID == "", m.AppSecret == "", m.MerchantSerialNo == "",
		m.PublicKeyID == "", m.ChannelsToken == "":
		return errors.New("a field is empty")
	case len(m.APIv3Key) != 32:
		return errors.New("apiv3_key must be 32 characters")
	}
	aes, err := base64.StdEncoding.DecodeString(m.ChannelsEncodingAESKey + "=")
	if err != nil || len(aes) != 32 {
		return errors.New("channels_encoding_aes_key must be 43 characters of base64 (32 bytes)")
	}
	return nil
}

func parsePrivateKey(name string, data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("simulator keys: %s: want a PEM PRIVATE KEY block", name)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("simulator keys: %s: %w", name, err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("simulator keys: %s: not an RSA key", name)
	}
	return rk, nil
}

func parsePublicKey(name string, data []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("simulator keys: %s: want a PEM PUBLIC KEY block", name)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("simulator keys: %s: %w", name, err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("simulator keys: %s: not an RSA key", name)
	}
	return rk, nil
}

const (
	digits       = "0123456789"
	lowerHex     = "0123456789abcdef"
	upperHex     = "0123456789ABCDEF"
	alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	// idAlphabet is what openids and unionids are made of.
	idAlphabet = alphanumeric + "-_"
)

// randomString draws n characters uniformly from alphabet (at most 256 characters) with
// crypto/rand; rejection sampling avoids modulo bias.
func randomString(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+16)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go ≥ 1.24)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
