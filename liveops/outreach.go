package liveops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/referral"
	"github.com/sharecast/sharecast/reminders"
)

// The shortfall second round (DESIGN §0, ANCHORS (d) 3): at start − N minutes (the brand's
// shortfall_lead_minutes, default 30) a live whose counted reservations fall short of its
// target gets three actions, each its own durable job that runs once:
//   (a) subscribe reminders (reminders.ShortfallReminder) to the reservers and to the members
//       who opened a link but did not reserve; only those holding a credit get a message;
//   (b) a WeCom push of the board (its header shows the gap to the target) to every enabled
//       robot of the brand;
//   (c) a task message (reminders.ShortfallTask) to the top inviters and the group owners
//       with fresh copy and their own share code. It goes through the subscribe sender, not
//       WeCom: a WeCom group robot can only post into its group and cannot address one
//       member, and the copy carries the member's own link, so it must be 1:1; the subscribe
//       message is the only server-initiated 1:1 channel to a mini-program member.
// The round row is unique per (brand, live, round) and each action moves pending → done
// once; the sends inside are keyed per round and member. Running the check again sends
// nothing twice.

// QueueDueRounds runs the shortfall check of every reservable live whose round is due: start
// − lead ≤ now < start. It answers how many lives it checked.
func (s *Service) QueueDueRounds(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	lives, err := s.Store.LivesStartingBetween(ctx, now, now.Add(brands.MaxShortfallLeadMinutes*time.Minute))
	if err != nil {
		return 0, err
	}
	leads := map[string]int{}
	n := 0
	for _, l := range lives {
		lead, ok := leads[l.BrandID]
		if !ok {
			b, err := s.Brands.Brand(ctx, l.BrandID)
			if err != nil {
				return n, err
			}
			lead = b.Rules.Normalize().ShortfallLeadMinutes
			leads[l.BrandID] = lead
		}
		if now.Before(l.PlannedStartAt.Add(-time.Duration(lead) * time.Minute)) {
			continue
		}
		if _, _, err := s.CheckRound(ctx, l, lead); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CheckRound records the live's shortfall round and, when counted < target, queues its
// actions, all in one transaction. A second call answers the first round and queues nothing.
func (s *Service) CheckRound(ctx context.Context, l referral.Live, lead int) (Round, bool, error) {
	var (
		out      Round
		inserted bool
	)
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		_, counted, err := s.Store.ReservationCounts(ctx, l.BrandID, l.ID)
		if err != nil {
			return err
		}
		r := Round{BrandID: l.BrandID, LiveID: l.ID, Round: RoundShortfall, LeadMinutes: lead, Counted: counted,
			Target: l.TargetReservations, CreatedAt: s.Clock.Now()}
		switch {
		case r.Target <= 0:
			r.Outcome = OutcomeNoTarget
		case counted >= r.Target:
			r.Outcome = OutcomeTargetMet
		default:
			r.Outcome = OutcomeShortfall
		}
		if out, inserted, err = s.Store.InsertRound(ctx, r); err != nil || !inserted || out.Outcome != OutcomeShortfall {
			return err
		}
		for _, k := range ActionKinds {
			a, err := s.Store.InsertAction(ctx, Action{BrandID: l.BrandID, RoundID: out.ID, LiveID: l.ID, Kind: k,
				Status: ActionPending, CreatedAt: out.CreatedAt})
			if err != nil {
				return err
			}
			if err := s.Queue.EnqueueOutreachAction(ctx, l.BrandID, a.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && inserted {
		s.log().Info("shortfall round checked", "brand_id", l.BrandID, "live_id", l.ID, "outcome", out.Outcome,
			"counted", out.Counted, "target", out.Target)
	}
	return out, inserted, err
}

// errAlreadyDone rolls back an action's transaction when another run finished it first.
var errAlreadyDone = errors.New("liveops: action already done")

// RunAction works one action of a round (the action job). It answers nil once the action
// reached an end (done, skipped or failed: the row says which); another error is retried.
func (s *Service) RunAction(ctx context.Context, brandID, actionID string) error {
	a, err := s.Store.ActionByID(ctx, brandID, actionID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil || a.Status != ActionPending {
		return err
	}
	r, err := s.Store.RoundByID(ctx, brandID, a.RoundID)
	if err != nil {
		return err
	}
	l, err := s.Lives.LiveByID(ctx, brandID, a.LiveID)
	if err != nil {
		return err
	}
	b, err := s.Brands.Brand(ctx, brandID)
	if err != nil {
		return err
	}
	switch a.Kind {
	case ActionSubscribeReminders:
		err = s.sendReminders(ctx, b, l, r, a)
	case ActionWeComPush:
		err = s.pushBoard(ctx, l, a)
	case ActionInviterTasks:
		err = s.sendTasks(ctx, b, l, r, a)
	default:
		err = s.finish(ctx, a, ActionChange{Status: ActionFailed, Note: "unknown action " + a.Kind})
	}
	if errors.Is(err, errAlreadyDone) {
		return nil
	}
	return err
}

func (s *Service) finish(ctx context.Context, a Action, ch ActionChange) error {
	ch.At = s.Clock.Now()
	moved, err := s.Store.FinishAction(ctx, a.BrandID, a.ID, ch)
	if err != nil {
		return err
	}
	if !moved {
		return errAlreadyDone
	}
	return nil
}

// hasTemplate reports whether the brand configured a template for p.
func (s *Service) hasTemplate(ctx context.Context, brandID string, p reminders.Purpose) (bool, error) {
	ts, err := s.Reminders.Templates(ctx, brandID)
	if err != nil {
		return false, err
	}
	for _, t := range ts {
		if t.Purpose == p {
			return true, nil
		}
	}
	return false, nil
}

func noTemplateNote(p reminders.Purpose) string {
	return fmt.Sprintf("not sent: the brand has no subscribe template for %s (set one under subscribe templates); the rest of the round went out", p)
}

// Batch names the sends of one action of a round (reminders.BatchSummary reads them).
func Batch(roundID, kind string) string { return "outreach:" + roundID + ":" + kind }

func (s *Service) roundValues(b brands.Brand, l referral.Live, r Round) map[string]string {
	return map[string]string{"live_id": l.ID, "live_title": l.Title,
		"start_time": reminders.FormatTime(l.PlannedStartAt, b.Timezone),
		"reserved":   strconv.FormatInt(r.Counted, 10), "target": strconv.FormatInt(r.Target, 10),
		"gap": strconv.FormatInt(r.Gap(), 10)}
}

// sent is what sendMany did.
type sent struct {
	queued  int    // messages queued (a credit was held)
	refused int    // recipients whose values broke a field rule (e.g. a long nickname)
	why     string // the first refusal
}

func (x sent) note(format string, a ...any) string {
	n := fmt.Sprintf(format, a...)
	if x.refused > 0 {
		n += fmt.Sprintf("; %d not sent: %s", x.refused, x.why)
	}
	return n
}

// sendMany sends p to each recipient, keyed per round, action and member. A send already
// made answers its status; a member whose values break a field rule is skipped and counted.
func (s *Service) sendMany(ctx context.Context, b brands.Brand, l referral.Live, r Round, a Action, p reminders.Purpose,
	rcpts []Recipient, values func(Recipient) map[string]string) (sent, error) {
	batch := Batch(r.ID, a.Kind)
	var out sent
	for _, rc := range rcpts {
		v := values(rc)
		res, err := s.Reminders.Send(ctx, reminders.Request{BrandID: b.ID, MemberID: rc.MemberID, Purpose: p,
			Key: batch + ":" + rc.MemberID, Batch: batch, Values: v, ExpiresAt: l.PlannedStartAt})
		if apperr.KindOf(err) == apperr.Invalid {
			if out.refused++; out.why == "" {
				out.why = apperr.CodeOf(err) + ": " + errMessage(err)
			}
			continue
		}
		if err != nil {
			return out, err
		}
		if res.Status != reminders.StatusNoCredit {
			out.queued++
		}
	}
	return out, nil
}

// doneOrFailed: failed when every recipient was refused (the template's own values break a
// rule), done otherwise.
func doneOrFailed(x sent, recipients int) string {
	if recipients > 0 && x.refused == recipients {
		return ActionFailed
	}
	return ActionDone
}

// permanent reports whether a send error will not change on a retry (bad template data).
func permanent(err error) bool {
	k := apperr.KindOf(err)
	return k == apperr.Invalid || k == apperr.Rule || k == apperr.Conflict
}

func (s *Service) sendReminders(ctx context.Context, b brands.Brand, l referral.Live, r Round, a Action) error {
	ok, err := s.hasTemplate(ctx, b.ID, reminders.ShortfallReminder)
	if err != nil {
		return err
	}
	if !ok {
		return s.finish(ctx, a, ActionChange{Status: ActionSkipped, Note: noTemplateNote(reminders.ShortfallReminder)})
	}
	reservers, err := s.Store.Reservers(ctx, b.ID, l.ID)
	if err != nil {
		return err
	}
	openers, err := s.Store.Openers(ctx, b.ID, l.ID)
	if err != nil {
		return err
	}
	rcpts := dedupe(append(reservers, openers...))
	base := s.roundValues(b, l, r)
	queued, err := s.sendMany(ctx, b, l, r, a, reminders.ShortfallReminder, rcpts, func(rc Recipient) map[string]string {
		return withMember(base, rc, nil)
	})
	if err != nil {
		if permanent(err) {
			return s.finish(ctx, a, ActionChange{Status: ActionFailed, Recipients: len(rcpts), Queued: queued.queued,
				Batch: Batch(r.ID, a.Kind), Note: "stopped: " + apperr.CodeOf(err) + ": " + errMessage(err)})
		}
		return err
	}
	return s.finish(ctx, a, ActionChange{Status: doneOrFailed(queued, len(rcpts)), Recipients: len(rcpts), Queued: queued.queued,
		Batch: Batch(r.ID, a.Kind), Note: queued.note("%d reservers and %d members who opened a link without reserving; a message goes to those who gave a credit",
			len(reservers), len(openers))})
}

func (s *Service) pushBoard(ctx context.Context, l referral.Live, a Action) error {
	return s.Store.WithTx(ctx, func(ctx context.Context) error {
		robots, pushes, err := s.Pusher.PushBoardToAllRobots(ctx, l.BrandID, l.ID)
		if err != nil {
			return err
		}
		if robots == 0 {
			return s.finish(ctx, a, ActionChange{Status: ActionSkipped, Note: "not sent: the brand has no enabled WeCom robot"})
		}
		// The guarded finish commits with the pushes: a second run rolls its pushes back.
		return s.finish(ctx, a, ActionChange{Status: ActionDone, Recipients: robots, Queued: pushes,
			Note: fmt.Sprintf("the board with the gap to the target, to %d robots", robots)})
	})
}

func (s *Service) sendTasks(ctx context.Context, b brands.Brand, l referral.Live, r Round, a Action) error {
	ok, err := s.hasTemplate(ctx, b.ID, reminders.ShortfallTask)
	if err != nil {
		return err
	}
	if !ok {
		return s.finish(ctx, a, ActionChange{Status: ActionSkipped, Note: noTemplateNote(reminders.ShortfallTask)})
	}
	n := s.TopInviters
	if n <= 0 {
		n = 10
	}
	top, err := s.Store.TopInviters(ctx, b.ID, l.ID, n)
	if err != nil {
		return err
	}
	owners, err := s.Store.GroupOwners(ctx, b.ID, l.ID)
	if err != nil {
		return err
	}
	rcpts := dedupe(append(top, owners...))
	base := s.roundValues(b, l, r)
	queued, err := s.sendMany(ctx, b, l, r, a, reminders.ShortfallTask, rcpts, func(rc Recipient) map[string]string {
		return withMember(base, rc, map[string]string{"code": rc.Code, "copy": TaskCopy(r.Gap())})
	})
	if err != nil {
		if permanent(err) {
			return s.finish(ctx, a, ActionChange{Status: ActionFailed, Recipients: len(rcpts), Queued: queued.queued,
				Batch: Batch(r.ID, a.Kind), Note: "stopped: " + apperr.CodeOf(err) + ": " + errMessage(err)})
		}
		return err
	}
	return s.finish(ctx, a, ActionChange{Status: doneOrFailed(queued, len(rcpts)), Recipients: len(rcpts), Queued: queued.queued,
		Batch: Batch(r.ID, a.Kind), Note: queued.note("%d top inviters and %d group owners; a message goes to those who gave a credit",
			len(top), len(owners))})
}

// withMember is the round's values plus the member's nickname (a stand-in when they set
// none: WeChat refuses empty values) and extra.
func withMember(base map[string]string, rc Recipient, extra map[string]string) map[string]string {
	v := make(map[string]string, len(base)+len(extra)+1)
	for k, x := range base {
		v[k] = x
	}
	for k, x := range extra {
		v[k] = x
	}
	v["member_nickname"] = rc.Nickname
	if v["member_nickname"] == "" {
		v["member_nickname"] = UnnamedMember
	}
	return v
}

// UnnamedMember stands in for a member who set no nickname.
const UnnamedMember = "朋友"

// TaskCopy is the fresh copy of a task message; it fits a thing field (≤ 20 characters).
func TaskCopy(gap int64) string {
	return fmt.Sprintf("还差%d人，请转发你的链接", gap)
}

func dedupe(in []Recipient) []Recipient {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, r := range in {
		if seen[r.MemberID] {
			continue
		}
		seen[r.MemberID] = true
		out = append(out, r)
	}
	return out
}

func errMessage(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Message
	}
	return "internal error"
}

// RoundView is a round with its actions and, per action, its sends by status.
type RoundView struct {
	Round
	Actions []ActionView
}

// ActionView is an action and what became of its messages.
type ActionView struct {
	Action
	Sends map[reminders.Status]int // subscribe actions only
}

// Outreach lists a live's rounds, what each sent and to how many (404 for another brand's live).
func (s *Service) Outreach(ctx context.Context, brandID, liveID string) ([]RoundView, error) {
	if _, err := s.Lives.LiveByID(ctx, brandID, liveID); err != nil {
		if errors.Is(err, referral.ErrNotFound) {
			return nil, apperr.New(apperr.NotFound, referral.CodeLiveNotFound, "no such live")
		}
		return nil, err
	}
	rounds, err := s.Store.Rounds(ctx, brandID, liveID)
	if err != nil {
		return nil, err
	}
	out := make([]RoundView, 0, len(rounds))
	for _, r := range rounds {
		acts, err := s.Store.Actions(ctx, brandID, r.ID)
		if err != nil {
			return nil, err
		}
		v := RoundView{Round: r}
		for _, a := range acts {
			av := ActionView{Action: a}
			if a.Batch != "" {
				if av.Sends, err = s.Reminders.BatchSummary(ctx, brandID, a.Batch); err != nil {
					return nil, err
				}
			}
			v.Actions = append(v.Actions, av)
		}
		out = append(out, v)
	}
	return out, nil
}
