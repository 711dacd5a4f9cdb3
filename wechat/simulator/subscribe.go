package simulator

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Subscribe messages (WECHAT.md §2). The user's side is a control endpoint: the user taps in
// wx.requestSubscribeMessage (POST /_sim/control/subscribe/grants), WeChat keeps one credit
// per "accept", and the mini-program then reports the same results to sharecast (POST
// /mp/v1/subscriptions) on its own, as the real one does. subscribeMessage.send spends a
// credit, refuses without one (43101) and checks each data value against its kind's rule
// (47003), with rules written here from WeChat's table independently of sharecast's own
// check, so a test can catch either one being wrong.

const (
	// maxSubscribeMessages is how many sent messages are kept (oldest dropped first).
	maxSubscribeMessages = 10_000
	// maxSubscribeCreditKeys bounds the (app, user, template) credit counters.
	maxSubscribeCreditKeys = 100_000
	// maxGrantResults: WeChat asks for at most 3 templates per call.
	maxGrantResults = 3
	// maxSubscribeValueRunes bounds a value before its kind's rule (WeChat documents none
	// for time ranges; sharecast uses the same bound).
	maxSubscribeValueRunes = 64
)

type subscribeCreditKey struct{ appID, openID, templateID string }

// SubscribeMessage is one message the simulator sent, as GET
// /_sim/control/subscribe/messages shows it.
type SubscribeMessage struct {
	MsgID            int64             `json:"msgid"`
	AppID            string            `json:"appid"`
	ToUser           string            `json:"touser"`
	TemplateID       string            `json:"template_id"`
	Page             string            `json:"page"`
	Data             map[string]string `json:"data"`
	MiniprogramState string            `json:"miniprogram_state"`
	Lang             string            `json:"lang"`
	SentAt           time.Time         `json:"sent_at"`
}

// subscribeState is the simulator's subscribe-message state; guarded by Simulator.mu.
type subscribeState struct {
	credits map[subscribeCreditKey]int
	sent    []SubscribeMessage
	nextID  int64
}

func newSubscribeState() *subscribeState {
	return &subscribeState{credits: map[subscribeCreditKey]int{}, nextID: 1}
}

type subscribeSendRequest struct {
	ToUser     string `json:"touser"`
	TemplateID string `json:"template_id"`
	Page       string `json:"page"`
	Data       map[string]struct {
		Value string `json:"value"`
	} `json:"data"`
	MiniprogramState string `json:"miniprogram_state"`
	Lang             string `json:"lang"`
}

var simTemplateIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// subscribeSend is POST /_sim/api/cgi-bin/message/subscribe/send?access_token=.
func (s *Simulator) subscribeSend(w http.ResponseWriter, r *http.Request) {
	var req subscribeSendRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeWXError(w, 47001, "data format error")
		return
	}
	msgID, e := s.sendSubscribe(r.URL.Query().Get("access_token"), req)
	if e != nil {
		writeWXError(w, e.ErrCode, e.ErrMsg)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": msgID})
}

func (s *Simulator) sendSubscribe(token string, req subscribeSendRequest) (int64, *wxError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	tok, ok := s.tokens[token]
	if !ok || !now.Before(tok.expiresAt) {
		return 0, &wxError{40001, "invalid credential, access_token is invalid or not latest"}
	}
	if _, ok := s.users[req.ToUser]; !ok || !validIdent(req.ToUser) {
		return 0, &wxError{40003, "invalid openid"}
	}
	if !simTemplateIDRe.MatchString(req.TemplateID) {
		return 0, &wxError{40037, "invalid template_id"}
	}
	if strings.HasPrefix(req.Page, "/") || len(req.Page) > 1024 {
		return 0, &wxError{41030, "invalid page"}
	}
	switch req.MiniprogramState {
	case "", "formal", "trial", "developer":
	default:
		return 0, &wxError{47003, "argument invalid! miniprogram_state"}
	}
	if len(req.Data) == 0 {
		return 0, &wxError{47003, "argument invalid! data is empty"}
	}
	data := make(map[string]string, len(req.Data))
	for key, v := range req.Data {
		if why := simCheckValue(key, v.Value); why != "" {
			return 0, &wxError{47003, "argument invalid! data." + key + ".value " + why}
		}
		data[key] = v.Value
	}
	st := s.subscribe
	k := subscribeCreditKey{tok.appID, req.ToUser, req.TemplateID}
	if st.credits[k] <= 0 {
		return 0, &wxError{43101, "user refuse to accept the msg"}
	}
	st.credits[k]--
	if st.credits[k] == 0 {
		delete(st.credits, k)
	}
	m := SubscribeMessage{MsgID: st.nextID, AppID: tok.appID, ToUser: req.ToUser, TemplateID: req.TemplateID,
		Page: req.Page, Data: data, MiniprogramState: req.MiniprogramState, Lang: req.Lang, SentAt: now}
	st.nextID++
	if len(st.sent) >= maxSubscribeMessages {
		st.sent = slices.Delete(st.sent, 0, len(st.sent)-maxSubscribeMessages+1)
	}
	st.sent = append(st.sent, m)
	s.log.Info("simulator: subscribe message sent", "appid", tok.appID, "touser", req.ToUser, "template_id", req.TemplateID)
	return m.MsgID, nil
}

type grantRequest struct {
	AppID   string            `json:"appid"`
	OpenID  string            `json:"openid"`
	Results map[string]string `json:"results"`
}

// controlSubscribeGrants is the user's answer in wx.requestSubscribeMessage: POST
// /_sim/control/subscribe/grants {appid, openid, results: {template_id: accept|reject|ban|
// filter}} → {results, credits: {template_id: n}}. Each accept adds one credit; ban (the
// user switched the template off) removes all of them.
func (s *Simulator) controlSubscribeGrants(w http.ResponseWriter, r *http.Request) {
	var req grantRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "body must be JSON {appid, openid, results}: "+err.Error())
		return
	}
	if !validIdent(req.AppID) || !validIdent(req.OpenID) {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "appid and openid are required: up to 64 characters of [A-Za-z0-9_-]")
		return
	}
	if len(req.Results) == 0 || len(req.Results) > maxGrantResults {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "results must name 1 to 3 templates (wx.requestSubscribeMessage's limit)")
		return
	}
	for id, res := range req.Results {
		if !simTemplateIDRe.MatchString(id) || !slices.Contains([]string{"accept", "reject", "ban", "filter"}, res) {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "results maps template ids to accept, reject, ban or filter")
			return
		}
	}
	s.mu.Lock()
	st := s.subscribe
	credits := map[string]int{}
	for id, res := range req.Results {
		k := subscribeCreditKey{req.AppID, req.OpenID, id}
		switch res {
		case "accept":
			if _, ok := st.credits[k]; ok || len(st.credits) < maxSubscribeCreditKeys {
				st.credits[k]++
			}
		case "ban":
			delete(st.credits, k)
		}
		credits[id] = st.credits[k]
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": req.Results, "credits": credits})
}

// controlSubscribeMessages is GET /_sim/control/subscribe/messages?appid=&openid=&template_id=
// (each filter optional) → {messages: [...]}, oldest first.
func (s *Simulator) controlSubscribeMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	out := []SubscribeMessage{}
	for _, m := range s.subscribe.sent {
		if (q.Get("appid") == "" || q.Get("appid") == m.AppID) && (q.Get("openid") == "" || q.Get("openid") == m.ToUser) &&
			(q.Get("template_id") == "" || q.Get("template_id") == m.TemplateID) {
			out = append(out, m)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// controlSubscribeCredits is GET /_sim/control/subscribe/credits?appid=&openid= → {credits:
// {template_id: n}}: what the user still allows.
func (s *Simulator) controlSubscribeCredits(w http.ResponseWriter, r *http.Request) {
	appID, openID := r.URL.Query().Get("appid"), r.URL.Query().Get("openid")
	if !validIdent(appID) || !validIdent(openID) {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "appid and openid are required")
		return
	}
	s.mu.Lock()
	credits := map[string]int{}
	for k, n := range s.subscribe.credits {
		if k.appID == appID && k.openID == openID {
			credits[k.templateID] = n
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"credits": credits})
}

// The rules of WeChat's data kinds, from the sendMessage table (WECHAT.md §2).
var (
	simKeyRe    = regexp.MustCompile(`^([a-z_]+?)[0-9]+$`)
	simNumber   = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	simLetter   = regexp.MustCompile(`^[A-Za-z]+$`)
	simSymbol   = regexp.MustCompile(`^[\p{P}\p{S}]+$`)
	simCharStr  = regexp.MustCompile(`^[!-~]+$`)
	simAmount   = regexp.MustCompile(`^(¥|￥|\$|€|£)?[0-9]{1,10}(\.[0-9]{1,2})?元?$`)
	simPhone    = regexp.MustCompile(`^[!-@\[-` + "`" + `{-~]+$`)
	simCar      = regexp.MustCompile(`^[\p{Han}A-Za-z0-9]([A-Za-z0-9]*[\p{Han}A-Za-z0-9])?$`)
	simPhrase   = regexp.MustCompile(`^\p{Han}+$`)
	simMonth    = `(0?[1-9]|1[0-2])`
	simDay      = `(0?[1-9]|[12][0-9]|3[01])`
	simDatePart = `([0-9]{4}-` + simMonth + `-` + simDay + `|[0-9]{4}/` + simMonth + `/` + simDay + `|[0-9]{4}\.` + simMonth + `\.` + simDay +
		`|[0-9]{4}年` + simMonth + `月` + simDay + `日|` + simMonth + `月` + simDay + `日)`
	simClock  = `([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?`
	simTimePt = `( *(` + simDatePart + ` *)?` + simClock + ` *)`
	simDatePt = `( *` + simDatePart + `( *` + simClock + `)? *)`
	simTime   = regexp.MustCompile(`^` + simTimePt + `(~` + simTimePt + `)?$`)
	simDate   = regexp.MustCompile(`^` + simDatePt + `(~` + simDatePt + `)?$`)
)

// simCheckValue answers "" when WeChat would accept value for key, else what is wrong.
func simCheckValue(key, value string) string {
	m := simKeyRe.FindStringSubmatch(key)
	if m == nil {
		return "unknown key"
	}
	n := utf8.RuneCountInString(value)
	switch {
	case !utf8.ValidString(value), strings.TrimSpace(value) == "", n > maxSubscribeValueRunes,
		strings.ContainsFunc(value, unicode.IsControl):
		return "invalid"
	}
	limit := func(ok bool, max int) string {
		if !ok || n > max {
			return "exceeds limit"
		}
		return ""
	}
	switch m[1] {
	case "thing":
		return limit(true, 20)
	case "number":
		return limit(simNumber.MatchString(value) && len(strings.ReplaceAll(value, ".", "")) <= 32, 33)
	case "letter":
		return limit(simLetter.MatchString(value), 32)
	case "symbol":
		return limit(simSymbol.MatchString(value), 5)
	case "character_string":
		return limit(simCharStr.MatchString(value), 32)
	case "time":
		return limit(simTime.MatchString(value), maxSubscribeValueRunes)
	case "date":
		return limit(simDate.MatchString(value), maxSubscribeValueRunes)
	case "amount":
		return limit(simAmount.MatchString(value), maxSubscribeValueRunes)
	case "phone_number":
		return limit(simPhone.MatchString(value), 17)
	case "car_number":
		return limit(simCar.MatchString(value), 8)
	case "name":
		if strings.ContainsFunc(value, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			return limit(true, 10)
		}
		return limit(true, 20)
	case "phrase":
		return limit(simPhrase.MatchString(value), 5)
	case "enum":
		return limit(true, 20)
	}
	return "unknown key"
}
