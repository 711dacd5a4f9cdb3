package simulator

import (
	"net/http"
	"time"
)

const (
	tokenTTL = 7200 * time.Second
	// tokenRenewBefore: WeChat hands out a new stable token in the last 5 minutes of the old
	// one's life, while the old one stays valid until it expires.
	tokenRenewBefore = 5 * time.Minute
)

type accessToken struct {
	appID     string
	expiresAt time.Time
}

type stableTokenRequest struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}

type stableTokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// stableToken is POST /_sim/api/cgi-bin/stable_token. In normal mode it answers the same token
// while it is valid, with the seconds it has left; force_refresh makes a new one and ends the
// old one at once, as WeChat does.
func (s *Simulator) stableToken(w http.ResponseWriter, r *http.Request) {
	var req stableTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	res, e := s.issueToken(req)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Simulator) issueToken(req stableTokenRequest) (stableTokenResponse, *wxError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	switch {
	case req.GrantType != "client_credential":
		return stableTokenResponse{}, &wxError{40002, "invalid grant_type"}
	case !validIdent(req.AppID):
		return stableTokenResponse{}, &wxError{40013, "invalid appid"}
	case !s.checkApp(req.AppID, req.Secret):
		return stableTokenResponse{}, &wxError{40125, "invalid appsecret"}
	}

	curTok := s.current[req.AppID]
	if cur, ok := s.tokens[curTok]; ok && !req.ForceRefresh && cur.expiresAt.Sub(now) > tokenRenewBefore {
		return stableTokenResponse{AccessToken: curTok, ExpiresIn: int64(cur.expiresAt.Sub(now) / time.Second)}, nil
	}
	if req.ForceRefresh {
		for tok, t := range s.tokens {
			if t.appID == req.AppID {
				delete(s.tokens, tok)
			}
		}
	}
	if !s.roomForToken(now) {
		return stableTokenResponse{}, &wxError{-1, "system error"}
	}
	tok := randomString(idAlphabet, 136)
	s.tokens[tok] = &accessToken{appID: req.AppID, expiresAt: now.Add(tokenTTL)}
	s.current[req.AppID] = tok
	s.log.Info("simulator: access token issued", "appid", req.AppID, "force_refresh", req.ForceRefresh)
	return stableTokenResponse{AccessToken: tok, ExpiresIn: int64(tokenTTL / time.Second)}, nil
}

// roomForToken drops expired tokens when the table is full and reports whether a new one
// fits; callers hold s.mu. A full table of live tokens means thousands of apps, which no test
// needs, so the simulator refuses like a busy WeChat instead of forgetting live tokens.
func (s *Simulator) roomForToken(now time.Time) bool {
	if len(s.tokens) < maxTokens {
		return true
	}
	for tok, t := range s.tokens {
		if !now.Before(t.expiresAt) {
			delete(s.tokens, tok)
			if s.current[t.appID] == tok {
				delete(s.current, t.appID)
			}
		}
	}
	return len(s.tokens) < maxTokens
}

// ValidToken reports whether token is a live access token of appID.
func (s *Simulator) ValidToken(appID, token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	return ok && t.appID == appID && s.clock.Now().Before(t.expiresAt)
}
