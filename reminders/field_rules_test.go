package reminders_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sharecast/sharecast/reminders"
)

// fieldCases is the table of WeChat's data rules (WECHAT.md §2).
var fieldCases = []struct {
	key, value string
	ok         bool
}{
	// thing: ≤ 20 characters, anything printable
	{"thing1", "双十一直播今晚八点开始", true},
	{"thing1", strings.Repeat("好", 20), true},
	{"thing1", strings.Repeat("好", 21), false},
	{"thing2", strings.Repeat("a", 20), true},
	{"thing2", "a\nb", false},
	{"thing3", "", false},
	{"thing3", "   ", false},
	// number: ≤ 32 digits, decimals allowed
	{"number1", "320", true},
	{"number1", "3.14", true},
	{"number1", strings.Repeat("9", 32), true},
	{"number1", strings.Repeat("9", 33), false},
	{"number1", strings.Repeat("9", 16) + "." + strings.Repeat("9", 16), true},
	{"number1", "-3", false},
	{"number1", "1.2.3", false},
	{"number1", "1.", false},
	{"number1", "三", false},
	// letter
	{"letter1", "ABCdef", true},
	{"letter1", strings.Repeat("x", 33), false},
	{"letter1", "abc1", false},
	// symbol: ≤ 5
	{"symbol1", "!@#", true},
	{"symbol1", "！？", true},
	{"symbol1", "!!!!!!", false},
	{"symbol1", "a!", false},
	// character_string: ≤ 32 digits, letters, symbols
	{"character_string1", "SC-2026-001", true},
	{"character_string1", strings.Repeat("x", 33), false},
	{"character_string1", "A B", false},
	{"character_string1", "单号1", false},
	// time: 24-hour time, optional date, ranges with ~
	{"time1", "15:01", true},
	{"time1", "9:05", true},
	{"time1", "2026-11-11 20:00", true},
	{"time1", "2026/11/11 20:00:30", true},
	{"time1", "2026年11月11日 20:00", true},
	{"time1", "2026年11月11日20:00", true},
	{"time1", "11月11日 20:00", true},
	{"time1", "20:00~22:30", true},
	{"time1", "2026-11-11 20:00 ~ 2026-11-11 23:00", true},
	{"time1", "2026-11-11", false},
	{"time1", "24:00", false},
	{"time1", "20:60", false},
	{"time1", "8pm", false},
	{"time1", "20:00~", false},
	{"time1", "20:00~21:00~22:00", false},
	{"time1", "2026-13-01 20:00", false},
	{"time1", "2026-11/11 20:00", false},
	// date: date, optional time
	{"date1", "2026-11-11", true},
	{"date1", "2026年11月11日", true},
	{"date1", "2026年11月11日 20:00", true},
	{"date1", "2026-11-01~2026-11-11", true},
	{"date1", "20:00", false},
	{"date1", "2026-11-32", false},
	{"date1", "2026-00-10", false},
	// amount: sign + ≤ 10 digits, decimals, optional 元
	{"amount1", "¥12.50", true},
	{"amount1", "12.5元", true},
	{"amount1", "￥100", true},
	{"amount1", "1234567890", true},
	{"amount1", "12345678901", false},
	{"amount1", "¥1.234", false},
	{"amount1", "十二元", false},
	{"amount1", "¥¥1", false},
	// phone_number: ≤ 17 digits and symbols
	{"phone_number1", "+86-138-0000-0000", true},
	{"phone_number1", "021-12345678", true},
	{"phone_number1", "+86-138-0000-00000", false},
	{"phone_number1", "138abc", false},
	// car_number: ≤ 8; Chinese only first and last
	{"car_number1", "粤A12345", true},
	{"car_number1", "粤A1234学", true},
	{"car_number1", "粤A123456学", false},
	{"car_number1", "A粤123", false},
	// name: ≤ 10 with Chinese, ≤ 20 otherwise
	{"name1", "张三", true},
	{"name1", strings.Repeat("张", 10), true},
	{"name1", strings.Repeat("张", 11), false},
	{"name1", "Alexander Hamilton", true},
	{"name1", strings.Repeat("a", 21), false},
	{"name1", "张San", true},
	// phrase: ≤ 5 Chinese characters
	{"phrase1", "已预约", true},
	{"phrase1", "预约成功了吗呢", false},
	{"phrase1", "OK", false},
	// enum
	{"enum1", "已发货", true},
	// keys
	{"thing", "x", false},
	{"unknown1", "x", false},
	{"Thing1", "x", false},
	{"1", "x", false},
	// bounds for every kind
	{"time1", strings.Repeat(" ", 60) + "20:00", false},
}

func TestCheckField(t *testing.T) {
	for _, tc := range fieldCases {
		err := reminders.CheckField(tc.key, tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("CheckField(%q, %q) = %v, want ok=%v", tc.key, tc.value, err, tc.ok)
			continue
		}
		if err != nil {
			var fe *reminders.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.key || !strings.HasPrefix(err.Error(), tc.key) {
				t.Errorf("CheckField(%q, …) error %v does not name the field", tc.key, err)
			}
		}
	}
}

func TestFieldErrorSaysWhy(t *testing.T) {
	err := reminders.CheckField("thing1", strings.Repeat("好", 23))
	if err == nil || err.Error() != "thing1 (thing): is 23 characters, at most 20" {
		t.Fatalf("error %v", err)
	}
}

func FuzzCheckField(f *testing.F) {
	for _, tc := range fieldCases {
		f.Add(tc.key, tc.value)
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		err := reminders.CheckField(key, value)
		if err == nil {
			// Whatever passes is non-empty, bounded and free of control characters.
			if strings.TrimSpace(value) == "" || len([]rune(value)) > 64 || strings.ContainsAny(value, "\x00\n\r\t") {
				t.Fatalf("accepted %q for %q", value, key)
			}
			return
		}
		var fe *reminders.FieldError
		if !errors.As(err, &fe) || fe.Field != key {
			t.Fatalf("error %v does not name field %q", err, key)
		}
	})
}
