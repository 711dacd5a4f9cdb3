package simulator

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// POST /_sim/control/faults is shared by every simulated product. Its body has one object per
// product, e.g. {"channels": {"duplicate_pushes": 2}}; each area registers its section in New
// (s.faults.register("pay", …)) and the endpoint hands each object to its section, which
// says what its object means ("channels" replaces its switches, "pay" patches the fields
// present, "wecom" adds pending faults); sections not named keep theirs. Every section is checked before any is applied, so a bad body changes
// nothing. GET answers the current switches of every section.

// faultSection is one product's switches.
type faultSection interface {
	// prepare checks raw and returns what applies it.
	prepare(raw json.RawMessage) (apply func(context.Context), err error)
	// current is the section's switches as JSON.
	current() any
}

type faultSwitches struct {
	mu       sync.Mutex
	sections map[string]faultSection
}

func newFaultSwitches() *faultSwitches { return &faultSwitches{sections: map[string]faultSection{}} }

func (f *faultSwitches) register(name string, s faultSection) {
	f.mu.Lock()
	f.sections[name] = s
	f.mu.Unlock()
}

func (f *faultSwitches) names() []string {
	out := make([]string, 0, len(f.sections))
	for n := range f.sections {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (f *faultSwitches) snapshot() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]any{}
	for n, s := range f.sections {
		out[n] = s.current()
	}
	return out
}

// controlFaultsSet is POST /_sim/control/faults.
func (f *faultSwitches) controlFaultsSet(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeJSON(w, r, &body); err != nil {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "body must be a JSON object with one object per product: "+err.Error())
		return
	}
	if len(body) == 0 {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", `name at least one product, e.g. {"channels": {...}}`)
		return
	}
	f.mu.Lock()
	var applies []func(context.Context)
	for name, raw := range body {
		s, ok := f.sections[name]
		if !ok {
			known := strings.Join(f.names(), ", ")
			f.mu.Unlock()
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "unknown fault section "+name+" (known: "+known+")")
			return
		}
		apply, err := s.prepare(raw)
		if err != nil {
			f.mu.Unlock()
			writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
			return
		}
		applies = append(applies, apply)
	}
	f.mu.Unlock()
	for _, apply := range applies {
		apply(r.Context())
	}
	writeJSON(w, http.StatusOK, f.snapshot())
}

// controlFaultsGet is GET /_sim/control/faults.
func (f *faultSwitches) controlFaultsGet(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, f.snapshot())
}

// funcSection makes a section from a parse function (check, then return what applies) and
// a state function.
type funcSection struct {
	parse func(raw json.RawMessage) (apply func(), err error)
	state func() any
}

func (f funcSection) prepare(raw json.RawMessage) (func(context.Context), error) {
	apply, err := f.parse(raw)
	if err != nil {
		return nil, err
	}
	return func(context.Context) { apply() }, nil
}

func (f funcSection) current() any { return f.state() }
