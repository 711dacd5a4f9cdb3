package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/secrets"
)

// openBox builds the sealing box from the current secret key and the previous ones.
func openBox(cfg config.Config, root []byte) (*secrets.Box, error) {
	var prev [][]byte
	for _, k := range cfg.SecretKeyPrevious {
		b, err := config.DecodeSecretKey(k)
		if err != nil {
			return nil, err
		}
		prev = append(prev, b)
	}
	return secrets.New(root, prev...)
}

// cmdSecrets is `sharecast secrets rotate`: every sealed value (brand credentials, webhook
// secrets, WeCom robot keys, members' real names) that only a previous key
// (SHARECAST_SECRET_KEY_PREVIOUS) opens is re-sealed under SHARECAST_SECRET_KEY. It is safe to
// run while replicas serve (each value is replaced only if unchanged since it was read) and to
// run again. README "Rotating the secret key".
func cmdSecrets(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return &config.Error{Problems: []string{"usage: sharecast secrets rotate"}}
	}
	cfg, err := config.Load(args[1:], getenv)
	if err != nil {
		return err
	}
	if cfg.SecretKey == "" {
		if err := cfg.EnsureSecretKey(); err != nil {
			return err
		}
	}
	root, err := config.DecodeSecretKey(cfg.SecretKey)
	if err != nil {
		return &config.Error{Problems: []string{"SHARECAST_SECRET_KEY " + err.Error()}}
	}
	box, err := openBox(cfg, root)
	if err != nil {
		return err
	}
	st, r, err := openStorage(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer st.Close()
	defer r.Close()
	if err := st.CheckMigrated(ctx); err != nil {
		return err
	}
	res, err := st.ResealAll(ctx, box.Reseal)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-sealed %d of %d sealed values under the current key\n", res.Resealed, res.Seen)
	if res.Unopenable > 0 {
		return fmt.Errorf("%d sealed values open with no configured key (first: %s); add the key that sealed them to SHARECAST_SECRET_KEY_PREVIOUS", res.Unopenable, res.FirstUnopenable)
	}
	if len(cfg.SecretKeyPrevious) > 0 {
		fmt.Fprintln(stdout, "every sealed value opens with the current key: SHARECAST_SECRET_KEY_PREVIOUS can be removed once access tokens signed under it have expired (1 hour)")
	}
	return nil
}
