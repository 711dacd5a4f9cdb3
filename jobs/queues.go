package jobs

import "github.com/riverqueue/river"

// AddQueue adds a queue of its own to this replica's client, so a kind of job with slow work
// (HTTP calls to brands' endpoints, bursts of WeChat sends) cannot take every worker of the
// default queue. A no-op on an insert-only client. Call it before Start.
func (r *Runner) AddQueue(name string, maxWorkers int) error {
	if r.workers == nil {
		return nil
	}
	return r.client.Queues().Add(name, river.QueueConfig{MaxWorkers: maxWorkers})
}
