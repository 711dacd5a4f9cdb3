package simulator_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sharecast/sharecast/clock"
	"github.com/sharecast/sharecast/wechat/simulator"
)

// The embedded server hands its offset clock to the simulator.
var _ simulator.ClockAdvancer = (*clock.Offset)(nil)

func TestControlClock(t *testing.T) {
	const day = 24 * 60 * 60
	cases := []struct {
		name       string
		body       any
		wantStatus int
		wantOffset int64
	}{
		{"one hour", map[string]any{"advance_seconds": 3600}, http.StatusOK, 3600},
		{"400 days", map[string]any{"advance_seconds": 400 * day}, http.StatusOK, 400 * day},
		{"zero", map[string]any{"advance_seconds": 0}, http.StatusBadRequest, 0},
		{"missing", map[string]any{}, http.StatusBadRequest, 0},
		{"negative", map[string]any{"advance_seconds": -60}, http.StatusBadRequest, 0},
		{"over 400 days", map[string]any{"advance_seconds": 400*day + 1}, http.StatusBadRequest, 0},
		{"fraction", `{"advance_seconds": 1.5}`, http.StatusBadRequest, 0},
		{"not JSON", "advance_seconds=60", http.StatusBadRequest, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			status, out := e.do(http.MethodPost, "/_sim/control/clock", tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status %d, want %d (%v)", status, tc.wantStatus, out)
			}
			if status != http.StatusOK {
				if out["code"] != "INVALID_ARGUMENT" || str(out["message"]) == "" {
					t.Errorf("error body %v", out)
				}
				if !e.clk.Now().Equal(t0) {
					t.Error("a refused request moved the clock")
				}
				return
			}
			wantNow := t0.Add(time.Duration(tc.wantOffset) * time.Second)
			if int64(out["offset_seconds"].(float64)) != tc.wantOffset || out["now"] != wantNow.Format(time.RFC3339) {
				t.Errorf("answer %v, want offset %d now %s", out, tc.wantOffset, wantNow.Format(time.RFC3339))
			}
			if !e.clk.Now().Equal(wantNow) {
				t.Errorf("clock at %s, want %s", e.clk.Now(), wantNow)
			}
		})
	}
}

func TestControlClockWithoutAdvancer(t *testing.T) {
	sim, err := simulator.New(simulator.Options{DataDir: sharedDataDir, Clock: clock.NewFixed(t0)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: sim}
	status, out := e.do(http.MethodPost, "/_sim/control/clock", map[string]any{"advance_seconds": 60})
	if status != http.StatusNotImplemented || out["code"] != "NOT_IMPLEMENTED" {
		t.Errorf("%d %v", status, out)
	}
}

type failingAdvancer struct{}

func (failingAdvancer) Advance(context.Context, time.Duration) (time.Duration, error) {
	return 0, errors.New("database is gone")
}

func TestControlClockAdvancerFails(t *testing.T) {
	sim, err := simulator.New(simulator.Options{DataDir: sharedDataDir, Clock: clock.NewFixed(t0), ClockAdvancer: failingAdvancer{}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, sim: sim}
	status, out := e.do(http.MethodPost, "/_sim/control/clock", map[string]any{"advance_seconds": 60})
	if status != http.StatusInternalServerError || out["code"] != "INTERNAL" || str(out["message"]) == "database is gone" {
		t.Errorf("%d %v", status, out)
	}
}
