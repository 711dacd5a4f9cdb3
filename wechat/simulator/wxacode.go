package simulator

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/boombuler/barcode/qr"
)

// WeChat errcodes the mini-program code and URL link APIs answer (WECHAT.md §2). Token errors
// come first: every API behind ?access_token= answers them the same way.
const (
	errAccessTokenMissing = 41001 // access_token missing
	errInvalidCredential  = 40001 // invalid credential, access_token is invalid or not latest
	errDataFormat         = 47001 // data format error: the body is not the JSON asked for
	errInvalidArgs        = 40097 // invalid args: a field outside its documented values (env_version, expire_type)
	errRequirePost        = 43002 // require POST method
	errQuota              = 45009 // reach max api daily quota limit; also the per-minute quota of getwxacodeunlimit
	errInvalidPage        = 41030 // invalid page: malformed, or not in the published version (check_path)
	errInvalidScene       = 40169 // invalid length for scene, or scene contains unsupported characters
)

// linkSim is the state of the links area: published pages, call counts for the quotas, and
// the URL links handed out. It has its own lock, so it never waits on login traffic.
type linkSim struct {
	mu sync.Mutex
	// published are the pages each app published beyond the default ones (see PublishPages).
	published map[string]map[string]bool
	// wxaCodeCalls are getwxacodeunlimit calls per appid per minute, for 45009.
	wxaCodeCalls     map[string]*callCount
	wxaCodePerMinute int
	// urlLinkCalls are generate_urllink calls per appid per day, for 45009.
	urlLinkCalls  map[string]*callCount
	urlLinkPerDay int
	// links are generated URL links by id; linkOrder is their issue order, oldest first.
	links     map[string]*urlLink
	linkOrder []string
}

func newLinkSim() *linkSim {
	return &linkSim{published: map[string]map[string]bool{}, wxaCodeCalls: map[string]*callCount{},
		wxaCodePerMinute: wxaCodeCallsPerMinute, urlLinkCalls: map[string]*callCount{}, urlLinkPerDay: urlLinkCallsPerDay,
		links: map[string]*urlLink{}}
}

// SetQuotas changes the per-app quotas behind errcode 45009 (getwxacodeunlimit per minute,
// generate_urllink per day), so a test can reach them in a few calls; ≤ 0 keeps a quota.
func (s *Simulator) SetQuotas(wxaCodePerMinute, urlLinkPerDay int) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if wxaCodePerMinute > 0 {
		s.links.wxaCodePerMinute = wxaCodePerMinute
	}
	if urlLinkPerDay > 0 {
		s.links.urlLinkPerDay = urlLinkPerDay
	}
}

const (
	// wxaCodeCallsPerMinute is getwxacodeunlimit's quota per app (WECHAT.md §2, [W7]).
	wxaCodeCallsPerMinute = 5000
	// urlLinkCallsPerDay is generate_urllink's daily quota per app (shared with URL Scheme).
	urlLinkCallsPerDay = 500_000
	// Widths in pixels: WeChat's documented range and default. Outside the range the width is
	// clamped, not refused.
	minWXACodeWidth     = 280
	maxWXACodeWidth     = 1280
	defaultWXACodeWidth = 430
	// maxSceneLen is the longest scene WeChat accepts: 32 visible characters.
	maxSceneLen = 32
	// maxPageLen bounds a page path; WeChat documents none, real paths are far shorter.
	maxPageLen = 256
	// jpegQuality is high so the code's edges survive compression and every reader decodes it.
	jpegQuality = 95
	// quietZone is the white border around the code, in modules; the QR standard asks for 4.
	quietZone = 4

	// maxPublishedApps and maxPagesPerApp bound what PublishPages keeps.
	maxPublishedApps = 10_000
	maxPagesPerApp   = 1_000
)

// HomePage is the page a code or link without one opens. Every app has it published.
const HomePage = "pages/index/index"

// defaultPages are published for every app, known to the simulator or not: the pages of the
// sharecast mini-program that codes and links point at.
var defaultPages = []string{HomePage, "pages/live/index", "pages/poster/index"}

// sceneSpecials and querySpecials are the characters besides ASCII letters and digits that
// WeChat allows in a scene and in a URL link's query (WECHAT.md §2).
const (
	sceneSpecials = "!#$&'()*+,/:;=?@-._~"
	querySpecials = sceneSpecials + "%"
)

// PublishPages adds pages to appID's published version, on top of the default ones
// (pages/index/index, pages/live/index, pages/poster/index) that every app has. Codes with
// check_path and URL links may only point at published pages. A page is a path without a
// leading "/" and without a query, e.g. "pages/shop/detail".
func (s *Simulator) PublishPages(appID string, pages ...string) error {
	if !validIdent(appID) {
		return errors.New("simulator: PublishPages: appid must be 1 to 64 characters of [A-Za-z0-9_-]")
	}
	for _, p := range pages {
		if p == "" || !validPage(p) {
			return fmt.Errorf("simulator: PublishPages: %q is not a page path (no leading /, no query, printable ASCII, at most %d bytes)", p, maxPageLen)
		}
	}
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	set, ok := s.links.published[appID]
	if !ok {
		if len(s.links.published) >= maxPublishedApps {
			return fmt.Errorf("simulator: PublishPages: more than %d apps have published pages", maxPublishedApps)
		}
		set = map[string]bool{}
	}
	added := 0
	for _, p := range pages {
		if !set[p] && !isDefaultPage(p) {
			added++
		}
	}
	if len(set)+added > maxPagesPerApp {
		return fmt.Errorf("simulator: PublishPages: an app may publish at most %d pages", maxPagesPerApp)
	}
	for _, p := range pages {
		if !isDefaultPage(p) {
			set[p] = true
		}
	}
	s.links.published[appID] = set
	return nil
}

func isDefaultPage(page string) bool {
	for _, p := range defaultPages {
		if p == page {
			return true
		}
	}
	return false
}

// isPublished reports whether page is in appID's published version; callers hold s.links.mu.
func (s *Simulator) isPublished(appID, page string) bool {
	return isDefaultPage(page) || s.links.published[appID][page]
}

// validPage accepts a page path as WeChat wants it: no leading "/", no query ("?") or
// fragment, printable ASCII without spaces, at most maxPageLen bytes. "" is checked by the
// caller (it means the home page).
func validPage(page string) bool {
	if len(page) > maxPageLen || page[0] == '/' {
		return false
	}
	for _, c := range []byte(page) {
		if c <= ' ' || c > '~' || c == '?' || c == '#' {
			return false
		}
	}
	return true
}

// validChars reports whether s has only ASCII letters, digits and bytes from specials.
func validChars(s, specials string) bool {
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c < 0x80 && bytes.IndexByte([]byte(specials), c) >= 0:
		default:
			return false
		}
	}
	return true
}

// appForToken finds the app whose live access token the request carries; the error is what
// WeChat answers: 41001 without a token, 40001 for one it never issued or that has expired.
func (s *Simulator) appForToken(r *http.Request) (string, *wxError) {
	tok := r.URL.Query().Get("access_token")
	if tok == "" {
		return "", &wxError{errAccessTokenMissing, "access_token missing"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	if !ok || !s.clock.Now().Before(t.expiresAt) {
		return "", &wxError{errInvalidCredential, "invalid credential, access_token is invalid or not latest"}
	}
	return t.appID, nil
}

// requirePost answers WeChat's 43002 for a method other than POST.
func requirePost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		writeWXError(w, errRequirePost, "require POST method")
		return false
	}
	return true
}

// validEnvVersion: release (the default), trial or develop.
func validEnvVersion(v string) bool {
	switch v {
	case "", "release", "trial", "develop":
		return true
	}
	return false
}

type wxaCodeRequest struct {
	Scene      string `json:"scene"`
	Page       string `json:"page"`
	CheckPath  *bool  `json:"check_path"`
	EnvVersion string `json:"env_version"`
	Width      int    `json:"width"`
	// Accepted and ignored: the simulator always draws black on white, as a JPEG.
	AutoColor bool `json:"auto_color"`
	LineColor *struct {
		R, G, B any
	} `json:"line_color"`
	IsHyaline bool `json:"is_hyaline"`
}

// getWXACodeUnlimit is POST /_sim/api/wxa/getwxacodeunlimit?access_token=T. WeChat draws a
// round "mini-program code" that only WeChat can scan; the simulator draws a standard QR code
// of "page?scene=SCENE" instead, so tests and people can read it with any QR reader. Like
// WeChat it answers the image bytes (image/jpeg) on success and JSON {errcode, errmsg} with
// HTTP 200 on failure:
//
//	41001 no access_token; 40001 unknown or expired access_token
//	45009 more than 5,000 calls in the current minute for the app (every call with a valid
//	      token counts, failed ones included)
//	47001 the body is not JSON
//	40169 scene empty, longer than 32 characters, or with a character outside
//	      letters, digits and !#$&'()*+,/:;=?@-._~
//	41030 page with a leading "/", a query or an unprintable character; or, with check_path
//	      (the default), a page the app has not published (see PublishPages)
//	40097 env_version other than release, trial or develop
//
// width is clamped to 280–1280 pixels (default 430); the image is width × width.
func (s *Simulator) getWXACodeUnlimit(w http.ResponseWriter, r *http.Request) {
	if !requirePost(w, r) {
		return
	}
	appID, e := s.appForToken(r)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	if !s.allowWXACodeCall(appID) {
		writeWXError(w, errQuota, "reach max api minute quota limit")
		return
	}
	var req wxaCodeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, errDataFormat, "data format error")
		return
	}
	text, width, e := s.checkWXACode(appID, req)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	img, err := renderQR(text, width)
	if err != nil {
		s.log.Error("simulator: draw QR code", "err", err)
		writeWXError(w, -1, "system error")
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(img)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(img)
}

// checkWXACode validates a request and returns the code's text and width.
func (s *Simulator) checkWXACode(appID string, req wxaCodeRequest) (string, int, *wxError) {
	if req.Scene == "" || len(req.Scene) > maxSceneLen || !validChars(req.Scene, sceneSpecials) {
		return "", 0, &wxError{errInvalidScene, "invalid length for scene, or the data is not json string"}
	}
	page := req.Page
	if page == "" {
		page = HomePage
	}
	if !validPage(page) {
		return "", 0, &wxError{errInvalidPage, "invalid page"}
	}
	if !validEnvVersion(req.EnvVersion) {
		return "", 0, &wxError{errInvalidArgs, "invalid args: env_version must be release, trial or develop"}
	}
	if req.CheckPath == nil || *req.CheckPath {
		s.links.mu.Lock()
		ok := s.isPublished(appID, page)
		s.links.mu.Unlock()
		if !ok {
			return "", 0, &wxError{errInvalidPage, "invalid page: not in the published version (check_path)"}
		}
	}
	width := req.Width
	switch {
	case width == 0:
		width = defaultWXACodeWidth
	case width < minWXACodeWidth:
		width = minWXACodeWidth
	case width > maxWXACodeWidth:
		width = maxWXACodeWidth
	}
	return page + "?scene=" + req.Scene, width, nil
}

// allowWXACodeCall counts one getwxacodeunlimit call for appID against its per-minute quota.
func (s *Simulator) allowWXACodeCall(appID string) bool {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	return allowInWindow(s.links.wxaCodeCalls, appID, s.clock.Now(), time.Minute, s.links.wxaCodePerMinute, maxTokens)
}

// allowInWindow counts one call for key in a fixed window of length span and reports whether
// it is within limit. m holds at most maxKeys windows: when full, finished windows go first,
// then an arbitrary one. Callers hold the lock that guards m.
func allowInWindow(m map[string]*callCount, key string, now time.Time, span time.Duration, limit, maxKeys int) bool {
	cc, ok := m[key]
	if !ok {
		if len(m) >= maxKeys {
			for k, c := range m {
				if now.Sub(c.windowStart) >= span {
					delete(m, k)
				}
			}
			for k := range m {
				if len(m) < maxKeys {
					break
				}
				delete(m, k)
			}
		}
		cc = &callCount{windowStart: now}
		m[key] = cc
	}
	if now.Sub(cc.windowStart) >= span || now.Before(cc.windowStart) {
		cc.windowStart, cc.n = now, 0
	}
	cc.n++
	return cc.n <= limit
}

// renderQR draws text as a QR code (error correction M) on a width × width white square, with
// at least the standard 4-module quiet zone, and encodes it as a high-quality JPEG.
func renderQR(text string, width int) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	modules := code.Bounds().Dx()
	scale := width / (modules + 2*quietZone)
	if scale < 1 {
		return nil, fmt.Errorf("%d modules do not fit in %d pixels", modules, width)
	}
	img := image.NewGray(image.Rect(0, 0, width, width))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	offset := (width - modules*scale) / 2
	for my := range modules {
		for mx := range modules {
			if color.GrayModel.Convert(code.At(mx, my)).(color.Gray).Y >= 0x80 {
				continue
			}
			for y := offset + my*scale; y < offset+(my+1)*scale; y++ {
				row := img.Pix[y*img.Stride:]
				for x := offset + mx*scale; x < offset+(mx+1)*scale; x++ {
					row[x] = 0
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
