package console

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Lang is a console language.
type Lang string

// The console's languages: Chinese by default (the brands' teams), English available.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

const langCookie = "sharecast_lang"

// msg is one catalogue entry: both languages side by side, so a label cannot exist in one
// language only.
type msg struct{ zh, en string }

// T translates key; args fill the message's fmt verbs. An unknown key renders as itself
// (and the package test fails on every key a template uses that the catalogue lacks).
func (l Lang) T(key string, args ...any) string {
	m, ok := catalogue[key]
	if !ok {
		return key
	}
	s := m.zh
	if l == EN {
		s = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// HTMLLang is the value of <html lang>.
func (l Lang) HTMLLang() string { return string(l) }

func langOf(c *gin.Context) Lang {
	if ck, err := c.Request.Cookie(langCookie); err == nil && Lang(ck.Value) == EN {
		return EN
	}
	return ZH
}

// switchLang sets the language cookie and goes back to where the admin was. It changes only
// this browser's display, so a GET without a CSRF token is harmless.
func (con *Console) switchLang(c *gin.Context) {
	l := ZH
	if Lang(c.Param("lang")) == EN {
		l = EN
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: string(l), Path: Prefix, MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: secure(c.Request), SameSite: http.SameSiteLaxMode})
	next := c.Query("next")
	if !consolePath(next) {
		next = Prefix
	}
	c.Redirect(http.StatusSeeOther, next)
}
