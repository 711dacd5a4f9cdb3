package simulator

import (
	"net/http"
	"strconv"
	"time"
)

// maxAdvance bounds one clock move: long enough to end any holding period or transfer
// deadline, short enough that a typo does not throw the service years ahead.
const maxAdvance = 400 * 24 * time.Hour

type clockRequest struct {
	AdvanceSeconds int64 `json:"advance_seconds"`
}

type clockResponse struct {
	OffsetSeconds int64  `json:"offset_seconds"`
	Now           string `json:"now"`
}

// controlClock is POST /_sim/control/clock {"advance_seconds": N}: it moves the service's
// clock forward (the offset is shared by every replica) and answers the new offset and time.
func (s *Simulator) controlClock(w http.ResponseWriter, r *http.Request) {
	if s.advancer == nil {
		writeControlError(w, http.StatusNotImplemented, "NOT_IMPLEMENTED", "this simulator has no clock to move (it runs without the service)")
		return
	}
	var req clockRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT", `body must be JSON {"advance_seconds": N} with N a whole number: `+err.Error())
		return
	}
	if req.AdvanceSeconds <= 0 || req.AdvanceSeconds > int64(maxAdvance/time.Second) {
		writeControlError(w, http.StatusBadRequest, "INVALID_ARGUMENT",
			"advance_seconds must be between 1 and "+strconv.FormatInt(int64(maxAdvance/time.Second), 10)+" (400 days)")
		return
	}
	offset, err := s.advancer.Advance(r.Context(), time.Duration(req.AdvanceSeconds)*time.Second)
	if err != nil {
		s.log.Error("simulator: advance clock", "err", err)
		writeControlError(w, http.StatusInternalServerError, "INTERNAL", "could not move the clock")
		return
	}
	now := s.clock.Now()
	s.log.Info("simulator: clock advanced", "by_seconds", req.AdvanceSeconds, "offset_seconds", int64(offset/time.Second), "now", now)
	writeJSON(w, http.StatusOK, clockResponse{OffsetSeconds: int64(offset / time.Second), Now: now.Format(time.RFC3339)})
}
