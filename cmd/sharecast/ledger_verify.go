package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sharecast/sharecast/config"
)

// errLedgerBroken makes `sharecast ledger verify` exit non-zero after printing every problem.
var errLedgerBroken = errors.New("the ledger breaks its invariants")

// cmdLedger is `sharecast ledger verify [--brand SLUG]`: every brand's ledger checked against
// the money invariants (Σ entries = 0, balanced transactions, cached balances = entries, no
// member account below zero, commissions = their reversal rows).
func cmdLedger(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: sharecast ledger verify [--brand SLUG]", errUsage)
	}
	fs := flag.NewFlagSet("ledger verify", flag.ContinueOnError)
	fs.SetOutput(stdout)
	slug := fs.String("brand", "", "check only this brand (slug)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := config.Load(nil, getenv)
	if err != nil {
		return err
	}
	a, err := build(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{selfURL: "http://" + cfg.Addr})
	if err != nil {
		return err
	}
	defer a.close()
	list, err := a.store.ListBrands(ctx)
	if err != nil {
		return err
	}
	checked, problems := 0, 0
	for _, b := range list {
		if *slug != "" && b.Slug != *slug {
			continue
		}
		r, err := a.ledger.Verify(ctx, b.ID)
		if err != nil {
			return fmt.Errorf("brand %s: %w", b.Slug, err)
		}
		checked++
		problems += len(r.Problems)
		fmt.Fprintf(stdout, "brand %s (%s): %s\n", b.Slug, b.ID, r)
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "  - %s\n", p)
		}
	}
	if *slug != "" && checked == 0 {
		return fmt.Errorf("no brand %q", *slug)
	}
	fmt.Fprintf(stdout, "ledger verify: %d brands checked, %d problems\n", checked, problems)
	if problems > 0 {
		return errLedgerBroken
	}
	return nil
}
