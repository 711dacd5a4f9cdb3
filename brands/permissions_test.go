package brands

import "testing"

// The table must say exactly what API.md's role table says.
func TestPermissionsMatchAPIRoleTable(t *testing.T) {
	type row struct{ owner, finance, operator bool }
	want := map[Permission]row{
		PermRead:         {true, true, true},
		PermBrandAdmin:   {true, false, false},
		PermLiveOps:      {true, false, true},
		PermMembers:      {true, true, true},
		PermFinanceRead:  {true, true, false},
		PermFinanceWrite: {true, true, false},
		PermDebtWriteOff: {true, false, false},
	}
	if len(want) != len(Permissions()) {
		t.Fatalf("%d permissions, the test knows %d", len(Permissions()), len(want))
	}
	for _, p := range Permissions() {
		w, ok := want[p]
		if !ok {
			t.Fatalf("permission %q not in the test", p)
		}
		got := row{p.Allows(RoleOwner), p.Allows(RoleFinance), p.Allows(RoleOperator)}
		if got != w {
			t.Errorf("%s: owner/finance/operator = %v, want %v", p, got, w)
		}
		if p.Allows("") || p.Allows("king") {
			t.Errorf("%s allows an unknown role", p)
		}
		roles := p.Roles()
		roles[0] = "mutated"
		if p.Roles()[0] == "mutated" {
			t.Errorf("%s: Roles shares its slice", p)
		}
	}
	if Permission("nope").Allows(RoleOwner) || Permission("nope").Roles() != nil {
		t.Error("an unknown permission allows something")
	}
}
