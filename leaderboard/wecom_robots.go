package leaderboard

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sharecast/sharecast/apperr"
	"github.com/sharecast/sharecast/brands"
)

// Robot is a WeCom group robot of a brand. KeySealed is its webhook key sealed for
// (brand, robot): it never leaves the service.
type Robot struct {
	ID          string
	BrandID     string
	Name        string
	KeySealed   []byte
	Enabled     bool
	Status      string // RobotOK or RobotBroken
	LastErrcode int
	LastError   string
	LastSentAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Robot states.
const (
	RobotOK     = "ok"
	RobotBroken = "broken" // WeCom refused the key (93000 and kin): the admin must act
)

// RobotPatch changes a robot; nil fields stay.
type RobotPatch struct {
	Name        *string
	KeySealed   []byte
	Enabled     *bool
	Status      *string
	LastErrcode *int
	LastError   *string
	LastSentAt  *time.Time
}

// RobotInput creates a robot.
type RobotInput struct {
	Name       string
	WebhookKey string // the key, or the whole webhook URL as WeCom shows it
}

// RobotChange edits a robot; nil fields stay. A new key makes a broken robot ok again.
type RobotChange struct {
	Name       *string
	WebhookKey *string
	Enabled    *bool
}

// maxRobots per brand keeps the push fan-out and the list bounded.
const maxRobots = 100

var webhookKeyRe = regexp.MustCompile(`^[A-Za-z0-9-]{8,128}$`)

// ParseWebhookKey accepts the key or the webhook URL admins copy from WeCom
// (…/cgi-bin/webhook/send?key=KEY) and answers the key.
func ParseWebhookKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "key=") {
		if u, err := url.Parse(s); err == nil {
			s = u.Query().Get("key")
		}
	}
	if !webhookKeyRe.MatchString(s) {
		return "", apperr.New(apperr.Invalid, "INVALID_WEBHOOK_KEY", "webhook_key must be the robot's key (or its webhook URL with ?key=)")
	}
	return s, nil
}

func robotKeyField(robotID string) string { return "wecom_robot_key:" + robotID }

func cleanRobotName(name string) (string, error) {
	n := CleanName(name)
	if n == "" || len(n) > 64 {
		return "", apperr.InvalidArgument("name (the group's name) must be 1-64 bytes")
	}
	return n, nil
}

var errRobotNotFound = apperr.New(apperr.NotFound, "NOT_FOUND", "no such robot")

func robotErr(err error) error {
	if errors.Is(err, ErrOutputNotFound) {
		return errRobotNotFound
	}
	return err
}

// Robots lists a brand's robots by name.
func (o *Outputs) Robots(ctx context.Context, brandID string) ([]Robot, error) {
	return o.Store.Robots(ctx, brandID)
}

// CreateRobot adds a robot with its key sealed at rest.
func (o *Outputs) CreateRobot(ctx context.Context, a brands.Actor, brandID string, in RobotInput) (Robot, error) {
	name, err := cleanRobotName(in.Name)
	if err != nil {
		return Robot{}, err
	}
	key, err := ParseWebhookKey(in.WebhookKey)
	if err != nil {
		return Robot{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	sealed, err := o.Sealer.Seal(brandID, robotKeyField(id), []byte(key))
	if err != nil {
		return Robot{}, err
	}
	var out Robot
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		n, err := o.Store.CountRobots(ctx, brandID)
		if err != nil {
			return err
		}
		if n >= maxRobots {
			return apperr.New(apperr.Rule, "ROBOT_LIMIT", "a brand has at most 100 robots")
		}
		out, err = o.Store.CreateRobot(ctx, Robot{ID: id, BrandID: brandID, Name: name, KeySealed: sealed, Enabled: true, Status: RobotOK})
		if err != nil {
			return err
		}
		return o.audit(ctx, brandID, a, "wecom_robot.create", "wecom_robot", id, map[string]any{"name": name})
	})
	return out, err
}

// UpdateRobot renames, re-keys, enables or disables a robot.
func (o *Outputs) UpdateRobot(ctx context.Context, a brands.Actor, brandID, id string, ch RobotChange) (Robot, error) {
	var p RobotPatch
	changed := []string{}
	if ch.Name != nil {
		name, err := cleanRobotName(*ch.Name)
		if err != nil {
			return Robot{}, err
		}
		p.Name = &name
		changed = append(changed, "name")
	}
	if ch.WebhookKey != nil {
		key, err := ParseWebhookKey(*ch.WebhookKey)
		if err != nil {
			return Robot{}, err
		}
		if p.KeySealed, err = o.Sealer.Seal(brandID, robotKeyField(id), []byte(key)); err != nil {
			return Robot{}, err
		}
		ok, zero, empty := RobotOK, 0, ""
		p.Status, p.LastErrcode, p.LastError = &ok, &zero, &empty
		changed = append(changed, "webhook_key")
	}
	if ch.Enabled != nil {
		p.Enabled = ch.Enabled
		changed = append(changed, "enabled")
	}
	var out Robot
	err := o.Store.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = o.Store.UpdateRobot(ctx, brandID, id, p); err != nil {
			return robotErr(err)
		}
		return o.audit(ctx, brandID, a, "wecom_robot.update", "wecom_robot", id, map[string]any{"changed": changed})
	})
	return out, err
}

// DeleteRobot removes a robot and takes it off the brand's schedules. Past push results keep
// its name.
func (o *Outputs) DeleteRobot(ctx context.Context, a brands.Actor, brandID, id string) error {
	return o.Store.WithTx(ctx, func(ctx context.Context) error {
		r, err := o.Store.Robot(ctx, brandID, id)
		if err != nil {
			return robotErr(err)
		}
		scheds, err := o.Store.SchedulesWithRobot(ctx, brandID, id)
		if err != nil {
			return err
		}
		for _, s := range scheds {
			kept := s.RobotIDs[:0:0]
			for _, rid := range s.RobotIDs {
				if rid != id {
					kept = append(kept, rid)
				}
			}
			s.RobotIDs = kept
			if len(kept) == 0 {
				s.Enabled = false // nothing left to push to
			}
			if _, err := o.Store.UpdateSchedule(ctx, brandID, s.ID, s); err != nil {
				return err
			}
		}
		if err := o.Store.DeleteRobot(ctx, brandID, id); err != nil {
			return robotErr(err)
		}
		return o.audit(ctx, brandID, a, "wecom_robot.delete", "wecom_robot", id, map[string]any{"name": r.Name})
	})
}
