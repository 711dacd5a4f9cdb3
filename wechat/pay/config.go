package pay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sharecast/sharecast/brands"
)

// Config is one brand's WeChat Pay merchant: what the merchant platform hands out. Keys are
// PEM text. A merchant in public-key mode (every merchant since 2024) has PublicKeyID and
// PublicKeyPEM; an older one has platform certificates; during a switch from certificates to
// the public key it has both, and WeChat signs with either (chosen per message by
// Wechatpay-Serial).
type Config struct {
	MchID string
	// AppID is the mini-program bound to the merchant; bills carry it and the member confirms
	// in it.
	AppID            string
	MerchantSerialNo string
	// MerchantPrivateKeyPEM is the merchant API private key (apiclient_key.pem: PKCS#8, or
	// PKCS#1). It signs every request.
	MerchantPrivateKeyPEM string
	// APIv3Key (32 characters) decrypts callbacks.
	APIv3Key string
	// PublicKeyID (PUB_KEY_ID_…) and PublicKeyPEM (PEM PUBLIC KEY) are the WeChat Pay public
	// key.
	PublicKeyID  string
	PublicKeyPEM string
	// PlatformCertificatesPEM holds zero or more PEM CERTIFICATE blocks: the platform
	// certificates, each known by its serial number (upper-case hex).
	PlatformCertificatesPEM string
}

// ErrNotConfigured means the brand has no (complete) WeChat Pay merchant configuration.
var ErrNotConfigured = errors.New("wechatpay: the brand's WeChat Pay merchant is not configured")

// CredentialOpener opens a brand's sealed credential; brands.Service satisfies it.
type CredentialOpener interface {
	Credential(b brands.Brand, field string) (string, error)
}

// BrandConfig gathers a brand's merchant configuration, opening its sealed credentials. A
// brand without the merchant id, serial, private key, APIv3 key or a WeChat Pay public key
// answers ErrNotConfigured.
func BrandConfig(b brands.Brand, creds CredentialOpener) (Config, error) {
	if b.PayMchID == "" || b.PaySerialNo == "" || b.MPAppID == "" || b.PayPublicKeyID == "" || b.PayPublicKey == "" ||
		!b.HasCredential(brands.CredPayPrivateKey) || !b.HasCredential(brands.CredPayAPIv3Key) {
		return Config{}, ErrNotConfigured
	}
	key, err := creds.Credential(b, brands.CredPayPrivateKey)
	if err != nil {
		return Config{}, fmt.Errorf("wechatpay: open the merchant private key: %w", err)
	}
	v3, err := creds.Credential(b, brands.CredPayAPIv3Key)
	if err != nil {
		return Config{}, fmt.Errorf("wechatpay: open the APIv3 key: %w", err)
	}
	return Config{MchID: b.PayMchID, AppID: b.MPAppID, MerchantSerialNo: b.PaySerialNo,
		MerchantPrivateKeyPEM: key, APIv3Key: v3, PublicKeyID: b.PayPublicKeyID, PublicKeyPEM: b.PayPublicKey}, nil
}

var (
	mchIDRe  = regexp.MustCompile(`^[0-9]{1,32}$`)
	serialRe = regexp.MustCompile(`^[0-9A-Fa-f]{1,64}$`)
)

// PublicKeyIDPrefix starts every WeChat Pay public key id; a Wechatpay-Serial without it is a
// platform certificate's serial.
const PublicKeyIDPrefix = "PUB_KEY_ID_"

// merchant is a Config parsed and checked.
type merchant struct {
	cfg        Config
	privateKey *rsa.PrivateKey
	keys       keySet
}

// keySet holds the keys WeChat Pay signs with, by the serial it names them with.
type keySet struct {
	byID map[string]*rsa.PublicKey
	// preferred is what requests announce in Wechatpay-Serial and what encrypts user_name:
	// the public key when there is one, else the platform certificate that expires last.
	preferred string
}

// parse checks a Config. Its errors never quote key material: a malformed private key must
// not end up in a log line (gopay's own PEM parser puts the whole PEM in its error).
func (c Config) parse() (*merchant, error) {
	switch {
	case !mchIDRe.MatchString(c.MchID):
		return nil, errors.New("wechatpay config: mch_id must be 1-32 digits")
	case c.AppID == "" || len(c.AppID) > 32:
		return nil, errors.New("wechatpay config: appid is required (≤ 32 characters)")
	case !serialRe.MatchString(c.MerchantSerialNo):
		return nil, errors.New("wechatpay config: the merchant serial number must be hex")
	case len(c.APIv3Key) != 32:
		// AES-256-GCM: WeChat's APIv3 key is exactly 32 characters.
		return nil, errors.New("wechatpay config: the APIv3 key must be 32 characters")
	}
	priv, err := parsePrivateKey(c.MerchantPrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	keys, err := parseVerificationKeys(c.PublicKeyID, c.PublicKeyPEM, c.PlatformCertificatesPEM)
	if err != nil {
		return nil, err
	}
	return &merchant{cfg: c, privateKey: priv, keys: keys}, nil
}

func parsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") {
		return nil, errors.New("wechatpay config: the merchant private key is not a PEM PRIVATE KEY block")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, errors.New("wechatpay config: the merchant private key is not an RSA key")
	}
	if rk, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return rk, nil
	}
	return nil, errors.New("wechatpay config: the merchant private key is neither PKCS#8 nor PKCS#1 RSA")
}

// parseVerificationKeys builds the key set from the public key and the platform certificates.
func parseVerificationKeys(publicKeyID, publicKeyPEM, certsPEM string) (keySet, error) {
	ks := keySet{byID: map[string]*rsa.PublicKey{}}
	if publicKeyID != "" || publicKeyPEM != "" {
		if !strings.HasPrefix(publicKeyID, PublicKeyIDPrefix) {
			return keySet{}, errors.New("wechatpay config: the public key id must start with " + PublicKeyIDPrefix)
		}
		block, _ := pem.Decode([]byte(publicKeyPEM))
		if block == nil || block.Type != "PUBLIC KEY" {
			return keySet{}, errors.New("wechatpay config: the WeChat Pay public key is not a PEM PUBLIC KEY block")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		rk, ok := k.(*rsa.PublicKey)
		if err != nil || !ok {
			return keySet{}, errors.New("wechatpay config: the WeChat Pay public key is not an RSA PKIX key")
		}
		ks.byID[publicKeyID] = rk
		ks.preferred = publicKeyID
	}
	var newest *x509.Certificate
	rest := []byte(certsPEM)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return keySet{}, errors.New("wechatpay config: platform certificates must be PEM CERTIFICATE blocks")
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return keySet{}, fmt.Errorf("wechatpay config: a platform certificate does not parse: %w", err)
		}
		rk, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return keySet{}, errors.New("wechatpay config: a platform certificate has no RSA key")
		}
		ks.byID[CertificateSerial(cert)] = rk
		if newest == nil || cert.NotAfter.After(newest.NotAfter) {
			newest = cert
		}
	}
	if strings.TrimSpace(string(rest)) != "" {
		return keySet{}, errors.New("wechatpay config: platform certificates hold text that is not PEM")
	}
	if ks.preferred == "" && newest != nil {
		ks.preferred = CertificateSerial(newest)
	}
	if len(ks.byID) == 0 {
		return keySet{}, errors.New("wechatpay config: a WeChat Pay public key or a platform certificate is required")
	}
	return ks, nil
}

// CertificateSerial is a certificate's serial as Wechatpay-Serial names it: upper-case hex.
func CertificateSerial(cert *x509.Certificate) string { return fmt.Sprintf("%X", cert.SerialNumber) }
