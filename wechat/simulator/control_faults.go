package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// POST /_sim/control/faults takes one object whose keys name simulated services, each with
// that service's own fault settings: {"wecom": {…}, "pay": {…}}. Each area registers its key
// from New with registerFaults and keeps its settings in its own state; this file only
// dispatches, so areas add faults without touching each other's code. The whole body is
// checked before any part applies: an unknown key changes nothing.

// faultSetter applies one service's part of a faults request.
type faultSetter func(raw json.RawMessage) error

type faultRegistry struct {
	mu      sync.Mutex
	setters map[string]faultSetter
}

// registerFaults makes key a valid part of POST /_sim/control/faults.
func (s *Simulator) registerFaults(key string, fn faultSetter) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if s.faults.setters == nil {
		s.faults.setters = map[string]faultSetter{}
	}
	s.faults.setters[key] = fn
}

func (s *Simulator) controlFaults(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeJSON(w, r, &body); err != nil || len(body) == 0 {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", `body must be a JSON object such as {"wecom": {...}}`)
		return
	}
	s.faults.mu.Lock()
	known := make([]string, 0, len(s.faults.setters))
	for k := range s.faults.setters {
		known = append(known, k)
	}
	setters := make(map[string]faultSetter, len(body))
	for k := range body {
		fn, ok := s.faults.setters[k]
		if !ok {
			s.faults.mu.Unlock()
			slices.Sort(known)
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT",
				"unknown fault target "+k+"; known: "+strings.Join(known, ", "))
			return
		}
		setters[k] = fn
	}
	s.faults.mu.Unlock()
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := setters[k](body[k]); err != nil {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"applied": keys})
}
