package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"motcua/receiver"
)

// receiverCmd runs the reference uplink receiver.
func receiverCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("receiver", receiverUsage, stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "`address` to serve on (/ingest for units, / for the page)")
	store := fs.String("store", "", "where events are kept: sqlite:`DIR` (embedded, the default with -data) or postgres://USER:PASSWORD@HOST/DB (several receivers may share it)")
	data := fs.String("data", "", "data `directory`: the default store sqlite:DIR, and the tokens and operators files")
	tokens := fs.String("tokens", "", "tokens `file`: lines \"unit-id token\" (default DIR/tokens)")
	operators := fs.String("operators", "", "operators `file`: lines \"name token\" of who may use the page and the API (default DIR/operators)")
	webhook := fs.String("webhook", "", "`URL` that gets a heads-up (JSON POST) when a citizen who asked for it has few people ahead: the province's Zalo ZNS or SMS sender (docs/public.md)")
	headsUp := fs.Int("heads-up", 3, "people ahead when the heads-up is sent")
	dossiers := fs.String("dossier-status", "", "where units' dossier.status queries are answered: the province's adapter `URL` (http:// or https://, docs/uplink.md) or file:PATH, a JSON file of code → {\"status\",\"due\"} for tests")
	dossierToken := fs.String("dossier-status-token", "", "`file` holding the bearer token of the -dossier-status adapter; it stays on the receiver")
	alertHook := fs.String("alert-webhook", "", "`URL` that gets the fleet's alerts (JSON POST): unit offline, printer out of paper, disk low, clock unsynced (docs/fleet.md)")
	alertSecret := fs.String("alert-secret-file", "", "`file` holding the key that signs each alert (header X-Motcua-Signature: sha256=HMAC)")
	offlineAfter := fs.Duration("offline-after", 10*time.Minute, "a unit not heard of this long is offline: an alert")
	paperAfter := fs.Duration("paper-out-after", 5*time.Minute, "a printer out of paper this long: an alert")
	unsyncedAfter := fs.Duration("unsynced-after", 10*time.Minute, "a unit's clock not synchronised this long: an alert")
	diskLow := fs.Int64("disk-low-mib", 256, "less free space than this on a unit's data disk, in MiB: an alert")
	verbose := fs.Bool("debug", false, "log more")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	setup := receiver.Setup{Store: *store, Data: *data, Tokens: *tokens, Operators: *operators, HeadsUp: receiver.HeadsUp{Webhook: *webhook, Ahead: *headsUp},
		DossierStatus: *dossiers, DossierToken: *dossierToken, AlertSecretFile: *alertSecret,
		Fleet: receiver.Fleet{Webhook: *alertHook, OfflineAfter: *offlineAfter, PaperOutAfter: *paperAfter, UnsyncedAfter: *unsyncedAfter, DiskLow: *diskLow << 20}}
	opts, err := setup.Options(log)
	if errors.Is(err, receiver.ErrSetup) {
		fmt.Fprintln(stderr, "motcua", err)
		fs.Usage()
		return errUsage
	} else if err != nil {
		return err
	}
	srv, err := receiver.Open(ctx, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	log.Info("motcua receiver serving", "addr", ln.Addr().String(), "units", len(opts.Tokens), "operators", len(opts.Operators), "store", receiver.Redact(opts.Store))
	fmt.Fprintf(stdout, "motcua receiver: units connect to ws://%s/ingest; page http://%s/\n", ln.Addr(), ln.Addr())
	err = srv.Serve(ctx, ln)
	return errors.Join(err, srv.Close())
}

const receiverUsage = "motcua receiver -listen ADDR [-store URL] [-data DIR] [-tokens FILE] [-operators FILE] [-webhook URL [-heads-up N]] [-dossier-status URL|file:PATH [-dossier-status-token FILE]] [-alert-webhook URL [-alert-secret-file F]]"
