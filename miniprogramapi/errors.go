package miniprogramapi

import "github.com/sharecast/sharecast/apperr"

var errNoToken = apperr.UnauthenticatedErr("missing bearer access token")
