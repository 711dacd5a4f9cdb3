package simulator

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

const (
	// codeTTL is how long a wx.login code stays exchangeable (about 5 minutes on WeChat).
	codeTTL = 5 * time.Minute
	// loginCallsPerMinute is WeChat's documented code2Session quota per user.
	loginCallsPerMinute = 100
)

// loginCode is one wx.login code. The user's ids are copied in, so exchanging a code does not
// depend on the user record surviving the users cap.
type loginCode struct {
	appID     string
	openID    string
	unionID   string
	expiresAt time.Time
	used      bool
}

type user struct {
	openID   string
	unionID  string
	nickname string
}

// callCount is a fixed one-minute window of jscode2session calls for one user.
type callCount struct {
	windowStart time.Time
	n           int
}

type loginRequest struct {
	AppID    string `json:"appid"`
	OpenID   string `json:"openid"`
	UnionID  string `json:"unionid"`
	Nickname string `json:"nickname"`
}

type loginResponse struct {
	Code    string `json:"code"`
	OpenID  string `json:"openid"`
	UnionID string `json:"unionid"`
}

// controlLogin is the user's wx.login: POST /_sim/control/login {appid, openid?, unionid?,
// nickname?} → {code, openid, unionid}. Without openid it makes a new user.
func (s *Simulator) controlLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "body must be JSON {appid, openid?, unionid?, nickname?}: "+err.Error())
		return
	}
	switch {
	case !validIdent(req.AppID):
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "appid is required: up to 64 characters of [A-Za-z0-9_-]")
		return
	case req.OpenID != "" && !validIdent(req.OpenID):
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "openid must be up to 64 characters of [A-Za-z0-9_-]")
		return
	case req.UnionID != "" && !validIdent(req.UnionID):
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "unionid must be up to 64 characters of [A-Za-z0-9_-]")
		return
	case len(req.Nickname) > 256:
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "nickname is longer than 256 bytes")
		return
	}

	s.mu.Lock()
	now := s.clock.Now()
	u := s.userFor(req)
	s.pruneCodes(now)
	code := randomString(alphanumeric, 32)
	s.codes[code] = &loginCode{appID: req.AppID, openID: u.openID, unionID: u.unionID, expiresAt: now.Add(codeTTL)}
	s.codeOrder = append(s.codeOrder, code)
	s.mu.Unlock()

	s.log.Info("simulator: login code issued", "appid", req.AppID, "openid", u.openID)
	writeJSON(w, http.StatusOK, loginResponse{Code: code, OpenID: u.openID, UnionID: u.unionID})
}

// userFor finds or creates the user a login names; callers hold s.mu. A known openid keeps
// its unionid: on WeChat it never changes.
func (s *Simulator) userFor(req loginRequest) *user {
	if u, ok := s.users[req.OpenID]; ok {
		if u.unionID == "" {
			u.unionID = req.UnionID
		}
		if req.Nickname != "" {
			u.nickname = req.Nickname
		}
		return u
	}
	u := &user{openID: req.OpenID, unionID: req.UnionID, nickname: req.Nickname}
	if u.openID == "" {
		u.openID = newWeChatID()
	}
	if u.unionID == "" {
		// Demo apps act as if bound to an Open Platform account, so unionid paths get exercised.
		u.unionID = newWeChatID()
	}
	if len(s.users) >= maxUsers {
		for k := range s.users { // evict any one; a forgotten user only loses its unionid
			delete(s.users, k)
			break
		}
	}
	s.users[u.openID] = u
	return u
}

// pruneCodes drops expired codes, then the oldest ones while over the cap; callers hold s.mu.
// Codes are issued in time order, so the expired ones are at the front.
func (s *Simulator) pruneCodes(now time.Time) {
	for len(s.codeOrder) > 0 {
		oldest := s.codeOrder[0]
		if c := s.codes[oldest]; c != nil && now.Before(c.expiresAt) && len(s.codes) < maxCodes {
			return
		}
		delete(s.codes, oldest)
		s.codeOrder = s.codeOrder[1:]
	}
}

type sessionResponse struct {
	OpenID     string `json:"openid"`
	SessionKey string `json:"session_key"`
	UnionID    string `json:"unionid,omitempty"`
}

// jscode2Session is code2Session: GET /_sim/api/sns/jscode2session?appid=&secret=&js_code=
// &grant_type=authorization_code.
func (s *Simulator) jscode2Session(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res, e := s.exchangeCode(q.Get("appid"), q.Get("secret"), q.Get("js_code"), q.Get("grant_type"))
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// exchangeCode checks a code2Session call and spends the code.
func (s *Simulator) exchangeCode(appID, secret, jsCode, grantType string) (sessionResponse, *wxError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if !validIdent(appID) || !s.checkApp(appID, secret) {
		return sessionResponse{}, &wxError{40125, "invalid appsecret"}
	}
	if grantType != "authorization_code" {
		return sessionResponse{}, &wxError{40002, "invalid grant_type"}
	}
	if jsCode == "" {
		return sessionResponse{}, &wxError{41008, "missing code"}
	}
	c, ok := s.codes[jsCode]
	if !ok {
		return sessionResponse{}, &wxError{40029, "invalid code"}
	}
	if !s.allowLoginCall(c.openID, now) {
		return sessionResponse{}, &wxError{45011, "api minute-quota reach limit  mustslower  retry next minute"}
	}
	switch {
	case c.used:
		return sessionResponse{}, &wxError{40163, "code been used"}
	case !now.Before(c.expiresAt), c.appID != appID:
		// A code belongs to the mini-program that called wx.login; another app's call sees
		// it as unknown.
		return sessionResponse{}, &wxError{40029, "invalid code"}
	}
	c.used = true
	return sessionResponse{OpenID: c.openID, SessionKey: newSessionKey(), UnionID: c.unionID}, nil
}

// allowLoginCall counts one call for openID and reports whether it is within the quota;
// callers hold s.mu.
func (s *Simulator) allowLoginCall(openID string, now time.Time) bool {
	cc, ok := s.calls[openID]
	if !ok {
		if len(s.calls) >= maxUsers {
			s.pruneCalls(now)
		}
		cc = &callCount{windowStart: now}
		s.calls[openID] = cc
	}
	if now.Sub(cc.windowStart) >= time.Minute {
		cc.windowStart, cc.n = now, 0
	}
	cc.n++
	return cc.n <= loginCallsPerMinute
}

// pruneCalls drops finished windows, and an arbitrary one if none has finished.
func (s *Simulator) pruneCalls(now time.Time) {
	for k, cc := range s.calls {
		if now.Sub(cc.windowStart) >= time.Minute {
			delete(s.calls, k)
		}
	}
	for k := range s.calls {
		if len(s.calls) < maxUsers {
			return
		}
		delete(s.calls, k)
	}
}

// newWeChatID looks like an openid or unionid: "o" and 27 more characters.
func newWeChatID() string { return "o" + randomString(idAlphabet, 27) }

// newSessionKey is 16 random bytes in base64, the shape of WeChat's session_key.
func newSessionKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
