package main

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/payouts"
)

// payMerchant is what signs and encrypts a WeChat Pay callback for one merchant: WeChat Pay's
// key for that merchant (named by its public key id) and the merchant's APIv3 key.
type payMerchant struct {
	mchID, publicKeyID, apiV3Key string
	wechatPayKey                 *rsa.PrivateKey
}

// transferCallback builds a MCHTRANSFER.BILL.FINISHED notification the way WeChat Pay sends it
// (reference/WECHAT.md §6): the bill AES-256-GCM encrypted under the merchant's APIv3 key, the
// body signed with WeChat Pay's key; answers the body and its headers for svc.do.
func (m payMerchant) transferCallback(t *testing.T, outBillNo, transferBillNo string, amountFen int64) ([]byte, []string) {
	t.Helper()
	now := time.Now().Format(time.RFC3339)
	plain, err := json.Marshal(map[string]any{"out_bill_no": outBillNo, "transfer_bill_no": transferBillNo, "state": "SUCCESS",
		"mch_id": m.mchID, "transfer_amount": amountFen, "openid": "iso-b-openid-inviter", "create_time": now, "update_time": now})
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher([]byte(m.apiV3Key))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	const ad, nonce = "mch_payment", "isoNonce0001"
	body, err := json.Marshal(map[string]any{"id": "iso-" + transferBillNo, "create_time": now, "resource_type": "encrypt-resource",
		"event_type": "MCHTRANSFER.BILL.FINISHED", "summary": "商家转账单据终态通知",
		"resource": map[string]any{"original_type": "mch_payment", "algorithm": "AEAD_AES_256_GCM", "associated_data": ad, "nonce": nonce,
			"ciphertext": base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plain, []byte(ad)))}})
	if err != nil {
		t.Fatal(err)
	}
	ts, sigNonce := strconv.FormatInt(time.Now().Unix(), 10), "iso-sig-nonce-"+transferBillNo
	sum := sha256.Sum256([]byte(ts + "\n" + sigNonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(rand.Reader, m.wechatPayKey, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return body, []string{"Wechatpay-Timestamp", ts, "Wechatpay-Nonce", sigNonce, "Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig),
		"Wechatpay-Serial", m.publicKeyID, "Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"}
}

// POST /webhooks/wechatpay/{brand_id}/transfer carries no brand credential: the path names the
// brand and the brand's WeChat Pay keys authenticate the body. Isolation there means a
// callback made for brand A's merchant (signed by WeChat Pay for A, encrypted under A's APIv3
// key) is refused on brand B's path and changes nothing of B, and on A's own path it cannot
// reach B's payout either. A callback made for B's merchant passes B's checks (so the refusal
// above is the keys, not a broken path) and still cannot move a payout no admin approved.
func TestWeChatPayCallbackTenantIsolation(t *testing.T) {
	engines(t, func(t *testing.T, s *svc) {
		ctx := context.Background()
		b := s.isolationFixture(t)
		owner := s.adminLogin("admin", s.password)
		aID := s.do("GET", "/admin/v1/settings", owner, nil).str("settings.id")
		keys := s.app.sim.Keys()
		a := payMerchant{mchID: keys.MchID, publicKeyID: keys.PublicKeyID, apiV3Key: keys.APIv3Key, wechatPayKey: keys.WechatPayPrivateKey}

		// Brand B is its own merchant: its own mch id, merchant key, APIv3 key and WeChat Pay key.
		bPay := payMerchant{mchID: "1900009191", publicKeyID: "PUB_KEY_ID_0119000091912026120100000000000B", apiV3Key: "isoBrandBapiv3key0123456789abcdx",
			wechatPayKey: rsaKey(t)}
		pub, err := x509.MarshalPKIXPublicKey(&bPay.wechatPayKey.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		priv, err := x509.MarshalPKCS8PrivateKey(rsaKey(t))
		if err != nil {
			t.Fatal(err)
		}
		str := func(v string) *string { return &v }
		if _, err := s.app.brands.UpdateSettings(ctx, brands.CLIActor, b.ids["brand"], brands.SettingsInput{
			MPAppID: str("wx00000000000000b1"), PayMchID: str(bPay.mchID), PaySerialNo: str("5157F09EFDC096DE15EBE81A47057A72000000B1"),
			PayPublicKeyID: str(bPay.publicKeyID), PayPublicKey: str(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))),
			PayTransferSceneID: str("1005"),
			Credentials: map[string]*string{
				brands.CredPayPrivateKey: str(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))),
				brands.CredPayAPIv3Key:   str(bPay.apiV3Key),
			}}); err != nil {
			t.Fatal(err)
		}

		bPath, aPath := "/webhooks/wechatpay/"+b.ids["brand"]+"/transfer", "/webhooks/wechatpay/"+aID+"/transfer"
		// A's merchant callback naming B's payout, on B's path: refused by B's keys (A's key id
		// is not B's), and with B's key id put in front of A's signature too.
		body, hdr := a.transferCallback(t, b.payoutBill, "iso-a-bill-0001", 10_000)
		if r := s.do("POST", bPath, "", body, hdr...); r.status != http.StatusUnauthorized {
			t.Fatalf("brand A's callback on brand B's path answered %d, want 401: %s", r.status, r.raw)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			if hdr[i] == "Wechatpay-Serial" {
				hdr[i+1] = bPay.publicKeyID
			}
		}
		if r := s.do("POST", bPath, "", body, hdr...); r.status != http.StatusUnauthorized {
			t.Fatalf("brand A's callback under B's key id on brand B's path answered %d, want 401: %s", r.status, r.raw)
		}
		// On A's own path it verifies, but B's out_bill_no is no payout of A's: 404.
		body, hdr = a.transferCallback(t, b.payoutBill, "iso-a-bill-0002", 10_000)
		if r := s.do("POST", aPath, "", body, hdr...); r.status != http.StatusNotFound {
			t.Fatalf("brand A's callback naming brand B's payout on A's path answered %d, want 404: %s", r.status, r.raw)
		}
		// B's own merchant callback passes B's checks and reaches B's payout, which no admin
		// approved: refused as a bill before approval, nothing changes.
		body, hdr = bPay.transferCallback(t, b.payoutBill, "iso-b-bill-0001", 10_000)
		if r := s.do("POST", bPath, "", body, hdr...); r.status != http.StatusConflict || r.str("message") != "BILL_BEFORE_APPROVAL" {
			t.Fatalf("brand B's own callback answered %d, want 409 BILL_BEFORE_APPROVAL: %s", r.status, r.raw)
		}

		p := s.do("GET", "/admin/v1/payouts/"+b.ids["payout"], b.token, nil)
		expect(t, p, 200, "")
		if p.str("payout.status") != string(payouts.PayoutRequested) {
			t.Fatalf("brand B's payout changed: %s", p.raw)
		}
		t.Logf("WeChat Pay callbacks: A's on B's path 401 (A's key id and B's), A's naming B's payout on A's path 404, B's own reaches B's checks (409 before approval); B's payout still %s", p.str("payout.status"))
	})
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
