package simulator

import (
	"strings"
	"testing"

	"github.com/sharecast/sharecast/reminders"
)

// The simulator's rules are written apart from sharecast's own check (reminders.CheckField),
// so that a mistake in one shows as a disagreement. Both must accept and refuse the same
// values.
var ruleSeeds = [][2]string{
	{"thing1", strings.Repeat("好", 20)}, {"thing1", strings.Repeat("好", 21)}, {"thing1", " "},
	{"number2", "3.14"}, {"number2", strings.Repeat("9", 33)}, {"number2", "1."},
	{"letter3", "abc"}, {"symbol4", "!!"}, {"symbol4", "!!!!!!"},
	{"character_string5", "A-1"}, {"character_string5", "A 1"},
	{"time6", "15:01"}, {"time6", "2026-11-11 20:00~2026-11-11 22:00"}, {"time6", "2026-11/11 20:00"},
	{"time6", "24:00"}, {"time6", "2026年11月11日20:00"}, {"time6", "11月11日 9:05:59"}, {"time6", "2026-11-11"},
	{"date7", "2026-11-11"}, {"date7", "2026-02-31"}, {"date7", "2026.1.2 03:04"}, {"date7", "03:04"},
	{"amount8", "¥12.50"}, {"amount8", "12元"}, {"amount8", "$12.345"}, {"amount8", "12345678901"},
	{"phone_number9", "+86-138-0000-0000"}, {"phone_number9", "1380000000000000000"},
	{"car_number10", "粤A12345"}, {"car_number10", "A粤1"}, {"car_number10", "粤"},
	{"name11", "张三"}, {"name11", strings.Repeat("a", 21)}, {"phrase12", "已预约"}, {"phrase12", "OK"},
	{"enum13", "是"}, {"thing", "x"}, {"bogus1", "x"}, {"thing1", "a\tb"}, {"time6", "　20:00"},
}

func TestSimulatorRulesMatchSharecast(t *testing.T) {
	for _, c := range ruleSeeds {
		agree(t, c[0], c[1])
	}
}

func FuzzSimulatorRulesMatchSharecast(f *testing.F) {
	for _, c := range ruleSeeds {
		f.Add(c[0], c[1])
	}
	f.Fuzz(agree)
}

func agree(t *testing.T, key, value string) {
	t.Helper()
	sim := simCheckValue(key, value) == ""
	ours := reminders.CheckField(key, value) == nil
	if sim != ours {
		t.Fatalf("%s = %q: simulator accepts=%v, sharecast accepts=%v (%v)", key, value, sim, ours, reminders.CheckField(key, value))
	}
}
