package referral

import (
	"time"

	"github.com/sharecast/sharecast/apperr"
)

// Stable codes of the sharing use cases (API.md).
const (
	CodeNoticeMismatch    = "NOTICE_MISMATCH"
	CodeLiveEnded         = "LIVE_ENDED"
	CodeLiveNotReservable = "LIVE_NOT_RESERVABLE"
	CodeLiveNotFound      = "LIVE_NOT_FOUND"
	CodeCodeNotFound      = "CODE_NOT_FOUND"
	CodeNoticeInUse       = "NOTICE_IN_USE"
	CodeLiveChanged       = "LIVE_CHANGED"
	CodeLiveTransition    = "LIVE_TRANSITION"
	CodeReservationState  = "RESERVATION_STATE"
)

// Stable codes of the order doors (API.md).
const (
	// CodeOrderFromOtherSource: the external id was already recorded through the other door
	// (Channels push vs open API) of the same brand (409).
	CodeOrderFromOtherSource = "ORDER_EXISTS_FROM_OTHER_SOURCE"
	// CodeOrderTimeInvalid: an open-API confirm or refund time more than maxClockSkew before
	// the order's payment or in the future (422).
	CodeOrderTimeInvalid = "ORDER_EVENT_TIME_INVALID"
)

func errLiveNotFound() error { return apperr.New(apperr.NotFound, CodeLiveNotFound, "no such live") }

func errCodeNotFound() error {
	return apperr.New(apperr.NotFound, CodeCodeNotFound, "no such share code")
}

func errLiveEnded() error {
	return apperr.New(apperr.Rule, CodeLiveEnded, "the live has ended")
}

func errLiveChanged() error {
	return apperr.New(apperr.Conflict, CodeLiveChanged, "the live changed meanwhile; reload and retry")
}

func rateLimited(retry time.Duration) error { return apperr.RateLimitedErr(retry) }
