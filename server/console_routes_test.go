package server

import (
	"slices"
	"testing"

	"github.com/sharecast/sharecast/server/console"
)

func TestConsolePublicPathsAreOnTheAllowList(t *testing.T) {
	for _, p := range console.PublicPaths {
		if !slices.Contains(PublicPrefixes, p) {
			t.Errorf("console path %s is public but not on PublicPrefixes", p)
		}
	}
	for path, want := range map[string]bool{
		"/admin": true, "/admin/settings": true, "/admin/admins/:id": true, "/admin/static/*filepath": true,
		"/admin/v1/settings": false, "/admin/v1/login": false, "/administrator": false, "/mp/v1/session": false,
	} {
		if got := IsConsolePage(path); got != want {
			t.Errorf("IsConsolePage(%q) = %v, want %v", path, got, want)
		}
	}
}
