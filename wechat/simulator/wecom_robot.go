package simulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	_ "image/jpeg" // WeCom takes JPG and PNG images
	_ "image/png"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sharecast/sharecast/clock"
)

// The WeCom group robot webhook (qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…) with
// WeCom's limits (reference/WECOM-CHANNELS.md §1): 20 messages a minute per key, markdown
// ≤ 4096 bytes, text ≤ 2048 bytes, images JPG/PNG ≤ 2 MB with the md5 of the raw bytes. It
// records what it receives (GET /_sim/control/wecom/messages) and fails on demand through
// POST /_sim/control/faults {"wecom": {…}}.

// Limits of the robot simulator's memory and of one request.
const (
	wecomRatePerMinute  = 20
	wecomMaxMarkdown    = 4096
	wecomMaxText        = 2048
	wecomMaxImage       = 2 << 20
	wecomMaxBodyBytes   = 4 << 20 // a 2 MB image is 2.7 MB in base64
	wecomMaxMessages    = 1000
	wecomMaxImageMemory = 32 << 20 // recorded image bytes kept; older images drop their bytes
	wecomMaxFaults      = 100
)

var wecomKeyRe = regexp.MustCompile(`^[A-Za-z0-9-]{8,128}$`)

// wecomMessage is one received message as the control endpoint shows it.
type wecomMessage struct {
	Key         string    `json:"key"`
	MsgType     string    `json:"msgtype"`
	Content     string    `json:"content,omitempty"`
	ImageMD5    string    `json:"image_md5,omitempty"`
	ImageBytes  int       `json:"image_bytes,omitempty"`
	ImageFormat string    `json:"image_format,omitempty"`
	ImageBase64 string    `json:"image_base64,omitempty"` // dropped for old images (memory cap)
	ErrCode     int       `json:"errcode"`
	ErrMsg      string    `json:"errmsg"`
	ReceivedAt  time.Time `json:"received_at"`
}

// wecomFault makes the next Times sends (to Key, or to any key when empty) answer ErrCode,
// or HTTP Status when set.
type wecomFault struct {
	Key     string `json:"key"`
	ErrCode int    `json:"errcode"`
	Status  int    `json:"status"`
	Times   int    `json:"times"`
}

type wecomRobot struct {
	clock clock.Clock

	mu          sync.Mutex
	accepted    map[string][]time.Time // per key, the last minute's accepted sends
	messages    []wecomMessage
	imageMemory int
	faults      []wecomFault
	invalid     map[string]bool
}

func newWecomRobot(c clock.Clock) *wecomRobot {
	return &wecomRobot{clock: c, accepted: map[string][]time.Time{}, invalid: map[string]bool{}}
}

// wecomErrMsg mimics WeCom's texts (clients must not parse them; tests may read them).
var wecomErrMsg = map[int]string{
	40008: "invalid message type",
	40009: "invalid image size",
	40058: "invalid Request Parameter",
	44004: "empty content",
	45002: "content size out of limit",
	45009: "api freq out of limit",
	93000: "invalid webhook url, hint: [simulator]",
}

func (s *Simulator) wecomSend(w http.ResponseWriter, r *http.Request) {
	rb := s.wecom
	key := r.URL.Query().Get("key")
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wecomMaxBodyBytes))
	msg := wecomMessage{Key: key, ReceivedAt: rb.clock.Now()}
	answer := func(code int, detail string) {
		msg.ErrCode = code
		msg.ErrMsg = wecomErrMsg[code]
		if detail != "" {
			msg.ErrMsg = detail + ". " + msg.ErrMsg
		}
		rb.record(msg)
		if code == 0 {
			writeJSON(w, http.StatusOK, wxError{ErrCode: 0, ErrMsg: "ok"})
			return
		}
		writeWXError(w, code, msg.ErrMsg)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			answer(40058, "request body too large")
			return
		}
		answer(40058, "unreadable body")
		return
	}
	if !wecomKeyRe.MatchString(key) {
		answer(93000, "")
		return
	}
	if status, code := rb.takeFault(key); status != 0 {
		rb.record(wecomMessage{Key: key, ReceivedAt: msg.ReceivedAt, ErrMsg: "fault: HTTP " + http.StatusText(status)})
		w.WriteHeader(status)
		return
	} else if code != 0 {
		answer(code, "fault")
		return
	}
	rb.mu.Lock()
	invalid := rb.invalid[key]
	rb.mu.Unlock()
	if invalid {
		answer(93000, "")
		return
	}

	var body struct {
		MsgType  string                    `json:"msgtype"`
		Text     *struct{ Content string } `json:"text"`
		Markdown *struct{ Content string } `json:"markdown"`
		MDv2     *struct{ Content string } `json:"markdown_v2"`
		Image    *struct {
			Base64 string `json:"base64"`
			MD5    string `json:"md5"`
		} `json:"image"`
	}
	if !utf8.Valid(raw) || json.Unmarshal(raw, &body) != nil {
		answer(40058, "body is not UTF-8 JSON")
		return
	}
	msg.MsgType = body.MsgType
	switch body.MsgType {
	case "text":
		if body.Text == nil || body.Text.Content == "" {
			answer(44004, "")
			return
		}
		msg.Content = body.Text.Content
		if len(msg.Content) > wecomMaxText {
			answer(45002, "text.content exceed max length 2048")
			return
		}
	case "markdown", "markdown_v2":
		c := body.Markdown
		if body.MsgType == "markdown_v2" {
			c = body.MDv2
		}
		if c == nil || c.Content == "" {
			answer(44004, "")
			return
		}
		msg.Content = c.Content
		if len(c.Content) > wecomMaxMarkdown {
			msg.Content = ""
			answer(40058, body.MsgType+".content exceed max length 4096")
			return
		}
	case "image":
		if body.Image == nil || body.Image.Base64 == "" {
			answer(44004, "")
			return
		}
		img, err := base64.StdEncoding.DecodeString(body.Image.Base64)
		if err != nil {
			answer(40058, "image.base64 is not base64")
			return
		}
		sum := md5.Sum(img)
		msg.ImageMD5, msg.ImageBytes = hex.EncodeToString(sum[:]), len(img)
		if len(img) > wecomMaxImage {
			answer(40009, "image exceeds 2MB")
			return
		}
		if body.Image.MD5 != msg.ImageMD5 {
			answer(40058, "image.md5 does not match the image")
			return
		}
		_, format, err := image.DecodeConfig(bytes.NewReader(img))
		if err != nil || (format != "png" && format != "jpeg") {
			answer(40009, "image must be a JPG or PNG")
			return
		}
		msg.ImageFormat = format
		msg.ImageBase64 = body.Image.Base64
	case "":
		answer(40008, "msgtype missing")
		return
	default:
		answer(40008, "")
		return
	}
	if !rb.admit(key, msg.ReceivedAt) {
		msg.ImageBase64 = ""
		answer(45009, "")
		return
	}
	answer(0, "")
}

// admit counts a send against key's 20 a minute (a sliding minute: stricter than any reading
// of WeCom's undocumented window).
func (rb *wecomRobot) admit(key string, now time.Time) bool {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	recent := rb.accepted[key][:0]
	for _, t := range rb.accepted[key] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	if len(recent) >= wecomRatePerMinute {
		rb.accepted[key] = recent
		return false
	}
	rb.accepted[key] = append(recent, now)
	if len(rb.accepted) > wecomMaxMessages { // keys are caller-made: forget idle ones
		for k, ts := range rb.accepted {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= time.Minute {
				delete(rb.accepted, k)
			}
		}
	}
	return true
}

func (rb *wecomRobot) takeFault(key string) (status, errcode int) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	for i, f := range rb.faults {
		if f.Key != "" && f.Key != key {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			rb.faults = append(rb.faults[:i], rb.faults[i+1:]...)
		} else {
			rb.faults[i] = f
		}
		return f.Status, f.ErrCode
	}
	return 0, 0
}

func (rb *wecomRobot) record(m wecomMessage) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.messages = append(rb.messages, m)
	rb.imageMemory += len(m.ImageBase64)
	if len(rb.messages) > wecomMaxMessages {
		rb.imageMemory -= len(rb.messages[0].ImageBase64)
		rb.messages = rb.messages[1:]
	}
	for i := 0; rb.imageMemory > wecomMaxImageMemory && i < len(rb.messages)-1; i++ {
		rb.imageMemory -= len(rb.messages[i].ImageBase64)
		rb.messages[i].ImageBase64 = ""
	}
}

// controlWecomMessages lists what the robots received, oldest first (?key= filters).
func (s *Simulator) controlWecomMessages(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	s.wecom.mu.Lock()
	out := make([]wecomMessage, 0, len(s.wecom.messages))
	for _, m := range s.wecom.messages {
		if key == "" || m.Key == key {
			out = append(out, m)
		}
	}
	s.wecom.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"messages": out})
}

// wecomFaultSection is the "wecom" part of POST /_sim/control/faults:
//
//	{"reset": true, "clear_messages": true, "invalid_keys": ["k"],
//	 "fail": [{"key": "k", "errcode": 45009, "times": 2}, {"status": 502, "times": 1}]}
//
// Unlike other sections it adds to what is pending (faults are consumed as they fire);
// "reset" clears first.
type wecomFaultSection struct{ rb *wecomRobot }

func (f wecomFaultSection) prepare(raw json.RawMessage) (func(context.Context), error) {
	var in struct {
		Reset         bool         `json:"reset"`
		ClearMessages bool         `json:"clear_messages"`
		InvalidKeys   []string     `json:"invalid_keys"`
		Fail          []wecomFault `json:"fail"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, errors.New("wecom faults: " + err.Error())
	}
	for _, f := range in.Fail {
		if f.Times < 1 || f.Times > 1000 {
			return nil, errors.New("wecom faults: times must be from 1 to 1000")
		}
		if (f.ErrCode == 0) == (f.Status == 0) {
			return nil, errors.New("wecom faults: give either errcode or status")
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			return nil, errors.New("wecom faults: status must be an HTTP error status")
		}
	}
	rb := f.rb
	rb.mu.Lock()
	pendingFaults, pendingInvalid := len(rb.faults), len(rb.invalid)
	rb.mu.Unlock()
	if in.Reset {
		pendingFaults, pendingInvalid = 0, 0
	}
	if pendingFaults+len(in.Fail) > wecomMaxFaults || pendingInvalid+len(in.InvalidKeys) > wecomMaxFaults {
		return nil, errors.New("wecom faults: too many pending faults (send reset first)")
	}
	return func(context.Context) {
		rb.mu.Lock()
		defer rb.mu.Unlock()
		if in.Reset {
			rb.faults, rb.invalid, rb.accepted = nil, map[string]bool{}, map[string][]time.Time{}
		}
		if in.ClearMessages {
			rb.messages, rb.imageMemory = nil, 0
		}
		for _, k := range in.InvalidKeys {
			rb.invalid[k] = true
		}
		rb.faults = append(rb.faults, in.Fail...)
	}, nil
}

func (f wecomFaultSection) current() any {
	f.rb.mu.Lock()
	defer f.rb.mu.Unlock()
	keys := make([]string, 0, len(f.rb.invalid))
	for k := range f.rb.invalid {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return map[string]any{"fail": slices.Clone(f.rb.faults), "invalid_keys": keys}
}
