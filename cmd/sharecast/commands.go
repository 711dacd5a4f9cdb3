package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sharecast/sharecast/brands"
	"github.com/sharecast/sharecast/config"
	"github.com/sharecast/sharecast/demo"
	"github.com/sharecast/sharecast/wechat/simulator"
)

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	st, r, err := openStorage(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer st.Close()
	defer r.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}

func cmdSimulator(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	// Alone, the simulator has no service database to keep a clock offset in, so
	// /_sim/control/clock answers 501; the mounted one moves the service's clock.
	// Alone, it pushes Channels shop events to the service named here (e.g. the proxy in
	// front of the replicas).
	serviceURL := getenv("SHARECAST_SIMULATOR_SERVICE_URL")
	if serviceURL != "" {
		if u, err := url.Parse(serviceURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &config.Error{Problems: []string{"SHARECAST_SIMULATOR_SERVICE_URL must be an http(s) URL"}}
		}
	}
	sim, err := simulator.New(simulator.Options{DataDir: cfg.DataDir, Logger: log, ServiceURL: serviceURL})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "WeChat simulator listening on http://%s/_sim (keys in %s)\n", ln.Addr(), simulator.KeyDir(cfg.DataDir))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	a, err := build(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{selfURL: "http://" + cfg.Addr})
	if err != nil {
		return err
	}
	defer a.close()
	keys, err := simulator.LoadOrCreateKeys(simulator.KeyDir(cfg.DataDir))
	if err != nil {
		return err
	}
	res, err := demo.Seed(ctx, a.store, a.brands, keys, cfg.DataDir, cfg.DemoPassword, a.clock.Now())
	if err != nil {
		return err
	}
	if res.Created {
		if err := demo.SeedCommunity(ctx, a.store, a.sharing, res.BrandID); err != nil {
			return err
		}
		// payouts
		if err := demo.SeedPayout(ctx, a.store, a.book, a.payouts, res.BrandID); err != nil {
			return err
		}
	}
	switch {
	case !res.Created:
		fmt.Fprintf(stdout, "demo brand exists (id %s)\n", res.BrandID)
	case res.Password != "":
		fmt.Fprintf(stdout, "demo brand created (id %s); admin %q password %q (kept in %s)\n", res.BrandID, demo.Username, res.Password, res.PasswordFile)
	default:
		fmt.Fprintf(stdout, "demo brand created (id %s); admin %q uses SHARECAST_DEMO_PASSWORD\n", res.BrandID, demo.Username)
	}
	return nil
}

// credFlag collects --cred name=@file or name=value pairs (prefer @file: values on the
// command line end up in shell history).
type credFlag map[string]*string

func (c credFlag) String() string { return "" }

func (c credFlag) Set(v string) error {
	name, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want name=value or name=@file")
	}
	if path, isFile := strings.CutPrefix(val, "@"); isFile {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		val = strings.TrimRight(string(b), "\r\n")
	}
	c[name] = &val
	return nil
}

func cmdBrand(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: sharecast brand create|configure|list [flags]", errUsage)
	}
	sub, rest := args[0], args[1:]
	cfg, err := config.Load(nil, getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("brand "+sub, flag.ContinueOnError)
	fs.SetOutput(stdout)
	slug := fs.String("slug", "", "brand slug (admins type it at login)")
	name := fs.String("name", "", "display name")
	city := fs.String("city", "", "the brand's city, for out-of-city order share")
	tz := fs.String("timezone", "", "IANA timezone (default Asia/Shanghai)")
	prefix := fs.String("out-bill-prefix", "", "prefix of WeChat Pay out_bill_no (1-8 letters/digits)")
	appID := fs.String("mp-app-id", "", "mini-program appid")
	finder := fs.String("finder-user-name", "", "Channels finderUserName")
	mch := fs.String("pay-mch-id", "", "WeChat Pay merchant id")
	serial := fs.String("pay-serial-no", "", "merchant API certificate serial number")
	pubID := fs.String("pay-public-key-id", "", "WeChat Pay public key id (PUB_KEY_ID_…)")
	pubFile := fs.String("pay-public-key-file", "", "WeChat Pay public key PEM file")
	creds := credFlag{}
	fs.Var(creds, "cred", "write-only credential name=@file or name=value; names: "+strings.Join(brands.CredentialFields, ", "))
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := build(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{selfURL: "http://" + cfg.Addr})
	if err != nil {
		return err
	}
	defer a.close()
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	settings := brands.SettingsInput{MPAppID: opt(*appID), FinderUserName: opt(*finder), PayMchID: opt(*mch),
		PaySerialNo: opt(*serial), PayPublicKeyID: opt(*pubID), Credentials: creds}
	if *pubFile != "" {
		b, err := os.ReadFile(*pubFile)
		if err != nil {
			return err
		}
		settings.PayPublicKey = opt(string(b))
	}
	switch sub {
	case "create":
		b, err := a.brands.CreateBrand(ctx, brands.CLIActor, brands.NewBrandInput{Slug: *slug, Name: *name, City: *city,
			Timezone: *tz, OutBillPrefix: *prefix, Settings: settings})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "brand %s created (id %s); add its first owner with: sharecast admin create --brand %s --username NAME --role owner\n", b.Slug, b.ID, b.Slug)
	case "configure":
		b, err := a.store.BrandBySlug(ctx, *slug)
		if err != nil {
			return fmt.Errorf("brand %q: %w", *slug, err)
		}
		settings.Name, settings.City, settings.Timezone = opt(*name), opt(*city), opt(*tz)
		if _, err := a.brands.UpdateSettings(ctx, brands.CLIActor, b.ID, settings); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "brand %s updated\n", b.Slug)
	case "list":
		list, err := a.store.ListBrands(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SLUG\tID\tNAME\tMP APPID\tCITY")
		for _, b := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.Slug, b.ID, b.Name, b.MPAppID, b.City)
		}
		return w.Flush()
	default:
		return fmt.Errorf("%w: unknown brand command %q", errUsage, sub)
	}
	return nil
}

func cmdAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: sharecast admin create|reset-password --brand SLUG --username NAME [--role ROLE]", errUsage)
	}
	sub, rest := args[0], args[1:]
	cfg, err := config.Load(nil, getenv)
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	fs.SetOutput(stdout)
	slug := fs.String("brand", "", "brand slug")
	username := fs.String("username", "", "admin username")
	role := fs.String("role", "operator", "owner, operator or finance")
	if err := fs.Parse(rest); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	// The password comes from SHARECAST_ADMIN_PASSWORD or the first line of stdin, never a
	// flag (flags end up in shell history and process listings).
	password := getenv("SHARECAST_ADMIN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("%w: give the password on stdin or in SHARECAST_ADMIN_PASSWORD", errUsage)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	a, err := build(ctx, cfg, newLogger(cfg, io.Discard), buildOptions{selfURL: "http://" + cfg.Addr})
	if err != nil {
		return err
	}
	defer a.close()
	b, err := a.store.BrandBySlug(ctx, *slug)
	if err != nil {
		return fmt.Errorf("brand %q: %w", *slug, err)
	}
	switch sub {
	case "create":
		adm, err := a.brands.CreateAdmin(ctx, brands.CLIActor, b.ID, brands.NewAdminInput{Username: *username, Password: password, Role: *role})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "admin %s (%s) created in brand %s (id %s)\n", adm.Username, adm.Role, b.Slug, adm.ID)
	case "reset-password":
		if err := a.brands.ResetPassword(ctx, brands.CLIActor, b.ID, *username, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s in brand %s reset; their sessions are signed out\n", *username, b.Slug)
	default:
		return fmt.Errorf("%w: unknown admin command %q", errUsage, sub)
	}
	return nil
}
