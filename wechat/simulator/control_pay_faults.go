package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
)

// payFaults are WeChat Pay's switches under "pay" in POST /_sim/control/faults. Counters apply
// to the next N merchant API calls and count down; booleans stay until changed.
type payFaults struct {
	// TimeoutAfterAccept: the next N creates make the bill, but their answer never arrives
	// (the connection is dropped after TimeoutHoldMs, or when the caller gives up).
	TimeoutAfterAccept int `json:"timeout_after_accept"`
	TimeoutHoldMs      int `json:"timeout_hold_ms"`
	// ServerErrors: the next N calls of any kind answer 500 SYSTEM_ERROR and do nothing.
	ServerErrors int `json:"server_errors"`
	// FrequencyLimited: the next N calls answer 429 FREQUENCY_LIMITED and do nothing.
	FrequencyLimited int `json:"frequency_limited"`
	// AcceptOnly: the next N creates answer ACCEPTED without package_info; the bill reaches
	// WAIT_USER_CONFIRM at its next query or repeated create.
	AcceptOnly int `json:"accept_only"`
	// NoAuth: creates answer 403 NO_AUTH (the merchant lacks the product).
	NoAuth bool `json:"no_auth"`
	// Callback switches: each callback twice; held back and sent newest first; preceded by a
	// wrongly signed probe; never sent.
	DuplicateCallbacks    bool `json:"duplicate_callbacks"`
	ReorderCallbacks      bool `json:"reorder_callbacks"`
	BadSignatureCallbacks bool `json:"bad_signature_callbacks"`
	DropCallbacks         bool `json:"drop_callbacks"`
}

// payFaultsView is what GET and POST /_sim/control/faults answer under "pay".
type payFaultsView struct {
	payFaults
	MerchantBalanceFen int64 `json:"merchant_balance_fen"`
	SingleMaxFen       int64 `json:"single_max_fen"`
}

// payFaultsPatch changes only the fields present; "reset": true first restores the defaults
// (no faults, the starting balance and limit).
type payFaultsPatch struct {
	Reset                 bool   `json:"reset"`
	TimeoutAfterAccept    *int   `json:"timeout_after_accept"`
	TimeoutHoldMs         *int   `json:"timeout_hold_ms"`
	ServerErrors          *int   `json:"server_errors"`
	FrequencyLimited      *int   `json:"frequency_limited"`
	AcceptOnly            *int   `json:"accept_only"`
	NoAuth                *bool  `json:"no_auth"`
	DuplicateCallbacks    *bool  `json:"duplicate_callbacks"`
	ReorderCallbacks      *bool  `json:"reorder_callbacks"`
	BadSignatureCallbacks *bool  `json:"bad_signature_callbacks"`
	DropCallbacks         *bool  `json:"drop_callbacks"`
	MerchantBalanceFen    *int64 `json:"merchant_balance_fen"`
	SingleMaxFen          *int64 `json:"single_max_fen"`
}

// Bounds on the switches: a typo must not make a simulator that never answers again.
const (
	maxFaultCount     = 10_000
	maxTimeoutHoldMs  = 120_000
	maxBalanceFen     = 1_000_000_000_000
	maxSingleLimitFen = 100_000_000
)

func (p *payState) parseFaults(raw json.RawMessage) (func(), error) {
	var patch payFaultsPatch
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&patch); err != nil {
		return nil, err
	}
	for _, c := range []*int{patch.TimeoutAfterAccept, patch.ServerErrors, patch.FrequencyLimited, patch.AcceptOnly} {
		if c != nil && (*c < 0 || *c > maxFaultCount) {
			return nil, errors.New("counters must be between 0 and 10000")
		}
	}
	switch {
	case patch.TimeoutHoldMs != nil && (*patch.TimeoutHoldMs < 0 || *patch.TimeoutHoldMs > maxTimeoutHoldMs):
		return nil, errors.New("timeout_hold_ms must be between 0 and 120000")
	case patch.MerchantBalanceFen != nil && (*patch.MerchantBalanceFen < 0 || *patch.MerchantBalanceFen > maxBalanceFen):
		return nil, errors.New("merchant_balance_fen must be between 0 and 10^12")
	case patch.SingleMaxFen != nil && (*patch.SingleMaxFen < minTransferFen || *patch.SingleMaxFen > maxSingleLimitFen):
		return nil, errors.New("single_max_fen must be between 10 and 100000000")
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		f := &p.faults
		if patch.Reset {
			*f = payFaults{}
			p.balanceFen = defaultBalanceFen - p.lockedFen()
			p.singleMax = defaultSingleMaxFen
		}
		setInt := func(dst *int, v *int) {
			if v != nil {
				*dst = *v
			}
		}
		setBool := func(dst *bool, v *bool) {
			if v != nil {
				*dst = *v
			}
		}
		setInt(&f.TimeoutAfterAccept, patch.TimeoutAfterAccept)
		setInt(&f.TimeoutHoldMs, patch.TimeoutHoldMs)
		setInt(&f.ServerErrors, patch.ServerErrors)
		setInt(&f.FrequencyLimited, patch.FrequencyLimited)
		setInt(&f.AcceptOnly, patch.AcceptOnly)
		setBool(&f.NoAuth, patch.NoAuth)
		setBool(&f.DuplicateCallbacks, patch.DuplicateCallbacks)
		setBool(&f.ReorderCallbacks, patch.ReorderCallbacks)
		setBool(&f.BadSignatureCallbacks, patch.BadSignatureCallbacks)
		setBool(&f.DropCallbacks, patch.DropCallbacks)
		if patch.MerchantBalanceFen != nil {
			p.balanceFen = *patch.MerchantBalanceFen
		}
		if patch.SingleMaxFen != nil {
			p.singleMax = *patch.SingleMaxFen
		}
	}, nil
}

// lockedFen is what open bills hold; callers hold p.mu.
func (p *payState) lockedFen() int64 {
	var n int64
	for _, b := range p.open {
		if b.fundsLocked {
			n += b.amountFen
		}
	}
	return n
}

func (p *payState) faultState() any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return payFaultsView{payFaults: p.faults, MerchantBalanceFen: p.balanceFen, SingleMaxFen: p.singleMax}
}
