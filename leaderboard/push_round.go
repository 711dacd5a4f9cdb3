package leaderboard

import "context"

// PushBoardToAllRobots queues the live's board (markdown: its header shows the gap to the
// target) to every enabled WeCom robot of the brand, for the shortfall second round; it joins
// the transaction in ctx (the round's action finishes in it) and answers how many robots and
// pushes. Anonymised names keep members' privacy settings.
func (o *Outputs) PushBoardToAllRobots(ctx context.Context, brandID, liveID string) (robots, pushes int, err error) {
	q, err := BoardQuery{Window: WindowLive, Privacy: PrivacyNickname, TopN: DefaultTopN}.Normalize()
	if err != nil {
		return 0, 0, err
	}
	var out []Push
	err = o.Store.WithTx(ctx, func(ctx context.Context) error {
		all, err := o.Store.Robots(ctx, brandID)
		if err != nil {
			return err
		}
		enabled := make([]Robot, 0, len(all))
		for _, rb := range all {
			if rb.Enabled {
				enabled = append(enabled, rb)
			}
		}
		robots = len(enabled)
		if robots == 0 {
			return nil
		}
		out, err = o.queuePushes(ctx, brandID, liveID, "", enabled, []string{PushMarkdown}, q)
		return err
	})
	return robots, len(out), err
}
