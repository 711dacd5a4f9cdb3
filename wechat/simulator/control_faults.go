package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
)

// POST /_sim/control/faults {"<area>": {...}, …} sets the fault switches of each simulated
// product named in the body; GET answers them all. Each area registers its key once, from its
// line in New (s.faults.register); the body is checked for every area before any changes, so a
// typo changes nothing.

// faultAreas maps each area's key to its switches. The zero value works, so an area can
// register from any slot of New.
type faultAreas struct {
	mu    sync.Mutex
	areas map[string]faultArea
}

type faultArea struct {
	// parse checks an area's JSON and answers how to apply it.
	parse func(raw json.RawMessage) (apply func(), err error)
	// state answers the area's current switches.
	state func() any
}

func (f *faultAreas) register(name string, parse func(json.RawMessage) (func(), error), state func() any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.areas == nil {
		f.areas = map[string]faultArea{}
	}
	f.areas[name] = faultArea{parse: parse, state: state}
}

func (f *faultAreas) snapshot() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]any, len(f.areas))
	for name, a := range f.areas {
		out[name] = a.state()
	}
	return out
}

func (s *Simulator) controlFaultsGet(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.faults.snapshot())
}

func (s *Simulator) controlFaults(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeJSON(w, r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", `body must be a JSON object {"<area>": {...}}: `+err.Error())
		return
	}
	s.faults.mu.Lock()
	areas := s.faults.areas
	s.faults.mu.Unlock()
	names := make([]string, 0, len(body))
	for name := range body {
		names = append(names, name)
	}
	sort.Strings(names)
	applies := make([]func(), 0, len(names))
	for _, name := range names {
		a, ok := areas[name]
		if !ok {
			known := make([]string, 0, len(areas))
			for k := range areas {
				known = append(known, k)
			}
			sort.Strings(known)
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "unknown fault area "+name+"; known: "+joinNames(known))
			return
		}
		apply, err := a.parse(body[name])
		if err != nil {
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", name+": "+err.Error())
			return
		}
		applies = append(applies, apply)
	}
	for _, apply := range applies {
		apply()
	}
	s.log.Info("simulator: faults set", "areas", names)
	writeJSON(w, http.StatusOK, s.faults.snapshot())
}

func joinNames(names []string) string {
	var b bytes.Buffer
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}
