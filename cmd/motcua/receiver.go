package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"net"
	"net/url"
	"path/filepath"
	"strings"

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
	verbose := fs.Bool("debug", false, "log more")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *store == "" && *data != "" {
		*store = "sqlite:" + *data
	}
	if *data == "" {
		*data, _ = strings.CutPrefix(*store, "sqlite:")
	}
	if *store == "" || *data == "" && (*tokens == "" || *operators == "") {
		fmt.Fprintln(stderr, "motcua receiver: give -data DIR, or -store URL with -tokens FILE and -operators FILE")
		fs.Usage()
		return errUsage
	}
	if u, err := url.Parse(*webhook); *webhook != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		fmt.Fprintf(stderr, "motcua receiver: -webhook %q must be an http:// or https:// URL\n", *webhook)
		return errUsage
	}
	if *headsUp < 1 {
		fmt.Fprintln(stderr, "motcua receiver: -heads-up must be at least 1")
		return errUsage
	}
	if *tokens == "" {
		*tokens = filepath.Join(*data, "tokens")
	}
	if *operators == "" {
		*operators = filepath.Join(*data, "operators")
	}
	toks, err := receiver.ReadTokens(*tokens)
	if err != nil {
		return err
	}
	log := newLogger(stderr, *verbose)
	ops, err := receiver.ReadTokens(*operators)
	if errors.Is(err, iofs.ErrNotExist) {
		log.Warn("motcua receiver: no operators file: the page and the API refuse everyone; write lines \"name token\" to it", "file", *operators)
	} else if err != nil {
		return err
	}
	srv, err := receiver.Open(ctx, receiver.Options{Store: *store, Tokens: toks, Operators: ops, Logger: log,
		HeadsUp: receiver.HeadsUp{Webhook: *webhook, Ahead: *headsUp}})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		srv.Close()
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	log.Info("motcua receiver serving", "addr", ln.Addr().String(), "units", len(toks), "operators", len(ops), "store", receiver.Redact(*store))
	fmt.Fprintf(stdout, "motcua receiver: units connect to ws://%s/ingest; page http://%s/\n", ln.Addr(), ln.Addr())
	err = srv.Serve(ctx, ln)
	return errors.Join(err, srv.Close())
}

const receiverUsage = "motcua receiver -listen ADDR [-store URL] [-data DIR] [-tokens FILE] [-operators FILE] [-webhook URL [-heads-up N]]"
