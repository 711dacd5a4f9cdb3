package main

import (
	"github.com/riverqueue/river"

	"github.com/sharecast/sharecast/jobs"
	"github.com/sharecast/sharecast/payouts"
)

// wirePayouts2 builds payout batches and reconciliation on the payout service (wirePayouts
// runs first), with the periodic daily reconciliation.
func (a *app) wirePayouts2(o buildOptions) {
	if a.payouts == nil {
		return
	}
	a.batches = &payouts.Batches{Payouts: a.payouts, Store: a.store.PayoutBatches()}
	a.reconciler = &payouts.Reconciler{Payouts: a.payouts, Store: a.store.Reconciliation()}
	if w := a.jobs.Workers(); w != nil {
		river.AddWorker(w, jobs.NewReconcilePayoutsWorker(a.reconciler))
		a.jobs.AddPeriodic(jobs.ReconcilePayoutsPeriodic(o.reconcileEvery))
	}
}
