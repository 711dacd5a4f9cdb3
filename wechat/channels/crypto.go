// Package channels is the edge to the WeChat Channels shop (微信小店): the message-push crypto
// (WXBizMsgCrypt in its JSON safe mode), the pushed order and after-sale events, and a client
// for the shop APIs sharecast reads (order/get, the after-sale detail, sharers, live notices).
// It knows WeChat's formats and numbers and nothing of sharecast's domain; errors leave it as
// sentinel errors (crypto, parsing) or *apperr.Error kinds (API calls).
//
// The crypto is written on the standard library on purpose: silenceper/wechat's util.DecryptMsg
// has the right block size but answers untyped fmt errors, compares signatures with ==, and its
// module's root package reconfigures the global logger at init. What is here is small, checked
// against every published vector (reference/WECOM-CHANNELS.md §2.3) and fuzzed.
package channels

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// Errors of the push crypto. Callers branch with errors.Is; each names one way a push can be
// wrong, so the webhook can answer the right 4xx and log why.
var (
	// ErrKey: the EncodingAESKey is not 43 characters of base64 decoding to 32 bytes.
	ErrKey = errors.New("channels: EncodingAESKey must be 43 characters of base64 (32 bytes)")
	// ErrSignature: msg_signature (or the URL check's signature) does not match.
	ErrSignature = errors.New("channels: signature does not match")
	// ErrCiphertext: Encrypt is empty, not base64, or not whole 32-byte blocks (truncated).
	ErrCiphertext = errors.New("channels: ciphertext is not base64 of whole 32-byte blocks")
	// ErrPadding: the PKCS#7 padding (block 32) is not 1…32 bytes each holding its count.
	ErrPadding = errors.New("channels: bad PKCS#7 padding")
	// ErrLength: msg_len points past the end of the plaintext.
	ErrLength = errors.New("channels: message length exceeds the plaintext")
	// ErrAppID: the receiveid after the message is not the shop's appid.
	ErrAppID = errors.New("channels: receiveid is not the expected appid")
)

const (
	// padBlock is WXBizMsgCrypt's PKCS#7 block: 32, not AES's 16, so pads of 17…32 occur.
	padBlock = 32
	// randomLen and lenLen are the fixed head of the plaintext: 16 random bytes, then the
	// message length as 4 bytes big-endian.
	randomLen = 16
	lenLen    = 4
	// MaxMessageBytes bounds a message this package encrypts or accepts: pushes are a few
	// hundred bytes; the bound keeps a hostile msg_len from meaning anything.
	MaxMessageBytes = 1 << 20
)

// MsgCrypt verifies, decrypts and encrypts the pushes of one shop: its token, its
// EncodingAESKey and its appid (the receiveid every message must end with). It is immutable
// and safe for concurrent use.
type MsgCrypt struct {
	token string
	key   []byte // 32 bytes; the IV is key[:16]
	block cipher.Block
	appID string
}

// NewMsgCrypt checks the key and builds the crypt. appID is compared byte for byte with every
// message's receiveid.
func NewMsgCrypt(token, encodingAESKey, appID string) (*MsgCrypt, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrKey
	}
	return &MsgCrypt{token: token, key: key, block: block, appID: appID}, nil
}

// AppID is the receiveid the crypt expects and writes.
func (c *MsgCrypt) AppID() string { return c.appID }

// Signature is msg_signature: the lowercase hex SHA-1 of token, timestamp, nonce and the
// ciphertext, sorted bytewise and joined without a separator.
func Signature(token, timestamp, nonce, encrypt string) string {
	return sortedSHA1(token, timestamp, nonce, encrypt)
}

// URLSignature is the `signature` of the GET URL check (and of plain-mode pushes): the same
// hash over token, timestamp and nonce only. It does not cover the body, so a push body is
// never verified with it.
func URLSignature(token, timestamp, nonce string) string {
	return sortedSHA1(token, timestamp, nonce)
}

func sortedSHA1(parts ...string) string {
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// equalHex compares a received hex signature with ours in constant time; WeChat sends
// lowercase, and a client that upper-cases it is still right.
func equalHex(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// VerifyURL checks the GET URL check's signature; the caller then answers echostr unchanged.
func (c *MsgCrypt) VerifyURL(signature, timestamp, nonce string) error {
	if !equalHex(signature, URLSignature(c.token, timestamp, nonce)) {
		return ErrSignature
	}
	return nil
}

// Open is the receiver's whole check of a push: msg_signature over the ciphertext first (so
// nothing unauthenticated reaches the decryptor), then Decrypt.
func (c *MsgCrypt) Open(msgSignature, timestamp, nonce, encrypt string) ([]byte, error) {
	if !equalHex(msgSignature, Signature(c.token, timestamp, nonce, encrypt)) {
		return nil, ErrSignature
	}
	return c.Decrypt(encrypt)
}

// Decrypt base64-decodes and decrypts a ciphertext, strips the 32-byte PKCS#7 padding, reads
// the length-prefixed message and checks that the receiveid after it is the appid. It never
// panics, whatever the input (fuzzed).
func (c *MsgCrypt) Decrypt(encrypt string) ([]byte, error) {
	if encrypt == "" || base64.StdEncoding.DecodedLen(len(encrypt)) > MaxMessageBytes+randomLen+lenLen+len(c.appID)+padBlock {
		return nil, ErrCiphertext
	}
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil || len(ct) == 0 || len(ct)%padBlock != 0 {
		return nil, ErrCiphertext
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(pt, ct)

	pad := int(pt[len(pt)-1])
	if pad < 1 || pad > padBlock {
		return nil, ErrPadding
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, ErrPadding
		}
	}
	pt = pt[:len(pt)-pad]
	if len(pt) < randomLen+lenLen {
		return nil, ErrLength
	}
	msgLen := uint64(binary.BigEndian.Uint32(pt[randomLen : randomLen+lenLen]))
	rest := pt[randomLen+lenLen:]
	if msgLen > uint64(len(rest)) {
		return nil, ErrLength
	}
	msg, receiveID := rest[:msgLen], rest[msgLen:]
	if !bytes.Equal(receiveID, []byte(c.appID)) {
		return nil, ErrAppID
	}
	return msg, nil
}

// Encrypt encrypts msg for this shop with 16 fresh random bytes (the simulator's pushes, and
// encrypted replies).
func (c *MsgCrypt) Encrypt(msg []byte) (string, error) {
	random := make([]byte, randomLen)
	_, _ = rand.Read(random) // crypto/rand.Read never fails (Go ≥ 1.24)
	return c.EncryptWithRandom(random, msg)
}

// EncryptWithRandom is Encrypt with the 16 random bytes given, so published vectors can be
// reproduced exactly.
func (c *MsgCrypt) EncryptWithRandom(random, msg []byte) (string, error) {
	if len(random) != randomLen {
		return "", errors.New("channels: random prefix must be 16 bytes")
	}
	if len(msg) > MaxMessageBytes {
		return "", errors.New("channels: message too large")
	}
	full := make([]byte, 0, randomLen+lenLen+len(msg)+len(c.appID)+padBlock)
	full = append(full, random...)
	full = binary.BigEndian.AppendUint32(full, uint32(len(msg)))
	full = append(full, msg...)
	full = append(full, c.appID...)
	pad := padBlock - len(full)%padBlock
	full = append(full, bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(full, full)
	return base64.StdEncoding.EncodeToString(full), nil
}

// Envelope is the JSON body of a safe-mode push (and of an encrypted reply, which adds the
// signature fields).
type Envelope struct {
	ToUserName   string `json:"ToUserName,omitempty"`
	Encrypt      string `json:"Encrypt"`
	MsgSignature string `json:"MsgSignature,omitempty"`
	TimeStamp    string `json:"TimeStamp,omitempty"`
	Nonce        string `json:"Nonce,omitempty"`
}

// Seal encrypts msg and signs it with timestamp and nonce: what the simulator pushes (body
// {ToUserName, Encrypt}; query msg_signature, timestamp, nonce) and what an encrypted reply
// carries.
func (c *MsgCrypt) Seal(msg []byte, timestamp, nonce string) (Envelope, error) {
	enc, err := c.Encrypt(msg)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Encrypt: enc, MsgSignature: Signature(c.token, timestamp, nonce, enc), TimeStamp: timestamp, Nonce: nonce}, nil
}
