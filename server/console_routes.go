package server

import (
	"strings"

	"github.com/sharecast/sharecast/server/console"
)

// IsConsolePage tells the route walkers which routes are console pages (server-rendered,
// under /admin but not the JSON API /admin/v1): without a session they redirect (303) to the
// login form rather than answer 401 JSON. The login form, the language switch and the static
// files are on PublicPrefixes.
func IsConsolePage(path string) bool {
	return (path == console.Prefix || strings.HasPrefix(path, console.Prefix+"/")) && !strings.HasPrefix(path, "/admin/v1/")
}
