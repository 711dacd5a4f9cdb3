package channelsorders

import (
	"context"
	"errors"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/wechat/channels"
)

// Push is one POST of the shop's message push: the query's msg_signature, timestamp and
// nonce, and the raw body {ToUserName, Encrypt}.
type Push struct {
	MsgSignature, Timestamp, Nonce string
	Body                           []byte
}

// Receipt says what Receive did with a push.
type Receipt struct {
	Event, OrderID string
	EventID        string // the inbox row (new or the one a resend matched); "" when ignored
	Stored         bool   // a new event: stored and its job enqueued
	Duplicate      bool   // a resend of a stored event: nothing changed
	Ignored        bool   // an event sharecast does not act on
}

// errDuplicate rolls back the transaction of a push that lost the race to its twin.
var errDuplicate = errors.New("duplicate push")

// Receive verifies and decrypts a push, then stores the event and enqueues its job in one
// transaction; a resend of a stored event changes nothing. It does no WeChat call, so it
// answers well within WeChat's 5 s.
//
// Errors: unknown brand 404 BRAND_NOT_FOUND; a brand without Channels push credentials 404
// CHANNELS_NOT_CONFIGURED; credentials that cannot be used 503 CHANNELS_MISCONFIGURED; a bad
// msg_signature 401 PUSH_SIGNATURE_INVALID; a body that is not an envelope, a ciphertext that
// does not decrypt (truncated, bad padding, bad length) or a malformed event 400
// PUSH_INVALID; a message for another appid 400 PUSH_APPID_MISMATCH. Nothing is stored then.
func (s *Service) Receive(ctx context.Context, brandID string, p Push) (Receipt, error) {
	crypt, err := s.crypt(ctx, brandID)
	if err != nil {
		return Receipt{}, err
	}
	env, err := channels.ParseEnvelope(p.Body)
	if err != nil {
		return Receipt{}, apperr.Wrap(err, apperr.Invalid, "PUSH_INVALID", "the body is not a message push {ToUserName, Encrypt}")
	}
	msg, err := crypt.Open(p.MsgSignature, p.Timestamp, p.Nonce, env.Encrypt)
	if err != nil {
		return Receipt{}, pushError(err)
	}
	ev, err := channels.ParseEvent(msg)
	if err != nil {
		return Receipt{}, apperr.Wrap(err, apperr.Invalid, "PUSH_INVALID", "the decrypted message is not a well-formed event")
	}
	r := Receipt{Event: ev.Event, OrderID: ev.OrderID()}
	if !ev.Handled() {
		r.Ignored = true
		return r, nil
	}
	in := InboxEvent{BrandID: brandID, Event: ev.Event, OrderID: r.OrderID, EventKey: ev.DedupeKey(), Payload: msg,
		ReceivedAt: s.Clock.Now()}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		id, created, err := s.Store.AddChannelsEvent(ctx, in)
		if err != nil {
			return err
		}
		r.EventID = id
		if !created {
			return errDuplicate
		}
		_, err = s.Jobs.Insert(ctx, EventArgs{BrandID: brandID, EventID: id}, nil)
		return err
	})
	switch {
	case errors.Is(err, errDuplicate), errors.Is(err, ErrDuplicate):
		r.Duplicate = true
		return r, nil
	case err != nil:
		return Receipt{}, err
	}
	r.Stored = true
	return r, nil
}

// CheckURL verifies the GET URL check's signature; the caller answers echostr unchanged.
// Errors as Receive's.
func (s *Service) CheckURL(ctx context.Context, brandID, signature, timestamp, nonce string) error {
	crypt, err := s.crypt(ctx, brandID)
	if err != nil {
		return err
	}
	if err := crypt.VerifyURL(signature, timestamp, nonce); err != nil {
		return pushError(err)
	}
	return nil
}

// crypt builds the brand's push crypt from its sealed credentials.
func (s *Service) crypt(ctx context.Context, brandID string) (*channels.MsgCrypt, error) {
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return nil, err
	}
	if b.ChannelsAppID == "" || !b.HasCredential(brands.CredPushToken) || !b.HasCredential(brands.CredPushAESKey) {
		return nil, apperr.New(apperr.NotFound, "CHANNELS_NOT_CONFIGURED", "this brand has no Channels shop message push configured")
	}
	token, err := s.Brands.Credential(b, brands.CredPushToken)
	if err != nil {
		return nil, misconfigured(err)
	}
	key, err := s.Brands.Credential(b, brands.CredPushAESKey)
	if err != nil {
		return nil, misconfigured(err)
	}
	crypt, err := channels.NewMsgCrypt(token, key, b.ChannelsAppID)
	if err != nil {
		return nil, misconfigured(err)
	}
	return crypt, nil
}

func misconfigured(err error) error {
	return apperr.Wrap(err, apperr.Unavailable, "CHANNELS_MISCONFIGURED", "the brand's Channels push credentials cannot be used; an owner must set them again")
}

// pushError classifies a crypto failure.
func pushError(err error) error {
	switch {
	case errors.Is(err, channels.ErrSignature):
		return apperr.Wrap(err, apperr.Unauthenticated, "PUSH_SIGNATURE_INVALID", "the push's signature does not match the brand's token")
	case errors.Is(err, channels.ErrAppID):
		return apperr.Wrap(err, apperr.Invalid, "PUSH_APPID_MISMATCH", "the push is for another appid than the brand's Channels shop")
	default:
		return apperr.Wrap(err, apperr.Invalid, "PUSH_INVALID", "the push does not decrypt")
	}
}
