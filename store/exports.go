package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sharecast/sharecast/analytics"
)

var _ analytics.Exporter = (*LiveStats)(nil)

// exportSpec is one kind's header and query; the query's WHERE is completed by the filter.
type exportSpec struct {
	header  []string
	query   string // SELECT … FROM … WHERE t.brand_id = $1
	liveCol string // the column the live filter applies to
	timeCol string // the column the time range applies to
	order   string
	cols    int
}

var exportSpecs = map[string]exportSpec{
	analytics.ExportReservations: {
		header: []string{"id", "live_id", "viewer_member_id", "viewer_nickname", "inviter_member_id", "inviter_nickname",
			"channel", "group", "status", "risk", "counted", "reason", "created_at", "counted_at"},
		query: `SELECT t.id, t.live_id, t.viewer_id, COALESCE(v.nickname, ''), COALESCE(t.inviter_id, ''), COALESCE(i.nickname, ''),
			t.channel, t.group_label, t.status, t.risk, t.counted, t.reason, t.created_at, t.counted_at
			FROM reservations t
			LEFT JOIN members v ON v.brand_id = t.brand_id AND v.id = t.viewer_id
			LEFT JOIN members i ON i.brand_id = t.brand_id AND i.id = t.inviter_id
			WHERE t.brand_id = $1`,
		liveCol: "t.live_id", timeCol: "t.created_at", order: "t.created_at, t.id",
	},
	analytics.ExportOrders: {
		header: []string{"id", "source", "external_id", "live_id", "paid_at", "ship_city", "ship_city_norm", "paid_fen",
			"refunded_fen", "net_fen", "share_code", "attributed_member_id", "attributed_nickname", "attribution_rule",
			"attribution_version", "attribution_reason", "confirmed_at", "cancelled_at"},
		query: `SELECT t.id, t.source, t.external_id, COALESCE(t.live_id, ''), t.paid_at, t.ship_city, t.ship_city_norm,
			t.total_paid_fen, COALESCE((SELECT SUM(l.refunded_fen) FROM order_lines l WHERE l.brand_id = t.brand_id AND l.order_id = t.id), 0),
			0, t.share_code, COALESCE(t.attributed_member_id, ''), COALESCE(m.nickname, ''), t.attribution_rule,
			t.attribution_version, t.attribution_reason, t.confirmed_at, t.cancelled_at
			FROM orders t LEFT JOIN members m ON m.brand_id = t.brand_id AND m.id = t.attributed_member_id
			WHERE t.brand_id = $1`,
		liveCol: "t.live_id", timeCol: "t.paid_at", order: "t.paid_at, t.id",
	},
	analytics.ExportCommissions: {
		header: []string{"id", "order_id", "external_id", "order_line_id", "live_id", "beneficiary_member_id", "beneficiary_nickname",
			"tier", "product_type", "amount_fen", "reversed_fen", "net_fen", "status", "due_at", "available_at", "created_at"},
		query: `SELECT t.id, t.order_id, o.external_id, t.order_line_id, COALESCE(t.live_id, ''), t.beneficiary_id, COALESCE(m.nickname, ''),
			t.tier, t.product_type, t.amount_fen, t.reversed_fen, 0, t.status, t.due_at, t.available_at, t.created_at
			FROM commissions t JOIN orders o ON o.brand_id = t.brand_id AND o.id = t.order_id
			LEFT JOIN members m ON m.brand_id = t.brand_id AND m.id = t.beneficiary_id
			WHERE t.brand_id = $1`,
		liveCol: "t.live_id", timeCol: "t.created_at", order: "t.created_at, t.id",
	},
}

// Export streams one kind as CSV rows (analytics.Exporter): the header, then each row as the
// database hands it over. An unknown kind is an error (the HTTP edge checks kinds first).
func (ls *LiveStats) Export(ctx context.Context, kind, brandID string, f analytics.ExportFilter, fn func([]string) error) error {
	if kind == analytics.ExportPayouts {
		return ls.s.ExportPayouts(ctx, brandID, PayoutExportFilter{LiveID: f.LiveID, From: f.From, To: f.To}, fn)
	}
	spec, ok := exportSpecs[kind]
	if !ok {
		return fmt.Errorf("store: no export %q", kind)
	}
	q := spec.query
	args := []any{brandID}
	if f.LiveID != "" {
		args = append(args, f.LiveID)
		q += fmt.Sprintf(" AND %s = $%d", spec.liveCol, len(args))
	}
	if f.From != nil {
		args = append(args, dbTime(*f.From))
		q += fmt.Sprintf(" AND %s >= $%d", spec.timeCol, len(args))
	}
	if f.To != nil {
		args = append(args, dbTime(*f.To))
		q += fmt.Sprintf(" AND %s < $%d", spec.timeCol, len(args))
	}
	q += " ORDER BY " + spec.order
	if err := fn(spec.header); err != nil {
		return err
	}
	rows, err := ls.s.conn(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := len(spec.header)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]string, n)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			s, err := cell(v)
			if err != nil {
				return err
			}
			out[i] = s
		}
		// net_fen = paid/amount − refunded/reversed, computed here so the SQL stays portable.
		switch kind {
		case analytics.ExportReservations:
			out[10] = boolCell(out[10]) // SQLite answers 0/1
		case analytics.ExportOrders:
			out[9] = subtract(out[7], out[8])
		case analytics.ExportCommissions:
			out[11] = subtract(out[9], out[10])
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	return rows.Err()
}

func subtract(a, b string) string {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return strconv.FormatInt(x-y, 10)
}

// cell renders one scanned value: times as RFC 3339 UTC, booleans as true/false, NULL as "".
func cell(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case time.Time:
		return t.UTC().Format(time.RFC3339), nil
	case bool:
		return strconv.FormatBool(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case []byte:
		return textCell(string(t))
	case string:
		return textCell(t)
	}
	return fmt.Sprint(v), nil
}

func boolCell(s string) string {
	switch s {
	case "1", "true":
		return "true"
	}
	return "false"
}

// textCell passes text through, except SQLite's stored timestamps, which become RFC 3339,
// and text a spreadsheet would run as a formula (a nickname starting with "="), which gets a
// leading apostrophe.
func textCell(s string) (string, error) {
	if len(s) >= 19 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && strings.HasSuffix(s, "UTC") {
		if t, err := parseTime(s); err == nil {
			return t.UTC().Format(time.RFC3339), nil
		}
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s, nil
	}
	return s, nil
}
