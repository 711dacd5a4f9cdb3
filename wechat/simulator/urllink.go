package simulator

import (
	"net/http"
	"time"
)

// Errcodes of generate_urllink beyond the shared ones in wxacode.go. WeChat's table for
// urllink.generate names them; the simulator answers each for the case below.
const (
	errInvalidPath           = 40165 // invalid weapp pagepath: path malformed (leading "/", a query, unprintable)
	errInvalidQuery          = 40212 // invalid query: longer than 1024 or a character outside the allowed set
	errInvalidExpireTime     = 85401 // expire_type 0: expire_time not between 1 minute and 30 days from now
	errInvalidExpireInterval = 85402 // expire_type 1: expire_interval not between 1 and 30 days
)

const (
	// maxLinks caps the remembered URL links.
	maxLinks = 100_000
	// maxQueryLen is the longest query WeChat accepts.
	maxQueryLen = 1024
	// maxLinkLifetime is the longest a URL link lives, either expire_type.
	maxLinkLifetime = 30 * 24 * time.Hour
	minLinkLifetime = time.Minute
	// urlLinkPrefix is the host WeChat's links live on; the id follows.
	urlLinkPrefix = "https://wxaurl.cn/"
	urlLinkIDLen  = 12
)

// urlLink is one generated link.
type urlLink struct {
	appID      string
	path       string
	query      string
	envVersion string
	expiresAt  time.Time
}

type urlLinkRequest struct {
	Path           string `json:"path"`
	Query          string `json:"query"`
	ExpireType     int    `json:"expire_type"`
	ExpireTime     int64  `json:"expire_time"`
	ExpireInterval int    `json:"expire_interval"`
	EnvVersion     string `json:"env_version"`
	// Accepted and ignored: the simulator has no cloud-base H5 page.
	CloudBase any `json:"cloud_base"`
}

type urlLinkResponse struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	URLLink string `json:"url_link"`
}

// generateURLLink is POST /_sim/api/wxa/generate_urllink?access_token=T. It answers
// {errcode:0, errmsg:"ok", url_link:"https://wxaurl.cn/<12 characters>"} and remembers the
// link for GET /_sim/control/urllinks/{id}. Errors, as JSON with HTTP 200:
//
//	41001 no access_token; 40001 unknown or expired access_token
//	45009 the app's daily quota (500,000, shared with URL Scheme) is spent
//	47001 the body is not JSON
//	40165 path malformed (leading "/", a query, unprintable characters, over 256 bytes)
//	41030 path well formed but not in the app's published version (see PublishPages); an
//	      empty path is the home page
//	40212 query longer than 1024 characters or with a character outside letters, digits and
//	      !#$&'()*+,/:;=?@-._~%
//	40097 env_version other than release, trial or develop, or expire_type other than 0 or 1
//	85401 expire_type 0 with expire_time (Unix seconds) not 1 minute to 30 days ahead
//	85402 expire_type 1 with expire_interval not 1 to 30 (days)
//
// Expiry is measured on the simulator's clock.
func (s *Simulator) generateURLLink(w http.ResponseWriter, r *http.Request) {
	if !requirePost(w, r) {
		return
	}
	appID, e := s.appForToken(r)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	if !s.allowURLLinkCall(appID) {
		writeWXError(w, errQuota, "reach max api daily quota limit")
		return
	}
	var req urlLinkRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, errDataFormat, "data format error")
		return
	}
	link, e := s.issueURLLink(appID, req)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	writeJSON(w, http.StatusOK, urlLinkResponse{ErrCode: 0, ErrMsg: "ok", URLLink: link})
}

// issueURLLink validates a request and stores the link.
func (s *Simulator) issueURLLink(appID string, req urlLinkRequest) (string, *wxError) {
	path := req.Path
	if path == "" {
		path = HomePage
	}
	if !validPage(path) {
		return "", &wxError{errInvalidPath, "invalid weapp pagepath"}
	}
	if len(req.Query) > maxQueryLen || !validChars(req.Query, querySpecials) {
		return "", &wxError{errInvalidQuery, "invalid query"}
	}
	if !validEnvVersion(req.EnvVersion) {
		return "", &wxError{errInvalidArgs, "invalid args: env_version must be release, trial or develop"}
	}

	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if !s.isPublished(appID, path) {
		return "", &wxError{errInvalidPage, "invalid page: not in the published version"}
	}
	now := s.clock.Now()
	var expiresAt time.Time
	switch req.ExpireType {
	case 0:
		expiresAt = time.Unix(req.ExpireTime, 0)
		if left := expiresAt.Sub(now); left < minLinkLifetime || left > maxLinkLifetime {
			return "", &wxError{errInvalidExpireTime, "invalid expire_time: must be 1 minute to 30 days from now"}
		}
	case 1:
		if req.ExpireInterval < 1 || req.ExpireInterval > int(maxLinkLifetime/(24*time.Hour)) {
			return "", &wxError{errInvalidExpireInterval, "invalid expire_interval: must be 1 to 30 days"}
		}
		expiresAt = now.Add(time.Duration(req.ExpireInterval) * 24 * time.Hour)
	default:
		return "", &wxError{errInvalidArgs, "invalid args: expire_type must be 0 or 1"}
	}

	s.pruneLinks(now)
	id := randomString(alphanumeric, urlLinkIDLen)
	for s.links.links[id] != nil {
		id = randomString(alphanumeric, urlLinkIDLen)
	}
	s.links.links[id] = &urlLink{appID: appID, path: path, query: req.Query, envVersion: req.EnvVersion, expiresAt: expiresAt.UTC()}
	s.links.linkOrder = append(s.links.linkOrder, id)
	s.log.Info("simulator: URL link generated", "appid", appID, "path", path, "expires_at", expiresAt)
	return urlLinkPrefix + id, nil
}

// allowURLLinkCall counts one generate_urllink call for appID against its daily quota.
func (s *Simulator) allowURLLinkCall(appID string) bool {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	return allowInWindow(s.links.urlLinkCalls, appID, s.clock.Now(), 24*time.Hour, s.links.urlLinkPerDay, maxTokens)
}

// pruneLinks makes room for one more link; callers hold s.links.mu. Links expire out of issue
// order, so a full table is swept for expired links; when that frees less than a tenth, the
// oldest go until a tenth is free. Either way the next sweep is at least maxLinks/10 issues
// away, which keeps the cost per issue constant.
func (s *Simulator) pruneLinks(now time.Time) {
	if len(s.links.links) < maxLinks {
		return
	}
	for id, l := range s.links.links {
		if !now.Before(l.expiresAt) {
			delete(s.links.links, id)
		}
	}
	live := s.links.linkOrder[:0]
	for _, id := range s.links.linkOrder {
		if s.links.links[id] != nil {
			live = append(live, id)
		}
	}
	clear(s.links.linkOrder[len(live):])
	s.links.linkOrder = live
	for len(s.links.links) > maxLinks-maxLinks/10 {
		delete(s.links.links, s.links.linkOrder[0])
		s.links.linkOrder = s.links.linkOrder[1:]
	}
}

type urlLinkInfo struct {
	URLLink    string `json:"url_link"`
	AppID      string `json:"appid"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	EnvVersion string `json:"env_version"`
	ExpiresAt  string `json:"expires_at"`
	Expired    bool   `json:"expired"`
}

// controlURLLink is GET /_sim/control/urllinks/{id}: what opening https://wxaurl.cn/{id}
// would lead to, {url_link, appid, path, query, env_version, expires_at (RFC 3339), expired}.
// An expired link is still answered (expired: true) until it is pruned; an unknown id is 404.
func (s *Simulator) controlURLLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.links.mu.Lock()
	l := s.links.links[id]
	now := s.clock.Now()
	s.links.mu.Unlock()
	if l == nil {
		writeControlError(w, http.StatusNotFound, "NOT_FOUND", "no such URL link: "+urlLinkPrefix+id)
		return
	}
	writeJSON(w, http.StatusOK, urlLinkInfo{
		URLLink:    urlLinkPrefix + id,
		AppID:      l.appID,
		Path:       l.path,
		Query:      l.query,
		EnvVersion: l.envVersion,
		ExpiresAt:  l.expiresAt.Format(time.RFC3339),
		Expired:    !now.Before(l.expiresAt),
	})
}
