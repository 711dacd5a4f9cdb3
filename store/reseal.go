package store

import (
	"context"
	"fmt"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/leaderboard"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/webhooks"
)

// sealedColumn is one column of sealed values and how its values were sealed: the owner is
// the row's id or its brand, the field a constant or derived from the row's id (the AAD the
// domain used; see secrets).
type sealedColumn struct {
	table, column string
	ownerIsBrand  bool
	field         func(id string) string
}

func constField(f string) func(string) string { return func(string) string { return f } }

// sealedColumns lists every sealed column. A new sealed column must be added here so a key
// rotation reaches it (payouts: add yours below).
var sealedColumns = []sealedColumn{
	{"brands", "mp_app_secret_sealed", false, constField(brands.CredMPAppSecret)},
	{"brands", "channels_app_secret_sealed", false, constField(brands.CredChannelsAppSecret)},
	{"brands", "push_token_sealed", false, constField(brands.CredPushToken)},
	{"brands", "push_aes_key_sealed", false, constField(brands.CredPushAESKey)},
	{"brands", "pay_private_key_sealed", false, constField(brands.CredPayPrivateKey)},
	{"brands", "pay_apiv3_key_sealed", false, constField(brands.CredPayAPIv3Key)},
	{"members", "real_name_sealed", false, constField(referral.RealNameField)},
	{"webhook_endpoints", "secret_sealed", true, constField(webhooks.SealField())},
	{"wecom_robots", "key_sealed", true, leaderboard.RobotKeyField},
	// payouts
}

// ResealResult counts a rotation.
type ResealResult struct {
	Seen, Resealed, Unopenable int
	FirstUnopenable            string // table.column id of the first value no key opens
}

// ResealAll passes every sealed value to reseal (secrets.Box.Reseal) and stores what it
// re-sealed. Each write is guarded by the old value, so a value changed meanwhile (an admin
// set a new credential) is left alone. Values reseal cannot open are counted, not fatal.
func (s *Store) ResealAll(ctx context.Context, reseal func(owner, field string, sealed []byte) ([]byte, bool, error)) (ResealResult, error) {
	var res ResealResult
	for _, col := range sealedColumns {
		owner := "id"
		if col.ownerIsBrand {
			owner = "brand_id"
		}
		type row struct {
			id, owner string
			sealed    []byte
		}
		var rows []row
		q := fmt.Sprintf(`SELECT id, %s, %s FROM %s WHERE %s IS NOT NULL`, owner, col.column, col.table, col.column)
		rs, err := s.conn(ctx).QueryContext(ctx, q)
		if err != nil {
			return res, fmt.Errorf("%s.%s: %w", col.table, col.column, err)
		}
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.id, &r.owner, &r.sealed); err != nil {
				rs.Close()
				return res, err
			}
			if len(r.sealed) > 0 {
				rows = append(rows, r)
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return res, err
		}
		for _, r := range rows {
			res.Seen++
			out, changed, err := reseal(r.owner, col.field(r.id), r.sealed)
			if err != nil {
				res.Unopenable++
				if res.FirstUnopenable == "" {
					res.FirstUnopenable = col.table + "." + col.column + " " + r.id
				}
				continue
			}
			if !changed {
				continue
			}
			n, err := s.execRebound(ctx, fmt.Sprintf(`UPDATE %s SET %s = ? WHERE id = ? AND %s = ?`, col.table, col.column, col.column),
				out, r.id, r.sealed)
			if err != nil {
				return res, fmt.Errorf("%s.%s %s: %w", col.table, col.column, r.id, err)
			}
			res.Resealed += int(n)
		}
	}
	return res, nil
}
